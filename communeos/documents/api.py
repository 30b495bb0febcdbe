"""The official documents' API: the registers in scope, registration of incoming documents,
the outgoing life cycle (draft → approved → issued → dispatched), routing of incoming
documents (assign → start → done), confidential grants, and the registers as Excel or PDF.

Every read starts from `access.documents_visible_to(user)`: a document of another unit, or a
confidential one the caller has not been granted, answers 404 like one that does not exist.
Every view of a confidential document's detail goes to the audit trail. A refused write
answers 422 with `{"detail", "errors"}`; a duplicate registration 409 naming the first entry.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, responses
from ninja.pagination import paginate

from communeos.core import access, audit, registers, uploads
from communeos.core.api import Day, ErrorOut, ExportOut, In, Moment, Pages, accepted, error_body, refusal
from communeos.documents import selectors, services
from communeos.documents.models import (
    Body,
    Confidentiality,
    Digitisation,
    Direction,
    Document,
    Status,
    Urgency,
    type_name,
)
from communeos.people.models import User
from communeos.units.api import UnitRef
from communeos.units.models import Unit

router = Router(tags=["documents"])


# Schemas -------------------------------------------------------------------------------------


class FirstEntryOut(Schema):
    id: int | None = Field(description="The first entry's id; empty when you may not see it (confidential)")
    arrival_number: int
    year: int
    symbol: str
    url: str | None = Field(description="The first entry in this API, when you may see it")


class DuplicateOut(Schema):
    detail: str
    first: FirstEntryOut


class DocumentOut(Schema):
    id: int
    unit: UnitRef
    direction: Direction
    body: Body
    year: int
    arrival_number: int | None
    arrived_at: datetime | None
    registered_at: datetime | None
    registered_in_time: bool | None = Field(description="Incoming: registered the same or the next working day")
    symbol: str
    number: int | None
    doc_type: str
    type_name: str
    issuer: str
    drafting_unit: str
    normative: bool
    author: str
    issued_on: date | None
    summary: str
    signer: str
    recipients: str
    copies: int
    urgency: str
    confidentiality: str
    status: Status
    deadline: date | None
    overdue: bool
    dispatched_at: datetime | None
    digitisation: Digitisation

    @staticmethod
    def resolve_type_name(obj) -> str:
        return type_name(obj.doc_type) if obj.doc_type else ""

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return services.overdue(obj)


class DocumentRef(Schema):
    id: int
    symbol: str
    unit: str = Field(alias="unit.code")
    direction: str
    issued_on: date | None
    summary: str


class CitationOut(Schema):
    symbol: str
    date: date | None
    document: int | None = Field(description="The cited document's id, when it is in the system and you may see it")


class HandlingOut(Schema):
    role: str
    person: str | None = Field(None, alias="person.username")
    person_name: str | None = Field(None, alias="person.full_name")
    unit: UnitRef | None
    comment: str
    deadline: date | None
    assigned_by: str = Field(alias="assigned_by.username")
    assigned_at: datetime = Field(alias="created_at")
    done_at: datetime | None


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    uploaded_at: datetime


class DocumentDetailOut(DocumentOut):
    note: str
    text: str
    recipient_units: list[UnitRef]
    source: int | None = Field(
        None, alias="visible_source", description="Incoming from inside the system: the sender's entry, if you see it"
    )
    approved_by: str | None = Field(None, alias="approved_by.username")
    cites: list[CitationOut] = Field(description="What it cites: the symbol, and the document when you may see it")
    cited_by: list[DocumentRef] = Field(description="The documents you may see that cite it")
    same_document: list[DocumentRef] = Field(description="Other entries of the same document (its copies elsewhere)")
    handlings: list[HandlingOut]
    attachments: list[AttachmentOut]

    # `obj.detail` is what `selectors.document_detail` found for the caller.
    @staticmethod
    def resolve_cites(obj) -> list[dict]:
        return [
            {"symbol": c["symbol"], "date": c["date"], "document": c["document"].pk if c["document"] else None}
            for c in obj.detail["cites"]
        ]

    @staticmethod
    def resolve_cited_by(obj) -> list:
        return list(obj.detail["cited_by"])

    @staticmethod
    def resolve_same_document(obj) -> list:
        return list(obj.detail["same_document"])

    @staticmethod
    def resolve_handlings(obj) -> list:
        return list(obj.detail["handlings"])

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.detail["attachments"])


# Helpers -------------------------------------------------------------------------------------


def _unit(request, code: str) -> Unit | None:
    """The unit with this code that the caller may see: the one in force, else the latest."""
    return (
        access.units_visible_to(request.user).filter(code=code).order_by(F("valid_to").desc(nulls_first=True)).first()
    )


def _detail(request, document: Document) -> Document:
    """The detail of a document the caller may see. A confidential one is audited: every
    view of it goes to the trail, in the same transaction as the read."""
    document = (
        Document.objects.select_related("unit", "approved_by").prefetch_related("recipient_units").get(pk=document.pk)
    )
    if document.is_confidential:
        with transaction.atomic():
            audit.record(actor=request.user, action="document.view", obj=document, unit=document.unit_id)
    document.detail = selectors.document_detail(user=request.user, document=document)
    document.visible_source = document.detail["visible_source"]
    return document


def _visible_detail(request, document_id: int) -> Document:
    """After a write: the document as the caller now sees it (404 if the write took it out of
    their sight)."""
    return _detail(request, access.access_document(request.user, document_id))


def _person(username: str, *, field: str, among=None) -> User:
    found = (among if among is not None else User.objects.filter(is_active=True)).filter(username=username).first()
    if found is None:
        message = _("No one you may see has the username %(username)s.") % {"username": username}
        raise ValidationError({field: [message]})
    return found


# Reads ---------------------------------------------------------------------------------------


class DocumentQuery(Schema):
    direction: Direction | None = Field(None, alias="register", description="incoming or outgoing")
    unit: str = Field("", description="Code of a unit you may see")
    q: str = Field("", description="Full text over symbol, summary and text; accents and case optional")
    doc_type: str = Field("", description="Type abbreviation: QĐ, NQ, TB, …")
    issuer: str = Field("", description="Issuer code: UBND, CP, TW, …")
    start: Day | None = Field(None, description="Issued on or after")
    end: Day | None = Field(None, description="Issued on or before")
    status: Status | None = None
    overdue: bool = False
    year: int | None = Field(None, description="Register year")


@router.get(
    "/",
    response={200: list[DocumentOut], 404: ErrorOut},
    summary="Register entries of the units you may see (confidential ones only if granted; "
    "404: a unit filter naming a unit you may not see)",
)
@paginate(Pages, page_size=100)
def documents(request, query: Query[DocumentQuery]):
    unit_id = None
    if query.unit:
        unit = _unit(request, query.unit)
        if unit is None:
            raise Http404
        unit_id = unit.pk
    return selectors.document_list(
        user=request.user,
        filters=selectors.DocumentFilters(
            register=query.direction or "",
            unit=unit_id,
            q=query.q,
            doc_type=query.doc_type,
            issuer=query.issuer,
            start=query.start,
            end=query.end,
            status=query.status or "",
            overdue=query.overdue,
            year=query.year,
        ),
    )


@router.get(
    "/{int:document_id}/",
    response={200: DocumentDetailOut, 404: ErrorOut},
    summary="One document with its citations, handlings and attachments (404 outside scope or not granted)",
)
def document(request, document_id: int):
    return _detail(request, access.access_document(request.user, document_id))


@router.get(
    "/{int:document_id}/attachments/{int:attachment_id}/",
    response={200: None, 404: ErrorOut},
    summary="One of the document's files, as it was uploaded (404 outside scope or not granted)",
)
def attachment(request, document_id: int, attachment_id: int):
    document = access.access_document(request.user, document_id)
    attachment = get_object_or_404(document.attachments, pk=attachment_id)
    response = uploads.serve(attachment.file.name, attachment.content_type, attachment.name)  # 404 if gone
    services.document_file_opened(actor=request.user, document=document, attachment=attachment)
    return response


@router.get(
    "/registers/{unit_code}/{direction}/{int:year}.xlsx",
    response={200: None, 404: ErrorOut},
    summary="A unit's incoming or outgoing register for a year, as Excel (Decree 30/2020, Appendix IV)",
)
def register_xlsx(request, unit_code: str, direction: str, year: int):
    unit = _unit(request, unit_code)
    if unit is None or direction not in Direction.values:
        raise Http404
    content, filename = services.register_export(actor=request.user, unit=unit, direction=direction, year=year)
    return registers.attachment(content, "xlsx", filename)


@router.post(
    "/registers/{unit_code}/{direction}/{int:year}.pdf",
    response={202: ExportOut, 404: ErrorOut, 422: ErrorOut},
    summary="Ask for a unit's incoming or outgoing register for a year as PDF (Decree 30/2020, Appendix IV; at "
    "most 5,000 entries): made in the background; poll the export's url (also in Location) until it is ready, "
    "then fetch its file_url",
)
def register_pdf(request, unit_code: str, direction: str, year: int, response: HttpResponse):
    unit = _unit(request, unit_code)
    if unit is None or direction not in Direction.values:
        raise Http404
    try:
        export = services.register_pdf_request(actor=request.user, unit=unit, direction=direction, year=year)
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    return accepted(response, export)


# Incoming ------------------------------------------------------------------------------------


class IncomingIn(In):
    unit: str = Field(description="Code of the registering unit (one of yours)")
    symbol: str = Field(description="Number and symbol as written: 12/QĐ-UBND, 123/2025/NĐ-CP, 60-NQ/TW, …")
    author: str = Field(description="The issuing body, as written")
    issued_on: Day
    summary: str = Field(description="Type and summary (trích yếu)")
    arrived_at: Moment | None = Field(None, description="When it arrived; now by default")
    urgency: Urgency = Urgency.NORMAL
    confidentiality: Confidentiality = Confidentiality.NONE
    deadline: Day | None = None
    note: str = ""
    text: str = ""
    confirm_duplicate: bool = Field(False, description="Register it although the same document is already there")


@router.post(
    "/incoming/",
    response={201: DocumentDetailOut, 409: DuplicateOut, 422: ErrorOut},
    summary="Register an incoming document with the next arrival number",
)
def register_incoming(request, data: IncomingIn):
    unit = _unit(request, data.unit)
    if unit is None:
        return responses.Status(422, refusal(_("None of your units has this code."), "unit"))
    try:
        document = services.document_register_incoming(
            actor=request.user,
            unit=unit,
            symbol=data.symbol,
            author=data.author,
            issued_on=data.issued_on,
            summary=data.summary,
            arrived_at=data.arrived_at,
            urgency=data.urgency,
            confidentiality=data.confidentiality,
            deadline=data.deadline,
            note=data.note,
            text=data.text,
            confirm_duplicate=data.confirm_duplicate,
        )
    except services.DuplicateDocument as duplicate:
        first = duplicate.first
        visible = access.documents_visible_to(request.user).filter(pk=first.pk).exists()
        return responses.Status(
            409,
            {
                "detail": " ".join([*duplicate.messages, _("Send confirm_duplicate=true to register it again.")]),
                "first": {
                    "id": first.pk if visible else None,
                    "arrival_number": first.arrival_number,
                    "year": first.year,
                    "symbol": first.symbol,
                    "url": f"/api/v1/documents/{first.pk}/" if visible else None,
                },
            },
        )
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    return responses.Status(201, _visible_detail(request, document.pk))


# Outgoing ------------------------------------------------------------------------------------


class OutgoingIn(In):
    unit: str = Field(description="Code of the issuing unit (one of yours)")
    doc_type: str = Field("", description="Type abbreviation (QĐ, TB, KH, …); empty for a công văn")
    summary: str
    body: Body = Body.STATE
    issuer: str = Field("UBND", description="The issuer's abbreviation in the symbol")
    drafting_unit: str = Field("", description="The drafting unit's abbreviation (a công văn: 15/UBND-VP)")
    normative: bool = Field(False, description="A legal normative document: its symbol carries the year")
    signer: str = ""
    recipients: str = Field("", description="Nơi nhận, as written")
    recipient_units: list[str] = Field([], description="Codes of recipient units inside the system")
    urgency: Urgency = Urgency.NORMAL
    confidentiality: Confidentiality = Confidentiality.NONE
    copies: int = Field(1, ge=1)
    text: str = ""


@router.post(
    "/outgoing/",
    response={201: DocumentDetailOut, 422: ErrorOut},
    summary="Write a draft outgoing document (numbered when it is issued)",
)
def draft_outgoing(request, data: OutgoingIn):
    unit = _unit(request, data.unit)
    if unit is None:
        return responses.Status(422, refusal(_("None of your units has this code."), "unit"))
    today = timezone.localdate()
    recipients = list(Unit.objects.in_force_on(today).filter(code__in=data.recipient_units))
    unknown = sorted(set(data.recipient_units) - {u.code for u in recipients})
    if unknown:
        message = _("No unit in force has these codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        return responses.Status(422, refusal(message, "recipient_units"))
    try:
        document = services.document_draft(
            actor=request.user,
            unit=unit,
            doc_type=data.doc_type,
            summary=data.summary,
            body=data.body,
            issuer=data.issuer,
            drafting_unit=data.drafting_unit,
            normative=data.normative,
            signer=data.signer,
            recipients=data.recipients,
            recipient_units=recipients,
            urgency=data.urgency,
            confidentiality=data.confidentiality,
            copies=data.copies,
            text=data.text,
        )
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    return responses.Status(201, _visible_detail(request, document.pk))


def _act(request, document_id: int, action):
    document = access.access_document(request.user, document_id)
    try:
        action(document)
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    return responses.Status(200, _visible_detail(request, document_id))


ACTION_RESPONSES = {200: DocumentDetailOut, 404: ErrorOut, 422: ErrorOut}


@router.post("/{int:document_id}/approve/", response=ACTION_RESPONSES, summary="The chair approves a draft")
def approve(request, document_id: int):
    return _act(request, document_id, lambda d: services.document_approve(actor=request.user, document=d))


@router.post(
    "/{int:document_id}/issue/",
    response=ACTION_RESPONSES,
    summary="The clerk numbers an approved document (a draft not yet approved is refused)",
)
def issue(request, document_id: int):
    return _act(request, document_id, lambda d: services.document_issue(actor=request.user, document=d))


@router.post(
    "/{int:document_id}/dispatch/",
    response=ACTION_RESPONSES,
    summary="The clerk sends an issued document; recipients in the system get it in their incoming register",
)
def dispatch(request, document_id: int):
    return _act(request, document_id, lambda d: services.document_dispatch(actor=request.user, document=d))


# Routing -------------------------------------------------------------------------------------


class AssignIn(In):
    lead: str = Field("", description="Username of the lead handler (or give lead_unit)")
    lead_unit: str = Field("", description="Code of the lead handling unit (or give lead)")
    co_handlers: list[str] = Field([], description="Usernames of the co-handlers")
    comment: str = ""
    deadline: Day | None = None


@router.post(
    "/{int:document_id}/assign/",
    response=ACTION_RESPONSES,
    summary="The chair assigns an incoming document to a lead handler (a person or a unit) and co-handlers",
)
def assign(request, document_id: int, data: AssignIn):
    def run(document):
        people = access.people_visible_to(request.user)
        lead = lead_unit = None
        if data.lead:
            lead = _person(data.lead, field="lead", among=people)
        if data.lead_unit:
            lead_unit = _unit(request, data.lead_unit)
            if lead_unit is None:
                raise ValidationError({"lead_unit": [_("None of your units has this code.")]})
        co_handlers = [_person(username, field="co_handlers", among=people) for username in data.co_handlers]
        return services.document_assign(
            actor=request.user,
            document=document,
            lead=lead,
            lead_unit=lead_unit,
            co_handlers=co_handlers,
            comment=data.comment,
            deadline=data.deadline,
        )

    return _act(request, document_id, run)


@router.post("/{int:document_id}/start/", response=ACTION_RESPONSES, summary="A handler starts on the document")
def start(request, document_id: int):
    return _act(request, document_id, lambda d: services.document_start(actor=request.user, document=d))


class DoneIn(In):
    note: str = Field("", description="How it was handled; added to the register's notes")


@router.post("/{int:document_id}/done/", response=ACTION_RESPONSES, summary="A handler reports the document done")
def done(request, document_id: int, data: DoneIn):
    return _act(request, document_id, lambda d: services.document_done(actor=request.user, document=d, note=data.note))


class GrantIn(In):
    username: str


@router.post(
    "/{int:document_id}/grant/",
    response=ACTION_RESPONSES,
    summary="The chair lets a named person see a confidential document",
)
def grant(request, document_id: int, data: GrantIn):
    def run(document):
        return services.confidential_grant(
            actor=request.user, document=document, person=_person(data.username, field="username")
        )

    return _act(request, document_id, run)
