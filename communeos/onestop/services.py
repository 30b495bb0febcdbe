"""Writes of the one-stop shop: intake, the workflow, supplements, transfers, apologies,
ratings, and the catalogue. Every function here is one transaction and one audit entry.

Who may do a step is data: each step of a procedure version names the positions that
perform it (`ProcedureStep.positions`); `_require_stage` checks the actor holds one of them,
today, in the unit that now handles the dossier. `at` is the moment of the act; it defaults
to now and is only set by the demo loader, which replays a year of work.
"""

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communeos.core import audit, calendar, memo
from communeos.core import services as core_services
from communeos.core.citizen_id import validate_citizen_id
from communeos.core.inserts import build, insert
from communeos.core.models import Export
from communeos.core.numbering import next_number
from communeos.core.storage import write_pending
from communeos.core.uploads import CheckedUpload, atomic_with_files, check_upload, remove, store_new, sync
from communeos.onestop import intake_statement
from communeos.onestop.models import (
    ACTIVE,
    Apology,
    Channel,
    Dossier,
    DossierFile,
    DossierPaper,
    Event,
    Procedure,
    ProcedurePaper,
    ProcedureStep,
    ProcedureVersion,
    Rating,
    Stage,
    Status,
    SupplementRequest,
    Timeliness,
)
from communeos.onestop.selectors import version_in_force
from communeos.people.models import Assignment
from communeos.units.models import Level, Unit

STAGE_ORDER = [Stage.RECEIVE, Stage.PROCESS, Stage.APPROVE, Stage.RETURN]
D = Decimal


@dataclass
class Upload:
    """A file given with a dossier: for which paper of the checklist (a ProcedurePaper id)."""

    paper_id: int | None
    file: object  # an UploadedFile, or anything with .name and .read()


CITIZEN_ONLINE = "citizen (online)"  # the audit trail's actor for what a citizen does online

# The clock ---------------------------------------------------------------------------------


def _province(dossier_or_unit) -> int:
    unit = dossier_or_unit.unit if isinstance(dossier_or_unit, Dossier) else dossier_or_unit
    return unit.province_id or unit.pk


_STEPS = memo.Timed("onestop.steps_by_stage", seconds=3600)


def steps_by_stage(version: ProcedureVersion) -> dict[str, ProcedureStep]:
    """The steps of a version with who performs them. Cached per process by the version's
    id and `updated_at` (publishing a version, the only way its steps change, touches it)."""
    return _STEPS.get(
        (version.pk, version.updated_at),
        lambda: {step.stage: step for step in version.steps.prefetch_related("positions")},
    )


def stage_due_at(dossier: Dossier, stage: str) -> datetime:
    """The deadline of one step: its share of the statutory time, counted from the start in
    office hours (so that it falls when someone is at work), then moved by the whole working
    days spent waiting for the citizen; never after the dossier's own deadline."""
    steps = steps_by_stage(dossier.procedure_version)
    share = sum(steps[s].share for s in STAGE_ORDER[: STAGE_ORDER.index(stage) + 1] if s in steps)
    if stage == Stage.RETURN or share >= 100:
        return dossier.due_at
    province = _province(dossier)
    # The statutory time ends where the deadline was before any wait (`statutory_days` is the
    # working time from the start to it).
    statutory_end = calendar.add_working_days(dossier.start_at, dossier.statutory_days, province=province)
    budget = calendar.office_time_between(dossier.start_at, statutory_end, province=province)
    due = calendar.add_office_time(dossier.start_at, budget * share / 100, province=province)
    if dossier.paused_days:
        # Moved by whole days, it keeps its hour, which the hours of its new day may not have.
        due = calendar.add_working_days(due, dossier.paused_days, province=province)
        due = calendar.office_instant(due, province=province)
    return min(_to_minute(due), dossier.due_at)


def _to_minute(instant: datetime) -> datetime:
    """Deadlines are shown to the minute; round the clock's arithmetic to the nearest one."""
    rounded = (instant + timedelta(seconds=30)).replace(second=0, microsecond=0)
    return rounded if timezone.localdate(rounded) == timezone.localdate(instant) else instant


def classify(done_at: datetime, due_at: datetime) -> str:
    """Decision 766/QĐ-TTg: early (resolved on a day before the due day), on time (by the
    deadline), late (after it)."""
    if done_at > due_at:
        return Timeliness.LATE
    if timezone.localdate(done_at) < timezone.localdate(due_at):
        return Timeliness.EARLY
    return Timeliness.ON_TIME


# Roles -------------------------------------------------------------------------------------


