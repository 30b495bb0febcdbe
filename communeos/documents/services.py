"""Writes of the document registers. Each function is one transaction and one audit entry.

Who does what (positions, as in Decree 30/2020/NĐ-CP): the clerk (văn thư) registers
incoming documents, numbers (issues) and dispatches outgoing ones; the chair or a
vice-chair assigns incoming documents for handling and approves drafts; the handlers
report progress. Any staff member of the unit may write a draft.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communeos.core import access, audit, calendar
from communeos.core import services as core_services
from communeos.core.models import Export
from communeos.core.numbering import next_number
from communeos.core.text import fold
from communeos.core.uploads import CheckedUpload, atomic_with_files, check_upload, store
from communeos.documents import search, symbols
from communeos.documents.models import (
    Attachment,
    Body,
    Citation,
    ConfidentialGrant,
    Direction,
    Document,
    Handling,
    NumberingRule,
    PartyTerm,
    Reference,
    Status,
)
from communeos.people.models import Assignment
from communeos.units.models import Unit

CLERK = {"clerk"}
HEADS = {"commune_chair", "commune_vice_chair", "province_chair", "province_vice_chair"}


class DuplicateDocument(ValidationError):
    """The same incoming document (issuer, symbol, date) is already in the register."""

    def __init__(self, first: Document):
        self.first = first
        super().__init__(
            _("This document is already registered as arrival no. %(number)s of %(year)s.")
            % {"number": first.arrival_number, "year": first.year},
            code="duplicate",
        )


# Helpers ------------------------------------------------------------------------------------


def _positions(actor, unit_id: int, day: date) -> set[str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return set()
    return set(
        Assignment.objects.current(day).filter(person=actor, unit_id=unit_id).values_list("position__code", flat=True)
    )


def _require(actor, unit_id: int, allowed: set[str], at: datetime, what: str) -> None:
    if not _positions(actor, unit_id, timezone.localdate(at)) & allowed:
        raise ValidationError(_("Only %(who)s of the unit can %(what)s.") % {"who": _who(allowed), "what": what})


def _who(allowed: set[str]) -> str:
    from communeos.people.models import Position

    return ", ".join(str(p) for p in Position.objects.filter(code__in=allowed))


def _audit(document: Document, *, actor, action: str, changes: dict) -> None:
    audit.record(actor=actor, action=f"document.{action}", obj=document, unit=document.unit_id, changes=changes)


def parse_symbol(text: str) -> symbols.Symbol:
    try:
        return symbols.parse(text)
    except symbols.SymbolError as error:
        raise ValidationError({"symbol": [str(error)]}) from None


def _index(document: Document) -> None:
    """Keep the search key (diacritics folded) and the search index in step with the row."""
    parts = [document.symbol, document.author, document.summary, document.text]
    parts += [a.text for a in document.attachments.all()] if document.pk else []
    document.search_text = fold(" ".join(p for p in parts if p))
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text)
    search.index(document)


def _cite(document: Document) -> None:
    """Link the references found in the summary and text to the documents they name, or to
    placeholders that a later registration fills in."""
    found = symbols.extract(f"{document.summary}\n{document.text}")
    Citation.objects.filter(citing=document).delete()
    own = document.symbol
    seen = set()
    for ref in found:
        canonical = ref.symbol.format()
        if canonical == own or canonical in seen:
            continue
        seen.add(canonical)
        reference, _created = Reference.objects.get_or_create(
            symbol=canonical, issued_on=ref.date, defaults={"year": ref.year}
        )
        if reference.document_id is None:
            _resolve(reference)
        Citation.objects.create(citing=document, reference=reference, cited_date=ref.date, context=ref.text[:300])


def _resolve(reference: Reference) -> None:
    """Link a placeholder to the registered document it names, when exactly one does."""
    candidates = Document.objects.filter(symbol=reference.symbol, confidentiality="")
    if reference.issued_on:
        candidates = candidates.filter(issued_on=reference.issued_on)
    dates = set(candidates.values_list("issued_on", flat=True)[:2])
    if len(dates) == 1:
        reference.document = candidates.order_by("id").first()
        reference.save(update_fields=["document"])


def _claim_reference(document: Document) -> None:
    """A document registered under a symbol and date fills the placeholder cited with that
    symbol and date; and the one cited without a date when the symbol names a single document
    — it carries its year (76/2025/UBTVQH15), or no document of another date has it."""
    if not document.symbol or document.confidentiality:
        return  # a secret document has its own series: its symbol may repeat an open one's
    year = document.issued_on.year if document.issued_on else None
    reference, _created = Reference.objects.get_or_create(
        symbol=document.symbol, issued_on=document.issued_on, defaults={"year": year}
    )
    claims = Q(pk=reference.pk)
    same_symbol_other_date = (
        Document.objects.filter(symbol=document.symbol, confidentiality="")
        .exclude(issued_on=document.issued_on)
        .exists()
    )
    if document.normative or not same_symbol_other_date:
        claims |= Q(symbol=document.symbol, issued_on__isnull=True)
    Reference.objects.filter(claims, document__isnull=True).update(document=document)


@dataclass(frozen=True)
class Prepared:
    """An upload checked by content, with its text already read (OCR can take a minute, so
    it runs before the transaction opens and holds no lock)."""

    upload: CheckedUpload
    text: str
    method: str


def prepare_uploads(uploads: list) -> list[Prepared]:
    from communeos.documents import digitise

    prepared, errors = [], []
    for upload in uploads:
        try:
            checked = check_upload(upload)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        extracted = digitise.extract(checked.content, checked.content_type)
        prepared.append(Prepared(upload=checked, text=extracted.text, method=extracted.method))
    if errors:
        raise ValidationError({"files": errors})
    return prepared


def _attach(document: Document, prepared: list[Prepared], written: list[str]) -> None:
    from communeos.documents import digitise

    names = store([item.upload for item in prepared], "documents", written)
    for item, name in zip(prepared, names, strict=True):
        upload = item.upload
        Attachment.objects.create(
            document=document,
            file=name,
            name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            text=item.text,
        )
    if prepared:
        document.digitisation = digitise.status_of(document.attachments.all())
        texts = [item.text for item in prepared if item.text]
        if texts and not document.text:
            document.text = "\n".join(texts)
        document.save(update_fields=["digitisation", "text", "updated_at"])


def _grant_first_readers(document: Document, actor, at: datetime) -> None:
    """A confidential document is seen first by who registered or drafted it, and by the
    unit's clerk (who keeps the secret registers) and its head and deputy heads, who decide
    whom else to grant (Law 29/2018/QH14 on the protection of state secrets)."""
    readers = set(
        Assignment.objects.current(timezone.localdate(at))
        .filter(unit_id=document.unit_id, position__code__in=CLERK | HEADS)
        .values_list("person_id", flat=True)
    )
    if getattr(actor, "is_authenticated", False):
        readers.add(actor.pk)
    granted_by = actor if getattr(actor, "is_authenticated", False) else None
    ConfidentialGrant.objects.bulk_create(
        [ConfidentialGrant(document=document, person_id=pk, granted_by=granted_by) for pk in readers],
        ignore_conflicts=True,
    )
    access.forget_document_scope(actor)


def author_name(unit: Unit, body: str) -> str:
    """How the issuing body is written in a register: Ủy ban nhân dân xã Lộc Bình."""
    name = unit.name[:1].lower() + unit.name[1:]
    return f"Đảng ủy {name}" if body == Body.PARTY else f"Ủy ban nhân dân {name}"


# Incoming -----------------------------------------------------------------------------------


def document_register_incoming(
    *,
    actor,
    unit: Unit,
    symbol: str,
    author: str,
    issued_on: date,
    summary: str,
    arrived_at: datetime | None = None,
    urgency: str = "",
    confidentiality: str = "",
    deadline: date | None = None,
    note: str = "",
    text: str = "",
    uploads: list | None = None,
    confirm_duplicate: bool = False,
    source: Document | None = None,
    at: datetime | None = None,
) -> Document:
    """Register an incoming document with the next arrival number of the year.

    The symbol is parsed and stored in canonical form. The same document (issuer, symbol,
    date) registered twice raises `DuplicateDocument` (a warning naming the first entry)
    unless `confirm_duplicate`.
    """
    return _register_incoming(
        actor=actor,
        unit=unit,
        symbol=symbol,
        author=author,
        issued_on=issued_on,
        summary=summary,
        arrived_at=arrived_at,
        urgency=urgency,
        confidentiality=confidentiality,
        deadline=deadline,
        note=note,
        text=text,
        uploads=prepare_uploads(uploads or []),
        confirm_duplicate=confirm_duplicate,
        source=source,
        at=at or timezone.now(),
    )


@atomic_with_files
def _register_incoming(*, actor, unit, symbol, author, issued_on, summary, arrived_at, urgency, confidentiality,
                       deadline, note, text, uploads, confirm_duplicate, source, at, written) -> Document:  # fmt: skip
    if source is None:
        _require(actor, unit.pk, CLERK, at, _("register incoming documents"))
    errors: dict[str, list[str]] = {}
    parsed = None
    try:
        parsed = parse_symbol(symbol)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not summary.strip():
        errors["summary"] = [_("Give the document's type and summary (trích yếu).")]
    if not author.strip():
        errors["author"] = [_("Name the issuing body.")]
    if issued_on is None:
        errors["issued_on"] = [_("Give the document's date.")]
    arrived_at = arrived_at or at
    if issued_on and issued_on > timezone.localdate(arrived_at):
        errors["issued_on"] = [_("The document's date is after its arrival.")]
    if arrived_at > at:
        errors["arrived_at"] = [_("A document cannot be registered before it arrives.")]
    if errors:
        raise ValidationError(errors)
    canonical = parsed.format()
    year = timezone.localtime(arrived_at).year
    # Numbering first: it locks the unit's counter for the year until this transaction ends,
    # so a clerk registering the same document at the same moment waits here, then finds this
    # one below (and the number it took is given back with the rollback).
    number = next_number("incoming", unit, str(year))
    if not confirm_duplicate:
        authenticated = getattr(actor, "is_authenticated", False)
        registered = access.documents_visible_to(actor) if authenticated else Document.objects
        first = (
            registered.filter(
                unit=unit, direction=Direction.INCOMING, symbol=canonical, issued_on=issued_on, issuer=parsed.issuer
            )
            .order_by("id")
            .first()
        )
        if first is not None:
            raise DuplicateDocument(first)
    arrival_day = timezone.localdate(arrived_at)
    registered_day = timezone.localdate(at)
    in_time = registered_day <= calendar.next_working_day(arrival_day, province=unit.province_id or unit.pk)
    document = Document.objects.create(
        unit=unit,
        province_id=unit.province_id or unit.pk,
        direction=Direction.INCOMING,
        body=Body.PARTY if parsed.family == symbols.Family.PARTY else Body.STATE,
        year=year,
        arrival_number=number,
        arrived_at=arrived_at,
        registered_at=at,
        registered_in_time=in_time,
        symbol=canonical,
        number=parsed.number,
        doc_type=parsed.type or "",
        issuer=parsed.issuer,
        drafting_unit=parsed.drafting_unit or "",
        normative=parsed.year is not None,
        author=author.strip(),
        issued_on=issued_on,
        summary=summary.strip(),
        urgency=urgency,
        confidentiality=confidentiality,
        status=Status.NEW,
        deadline=deadline,
        note=note.strip(),
        text=text,
        source=source,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if confidentiality:
        _grant_first_readers(document, actor, at)
    _attach(document, uploads, written)
    _claim_reference(document)
    _cite(document)
    _index(document)
    _audit(
        document,
        actor=actor,
        action="register_incoming",
        changes={"arrival_number": [None, number], "symbol": [None, canonical], "year": [None, year]},
    )
    return document


@transaction.atomic
def document_assign(
    *,
    actor,
    document: Document,
    lead=None,
    lead_unit: Unit | None = None,
    co_handlers: list | None = None,
    comment: str = "",
    deadline: date | None = None,
    at: datetime | None = None,
) -> Document:
    """The chair assigns an incoming document to a lead handler (a person, or a unit) with
    co-handlers, a comment and a deadline. Reassigning replaces the open assignment."""
    at = at or timezone.now()
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require(actor, document.unit_id, HEADS, at, _("assign documents"))
    if document.direction != Direction.INCOMING or document.status == Status.DONE:
        raise ValidationError(_("Only an incoming document not yet done can be assigned."))
    if (lead is None) == (lead_unit is None):
        raise ValidationError({"lead": [_("Choose the lead handler: a person or a unit.")]})
    if deadline is not None and deadline < timezone.localdate(at):
        raise ValidationError({"deadline": [_("The deadline is in the past.")]})
    if lead is not None and not _positions(lead, document.unit_id, timezone.localdate(at)):
        raise ValidationError({"lead": [_("The lead handler must work in the unit.")]})
    co_handlers = [c for c in (co_handlers or []) if c != lead]
    for person in co_handlers:
        if not _positions(person, document.unit_id, timezone.localdate(at)):
            raise ValidationError({"co_handlers": [_("%(person)s does not work in the unit.") % {"person": person}]})
    document.handlings.filter(done_at__isnull=True).delete()
    Handling.objects.create(
        document=document,
        person=lead,
        unit=lead_unit,
        role=Handling.Role.LEAD,
        comment=comment.strip(),
        deadline=deadline,
        assigned_by=actor,
    )
    for person in co_handlers:
        Handling.objects.create(
            document=document, person=person, role=Handling.Role.CO, comment=comment.strip(), deadline=deadline,
            assigned_by=actor,
        )  # fmt: skip
    before = document.status
    document.status = Status.ASSIGNED
    document.deadline = deadline
    document.save(update_fields=["status", "deadline", "updated_at"])
    if document.confidentiality:
        for person in [lead, *co_handlers]:
            if person is not None:
                ConfidentialGrant.objects.get_or_create(
                    document=document, person=person, defaults={"granted_by": actor}
                )
        access.forget_document_scope(lead, *co_handlers)
    _audit(
        document,
        actor=actor,
        action="assign",
        changes={
            "status": [before, document.status],
            "lead": [None, getattr(lead, "pk", None) or getattr(lead_unit, "pk", None)],
            "co_handlers": [None, [p.pk for p in co_handlers]],
            "deadline": [None, deadline.isoformat() if deadline else None],
        },
    )
    return document


def _require_handler(actor, document: Document) -> None:
    if not document.handlings.filter(Q(person=actor) | Q(unit__in=_actor_units(actor))).exists():
        raise ValidationError(_("Only a handler of this document can report on it."))


def _actor_units(actor):
    return Assignment.objects.current().filter(person=actor).values("unit_id")


@transaction.atomic
def document_start(*, actor, document: Document, at: datetime | None = None) -> Document:
    at = at or timezone.now()
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_handler(actor, document)
    if document.status != Status.ASSIGNED:
        raise ValidationError(_("Only an assigned document can be started."))
    document.status = Status.IN_PROGRESS
    document.save(update_fields=["status", "updated_at"])
    # The moment of the act goes with the change (the entry itself is stamped when written).
    changes = {"status": [Status.ASSIGNED, Status.IN_PROGRESS], "started_at": [None, at.isoformat()]}
    _audit(document, actor=actor, action="start", changes=changes)
    return document


@transaction.atomic
def document_done(*, actor, document: Document, note: str = "", at: datetime | None = None) -> Document:
    at = at or timezone.now()
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_handler(actor, document)
    if document.status not in {Status.ASSIGNED, Status.IN_PROGRESS}:
        raise ValidationError(_("Only a document being handled can be done."))
    before = document.status
    document.status = Status.DONE
    if note.strip():
        document.note = "\n".join(p for p in [document.note, note.strip()] if p)
    document.save(update_fields=["status", "note", "updated_at"])
    document.handlings.filter(done_at__isnull=True).update(done_at=at)
    _audit(document, actor=actor, action="done", changes={"status": [before, Status.DONE]})
    return document


# Outgoing -----------------------------------------------------------------------------------


def document_draft(
    *,
    actor,
    unit: Unit,
    doc_type: str,
    summary: str,
    body: str = Body.STATE,
    issuer: str = "UBND",
    drafting_unit: str = "",
    normative: bool = False,
    signer: str = "",
    recipients: str = "",
    recipient_units: list[Unit] | None = None,
    urgency: str = "",
    confidentiality: str = "",
    copies: int = 1,
    text: str = "",
    uploads: list | None = None,
    at: datetime | None = None,
) -> Document:
    """A draft outgoing document, without a number: it gets one when it is issued."""
    return _draft(
        actor=actor,
        unit=unit,
        doc_type=doc_type.strip(),
        summary=summary,
        body=body,
        issuer=issuer.strip(),
        drafting_unit=drafting_unit.strip(),
        normative=normative,
        signer=signer,
        recipients=recipients,
        recipient_units=recipient_units or [],
        urgency=urgency,
        confidentiality=confidentiality,
        copies=copies,
        text=text,
        uploads=prepare_uploads(uploads or []),
        at=at or timezone.now(),
    )


@atomic_with_files
def _draft(*, actor, unit, doc_type, summary, body, issuer, drafting_unit, normative, signer, recipients,
           recipient_units, urgency, confidentiality, copies, text, uploads, at, written) -> Document:  # fmt: skip
    if not _positions(actor, unit.pk, timezone.localdate(at)):
        raise ValidationError(_("Only staff of the unit can draft its documents."))
    errors = {}
    if not summary.strip():
        errors["summary"] = [_("Give the document's type and summary (trích yếu).")]
    probe = _symbol_for(body=body, number=1, year=timezone.localdate(at).year, doc_type=doc_type, issuer=issuer,
                        drafting_unit=drafting_unit, normative=normative, errors=errors)  # fmt: skip
    if probe is None and not errors:
        errors["doc_type"] = [_("This combination of type and issuer does not make a document symbol.")]
    if errors:
        raise ValidationError(errors)
    document = Document.objects.create(
        unit=unit,
        province_id=unit.province_id or unit.pk,
        direction=Direction.OUTGOING,
        body=body,
        year=timezone.localtime(at).year,
        doc_type=doc_type,
        issuer=issuer,
        drafting_unit=drafting_unit,
        normative=normative,
        author=author_name(unit, body),
        summary=summary.strip(),
        signer=signer.strip(),
        recipients=recipients.strip(),
        urgency=urgency,
        confidentiality=confidentiality,
        copies=copies,
        status=Status.DRAFT,
        text=text,
        created_by=actor,
    )
    document.recipient_units.set(recipient_units)
    if confidentiality:
        _grant_first_readers(document, actor, at)
    _attach(document, uploads, written)
    _cite(document)
    _index(document)
    _audit(document, actor=actor, action="draft", changes={"summary": [None, document.summary]})
    return document


def _symbol_for(*, body, number, year, doc_type, issuer, drafting_unit, normative, errors) -> symbols.Symbol | None:
    family = symbols.Family.PARTY if body == Body.PARTY else symbols.Family.STATE
    try:
        return symbols.Symbol(
            family=family,
            number=number,
            year=year if (normative and family == symbols.Family.STATE) else None,
            type=doc_type or None,
            issuer=issuer,
            drafting_unit=drafting_unit or None,
        )
    except ValueError:
        errors["doc_type"] = [
            _("This type and issuer do not make a valid symbol; expected forms: %(forms)s.")
            % {"forms": ", ".join(symbols.EXPECTED_FORMS)}
        ]
        return None


@transaction.atomic
def document_approve(*, actor, document: Document, at: datetime | None = None) -> Document:
    at = at or timezone.now()
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require(actor, document.unit_id, HEADS, at, _("approve drafts"))
    if document.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be approved."))
    document.status = Status.APPROVED
    document.approved_by = actor
    document.save(update_fields=["status", "approved_by", "updated_at"])
    _audit(document, actor=actor, action="approve", changes={"status": [Status.DRAFT, Status.APPROVED]})
    return document


def numbering_rule(body: str, day: date) -> NumberingRule:
    rule = (
        NumberingRule.objects.filter(body=body, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from")
        .first()
    )
    if rule is None:
        raise ValidationError(_("No numbering rule is in force for this body on this date."))
    return rule


def numbering_series(document: Document, day: date) -> tuple[str, str]:
    """(series, period) of the counter that numbers `document` issued on `day`, by the rule."""
    rule = numbering_rule(document.body, day)
    if rule.period == NumberingRule.Period.YEAR:
        period = str(day.year)
    else:
        term = (
            PartyTerm.objects.filter(unit=document.unit, start__lte=day)
            .filter(Q(end__isnull=True) | Q(end__gte=day))
            .order_by("-start")
            .first()
        )
        if term is None:
            raise ValidationError(_("No party committee term covers this date: add the term first."))
        period = f"term-{term.pk}"
    series = f"out-{document.body}"
    if rule.per_type:
        series += f"-{document.doc_type or 'CV'}"
    if document.confidentiality and rule.secret_own_series:
        series += "-secret"
    return series, period


@transaction.atomic
def document_issue(*, actor, document: Document, at: datetime | None = None) -> Document:
    """Give an approved document its number and symbol. Numbers are unique and without gaps:
    the counter row is locked until this transaction ends. A draft not yet approved is refused."""
    at = at or timezone.now()
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require(actor, document.unit_id, CLERK, at, _("issue documents"))
    if document.status == Status.DRAFT:
        raise ValidationError(_("A draft gets its number once it is approved."))
    if document.status != Status.APPROVED:
        raise ValidationError(_("This document already has its number."))
    day = timezone.localdate(at)
    series, period = numbering_series(document, day)
    number = next_number(series, document.unit_id, period)
    errors: dict = {}
    symbol = _symbol_for(body=document.body, number=number, year=day.year, doc_type=document.doc_type,
                         issuer=document.issuer, drafting_unit=document.drafting_unit, normative=document.normative,
                         errors=errors)  # fmt: skip
    if symbol is None:
        raise ValidationError(errors)
    document.number = number
    document.symbol = symbol.format()
    document.issued_on = day
    document.year = day.year
    document.status = Status.ISSUED
    document.registered_at = at
    document.save()
    _claim_reference(document)
    _index(document)
    _audit(
        document,
        actor=actor,
        action="issue",
        changes={"number": [None, number], "symbol": [None, document.symbol], "series": [None, f"{series}/{period}"]},
    )
    return document


@transaction.atomic
def document_dispatch(*, actor, document: Document, at: datetime | None = None) -> Document:
    """Send an issued document: each recipient inside the system finds it in its own incoming
    register (a new entry with its own arrival number)."""
    at = at or timezone.now()
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require(actor, document.unit_id, CLERK, at, _("dispatch documents"))
    if document.status != Status.ISSUED:
        raise ValidationError(_("Only an issued document can be dispatched."))
    document.status = Status.DISPATCHED
    document.dispatched_at = at
    document.save(update_fields=["status", "dispatched_at", "updated_at"])
    delivered = []
    for unit in document.recipient_units.all():
        delivered.append(
            _register_incoming(
                actor=None,
                unit=unit,
                symbol=document.symbol,
                author=document.author,
                issued_on=document.issued_on,
                summary=document.summary,
                arrived_at=at,
                urgency=document.urgency,
                confidentiality=document.confidentiality,
                deadline=None,
                note="",
                text=document.text,
                uploads=[],
                confirm_duplicate=True,
                source=document,
                at=at,
            )
        )
        Attachment.objects.bulk_create(
            Attachment(
                document=delivered[-1], file=a.file.name, name=a.name, content_type=a.content_type, size=a.size,
                sha256=a.sha256, text=a.text,
            )
            for a in document.attachments.all()
        )  # fmt: skip
        if document.digitisation != delivered[-1].digitisation:
            Document.objects.filter(pk=delivered[-1].pk).update(digitisation=document.digitisation)
    _audit(
        document,
        actor=actor,
        action="dispatch",
        changes={"status": [Status.ISSUED, Status.DISPATCHED], "delivered_to": [None, [d.unit_id for d in delivered]]},
    )
    return document


# Confidentiality ------------------------------------------------------------------------------


@transaction.atomic
def confidential_grant(*, actor, document: Document, person) -> ConfidentialGrant:
    """Let `person` see a confidential document. Only the chair (or vice-chair) of its unit
    may grant; the grant is audited."""
    _require(actor, document.unit_id, HEADS, timezone.now(), _("grant access to confidential documents"))
    if not document.confidentiality:
        raise ValidationError(_("This document is not confidential."))
    grant, created = ConfidentialGrant.objects.get_or_create(
        document=document, person=person, defaults={"granted_by": actor}
    )
    access.forget_document_scope(person)
    if created:
        _audit(document, actor=actor, action="grant", changes={"person": [None, person.pk]})
    return grant


def document_file_opened(*, actor, document: Document, attachment: Attachment) -> None:
    """`actor` (who sees the document: `core.access`) opens one of its files: recorded for a
    confidential document, as each view of it is."""
    if document.confidentiality:
        with transaction.atomic():
            _audit(document, actor=actor, action="file_view", changes={"file": [None, attachment.name]})


def overdue(document: Document, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        document.deadline
        and document.deadline < today
        and document.status in {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS}
    )


# Exports -------------------------------------------------------------------------------------


def register_export(*, actor, unit: Unit, direction: str, year: int) -> tuple[bytes, str]:
    """A unit's register for a year as Excel, as `actor` may see it: (content, file name). The
    confidential entries the actor was granted are printed too, and each is a view of it:
    audited, in one transaction, before the file is made."""
    from communeos.documents import exports, selectors

    entries = selectors.register(user=actor, unit=unit, direction=direction, year=year)
    with transaction.atomic():
        _register_views(actor, entries, "register.xlsx")
    content = exports.register_xlsx(entries, unit=unit, direction=direction, year=year)
    return content, f"{exports.Register(unit=unit, direction=direction, year=year).filename_stem}.xlsx"


def register_pdf_request(*, actor, unit: Unit, direction: str, year: int) -> Export:
    """Ask for a unit's register for a year as PDF, made in the background (a year's register
    takes tens of seconds to lay out): the entries registered so far, as `actor` may see them
    (`exports.register_pdf_export`). The confidential ones among them are audited as views
    now, with the request."""
    from communeos.documents import exports, selectors

    entries = selectors.register(user=actor, unit=unit, direction=direction, year=year)
    register = exports.Register(unit=unit, direction=direction, year=year)
    with transaction.atomic():
        # The entries as they are now: the file holds these (an outgoing document drafted
        # earlier but issued later, or one granted later, is not in it unaudited).
        ids = list(entries.values_list("pk", flat=True))
        if len(ids) > exports.MAX_PDF_ROWS:
            raise ValidationError(
                _("The register holds %(count)s entries; a PDF takes at most %(max)s. Download it as Excel.")
                % {"count": len(ids), "max": exports.MAX_PDF_ROWS}
            )
        _register_views(actor, entries.filter(pk__in=ids), "register.pdf")
        return core_services.export_request(
            actor=actor,
            unit=unit,
            kind=Export.Kind.DOCUMENT_REGISTER,
            params={"direction": direction, "year": year, "ids": ids},
            title=register.full_title,
            filename=f"{register.filename_stem}.pdf",
        )


def _register_views(actor, entries, export: str) -> None:
    """Audit each confidential entry of a register being exported as a view."""
    for document in entries.exclude(confidentiality="").order_by("pk"):
        audit.record(
            actor=actor, action="document.view", obj=document, unit=document.unit_id, changes={"export": [None, export]}
        )
