"""Reads of the document registers, always from `access.documents_visible_to(user)`:
access is part of every query, searches included."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from communeos.core import access
from communeos.documents import search
from communeos.documents.models import Direction, Document, Handling, Status

OPEN = [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS]


@dataclass
class DocumentFilters:
    register: str = ""  # incoming / outgoing
    unit: int | None = None
    q: str = ""
    doc_type: str = ""
    issuer: str = ""
    start: date | None = None
    end: date | None = None
    status: str = ""
    overdue: bool = False
    year: int | None = None


def document_list(*, user, filters: DocumentFilters | None = None) -> QuerySet:
    filters = filters or DocumentFilters()
    qs = access.documents_visible_to(user).select_related("unit")
    if filters.register:
        qs = qs.filter(direction=filters.register)
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.doc_type:
        qs = qs.filter(doc_type=filters.doc_type)
    if filters.issuer:
        qs = qs.filter(issuer__iexact=filters.issuer.strip())
    if filters.start:
        qs = qs.filter(issued_on__gte=filters.start)
    if filters.end:
        qs = qs.filter(issued_on__lte=filters.end)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(status__in=OPEN, deadline__lt=timezone.localdate())
    if filters.q.strip():
        return search.filter_matching(qs, filters.q, provinces=access.document_provinces(user))
    return qs.order_by("-year", "-arrival_number", "-number", "-id")


def register(*, user, unit, direction: str, year: int) -> QuerySet:
    """One unit's register for one year, in register order (arrival or issue number)."""
    qs = (
        access.documents_visible_to(user)
        .filter(unit=unit, direction=direction, year=year)
        .prefetch_related(Prefetch("handlings", queryset=Handling.objects.select_related("person", "unit")))
    )
    if direction == Direction.INCOMING:
        return qs.order_by("arrival_number")
    return qs.exclude(status__in=[Status.DRAFT, Status.APPROVED]).order_by("issued_on", "number", "id")


def document_queue(*, user) -> QuerySet:
    """What waits for `user`: documents they handle, not done; overdue first."""
    handled = Handling.objects.filter(Q(person=user), done_at__isnull=True).values("document_id")
    return (
        access.documents_visible_to(user)
        .filter(pk__in=handled, status__in=OPEN)
        .select_related("unit")
        .order_by("deadline", "-arrived_at")
    )


def document_detail(*, user, document: Document) -> dict:
    """The document with what it cites and what cites it — only what `user` may see."""
    visible = access.documents_visible_to(user)
    citations = list(document.citations.select_related("reference").order_by("id"))
    targets = [c.reference.document_id for c in citations if c.reference.document_id]
    shown = {d.pk: d for d in visible.filter(pk__in=targets)} if targets else {}
    cites = [
        {"symbol": c.reference.symbol, "document": shown.get(c.reference.document_id), "date": c.cited_date}
        for c in citations
    ]
    cited_by = (
        visible.filter(
            Q(citations__reference__document=document)
            | Q(citations__reference__symbol=document.symbol, citations__reference__issued_on=document.issued_on)
        )
        .exclude(pk=document.pk)
        .distinct()
        if document.symbol
        else visible.none()
    )
    same_document = (
        visible.filter(symbol=document.symbol, issued_on=document.issued_on).exclude(pk=document.pk)
        if document.symbol
        else visible.none()
    )
    return {
        "document": document,
        # An incoming copy sent inside the system: the sender's entry, when the reader sees it.
        "visible_source": (
            document.source_id if document.source_id and visible.filter(pk=document.source_id).exists() else None
        ),
        "cites": cites,
        "cited_by": cited_by.select_related("unit")[:100],
        "same_document": same_document.select_related("unit"),
        "handlings": document.handlings.select_related("person", "unit", "assigned_by"),
        "attachments": document.attachments.all(),
    }
