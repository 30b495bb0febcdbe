"""Reads of the one-stop shop. Staff reads start from `access.dossiers_visible_to(user)`;
the public look-up reads one dossier by code and returns no personal data at all."""

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _

from communeos.core import access, calendar, memo
from communeos.onestop.models import (
    ACTIVE,
    Dossier,
    Event,
    Procedure,
    ProcedureVersion,
    Status,
    appointment,
    localized,
)
from communeos.onestop.statistics import period_bounds
from communeos.people.models import Assignment
from communeos.units.models import Level, Unit


def procedure_list(*, day=None) -> QuerySet:
    """Procedures with a version in force on `day` (today), and that version's papers."""
    day = day or timezone.localdate()
    in_force = ProcedureVersion.objects.in_force_on(day).prefetch_related("papers", "steps__positions")
    return (
        Procedure.objects.filter(versions__in=ProcedureVersion.objects.in_force_on(day))
        .distinct()
        .prefetch_related(Prefetch("versions", queryset=in_force, to_attr="current_versions"))
    )


# A minute: each reload costs milliseconds (the procedure comes with its versions, papers and
# steps), and at 5 s the reloads took a fortieth of an intake worker's time.
_PROCEDURES = memo.Timed("onestop.procedure_by_code", seconds=60)
_COMMUNES = memo.Timed("onestop.commune_by_code", seconds=60)


def procedure_by_code(code: str, *, day=None) -> Procedure | None:
    """The procedure with its version in force (cached per process for up to a minute: intake
    and the public pages read it on every request; a catalogue change adds a version)."""
    day = day or calendar.today()
    return _PROCEDURES.get((code, day), lambda: procedure_list(day=day).filter(code=code).first())


def procedure_with_code(code: str) -> Procedure | None:
    """The procedure with this code, whether or not a version of it is in force (not cached)."""
    return Procedure.objects.filter(code=code).first()


def commune_by_code(code: str, *, day=None) -> Unit | None:
    """A commune in force on `day` (today) by its code, for online intake (cached like the catalogue)."""
    day = day or calendar.today()
    return _COMMUNES.get((code, day), lambda: commune_in_force(code, day))


def commune_in_force(code: str, day) -> Unit | None:
    """A commune in force on `day` by its code (not cached: for any day a client names)."""
    return Unit.objects.in_force_on(day).filter(level=Level.COMMUNE, code=code).first()


def version_in_force(procedure: Procedure, day) -> ProcedureVersion:
    """The version of `procedure` in force on `day`; ValidationError, with its message, if none."""
    version = procedure.versions.in_force_on(day).order_by("-version").first()
    if version is None:
        raise ValidationError(
            _("%(procedure)s has no version in force on %(day)s.")
            % {"procedure": procedure.name, "day": date_format(day, "SHORT_DATE_FORMAT")}
        )
    return version


def dossier_due(procedure: Procedure, commune: Unit | None, at: datetime) -> tuple[ProcedureVersion, datetime]:
    """The version in force when a dossier of `procedure` is received at `at`, and when it is due
    (by `commune`'s province's calendar; the national one if None), as intake would set it.
    ValidationError when no version is in force that day."""
    version = version_in_force(procedure, timezone.localdate(at, timezone.get_default_timezone()))
    # The clock takes a commune for its province.
    return version, calendar.due_at(at, days=version.days, cutoff=version.cutoff, province=commune)


def dossier_list(*, user, status: str = "", procedure: str = "", unit=None, overdue: bool = False, q: str = ""):
    qs = access.dossiers_visible_to(user).select_related(
        "unit", "holder_unit", "procedure_version__procedure", "handler"
    )
    if status:
        qs = qs.filter(status=status)
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
    if unit is not None:
        qs = qs.filter(Q(unit=unit) | Q(holder_unit=unit))
    if overdue:
        qs = qs.filter(status__in=ACTIVE, paused_at__isnull=True, due_at__lt=timezone.now())
    if q:
        qs = qs.filter(code__icontains=q.strip())
    return qs