def _positions_held(actor, unit_id: int, day) -> set[str]:
    """Position codes `actor` holds in the unit on `day` (cached on the actor object, which
    lives for one request)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return set()
    cache = actor.__dict__.setdefault("_positions_held_cache", {})
    key = (unit_id, day)
    if key not in cache:
        cache[key] = set(
            Assignment.objects.current(day)
            .filter(person=actor, unit_id=unit_id)
            .values_list("position__code", flat=True)
        )
    return cache[key]


def _require_stage(actor, dossier: Dossier, *stages: str, at: datetime, in_receiving_unit: bool = False) -> None:
    """`actor` holds, on the day of `at`, a position that performs one of `stages`, in the
    unit that now holds the dossier (or, for what the receiving unit answers for even while
    the dossier is away — the apology, stopping — in the receiving unit)."""
    steps = steps_by_stage(dossier.procedure_version)
    allowed = {p.code: p for s in stages if s in steps for p in steps[s].positions.all()}
    unit = dossier.unit if in_receiving_unit else dossier.holder_unit
    if _positions_held(actor, unit.pk, timezone.localdate(at)) & set(allowed):
        return
    raise ValidationError(
        _("This step is done by: %(positions)s of %(unit)s. You do not hold that position there.")
        % {"positions": ", ".join(str(p) for p in allowed.values()), "unit": unit.name}
    )


def _require_status(dossier: Dossier, *allowed: str) -> None:
    if dossier.status not in allowed:
        raise ValidationError(
            _("Dossier %(code)s is %(status)s; this cannot be done now.")
            % {"code": dossier.code, "status": dossier.get_status_display()}
        )


def _locked(dossier: Dossier) -> Dossier:
    """Re-read the dossier under a row lock: two officers acting at once queue here, and the
    second sees what the first did."""
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("unit", "holder_unit", "procedure_version")
        .get(pk=dossier.pk)
    )


def _event(dossier: Dossier, *, actor, action: str, at: datetime, stage: str = "", note: str = "", **extra) -> Event:
    event = _event_row(dossier, actor=actor, action=action, at=at, stage=stage, note=note, **extra)
    insert([event])  # the busiest table: one plain statement (core.inserts)
    return event


def _event_row(
    dossier: Dossier, *, actor, action: str, at: datetime, stage: str = "", note: str = "", **extra
) -> Event:
    stage_due = stage_due_at(dossier, stage) if stage else None
    return build(
        Event,
        dossier=dossier,
        at=at,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_unit_id=extra.pop("from_unit_id", dossier.holder_unit_id),
        to_unit_id=extra.pop("to_unit_id", dossier.holder_unit_id),
        status=dossier.status,
        stage=stage,
        stage_due_at=stage_due,
        stage_timeliness=classify(at, stage_due) if stage_due else "",
        note=note,
        **extra,
    )


def _audit(dossier: Dossier, *, actor, action: str, changes: dict, actor_label: str | None = None) -> None:
    audit.record(
        actor=actor,
        action=f"dossier.{action}",
        obj=dossier,
        unit=dossier.unit_id,
        changes=changes,
        actor_label=actor_label,
    )


# Intake ------------------------------------------------------------------------------------


_VERSIONS = memo.Timed("onestop.version_and_papers", seconds=60)


def _version_and_papers(procedure: Procedure, day) -> tuple[ProcedureVersion | None, list[ProcedurePaper]]:
    """The version in force and its papers, cached per process for up to a minute: intake is the
    hot path, and a version, once dossiers use it, never changes (a new one is added)."""

    def load():
        version = procedure.versions.in_force_on(day).order_by("-version").first()
        return version, list(version.papers.all()) if version else []

    return _VERSIONS.get((procedure.pk, day), load)


def _check_applicant(name: str, id_number: str, phone: str, address: str, email: str = "") -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    cleaned = {
        "name": " ".join(name.split()),
        "phone": "".join(phone.split()),
        "address": " ".join(address.split()),
        "email": email.strip(),
    }
    if not cleaned["name"]:
        errors["applicant_name"] = [_("Enter the applicant's full name.")]
    try:
        cleaned["id_number"] = validate_citizen_id(id_number)
    except ValidationError as error:
        errors["applicant_id_number"] = error.messages
    digits = cleaned["phone"].removeprefix("+84")
    if not (digits.isdigit() and 9 <= len(digits) <= 11):
        errors["applicant_phone"] = [_("Enter a phone number of 10 digits, such as 0912345678.")]
    if not cleaned["address"]:
        errors["applicant_address"] = [_("Enter the applicant's address.")]
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["applicant_email"] = [_("Enter a valid email address, or leave it empty.")]
    for key, field in (("name", "applicant_name"), ("address", "applicant_address"), ("email", "applicant_email")):
        limit = Dossier._meta.get_field(field).max_length
        if len(cleaned[key]) > limit:
            errors.setdefault(field, []).append(
                _("At most %(limit)d characters (this has %(length)d).") % {"limit": limit, "length": len(cleaned[key])}
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def new_submission_key() -> str:
    """A fresh idempotency key for an online submission form."""
    return secrets.token_urlsafe(16)


def dossier_receive(
    *,
    actor,
    unit: Unit,
    procedure: Procedure,
    applicant_name: str,
    applicant_id_number: str,
    applicant_phone: str,
    applicant_address: str,
    applicant_email: str = "",
    channel: str = Channel.COUNTER,
    papers_provided: list[int] | None = None,
    uploads: list[Upload] | None = None,
    consent: bool = False,
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> Dossier:
    """Receive a dossier at the counter (`actor` is the officer) or online (`actor` None).

    All required papers must be there — ticked on the checklist at the counter, uploaded
    online — or nothing is written. Files are checked by content before anything is stored,
    and a failure after they are stored removes them again: no dossier without its papers,
    no file without its dossier, no number used and lost.

    `idempotency_key`: a second call with the same key returns the first dossier (marked
    `replayed`) instead of receiving it twice; with a different applicant or procedure it is
    refused. The key's unique constraint decides, so two calls at once make one dossier.
    """
    try:
        return _dossier_receive(
            actor=actor,
            unit=unit,
            procedure=procedure,
            applicant=(applicant_name, applicant_id_number, applicant_phone, applicant_address, applicant_email),
            channel=channel,
            papers_provided=papers_provided or [],
            uploads=uploads or [],
            consent=consent,
            idempotency_key=idempotency_key or None,
            at=at or timezone.now(),
        )
    except IntegrityError:
        # The common case pays nothing for idempotency: a used key fails the dossier's insert,
        # the transaction (its number and stored files included) rolls back, and here the
        # first dossier is returned.
        existing = (
            Dossier.objects.select_related("procedure_version").filter(idempotency_key=idempotency_key).first()
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        try:  # the number as it was stored: cleaned the same way
            same_applicant = existing.applicant_id_number == validate_citizen_id(applicant_id_number)
        except ValidationError:
            same_applicant = False
        if not same_applicant or existing.procedure_version.procedure_id != procedure.pk:
            raise ValidationError(_("This idempotency key was already used for a different submission.")) from None
        existing.replayed = True
        return existing


def _dossier_receive(*, actor, unit, procedure, applicant, channel, papers_provided, uploads, consent,
                     idempotency_key, at) -> Dossier:  # fmt: skip
    local = timezone.localtime(at, timezone.get_default_timezone())
    if unit.level != Level.COMMUNE or not unit.in_force_on(local.date()):
        raise ValidationError(_("Dossiers are received by a commune in force."))
    version, papers = _version_and_papers(procedure, local.date())
    if version is None:
        version_in_force(procedure, local.date())  # raises the message
    errors: dict[str, list[str]] = {}
    try:
        cleaned = _check_applicant(*applicant)
    except ValidationError as error:  # collected with the other problems: the person fixes all at once
        errors.update(error.message_dict)
    if channel == Channel.ONLINE:
        if not version.online_allowed:
            raise ValidationError(_("%(procedure)s cannot be submitted online.") % {"procedure": procedure.name})
        if not consent:
            errors["consent"] = [_("Online submission needs your consent to the processing of your personal data.")]
    elif channel == Channel.COUNTER:
        probe = Dossier(unit=unit, holder_unit=unit, procedure_version=version)
        _require_stage(actor, probe, Stage.RECEIVE, at=at)
    else:
        raise ValidationError(_("Unknown channel."))

    by_id = {paper.pk: paper for paper in papers}
    checked: list[tuple[ProcedurePaper | None, CheckedUpload]] = []
    file_errors = []
    for upload in uploads:
        if upload.paper_id is not None and upload.paper_id not in by_id:
            file_errors.append(_("A file was given for a paper this procedure does not ask for."))
            continue
        try:
            checked.append((by_id.get(upload.paper_id), check_upload(upload.file)))
        except ValidationError as error:
            file_errors.extend(error.messages)
    if file_errors:
        errors["files"] = file_errors
    # At the counter the officer ticks the papers seen; online, a paper is there only as a file.
    ticked = set(papers_provided) if channel == Channel.COUNTER else set()
    provided = ticked | {paper.pk for paper, _c in checked if paper is not None}
    unknown = provided - set(by_id)
    if unknown:
        errors.setdefault("papers", []).append(_("Some ticked papers do not belong to this procedure."))
    missing = [paper for paper in papers if paper.required and paper.pk not in provided]
    if missing:
        errors.setdefault("papers", []).append(
            _("Missing required papers: %(papers)s.") % {"papers": "; ".join(str(p) for p in missing)}
        )
    if errors:
        raise ValidationError(errors)

    province = _province(unit)
    period = local.strftime("%y%m%d")
    due = calendar.due_at(at, days=version.days, cutoff=version.cutoff, province=province)
    # The clock counts working time only, so a receipt at night or on a Sunday starts it
    # when the next working day begins.
    statutory = D(str(calendar.working_days_between(at, due, province=province))).quantize(D("0.000001"))
    dossier = build(
        Dossier,
        unit=unit,
        holder_unit=unit,
        code=f"{unit.code}-{period}-",  # the number follows when it is taken, in the write
        procedure_version=version,
        channel=channel,
        status=Status.RECEIVED,
        applicant_name=cleaned["name"],
        applicant_id_number=cleaned["id_number"],
        applicant_phone=cleaned["phone"],
        applicant_address=cleaned["address"],
        applicant_email=cleaned["email"],
        consent_at=at if consent else None,
        received_at=at,
        received_by=actor if channel == Channel.COUNTER else None,
        start_at=at,
        statutory_days=statutory,
        due_at=due,
        idempotency_key=idempotency_key,
    )
    lines = {
        paper.pk: build(DossierPaper, dossier=dossier, paper=paper, name=paper.name_vi, provided_at=at)
        for paper in papers
        if paper.pk in provided
    }
    written: list[str] = []
    pending: list[tuple[str, bytes]] = []  # files kept in the database: written with the rows
    try:  # no file without its dossier: the files go if the write fails
        names = store_new([upload for _paper, upload in checked], "dossiers", written, pending=pending)
        sync(written)  # on the disk before the rows naming them are committed
        files = [
            (_file_row(dossier, upload, name, at, paper=lines.get(paper.pk) if paper else None), paper and paper.pk)
            for (paper, upload), name in zip(checked, names, strict=True)
        ]
        event = _event_row(dossier, actor=actor, action=Event.Action.RECEIVE, at=at)
        entry = audit.new_entry(
            actor=actor,
            action="dossier.receive",
            object_type=Dossier._meta.label_lower,
            unit=unit.pk,
            changes={
                "procedure_version": [None, version.pk],
                "channel": [None, channel],
                "due_at": [None, due.isoformat()],
                "files": [None, [u.sha256 for _p, u in checked]],
            },
            actor_label=None if channel == Channel.COUNTER else CITIZEN_ONLINE,
        )
        _write_received(dossier, period, lines, files, event, entry, pending)
    except BaseException:
        remove(written)
        raise
    dossier.replayed = False
    return dossier


def _file_row(dossier: Dossier, upload: CheckedUpload, name: str, at: datetime, paper=None) -> DossierFile:
    return build(
        DossierFile,
        dossier=dossier,
        paper=paper,
        file=name,
        original_name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        uploaded_at=at,
    )


ONE_STATEMENT = True  # PostgreSQL: intake in one statement (a test compares it with the other way)


def _write_received(dossier, period, lines: dict[int, DossierPaper], files, event, entry, pending) -> None:
    """Write a received dossier with its papers, files, hand-off and audit entry, taking its
    number; all or nothing. `pending`: the files' contents, when they are kept in the database
    (`core.storage`), written with the rows. PostgreSQL: one statement (`intake_statement`),
    inside a savepoint only when the caller has a transaction open (a refused statement then
    leaves it usable). Elsewhere: the same rows one statement at a time, in a transaction.
    With files on the file system, a caller's transaction that rolls back later leaves the
    files behind (the services run in autocommit)."""
    if connection.vendor == "postgresql" and ONE_STATEMENT:
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            intake_statement.write(
                dossier=dossier,
                series="dossier",
                period=period,
                lines=list(lines.values()),
                files=files,
                event=event,
                entry=entry,
                digest=audit.content_digest(entry),
                pending=pending,
            )
        return
    with transaction.atomic():
        if pending:
            write_pending(pending)
        dossier.code += f"{next_number('dossier', dossier.unit, period):04d}"
        insert([dossier])
        for line in lines.values():
            line.dossier = dossier  # now with its id
        insert(list(lines.values()))
        for file, paper_id in files:
            file.dossier = dossier
            file.paper = lines[paper_id] if paper_id else None
        insert([file for file, _paper_id in files])
        event.dossier = dossier
        insert([event])
        entry.object_id, entry.object_repr = str(dossier.pk), str(dossier)
        audit.append(entry)


# Workflow ----------------------------------------------------------------------------------


def _transition(
    dossier: Dossier,
    *,
    actor,
    action: str,
    at: datetime,
    stage: str = "",
    note: str = "",
    to_person=None,
    actor_label: str | None = None,
    **fields,
):
    before = {name: getattr(dossier, name) for name in fields}
    before_status = dossier.status
    for name, value in fields.items():
        setattr(dossier, name, value)
    dossier.save()
    event = _event(dossier, actor=actor, action=action, at=at, stage=stage, note=note, to_person=to_person)
    changes = {name: [_plain(before[name]), _plain(value)] for name, value in fields.items() if before[name] != value}
    changes.setdefault("status", [before_status, dossier.status])
    _audit(dossier, actor=actor, action=action, changes=changes, actor_label=actor_label)
    return event


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _completion(dossier: Dossier, at: datetime) -> dict:
    timeliness = classify(at, dossier.due_at)
    if dossier.supplement_count > 1:
        timeliness = Timeliness.LATE  # more than one request to supplement counts as late
    processing = D(str(calendar.working_days_between(dossier.start_at, at, province=_province(dossier))))
    processing = max(processing - dossier.paused_days, D(0)).quantize(D("0.001"))
    return {"completed_at": at, "timeliness": timeliness, "processing_days": processing}


@transaction.atomic
def dossier_assign(*, actor, dossier: Dossier, handler, at: datetime | None = None) -> Dossier:
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, Status.RECEIVED, Status.ASSIGNED)
    _require_stage(actor, dossier, Stage.RECEIVE, at=at)
    process = steps_by_stage(dossier.procedure_version)[Stage.PROCESS]
    if not _positions_held(handler, dossier.holder_unit_id, timezone.localdate(at)) & {
        p.code for p in process.positions.all()
    }:
        raise ValidationError(
            {
                "handler": _("%(person)s does not examine this procedure in %(unit)s.")
                % {"person": handler, "unit": dossier.holder_unit.name}
            }  # fmt: skip
        )
    first = dossier.status == Status.RECEIVED
    _transition(
        dossier,
        actor=actor,
        action=Event.Action.ASSIGN,
        at=at,
        stage=Stage.RECEIVE if first else "",
        to_person=handler,
        status=Status.ASSIGNED,
        handler=handler,
    )
    return dossier


@transaction.atomic
def dossier_start(*, actor, dossier: Dossier, at: datetime | None = None) -> Dossier:
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, Status.ASSIGNED)
    _require_stage(actor, dossier, Stage.PROCESS, at=at)
    _transition(dossier, actor=actor, action=Event.Action.START, at=at, status=Status.PROCESSING, handler=actor)
    return dossier


@transaction.atomic
def dossier_submit(
    *, actor, dossier: Dossier, approve: bool = True, reason: str = "", at: datetime | None = None
) -> Dossier:
    """The specialist proposes a result (or a refusal, with its reason) for approval."""
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, Status.PROCESSING)
    if dossier.is_transferred:
        raise ValidationError(
            _("The dossier is with %(unit)s; wait until it is sent back.") % {"unit": dossier.holder_unit.name}
        )
    _require_stage(actor, dossier, Stage.PROCESS, at=at)
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("A proposal to refuse needs its reason.")})
    _transition(
        dossier,
        actor=actor,
        action=Event.Action.SUBMIT,
        at=at,
        stage=Stage.PROCESS,
        note=reason.strip(),
        status=Status.AWAITING_APPROVAL,
        proposal="approve" if approve else "refuse",
        refusal_reason="" if approve else reason.strip(),
    )
    return dossier


@transaction.atomic
def dossier_decide(*, actor, dossier: Dossier, approve: bool, reason: str = "", at: datetime | None = None) -> Dossier:
    """The chair (or whoever the procedure names) approves or refuses. Two decisions at the
    same moment queue on the row lock; the second is told who decided first."""
    at = at or timezone.now()
    dossier = _locked(dossier)
    if dossier.decided_by_id and dossier.status != Status.AWAITING_APPROVAL:
        raise ValidationError(
            _("Dossier %(code)s was already %(status)s by %(person)s at %(time)s.")
            % {
                "code": dossier.code,
                "status": dossier.get_status_display(),
                "person": dossier.decided_by,
                "time": date_format(timezone.localtime(dossier.decided_at), "SHORT_DATETIME_FORMAT"),
            }
        )
    _require_status(dossier, Status.AWAITING_APPROVAL)
    _require_stage(actor, dossier, Stage.APPROVE, at=at)
    reason = reason.strip() or (dossier.refusal_reason if not approve else "")
    if not approve and not reason:
        raise ValidationError({"reason": _("A refusal needs its reason.")})
    fields = {"status": Status.APPROVED if approve else Status.REFUSED, "decided_by": actor, "decided_at": at}
    if approve:
        fields |= {"refusal_reason": "", "proposal": "approve"}
    else:
        fields |= {"refusal_reason": reason} | _completion(dossier, at)
    _transition(
        dossier,
        actor=actor,
        action=Event.Action.APPROVE if approve else Event.Action.REFUSE,
        at=at,
        stage=Stage.APPROVE,
        note=reason if not approve else "",
        **fields,
    )
    return dossier


@transaction.atomic
def dossier_result_ready(*, actor, dossier: Dossier, at: datetime | None = None) -> Dossier:
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, Status.APPROVED)
    _require_stage(actor, dossier, Stage.RETURN, at=at)
    _transition(
        dossier,
        actor=actor,
        action=Event.Action.RESULT_READY,
        at=at,
        status=Status.RESULT_READY,
        **_completion(dossier, at),
    )
    return dossier


@transaction.atomic
def dossier_return(
    *, actor, dossier: Dossier, rating: str = "", comment: str = "", at: datetime | None = None
) -> Dossier:
    """Hand the result (or the refusal) to the citizen; a rating given at the counter goes with it."""
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, Status.RESULT_READY, Status.REFUSED)
    _require_stage(actor, dossier, Stage.RETURN, at=at)
    fields = {"status": Status.RETURNED, "returned_at": at}
    if rating:
        fields |= _rating_fields(rating, comment, Channel.COUNTER)
    _transition(dossier, actor=actor, action=Event.Action.RETURN, at=at, stage=Stage.RETURN, **fields)
    return dossier


def _rating_fields(rating: str, comment: str, channel: str) -> dict:
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose one of the answers.")})
    return {"rating": rating, "rating_comment": comment.strip()[:500], "rating_channel": channel}


@transaction.atomic
def dossier_rate(*, dossier: Dossier, rating: str, comment: str = "", at: datetime | None = None) -> Dossier:
    """The citizen's satisfaction, online, once the result is returned; given once."""
    at = at or timezone.now()
    dossier = _locked(dossier)
    if dossier.status != Status.RETURNED:
        raise ValidationError(_("A dossier can be rated once its result has been returned."))
    if dossier.rating:
        raise ValidationError(_("This dossier has already been rated. Thank you."))
    _transition(
        dossier,
        actor=None,
        actor_label=CITIZEN_ONLINE,
        action=Event.Action.RATE,
        at=at,
        **_rating_fields(rating, comment, Channel.ONLINE),
    )
    return dossier


