"""Writes of the core: overrides of the working-day calendar; files made in the background."""

import functools
import json
import logging
from datetime import date, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from communeos.core import audit, calendar, storage
from communeos.core.models import CalendarOverride, Export
from communeos.core.uploads import atomic_with_files
from communeos.units.models import Level, Unit

logger = logging.getLogger(__name__)

# What makes each kind of export: a function of the Export row giving (content, rows), reading
# with the requester's scope. Named here so that the worker needs nothing but the row.
EXPORT_BUILDERS = {
    Export.Kind.DOCUMENT_REGISTER: "communeos.documents.exports.register_pdf_export",
    Export.Kind.DOSSIER_REGISTER: "communeos.onestop.register.register_pdf_export",
}


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
    if province is not None and province.level != Level.PROVINCE:
        raise ValidationError(
            {
                "province": _("%(unit)s is not a province: an override is set for a province or the whole country.")
                % {"unit": province.name}
            }
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
    override.full_clean()
    override.save()
    audit.record(
        actor=actor,
        action="calendar_override.create",
        obj=override,
        unit=province,
        changes=audit.changes_between({}, audit.snapshot(override)),
    )
    calendar.overrides_changed()
    return override


@transaction.atomic
def calendar_override_delete(*, actor, override: CalendarOverride) -> None:
    """Withdraw an override entered by mistake (the audit trail keeps what it said)."""
    before = audit.snapshot(override)
    override_id, province_id = override.pk, override.province_id
    override.delete()
    audit.record(
        actor=actor,
        action="calendar_override.delete",
        object_type=CalendarOverride._meta.label_lower,
        object_id=override_id,
        unit=province_id,
        changes=audit.changes_between(before, {}),
    )
    calendar.overrides_changed()


def export_request(*, actor, unit: Unit, kind: str, params: dict, title: str, filename: str) -> Export:
    """Ask for a file to be made in the background: the row and its task are written in the
    caller's transaction (the service that checked the request and wrote its audit entry,
    after `export_lock`), so a request that fails leaves neither. `manage.py db_worker` makes
    it (`export_make`).

    The same file asked for again by the same person while it is still being made (the same
    unit, kind and parameters: the same entries) is that export, not a second one; one whose
    worker stopped is marked failed and asked for anew."""
    from communeos.core import tasks
    from communeos.core.selectors import export_progress

    if kind not in EXPORT_BUILDERS:
        raise ValueError(f"unknown export kind {kind!r}")
    params = json.loads(json.dumps(params))  # as the row will hold them, to compare
    with transaction.atomic():
        export_lock(actor)
        pending = Export.objects.filter(
            requested_by=actor, unit=unit, kind=kind, status=Export.Status.PENDING, params=params
        )
        for same in pending:
            progress = export_progress(same)
            if progress is not None and progress.state != "stalled":
                return same
            _export_stalled(same)
        export = Export.objects.create(
            unit=unit, requested_by=actor, kind=kind, params=params, title=title[:300], filename=filename
        )
        audit.record(actor=actor, action="export.request", obj=export, unit=unit, changes={"kind": [None, kind]})
        export.task_id = tasks.export_make.enqueue(str(export.pk)).id
        export.save(update_fields=["task_id"])
    return export


def export_lock(actor) -> None:
    """Take a person's export requests one at a time, so that two clicks at once make one file
    (`export_request`): a lock on their row, held to the end of the transaction. A service
    that asks for an export takes it first, before its audit entries lock their unit's chain
    (two requests taking the two locks in opposite orders would wait for each other). NO KEY:
    rows that name the person (their other writes' audit entries) are not held up."""
    get_user_model().objects.select_for_update(no_key=True).filter(pk=actor.pk).exists()


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

    now = timezone.now()
    failed = Export.objects.filter(pk=export.pk, status=Export.Status.PENDING).update(
        status=Export.Status.FAILED, finished_at=now, updated_at=now
    )
    if failed:
        audit.record(actor=None, action="export.stall", obj=export, unit=export.unit_id)
        if export.task_id:
            DBTaskResult.objects.filter(pk=export.task_id, status="RUNNING").update(
                status="FAILED",
                finished_at=now,
                exception_class_path="builtins.RuntimeError",
                traceback="The worker stopped while making the export; Commune OS marked it failed.",
            )
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
            now = timezone.now()
            failed = Export.objects.filter(pk=export.pk, status=Export.Status.PENDING).update(
                status=Export.Status.FAILED, finished_at=now, updated_at=now
            )
            if failed:
                audit.record(actor=None, action="export.fail", obj=export, unit=export.unit_id)
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
