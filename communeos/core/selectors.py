from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from communeos.core import access
from communeos.core.models import STALE_EXPORT, AuditEntry, Export


def audit_entries(*, user) -> QuerySet:
    """The audit trail for administrators: all of it for a system administrator, the
    entries of their units otherwise."""
    access.require_administrator(user)
    entries = AuditEntry.objects.select_related("unit").order_by("-at", "-id")
    if user.is_superuser:
        return entries
    return access.scoped(entries, user)


@dataclass(frozen=True)
class ExportProgress:
    """Where a pending export is. `state`: "queued" (waiting for a worker, `ahead` tasks before
    it), "running" (being made since `since`) or "stalled" (its worker stopped: killed mid-file
    or gone, or its task ended without a file: to be asked for again)."""

    state: str
    since: datetime
    ahead: int = 0

    @property
    def waiting_long(self) -> bool:
        """Queued for longer than a file takes to make: no worker may be running."""
        return self.state == "queued" and timezone.now() - self.since > STALE_EXPORT


def export_progress(export: Export) -> ExportProgress | None:
    """The progress of a pending export, read from its task in the queue (None once it is
    ready or failed). An export asked for before exports named their task is judged by its age."""
    from django_tasks_db.models import DBTaskResult

    if export.status != Export.Status.PENDING:
        return None
    task = DBTaskResult.objects.filter(pk=export.task_id).first() if export.task_id else None
    if task is None:
        stalled = export.task_id is not None or timezone.now() - export.created_at > STALE_EXPORT
        return _stalled(export) if stalled else ExportProgress("queued", export.created_at)
    if task.status == "READY":
        # Before it in the worker's order (DBTaskResult.Meta.ordering).
        first = (
            Q(priority__gt=task.priority)
            | Q(priority=task.priority, run_after__lt=task.run_after)
            | Q(priority=task.priority, run_after=task.run_after, enqueued_at__lt=task.enqueued_at)
        )
        ahead = DBTaskResult.objects.ready().filter(first, backend_name=task.backend_name, queue_name=task.queue_name)
        return ExportProgress("queued", task.enqueued_at, ahead.count())
    if task.status == "RUNNING" and timezone.now() - task.started_at <= STALE_EXPORT:
        return ExportProgress("running", task.started_at)
    # Running for too long (its worker was killed), or ended without making the file.
    return _stalled(export, task.started_at or task.enqueued_at)


def _stalled(export: Export, since: datetime | None = None) -> ExportProgress | None:
    """Stalled, unless the export was finished since it was read: the worker marks the export
    ready, then ends its task, and both may have happened between the two reads."""
    export.refresh_from_db(fields=["status", "rows", "file", "finished_at"])
    if export.status != Export.Status.PENDING:
        return None
    return ExportProgress("stalled", since or export.created_at)
