from django.db.models import QuerySet

from communeos.core import access
from communeos.core.models import AuditEntry


def audit_entries(*, user) -> QuerySet:
    """The audit trail for administrators: all of it for a system administrator, the
    entries of their units otherwise."""
    access.require_administrator(user)
    entries = AuditEntry.objects.select_related("unit").order_by("-at", "-id")
    if user.is_superuser:
        return entries
    return access.scoped(entries, user)
