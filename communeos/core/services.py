"""Writes of the core: overrides of the working-day calendar; files made in the background."""

import functools
import hashlib
import json
import logging
from datetime import date, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from communeos.core import audit, calendar, storage
from communeos.core.models import CalendarOverride, Export, OfficeHours
from communeos.core.uploads import atomic_with_files
from communeos.units.models import Level, Unit

logger = logging.getLogger(__name__)

# What makes each kind of export: a function of the Export row giving (content, rows), reading
# with the requester's scope. Named here so that the worker needs nothing but the row.
EXPORT_BUILDERS = {
    Export.Kind.DOCUMENT_REGISTER: "communeos.documents.exports.register_pdf_export",
    Export.Kind.DOSSIER_REGISTER: "communeos.onestop.register.register_pdf_export",
}


def _province_or_country(province: Unit | None, message: str) -> None:
    """`message` (naming `%(unit)s`) unless `province` is a province or None (the country)."""
    if province is not None and province.level != Level.PROVINCE:
        raise ValidationError({"province": message % {"unit": province.name}})


@transaction.atomic
def calendar_override_create(
    *,
    actor,
    province: Unit | None,
    start: date,
    end: date | None = None,
    kind: str,
    weekday: int | None = None,
    reason: str,
    legal_basis: str,
    opens: time | None = None,
    closes: time | None = None,
) -> CalendarOverride:
    """Record a decision that changes the calendar of `province` (of the whole country if None)."""
    _province_or_country(
        province, _("%(unit)s is not a province: an override is set for a province or the whole country.")
    )
    override = CalendarOverride(
        province=province,
        start=start,
        end=start if end is None else end,
        kind=kind,
        weekday=weekday,
        reason=reason,
        legal_basis=legal_basis,
        opens=opens,
        closes=closes,
    )
    _calendar_row_save(actor, override, "calendar_override.create")
    return override


@transaction.atomic
def calendar_override_delete(*, actor, override: CalendarOverride) -> None:
    """Withdraw an override entered by mistake (the audit trail keeps what it said)."""
    _calendar_row_delete(actor, override, "calendar_override.delete")


@transaction.atomic
def office_hours_create(
    *,
    actor,
    province: Unit | None,
    effective_from: date,
    opens: time,
    closes: time,
    break_starts: time | None = None,
    break_ends: time | None = None,
    legal_basis: str,
) -> OfficeHours:
    """Record the office hours of `province` (of the whole country if None) from a date on.
    Deadlines computed from then on use them; an appointment already given stays, unless days
    waited for the citizen move it (to its new day's closing)."""
    _province_or_country(
        province, _("%(unit)s is not a province: office hours are set for a province or the whole country.")
    )
    hours = OfficeHours(
        province=province,
        effective_from=effective_from,
        opens=opens,
        closes=closes,
        break_starts=break_starts,
        break_ends=break_ends,
        legal_basis=legal_basis,
    )
    _calendar_row_save(actor, hours, "office_hours.create")
    return hours


@transaction.atomic
def office_hours_delete(*, actor, hours: OfficeHours) -> None:
    """Withdraw office hours entered by mistake (the audit trail keeps what they said)."""
    _calendar_row_delete(actor, hours, "office_hours.delete")


def _calendar_row_save(actor, row: CalendarOverride | OfficeHours, action: str) -> None:
    """Check and save a new row of the calendar's data, record it in the audit trail, and have
    the clock see it at once."""
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same row entered at the same moment by someone else
        row.validate_constraints()  # raises the constraint's message, now that the other row is there
        raise
    audit.record(
        actor=actor, action=action, obj=row, unit=row.province, changes=audit.changes_between({}, audit.snapshot(row))
    )
    calendar.overrides_changed()


def _calendar_row_delete(actor, row: CalendarOverride | OfficeHours, action: str) -> None:
    before = audit.snapshot(row)
    row_id, province_id = row.pk, row.province_id
    row.delete()
    audit.record(
        actor=actor,
        action=action,
        object_type=row._meta.label_lower,
        object_id=row_id,
        unit=province_id,
        changes=audit.changes_between(before, {}),
    )
    calendar.overrides_changed()


def export_request(*, actor, unit: Unit, kind: str, params: dict, title: str, filename: str) -> Export:
    """Ask for a file to be made in the background: the row and its task are written in the
    caller's transaction (the service that checked the request and wrote its audit entry), so
    a request that fails leaves neither. `manage.py db_worker` makes it (`export_make`).

    The same file asked for again by the same person while it is still being made (the same
    unit, kind and parameters: the same entries) is that export, not a second one: the
    database holds one pending export per person and request (`request_digest`), so a second
    click at the same moment waits for the first's transaction and finds its export. One whose
    worker stopped is marked failed and asked for anew."""
    from communeos.core import tasks
    from communeos.core.selectors import export_progress

    if kind not in EXPORT_BUILDERS:
        raise ValueError(f"unknown export kind {kind!r}")
    asked = json.dumps({"unit": unit.pk, "kind": kind, "params": params}, sort_keys=True, cls=DjangoJSONEncoder)
    digest = hashlib.sha256(asked.encode()).hexdigest()
    pending = Export.objects.filter(requested_by=actor, request_digest=digest, status=Export.Status.PENDING)
    with transaction.atomic():
        same = pending.first()
        if same is not None:
            progress = export_progress(same)
            if progress is not None and progress.state != "stalled":
                return same
            _export_stalled(same)
        try:
            with transaction.atomic():
                export = Export.objects.create(
                    unit=unit,
                    requested_by=actor,
                    kind=kind,
                    params=params,
                    title=title[:300],
                    filename=filename,
                    request_digest=digest,
                )
        except IntegrityError:
            first = pending.first()  # asked for at the same moment: the first request's export
            if first is None:
                raise
            return first
        audit.record(actor=actor, action="export.request", obj=export, unit=unit, changes={"kind": [None, kind]})
        export.task_id = tasks.export_make.enqueue(str(export.pk)).id
        export.save(update_fields=["task_id"])
    return export