# Supplements, transfers, apologies, stopping -------------------------------------------------


@transaction.atomic
def dossier_request_supplement(
    *, actor, dossier: Dossier, missing: list[str], reason: str, at: datetime | None = None
) -> SupplementRequest:
    """Ask the citizen for papers: the clock stops until they come. A second request makes
    the dossier count as late (Decree 118/2025/NĐ-CP)."""
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, Status.RECEIVED, Status.ASSIGNED, Status.PROCESSING)
    _require_stage(actor, dossier, Stage.RECEIVE, Stage.PROCESS, at=at)
    missing = [m.strip() for m in missing if m and m.strip()]
    errors = {}
    if not missing:
        errors["missing"] = _("Name at least one missing or incorrect paper.")
    if not reason.strip():
        errors["reason"] = _("Explain what is wrong with the papers.")
    if errors:
        raise ValidationError(errors)
    request = SupplementRequest.objects.create(
        dossier=dossier, requested_at=at, requested_by=actor, missing=missing, reason=reason.strip()
    )
    _transition(
        dossier,
        actor=actor,
        action=Event.Action.SUPPLEMENT_REQUEST,
        at=at,
        note="; ".join(missing),
        status=Status.SUPPLEMENT,
        paused_status=dossier.status,
        paused_at=at,
        supplement_count=dossier.supplement_count + 1,
    )
    return request


