"""Numbering rules and party committee terms are data an administrator keeps up to date;
every change is written to the audit trail. Documents themselves are handled in the app."""

from django.contrib import admin

from communeos.core import audit
from communeos.documents.models import NumberingRule, PartyTerm


class AuditedAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)  # the admin's view runs in one transaction
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.save",
            obj=obj,
            unit=getattr(obj, "unit_id", None),
            changes=audit.changes_between(before, audit.snapshot(obj)),
        )


@admin.register(NumberingRule)
class NumberingRuleAdmin(AuditedAdmin):
    list_display = ["body", "period", "per_type", "secret_own_series", "effective_from", "effective_to"]


@admin.register(PartyTerm)
class PartyTermAdmin(AuditedAdmin):
    list_display = ["name", "unit", "start", "end"]
    autocomplete_fields = ["unit"]
