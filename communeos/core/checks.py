"""System checks of the deployment's own settings (run by `manage.py check --database default`
and before `migrate`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, connections


@register(Tags.database)
def cache_table_exists(app_configs, databases=None, **kwargs):
    """CACHE_BACKEND=database keeps the public rate limit's counts in a table that migrations do
    not create: without it every public request would fail."""
    if settings.CACHE_BACKEND != "database" or DEFAULT_DB_ALIAS not in (databases or []):
        return []
    if settings.CACHE_TABLE in connections[DEFAULT_DB_ALIAS].introspection.table_names():
        return []
    return [
        Warning(
            f"CACHE_BACKEND=database, but the cache table {settings.CACHE_TABLE!r} does not exist: "
            "public look-ups and online submissions will fail.",
            hint="Run `manage.py createcachetable` once.",
            id="core.W001",
        )
    ]