def dossier_supplement(
    *, actor, dossier: Dossier, uploads: list[Upload] | None = None, note: str = "", at: datetime | None = None
) -> Dossier:
    """The citizen brought the papers: the clock restarts and the appointment moves by the
    working time spent waiting. `actor` is the one-stop officer who records them at the
    counter, or None when the citizen sends them online (`access.dossier_for_applicant` has
    checked who they are); online, at least one file must come."""
    return _dossier_supplement(actor=actor, dossier=dossier, uploads=uploads or [], note=note, at=at)


@atomic_with_files
def _dossier_supplement(*, actor, dossier, uploads, note, at, written) -> Dossier:
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, Status.SUPPLEMENT)
    if actor is not None:
        _require_stage(actor, dossier, Stage.RECEIVE, at=at)
    elif not uploads:
        raise ValidationError({"files": [_("Attach the missing papers as files (PDF, JPEG or PNG).")]})
    checked = []
    errors = []
    for upload in uploads:
        try:
            checked.append(check_upload(upload.file))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    province = _province(dossier)
    # The time waited, in whole working days (half a day or more counts as one), moves the
    # appointment by as many working days, to the office's closing on its new day.
    waited = calendar.working_days_between(dossier.paused_at, at, province=province)
    waited = max(D(waited).quantize(D(1), rounding=ROUND_HALF_UP), D(0))
    paused = dossier.paused_days + waited
    due = calendar.add_working_days(dossier.due_at, waited, province=province)
    due = calendar.closing_at(timezone.localdate(due, timezone.get_default_timezone()), province=province)
    dossier.supplement_requests.filter(supplemented_at__isnull=True).update(supplemented_at=at)
    names = store_new(checked, "dossiers", written)
    insert([_file_row(dossier, upload, name, at) for upload, name in zip(checked, names, strict=True)])
    _transition(
        dossier,
        actor=actor,
        actor_label=None if actor else CITIZEN_ONLINE,
        action=Event.Action.SUPPLEMENT,
        at=at,
        note=note.strip(),
        status=dossier.paused_status or Status.RECEIVED,
        paused_status="",
        paused_at=None,
        paused_days=paused,
        due_at=due,
    )
    return dossier