def dossier_queue(*, user, unit, now: datetime | None = None) -> QuerySet:
    """What waits for `user` in `unit`: dossiers in progress held there, overdue first, then
    those due today, then by appointment. A specialist sees the dossiers assigned to them;
    the one-stop officers and the chair see all those of the unit waiting at their step."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    end_of_today = local.replace(hour=23, minute=59, second=59, microsecond=999999)
    held = set(Assignment.objects.current().filter(person=user, unit=unit).values_list("position__code", flat=True))
    waiting = Q(handler=user, status__in=[Status.ASSIGNED, Status.PROCESSING])
    if held & {"onestop_officer"}:
        waiting |= Q(status__in=[Status.RECEIVED, Status.APPROVED, Status.RESULT_READY, Status.REFUSED])
        waiting |= Q(status=Status.SUPPLEMENT)
    if held & {"commune_chair", "commune_vice_chair"}:
        waiting |= Q(status=Status.AWAITING_APPROVAL)
    if unit.level != "commune":  # a provincial department: what was transferred to it
        waiting |= Q(holder_unit=unit) & ~Q(unit=unit)
    qs = (
        access.dossiers_visible_to(user)
        .filter(holder_unit=unit)
        .filter(waiting)
        .annotate(
            urgency=Case(
                When(status=Status.SUPPLEMENT, then=Value(3)),
                When(status__in=[Status.RESULT_READY, Status.REFUSED], then=Value(2)),
                When(due_at__lt=now, then=Value(0)),
                When(due_at__lte=end_of_today, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("procedure_version__procedure", "handler", "unit")
        .order_by("urgency", "due_at", "id")
    )
    return qs


def register_units(user) -> QuerySet:
    """The receiving units whose dossier register `user` may print: the communes in force
    today that they see."""
    return access.units_visible_to(user).in_force_on(timezone.localdate()).filter(level=Level.COMMUNE)


def dossier_register(*, user, unit: Unit, start, end) -> QuerySet:
    """The dossier register of `unit` (`onestop.register`): the dossiers it received from
    `start` to `end` (local dates, both included) that `user` may see, in the order received,
    each with `transferred_at`, when it was first sent to another unit."""
    since, until = period_bounds(start, end)
    first_transfer = (
        Event.objects.filter(dossier=OuterRef("pk"), action=Event.Action.TRANSFER)
        .values("dossier")
        .annotate(first=Min("at"))
        .values("first")
    )
    return (
        access.dossiers_visible_to(user)
        .filter(unit=unit, received_at__gte=since, received_at__lt=until)
        .select_related("procedure_version__procedure", "holder_unit")
        .annotate(transferred_at=Subquery(first_transfer))
        .order_by("received_at", "id")
    )


def dossier_detail(dossier: Dossier) -> Dossier:
    """The dossier with everything its page shows, in a fixed number of queries."""
    return (
        Dossier.objects.select_related(
            "unit", "holder_unit", "procedure_version__procedure", "handler", "received_by", "decided_by"
        )
        .prefetch_related(
            "papers",
            "files__paper",
            "events__actor",
            "events__from_unit",
            "events__to_unit",
            "events__to_person",
            "supplement_requests",
            "apologies",
            "procedure_version__steps__positions",
            "procedure_version__papers",
        )
        .get(pk=dossier.pk)
    )


@dataclass(frozen=True)
class PublicStatus:
    """What anyone holding a dossier's code may know. No name, no ID number, no address."""

    code: str
    procedure: str
    unit: str
    status: str
    status_label: str
    received_on: datetime
    appointment_at: datetime | None
    missing: list[str]
    resolved_at: datetime | None
    returned: bool
    can_rate: bool


def lookup_url(code: str) -> str:
    """The public look-up address of a dossier, as printed in the receipt's QR code and
    answered to every online submission: the reversed address, with the code put in its place
    as `reverse` would quote it (reversing per call cost more than the rest of the answer)."""
    head, tail = _lookup_path(get_script_prefix())
    return f"{settings.PUBLIC_BASE_URL}{head}{quote(code, safe=RFC3986_SUBDELIMS + '/~:@')}{tail}"


@functools.cache
def _lookup_path(_script_prefix: str) -> tuple[str, str]:
    head, tail = reverse("onestop_public:lookup_code", args=["CODE"]).rsplit("CODE", 1)
    return head, tail


_PUBLIC_STATUS_SQL = """
SELECT d.code, d.status, d.received_at, d.due_at, d.promised_at, d.completed_at, d.rating,
       u.name, p.name_vi, p.name_en,
       CASE WHEN d.status = %s THEN (
           SELECT s.missing FROM onestop_supplementrequest s
           WHERE s.dossier_id = d.id ORDER BY s.requested_at DESC LIMIT 1) END
FROM onestop_dossier d
JOIN units_unit u ON u.id = d.unit_id
JOIN onestop_procedureversion v ON v.id = d.procedure_version_id
JOIN onestop_procedure p ON p.id = v.procedure_id
WHERE d.code = %s
"""
_FINISHED = frozenset({Status.RETURNED, Status.STOPPED, Status.REFUSED, Status.RESULT_READY})


def _aware(value):
    """Raw SQLite rows carry naive UTC datetimes; PostgreSQL's are aware already."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, UTC)


def dossier_public_status(code: str) -> PublicStatus | None:
    """None for an unknown code and for one that is not even well-formed: the caller answers
    both the same way."""
    code = (code or "").strip()
    if not code or len(code) > 40:
        return None
    # The public hot path: one hand-written statement (the ORM's query building and model
    # instances cost more than the query itself), no personal column in it.
    with connection.cursor() as cursor:
        cursor.execute(_PUBLIC_STATUS_SQL, [Status.SUPPLEMENT.value, code])
        found = cursor.fetchone()
    if found is None:
        return None
    code, status, received_at, due_at, promised_at, completed_at, rating, unit_name, name_vi, name_en, missing = found
    received_at, due_at, promised_at, completed_at = map(_aware, (received_at, due_at, promised_at, completed_at))
    if isinstance(missing, str):  # JSON comes back as text from the driver: the field decodes it elsewhere
        missing = json.loads(missing)
    return PublicStatus(
        code=code,
        procedure=localized(name_vi, name_en),
        unit=unit_name,
        status=status,
        status_label=str(Status(status).label),
        received_on=received_at,
        appointment_at=None if status in _FINISHED else appointment(due_at, promised_at),
        missing=list(missing or []),
        resolved_at=completed_at,
        returned=status == Status.RETURNED,
        can_rate=status == Status.RETURNED and not rating,
    )


def handlers_for(dossier: Dossier):
    """Staff of the dossier's unit who examine this procedure (for the assignment form)."""
    from communeos.onestop.services import steps_by_stage
    from communeos.people.models import User

    codes = [p.code for p in steps_by_stage(dossier.procedure_version)["process"].positions.all()]
    people = Assignment.objects.current().filter(unit=dossier.holder_unit, position__code__in=codes)
    return User.objects.filter(pk__in=people.values("person_id"), is_active=True).order_by("full_name")


def transfer_targets(dossier: Dossier) -> QuerySet:
    """Where a dossier may be transferred: the province (its departments) or another commune
    of the same province, in force today."""
    province = dossier.unit.province_id
    return (
        Unit.objects.filter(Q(pk=province) | Q(province_id=province, level=Level.COMMUNE))
        .filter(valid_to__isnull=True)
        .exclude(pk=dossier.unit_id)
        .order_by("-level", "name")
    )
