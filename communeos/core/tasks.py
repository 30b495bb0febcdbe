"""Background tasks of the core, run by `manage.py db_worker` (the database-backed queue of
django-tasks-db, settings.TASKS). A task only calls a service."""

from django_tasks import task

from communeos.core import services


@task()
def export_make(export_id: str) -> None:
    """Make the file of a pending export (`services.export_make`)."""
    services.export_make(export_id=export_id)