def exports_fail_stalled() -> int:
    """Mark failed the pending exports whose worker stopped (`selectors.export_progress`), each
    with its audit entry, so that the list shows them as they are. How many."""
    from communeos.core.selectors import export_progress

    failed = 0
    for export in Export.objects.filter(status=Export.Status.PENDING).order_by("created_at"):
        progress = export_progress(export)
        if progress is not None and progress.state == "stalled":
            with transaction.atomic():
                failed += _export_stalled(export)
    return failed


def _export_stalled(export: Export) -> int:
    """Mark a stalled export failed, and its task if it is still "running" (its worker was
    killed: nothing else ends it, and the queue prunes only finished tasks)."""
    from django_tasks_db.models import DBTaskResult

    failed = _export_failed(export, "export.stall")
    if failed and export.task_id:
        DBTaskResult.objects.filter(pk=export.task_id, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="builtins.RuntimeError",
            traceback="The worker stopped while making the export; Commune OS marked it failed.",
        )
    return failed


def _export_failed(export: Export, action: str) -> int:
    """Mark a pending export failed, with its audit entry `action` (1), unless it is no longer
    pending (0: made or failed meanwhile). In the caller's transaction."""
    now = timezone.now()
    failed = Export.objects.filter(pk=export.pk, status=Export.Status.PENDING).update(
        status=Export.Status.FAILED, finished_at=now, updated_at=now
    )
    if failed:
        audit.record(actor=None, action=action, obj=export, unit=export.unit_id)
    return failed


def export_make(*, export_id: str) -> Export | None:
    """Make the file of a pending export (the background task). The file is laid out outside
    any transaction (a long one would hold SQLite's write lock), then stored with the export's
    new status and its audit entry (`_export_ready`). A failure is written on the export, for
    its requester to see, and raised again for the task's own record."""
    export = Export.objects.select_related("requested_by", "unit").filter(pk=export_id).first()
    if export is None or export.status != Export.Status.PENDING:
        return None  # made already, or gone
    try:
        content, rows = import_string(EXPORT_BUILDERS[export.kind])(export)
        return export if _export_ready(export, content, rows) else None
    except Exception as error:
        logger.exception("export %s (%s) failed", export_id, export.kind)
        with transaction.atomic():
            _export_failed(export, "export.fail")
        raise RuntimeError(f"export {export_id} failed") from error


@atomic_with_files
def _export_ready(export: Export, content: bytes, rows: int, *, written: list[str]) -> bool:
    """Store the file and mark the export ready, in one transaction: on the file system the
    file is synced before the commit and removed if it fails (`atomic_with_files`)."""
    if not Export.objects.select_for_update().filter(pk=export.pk, status=Export.Status.PENDING).exists():
        return False  # made or failed meanwhile
    export.file.save(export.filename, ContentFile(content), save=False)
    written.append(export.file.name)
    export.rows = rows
    export.status = Export.Status.READY
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "rows", "status", "finished_at", "updated_at"])
    audit.record(actor=None, action="export.ready", obj=export, unit=export.unit_id, changes={"rows": [None, rows]})
    return True


def exports_expire(*, now=None) -> int:
    """Remove the exports asked for more than `EXPORT_KEEP_DAYS` ago, with their files (they
    name people: kept no longer than needed). Each removal is one transaction with its audit
    entry. How many were removed."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EXPORT_KEEP_DAYS)
    removed = 0
    for export_id in Export.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True).iterator():
        with transaction.atomic():
            export = Export.objects.select_for_update().filter(pk=export_id).first()
            if export is None:
                continue
            name = export.file.name
            audit.record(actor=None, action="export.expire", obj=export, unit=export.unit_id)
            export.delete()
            if name and storage.in_database():
                default_storage.delete(name)  # with this transaction
            elif name:  # on the file system, once this has committed (a rollback keeps the file)
                transaction.on_commit(functools.partial(default_storage.delete, name))
            removed += 1
    return removed


def export_downloaded(*, actor, export: Export) -> None:
    """An export names people (a register's applicants, senders): each download is logged."""
    with transaction.atomic():
        audit.record(actor=actor, action="export.download", obj=export, unit=export.unit_id)