@transaction.atomic
def dossier_transfer(*, actor, dossier: Dossier, to_unit: Unit, note: str = "", at: datetime | None = None) -> Dossier:
    """Send the dossier to another unit of the province (a provincial department, another
    commune) for its part. The clock keeps running: one dossier, one deadline."""
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, Status.RECEIVED, Status.ASSIGNED, Status.PROCESSING)
    if dossier.is_transferred:
        raise ValidationError(_("The dossier is already with %(unit)s.") % {"unit": dossier.holder_unit.name})
    _require_stage(actor, dossier, Stage.RECEIVE, Stage.PROCESS, at=at)
    province = _province(dossier)
    if to_unit.pk == dossier.unit_id or (to_unit.pk != province and to_unit.province_id != province):
        raise ValidationError({"to_unit": _("Choose the province or another unit of the same province.")})
    if not to_unit.in_force_on(timezone.localdate(at)):
        raise ValidationError({"to_unit": _("That unit is no longer in force.")})
    if not note.strip():
        raise ValidationError({"note": _("Say what the other unit is asked to do.")})
    from_unit = dossier.holder_unit_id
    dossier.holder_unit = to_unit
    dossier.save()
    _event(dossier, actor=actor, action=Event.Action.TRANSFER, at=at, note=note.strip(), from_unit_id=from_unit)
    _audit(dossier, actor=actor, action="transfer", changes={"holder_unit": [from_unit, to_unit.pk]})
    return dossier


