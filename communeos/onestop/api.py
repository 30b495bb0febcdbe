"""The one-stop shop's API.

Public (no account): the procedure catalogue, online submission (multipart, one file field
per paper named `paper_<id>`, and an `Idempotency-Key` header so that a retried submission
returns the same dossier), the status look-up by code (no personal data, rate-limited), and
the citizen's rating. Staff (session or Bearer token): dossiers in scope, intake at the
counter, every workflow action, the printable forms and the statistics.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Form, Query, Router, Schema, responses
from ninja.pagination import paginate
from ninja.responses import NinjaJSONEncoder

from communeos.core import access, audit, calendar, registers, uploads
from communeos.core.api import (
    Day,
    ErrorOut,
    ExportOut,
    In,
    Moment,
    Pages,
    accepted,
    error_body,
    refusal,
    start_after_end,
    too_many_requests,
)
from communeos.core.ratelimit import allow
from communeos.onestop import printing, selectors, services, statistics
from communeos.onestop.models import Channel, Dossier, Status
from communeos.onestop.services import Upload
from communeos.units.api import UnitRef
from communeos.units.models import Level, Unit

router = Router(tags=["one-stop shop"])


class PaperOut(Schema):
    id: int
    name_vi: str
    name_en: str
    required: bool


class ProcedureOut(Schema):
    code: str
    national_code: str
    name_vi: str
    name_en: str
    field_vi: str
    field_en: str
    version: int
    effective_from: date
    effective_to: date | None
    legal_basis: str
    fee: int
    fee_note_vi: str
    fee_note_en: str
    days: int = Field(description="Time limit in working days; 0 = the same day")
    # "HH:MM" rather than a JSON Schema time, which must carry a UTC offset: this is the
    # commune's local hour (Asia/Ho_Chi_Minh).
    cutoff: str | None = Field(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="Same-day procedures: received after this local hour (HH:MM), due the next working day",
    )
    time_note_vi: str
    time_note_en: str
    online_allowed: bool
    papers: list[PaperOut]

    @staticmethod
    def of(procedure) -> dict:
        version = procedure.current_versions[0]
        return {
            "code": procedure.code,
            "national_code": procedure.national_code,
            "name_vi": procedure.name_vi,
            "name_en": procedure.name_en,
            "field_vi": procedure.field_vi,
            "field_en": procedure.field_en,
            "version": version.version,
            "effective_from": version.effective_from,
            "effective_to": version.effective_to,
            "legal_basis": version.legal_basis,
            "fee": version.fee,
            "fee_note_vi": version.fee_note_vi,
            "fee_note_en": version.fee_note_en,
            "days": version.days,
            "cutoff": version.cutoff.strftime("%H:%M") if version.cutoff else None,
            "time_note_vi": version.time_note_vi,
            "time_note_en": version.time_note_en,
            "online_allowed": version.online_allowed,
            "papers": list(version.papers.all()),
        }


class PublicStatusOut(Schema):
    code: str
    procedure: str
    unit: str
    status: str
    status_label: str
    received_on: datetime
    appointment_at: datetime | None
    missing: list[str] = Field(description="Papers to bring, when the commune asked for more")
    resolved_at: datetime | None
    can_rate: bool


PUBLIC_STATUS_FIELDS = tuple(PublicStatusOut.model_fields)


class SubmissionOut(Schema):
    code: str
    status: str
    received_at: datetime
    appointment_at: datetime
    lookup_url: str
    replayed: bool = Field(description="True when this Idempotency-Key had already created the dossier")


class RatingIn(In):
    rating: str = Field(description="satisfied, neutral or dissatisfied")
    comment: str = ""


def _public_status(code: str):
    status = selectors.dossier_public_status(code)
    if status is None:
        raise Http404
    return status


# Public --------------------------------------------------------------------------------------


@router.get("/procedures/", response=list[ProcedureOut], auth=None, summary="The procedure catalogue in force today")
def procedures(request):
    return [ProcedureOut.of(p) for p in selectors.procedure_list()]


@router.get("/procedures/{code}/", response=ProcedureOut, auth=None, summary="One procedure")
def procedure(request, code: str):
    found = selectors.procedure_by_code(code)
    if found is None:
        raise Http404
    return ProcedureOut.of(found)


class DueOut(Schema):
    procedure: str
    version: int = Field(description="The version of the procedure in force on the day of receipt")
    days: int = Field(description="Time limit in working days; 0 = the same day")
    cutoff: str | None = Field(
        description="Same-day procedures: received after this local hour (HH:MM), due the next working day"
    )
    received_at: datetime
    due_at: datetime = Field(description="The appointment: when the office closes on the day the result is due")


class DueQuery(Schema):
    received_at: Moment | None = Field(
        None, description="When the dossier is received (ISO 8601; local time when it has no offset); default: now"
    )
    commune: str | None = Field(None, description="Code of the commune applied to; none: the national calendar")


@router.get(
    "/procedures/{code}/due/",
    response={200: DueOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="When a complete dossier of this procedure, received at a moment by a commune, would be due",
)
def procedure_due(request, code: str, query: Query[DueQuery]):
    local = timezone.get_default_timezone()
    at = query.received_at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at, local)
    found = selectors.procedure_with_code(code)
    if found is None:
        raise Http404
    # The map of the day of receipt (not the per-process cache of today's: a client may name
    # any day); the version in force that day is the selector's.
    day = timezone.localdate(at, local)
    commune = None
    if query.commune:
        commune = selectors.commune_in_force(query.commune, day)
        if commune is None:
            return responses.Status(422, refusal(_("No commune in force has this code."), "commune"))
    try:
        version, due = selectors.dossier_due(found, commune, at)
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    return {
        "procedure": found.code,
        "version": version.version,
        "days": version.days,
        "cutoff": version.cutoff.strftime("%H:%M") if version.cutoff else None,
        "received_at": timezone.localtime(at, local),
        "due_at": timezone.localtime(due, local),
    }


class SubmissionIn(In):
    procedure: str = Field(description="Procedure code, e.g. birth-registration")
    commune: str = Field(description="Code of the commune applied to, e.g. 06529")
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_address: str
    applicant_email: str = ""
    consent: bool = Field(description="Consent to the processing of the personal data in the dossier")


@router.post(
    "/public/dossiers/",
    response={201: SubmissionOut, 200: SubmissionOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Submit a dossier online (multipart; files as paper_<id>)",
)
def submit(request, data: Form[SubmissionIn]):
    if not allow(request, "apply"):
        return too_many_requests()
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 64:
        return responses.Status(422, refusal(_("The Idempotency-Key header is at most 64 characters.")))
    key = f"api:{key}" if key else None
    procedure = selectors.procedure_by_code(data.procedure)
    commune = selectors.commune_by_code(data.commune)
    if procedure is None:
        return responses.Status(422, refusal(_("No procedure has this code."), "procedure"))
    if commune is None:
        return responses.Status(422, refusal(_("No commune in force has this code."), "commune"))
    sent = []
    for name in request.FILES:
        if not name.startswith("paper_") or not name.removeprefix("paper_").isdigit():
            message = _("A file was sent as %(name)s: name each file paper_<id>, by the paper it is for.")
            return responses.Status(422, refusal(message % {"name": name}))
        sent += [Upload(paper_id=int(name.removeprefix("paper_")), file=f) for f in request.FILES.getlist(name)]
    try:
        dossier = services.dossier_receive(
            actor=None,
            unit=commune,
            procedure=procedure,
            channel=Channel.ONLINE,
            applicant_name=data.applicant_name,
            applicant_id_number=data.applicant_id_number,
            applicant_phone=data.applicant_phone,
            applicant_address=data.applicant_address,
            applicant_email=data.applicant_email,
            consent=data.consent,
            uploads=sent,
            idempotency_key=key,
        )
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    # Like the look-up, the busiest public write answers with its JSON directly: SubmissionOut's
    # fields, encoded as the API's renderer encodes them (a test compares).
    return JsonResponse(
        {
            "code": dossier.code,
            "status": dossier.status,
            # In local time, whether the dossier was just made or read back (a replay).
            "received_at": timezone.localtime(dossier.received_at, timezone.get_default_timezone()),
            "appointment_at": timezone.localtime(dossier.appointment_at, timezone.get_default_timezone()),
            "lookup_url": selectors.lookup_url(dossier.code),
            "replayed": dossier.replayed,
        },
        status=200 if dossier.replayed else 201,
        encoder=NinjaJSONEncoder,
    )


@router.get(
    "/public/dossiers/{code}/",
    response={200: PublicStatusOut, 404: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Look a dossier up by code (no personal data; the same 404 for unknown and malformed codes)",
)
def public_status(request, code: str):
    if not allow(request, "lookup"):
        return too_many_requests()
    status = selectors.dossier_public_status(code)
    if status is None:
        return responses.Status(404, {"detail": _("No dossier has this code.")})
    # The busiest public endpoint skips validating its own answer against the schema: the body
    # is PublicStatusOut's fields, encoded as the API's renderer encodes them (a test compares).
    return JsonResponse({name: getattr(status, name) for name in PUBLIC_STATUS_FIELDS}, encoder=NinjaJSONEncoder)


@router.post(
    "/public/dossiers/{code}/rating/",
    response={200: PublicStatusOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="The citizen's satisfaction with a returned dossier",
)
def public_rate(request, code: str, data: RatingIn):
    if not allow(request, "lookup"):
        return too_many_requests()
    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None:
        return responses.Status(404, {"detail": _("No dossier has this code.")})
    try:
        services.dossier_rate(dossier=dossier, rating=data.rating, comment=data.comment)
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    return selectors.dossier_public_status(code)


class SupplementIn(In):
    applicant_id_number: str = Field(description="The applicant's citizen ID number, as proof of who sends the papers")
    note: str = ""


@router.post(
    "/public/dossiers/{code}/supplement/",
    response={200: PublicStatusOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Send the papers a request to supplement asked for (multipart; files as 'files'); the clock runs again",
)
def public_supplement(request, code: str, data: Form[SupplementIn]):
    if not allow(request, "apply"):
        return too_many_requests()
    dossier = access.dossier_for_applicant(code, data.applicant_id_number)
    if dossier is None:  # the same for an unknown code and a wrong citizen ID
        return responses.Status(404, {"detail": _("No dossier has this code and citizen ID number.")})
    sent = [Upload(paper_id=None, file=file) for file in request.FILES.getlist("files")]
    try:
        services.dossier_supplement(actor=None, dossier=dossier, uploads=sent, note=data.note)
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    return selectors.dossier_public_status(dossier.code)


# Staff ---------------------------------------------------------------------------------------


class DossierOut(Schema):
    code: str
    unit: UnitRef
    holder_unit: UnitRef
    procedure: str = Field(alias="procedure_version.procedure.code")
    procedure_version: int = Field(alias="procedure_version.version")
    channel: str
    status: str
    received_at: datetime
    due_at: datetime
    promised_at: datetime | None
    paused_at: datetime | None
    supplement_count: int
    handler: str | None = Field(None, alias="handler.username")
    completed_at: datetime | None
    timeliness: str
    processing_days: float | None
    returned_at: datetime | None
    rating: str


class EventOut(Schema):
    at: datetime
    action: str
    actor: str | None = Field(None, alias="actor.username")
    from_unit: str = Field(alias="from_unit.code")
    to_unit: str = Field(alias="to_unit.code")
    to_person: str | None = Field(None, alias="to_person.username")
    status: str
    stage: str
    stage_due_at: datetime | None
    stage_timeliness: str
    note: str


class FileOut(Schema):
    id: int
    paper: str | None = Field(None, alias="paper.name")
    name: str = Field(alias="original_name")
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class DossierDetailOut(DossierOut):
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_address: str
    applicant_email: str
    refusal_reason: str
    stop_reason: str
    events: list[EventOut]
    papers: list[str]
    files: list[FileOut] = Field(description="The uploaded files: GET files/{id}/ opens one")

    @staticmethod
    def resolve_papers(obj) -> list[str]:
        return [paper.name for paper in obj.papers.all()]

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.all())

    @staticmethod
    def resolve_files(obj) -> list:
        return list(obj.files.all())


class DossierFilters(Schema):
    status: Status | None = None
    procedure: str = ""
    overdue: bool = False
    q: str = Field("", description="Part of the code")


@router.get("/dossiers/", response=list[DossierOut], summary="Dossiers of the units you may see")
@paginate(Pages, page_size=100)
def dossiers(request, filters: Query[DossierFilters]):
    return selectors.dossier_list(
        user=request.user,
        status=filters.status or "",
        procedure=filters.procedure,
        overdue=filters.overdue,
        q=filters.q,
    )


def _detail(request, code: str) -> Dossier:
    """One dossier with its personal data: every such read goes to the audit trail."""
    dossier = access.access_dossier(request.user, code)
    with transaction.atomic():
        audit.record(actor=request.user, action="dossier.view", obj=dossier, unit=dossier.unit_id)
    return selectors.dossier_detail(dossier)


@router.get(
    "/dossiers/{code}/", response=DossierDetailOut, summary="One dossier with its hand-offs (404 outside scope)"
)
def dossier(request, code: str):
    return _detail(request, code)


@router.get(
    "/dossiers/{code}/files/{int:file_id}/",
    response={200: None, 404: ErrorOut},
    summary="One of the dossier's uploaded files, as it was uploaded (each opening is recorded; 404 outside scope)",
)
def dossier_file(request, code: str, file_id: int):
    dossier = access.access_dossier(request.user, code)
    file = get_object_or_404(dossier.files, pk=file_id)
    response = uploads.serve(file.file.name, file.content_type, file.original_name)  # 404 if gone
    services.dossier_file_opened(actor=request.user, dossier=dossier, file=file)
    return response


class CounterIntakeIn(In):
    procedure: str
    unit: str = Field(description="Code of the receiving commune (one of yours)")
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_address: str
    applicant_email: str = ""
    papers_provided: list[int] = Field(description="Ids of the papers received (see the procedure's papers)")


@router.post(
    "/dossiers/",
    response={201: DossierDetailOut, 422: ErrorOut},
    summary="Receive a dossier at the counter",
)
def receive(request, data: CounterIntakeIn):
    procedure = selectors.procedure_by_code(data.procedure)
    unit = access.units_visible_to(request.user).filter(level=Level.COMMUNE, code=data.unit, valid_to=None).first()
    if procedure is None:
        return responses.Status(422, refusal(_("No procedure has this code."), "procedure"))
    if unit is None:
        return responses.Status(422, refusal(_("None of your communes in force has this code."), "unit"))
    try:
        dossier = services.dossier_receive(
            actor=request.user,
            unit=unit,
            procedure=procedure,
            applicant_name=data.applicant_name,
            applicant_id_number=data.applicant_id_number,
            applicant_phone=data.applicant_phone,
            applicant_address=data.applicant_address,
            applicant_email=data.applicant_email,
            papers_provided=data.papers_provided,
        )
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    return responses.Status(201, _detail(request, dossier.code))


class ActionIn(In):
    handler: str = Field("", description="assign: the username of the specialist")
    approve: bool = Field(True, description="submit: propose the result (true) or a refusal (false)")
    reason: str = Field("", description="submit/refuse/request_supplement/apologise/stop: the reason")
    missing: list[str] = Field([], description="request_supplement: the papers missing")
    note: str = Field("", description="supplement/transfer/transfer_back: a note")
    to_unit: str = Field("", description="transfer: code of the unit (the province or a commune of it)")
    new_due_date: Day | None = Field(None, description="apologise: the new date (due when the office closes that day)")
    rating: str = Field("", description="return: the citizen's satisfaction, if asked")
    comment: str = ""


def _run_action(request, dossier: Dossier, action: str, data: ActionIn):
    user = request.user
    if action == "assign":
        handler = selectors.handlers_for(dossier).filter(username=data.handler).first()
        if handler is None:
            raise ValidationError({"handler": [_("No one who may handle this dossier has this username.")]})
        return services.dossier_assign(actor=user, dossier=dossier, handler=handler)
    if action == "start":
        return services.dossier_start(actor=user, dossier=dossier)
    if action == "submit":
        return services.dossier_submit(actor=user, dossier=dossier, approve=data.approve, reason=data.reason)
    if action in {"approve", "refuse"}:
        return services.dossier_decide(actor=user, dossier=dossier, approve=action == "approve", reason=data.reason)
    if action == "result_ready":
        return services.dossier_result_ready(actor=user, dossier=dossier)
    if action == "return":
        return services.dossier_return(actor=user, dossier=dossier, rating=data.rating, comment=data.comment)
    if action == "request_supplement":
        return services.dossier_request_supplement(
            actor=user, dossier=dossier, missing=data.missing, reason=data.reason
        )
    if action == "supplement":
        return services.dossier_supplement(actor=user, dossier=dossier, note=data.note)
    if action == "transfer":
        unit = selectors.transfer_targets(dossier).filter(code=data.to_unit).first()
        if unit is None:
            message = _("No unit of this province that may receive the dossier has this code.")
            raise ValidationError({"to_unit": [message]})
        return services.dossier_transfer(actor=user, dossier=dossier, to_unit=unit, note=data.note)
    if action == "transfer_back":
        return services.dossier_transfer_back(actor=user, dossier=dossier, note=data.note)
    if action == "apologise":
        if data.new_due_date is None:
            raise ValidationError({"new_due_date": [_("Give the new date.")]})
        new_due = calendar.closing_at(data.new_due_date, province=dossier.unit)
        return services.dossier_apologise(actor=user, dossier=dossier, new_due_at=new_due, reason=data.reason)
    if action == "stop":
        return services.dossier_stop(actor=user, dossier=dossier, reason=data.reason)
    raise Http404


ACTION_NAMES = (
    "assign, start, submit, approve, refuse, result_ready, return, request_supplement, supplement, "
    "transfer, transfer_back, apologise, stop"
)


@router.post(
    "/dossiers/{code}/actions/{action}/",
    response={200: DossierDetailOut, 422: ErrorOut},
    summary="Do one workflow step: " + ACTION_NAMES,
)
def dossier_action(request, code: str, action: str, data: ActionIn):
    dossier = access.access_dossier(request.user, code)
    try:
        _run_action(request, dossier, action, data)
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    if not access.dossiers_visible_to(request.user).filter(pk=dossier.pk).exists():
        raise Http404
    return responses.Status(200, _detail(request, code))


@router.get(
    "/dossiers/{code}/forms/{form}.pdf",
    summary="A printable form as PDF: " + ", ".join(printing.FORMS),
    response={200: None},
)
def dossier_form(request, code: str, form: str):
    dossier = access.access_dossier(request.user, code)
    return HttpResponse(printing.render_pdf(dossier, form), content_type="application/pdf")


class StatisticsQuery(Schema):
    start: Day | None = None
    end: Day | None = None
    unit: str = Field("", description="Code of a unit you may see")
    procedure: str = ""
    group_by: str = Field("unit", description="unit or procedure")


class StatisticsRowOut(Schema):
    key: int | None = Field(description="The unit's or procedure's id; null in the total")
    code: str
    label: str
    received: int
    resolved: int
    early: int
    on_time: int
    late: int
    in_progress: int
    overdue: int
    stopped: int
    online: int
    rated: int
    satisfied: int
    on_time_rate: float | None = Field(description="Resolved early or on time, over resolved (0 to 1; null if none)")
    average_days: float | None = Field(description="Average processing time of the resolved, in working days")
    online_share: float | None = Field(description="Submitted online, over received (0 to 1)")
    satisfaction_share: float | None = Field(description="Rated satisfied, over rated (0 to 1; null if none)")


class StatisticsOut(Schema):
    start: date
    end: date
    group_by: str
    unit_id: int | None
    unit_name: str
    procedure: str
    procedure_name: str
    as_of: datetime = Field(description="The moment 'overdue' was measured at")
    rows: list[StatisticsRowOut]
    total: StatisticsRowOut


@router.get(
    "/statistics/",
    response={200: StatisticsOut, 404: ErrorOut, 422: ErrorOut},
    summary="Received, resolved early / on time / late, overdue, rates, average time "
    "(404: a unit you may not see, or none with that code)",
)
def dossier_statistics(request, query: Query[StatisticsQuery]):
    if query.start and query.end and query.start > query.end:
        return responses.Status(422, start_after_end())
    params = {"group_by": query.group_by if query.group_by in {"unit", "procedure"} else "unit"}
    form = statistics.StatisticsForm(None, user=request.user)
    params = form.filters() | params
    if query.start:
        params["start"] = query.start
    if query.end:
        params["end"] = query.end
    if query.procedure:
        params["procedure"] = query.procedure
    if query.unit:
        unit = access.units_visible_to(request.user).filter(code=query.unit, valid_to=None).first()
        if unit is None:
            raise Http404
        params["unit"] = unit
    return statistics.dossier_statistics(user=request.user, **params).as_dict()


class RegisterQuery(Schema):
    start: Day
    end: Day


@router.get(
    "/registers/{unit_code}.xlsx",
    response={200: None, 404: ErrorOut, 422: ErrorOut},
    summary="A commune's dossier register from start to end, as Excel (Circular 01/2018/TT-VPCP, form 06)",
)
def dossier_register_xlsx(request, unit_code: str, query: Query[RegisterQuery]):
    unit = _register_unit(request, unit_code)
    if query.start > query.end:
        return responses.Status(422, start_after_end())
    content, filename = services.dossier_register_export(
        actor=request.user, unit=unit, start=query.start, end=query.end
    )
    return registers.attachment(content, "xlsx", filename)


@router.post(
    "/registers/{unit_code}.pdf",
    response={202: ExportOut, 404: ErrorOut, 422: ErrorOut},
    summary="Ask for a commune's dossier register from start to end as PDF (at most 5,000 dossiers): made in "
    "the background; poll the export's url (also in Location) until it is ready, then fetch its file_url",
)
def dossier_register_pdf(request, unit_code: str, query: Query[RegisterQuery], response: HttpResponse):
    unit = _register_unit(request, unit_code)
    if query.start > query.end:
        return responses.Status(422, start_after_end())
    try:
        export = services.dossier_register_pdf_request(actor=request.user, unit=unit, start=query.start, end=query.end)
    except ValidationError as error:
        return responses.Status(422, error_body(error))
    return accepted(response, export)


def _register_unit(request, unit_code: str) -> Unit:
    unit = selectors.register_units(request.user).filter(code=unit_code).first()
    if unit is None:
        raise Http404
    return unit