@transaction.atomic
def dossier_transfer_back(*, actor, dossier: Dossier, note: str = "", at: datetime | None = None) -> Dossier:
    """The other unit has done its part and sends the dossier back to the receiving commune."""
    at = at or timezone.now()
    dossier = _locked(dossier)
    if not dossier.is_transferred:
        raise ValidationError(_("The dossier is not with another unit."))
    if not _positions_held(actor, dossier.holder_unit_id, timezone.localdate(at)):
        raise ValidationError(
            _("Only staff of %(unit)s can send this dossier back.") % {"unit": dossier.holder_unit.name}
        )
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    from_unit = dossier.holder_unit_id
    dossier.holder_unit = dossier.unit
    dossier.save()
    _event(dossier, actor=actor, action=Event.Action.TRANSFER_BACK, at=at, note=note.strip(), from_unit_id=from_unit)
    _audit(dossier, actor=actor, action="transfer_back", changes={"holder_unit": [from_unit, dossier.unit_id]})
    return dossier


def needs_apology(dossier: Dossier, now: datetime | None = None) -> bool:
    """Still in progress, due within one working day (or already past due), and the citizen
    has not been given a new date yet: the officer is prompted to issue the apology slip."""
    return dossier.pk in needing_apology([dossier], now)


def needing_apology(dossiers, now: datetime | None = None) -> set[int]:
    """The ids of those of `dossiers` that need the apology slip (`needs_apology`), with one
    query for all of them (a queue page of 50)."""
    now = now or timezone.now()
    close = [
        dossier
        for dossier in dossiers
        if dossier.status in ACTIVE
        and dossier.status != Status.SUPPLEMENT
        and calendar.working_days_between(now, dossier.appointment_at, province=_province(dossier)) < 1
    ]
    if not close:
        return set()
    # an apology given today already answers it
    answered = Apology.objects.filter(dossier__in=close, at__date__gte=timezone.localdate(now))
    return {dossier.pk for dossier in close} - set(answered.values_list("dossier_id", flat=True))


@transaction.atomic
def dossier_apologise(
    *, actor, dossier: Dossier, new_due_at: datetime, reason: str, at: datetime | None = None
) -> Apology:
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, *[s for s in ACTIVE if s != Status.SUPPLEMENT])
    _require_stage(actor, dossier, Stage.RECEIVE, Stage.PROCESS, Stage.APPROVE, at=at, in_receiving_unit=True)
    errors = {}
    if timezone.is_naive(new_due_at) or new_due_at <= max(dossier.appointment_at, at):
        errors["new_due_at"] = _("The new date must be after the appointment (%(due)s).") % {
            "due": date_format(timezone.localtime(dossier.appointment_at), "SHORT_DATETIME_FORMAT")
        }
    elif not calendar.is_working_day(timezone.localdate(new_due_at), province=_province(dossier)):
        errors["new_due_at"] = _("The new date must be a working day.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the delay.")
    if errors:
        raise ValidationError(errors)
    apology = Apology.objects.create(dossier=dossier, at=at, by=actor, reason=reason.strip(), new_due_at=new_due_at)
    _transition(dossier, actor=actor, action=Event.Action.APOLOGY, at=at, note=reason.strip(), promised_at=new_due_at)
    return apology


@transaction.atomic
def dossier_stop(*, actor, dossier: Dossier, reason: str, at: datetime | None = None) -> Dossier:
    """Stop handling (the citizen withdrew, or the papers never came): the notice of stopping."""
    at = at or timezone.now()
    dossier = _locked(dossier)
    _require_status(dossier, *ACTIVE)
    _require_stage(actor, dossier, Stage.RECEIVE, Stage.APPROVE, at=at, in_receiving_unit=True)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for stopping.")})
    _transition(
        dossier,
        actor=actor,
        action=Event.Action.STOP,
        at=at,
        note=reason.strip(),
        status=Status.STOPPED,
        stopped_at=at,
        stop_reason=reason.strip(),
        paused_at=None,
        paused_status="",
    )
    return dossier


# Catalogue ---------------------------------------------------------------------------------


def procedure_version_check(version: ProcedureVersion) -> None:
    """A version is usable when it has the four steps, each with who performs it, and the
    shares add up to 100 %."""
    steps = {step.stage: step for step in version.steps.prefetch_related("positions")}
    problems = []
    missing = [Stage(s).label for s in STAGE_ORDER if s not in steps]
    if missing:
        problems.append(_("Missing steps: %(steps)s.") % {"steps": ", ".join(str(m) for m in missing)})
    if sum(step.share for step in steps.values()) != 100:
        problems.append(_("The steps' shares of the time must add up to 100 %."))
    if any(not step.positions.exists() for step in steps.values()):
        problems.append(_("Every step needs at least one position that performs it."))
    if version.cutoff and version.days:
        problems.append(_("A cut-off hour only applies to same-day procedures (time limit 0)."))
    if problems:
        raise ValidationError(problems)


def check_version_dates(version: ProcedureVersion) -> None:
    """One version of a procedure in force on any day: an overlap is refused."""
    overlapping = (
        ProcedureVersion.objects.filter(procedure_id=version.procedure_id)
        .exclude(pk=version.pk)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=version.effective_from))
    )
    if version.effective_to:
        overlapping = overlapping.filter(effective_from__lte=version.effective_to)
    clash = overlapping.first()
    if clash is not None:
        raise ValidationError(
            _("Version %(version)s of this procedure is in force over these dates; end it the day before.")
            % {"version": clash.version}
        )


@transaction.atomic
def procedure_save(*, actor, procedure: Procedure) -> Procedure:
    before = audit.snapshot(Procedure.objects.get(pk=procedure.pk)) if procedure.pk else {}
    procedure.full_clean()
    procedure.save()
    audit.record(
        actor=actor,
        action="procedure.save",
        obj=procedure,
        changes=audit.changes_between(before, audit.snapshot(procedure)),
    )
    return procedure


@transaction.atomic
def procedure_version_publish(*, actor, version: ProcedureVersion) -> ProcedureVersion:
    """Check a version saved with its papers and steps (the admin saves them together) and
    record it. An overlapping version of the same procedure is refused."""
    procedure_version_check(version)
    check_version_dates(version)
    version.save(update_fields=["updated_at"])  # a new cache key for its steps
    audit.record(
        actor=actor,
        action="procedure_version.publish",
        obj=version,
        changes={
            "version": audit.snapshot(version),
            "papers": [p.name_vi for p in version.papers.all()],
            "steps": {s.stage: s.share for s in version.steps.all()},
        },
    )
    return version


# Files -------------------------------------------------------------------------------------


def dossier_file_opened(*, actor, dossier: Dossier, file: DossierFile) -> None:
    """Record that `actor` (who sees the dossier: `core.access`) opens one of its files: the
    papers are personal data, an ID card's image sensitive data (Decree 356/2025/NĐ-CP)."""
    with transaction.atomic():
        _audit(
            dossier,
            actor=actor,
            action="file_view",
            changes={"file": [None, file.original_name], "sha256": [None, file.sha256]},
        )


# The dossier register ----------------------------------------------------------------------


def dossier_register_export(*, actor, unit: Unit, start, end) -> tuple[bytes, str]:
    """`unit`'s dossier register from `start` to `end` as Excel, as `actor` may see it:
    (content, file name). It names every applicant with address and phone, so the export is
    audited (one entry: the unit, the period, the number of dossiers) before the file is made."""
    from communeos.onestop import register, selectors

    dossiers = selectors.dossier_register(user=actor, unit=unit, start=start, end=end)
    with transaction.atomic():
        _register_exported(actor, unit, start, end, dossiers.count(), "xlsx")
    content = register.register_xlsx(dossiers, unit=unit, start=start, end=end)
    return content, f"{register.DossierRegister(unit, start, end).filename_stem}.xlsx"


def dossier_register_pdf_request(*, actor, unit: Unit, start, end) -> Export:
    """Ask for `unit`'s dossier register from `start` to `end` as PDF, made in the background
    (`register.register_pdf_export`): the dossiers received so far, as `actor` may see them.
    Audited now, as the Excel export is. More than `register.MAX_PDF_ROWS` dossiers is refused
    (a shorter period, or Excel)."""
    from communeos.onestop import register, selectors

    dossiers = selectors.dossier_register(user=actor, unit=unit, start=start, end=end)
    ids = list(dossiers.values_list("pk", flat=True))  # the file holds these: the register as it is now
    if len(ids) > register.MAX_PDF_ROWS:
        raise ValidationError(
            _("The register holds %(count)s dossiers; a PDF takes at most %(max)s. Choose a shorter period, or Excel.")
            % {"count": len(ids), "max": register.MAX_PDF_ROWS}
        )
    book = register.DossierRegister(unit, start, end)
    with transaction.atomic():
        _register_exported(actor, unit, start, end, len(ids), "pdf")
        return core_services.export_request(
            actor=actor,
            unit=unit,
            kind=Export.Kind.DOSSIER_REGISTER,
            params={"start": start.isoformat(), "end": end.isoformat(), "ids": ids},
            title=f"{book.title} — {unit.name}, {book.period}",
            filename=f"{book.filename_stem}.pdf",
        )


def _register_exported(actor, unit: Unit, start, end, count: int, fmt: str) -> None:
    # Access to personal data is logged (Decree 356/2025/NĐ-CP).
    audit.record(
        actor=actor,
        action="dossier.register_export",
        obj=unit,
        unit=unit.pk,
        changes={
            "period": [None, f"{start.isoformat()}/{end.isoformat()}"],
            "dossiers": [None, count],
            "format": [None, fmt],
        },
    )
