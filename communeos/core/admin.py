"""Admin pages of the core. Calendar overrides and office hours are written through the
services, so they are validated as anywhere else, land in the audit trail and reach the
working-day clock at once. Neither is edited: a mistaken row is deleted (through the service)
and entered again."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from communeos.core import services
from communeos.core.models import CalendarOverride, OfficeHours


class WrittenByServices(admin.ModelAdmin):
    """Rows created by `create(actor, data)` in the form's validation (its errors shown on
    the form) and deleted by `delete(actor, obj)`; never changed."""

    def create(self, actor, data: dict):
        raise NotImplementedError

    def delete(self, actor, obj) -> None:
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        model_admin, actor = self, request.user

        class CheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    self.instance = model_admin.create(actor, self.cleaned_data)
                except ValidationError as exc:
                    self._update_errors(exc)

        return CheckedForm

    def save_model(self, request, obj, form, change):
        # Already written by the service in the form's validation.
        pass

    def delete_model(self, request, obj):
        self.delete(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete(request.user, obj)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(WrittenByServices):
    list_display = ["start", "end", "weekday", "kind", "province", "reason", "legal_basis"]
    list_filter = ["kind", "province"]
    search_fields = ["reason", "legal_basis"]
    date_hierarchy = "start"
    autocomplete_fields = ["province"]
    list_select_related = ["province"]
    fields = ["province", "start", "end", "weekday", "kind", "opens", "closes", "reason", "legal_basis"]

    def create(self, actor, data):
        return services.calendar_override_create(
            actor=actor,
            province=data.get("province"),
            start=data["start"],
            end=data.get("end"),
            kind=data["kind"],
            weekday=data.get("weekday"),
            reason=data["reason"],
            legal_basis=data["legal_basis"],
            opens=data.get("opens"),
            closes=data.get("closes"),
        )

    def delete(self, actor, obj):
        services.calendar_override_delete(actor=actor, override=obj)


@admin.register(OfficeHours)
class OfficeHoursAdmin(WrittenByServices):
    list_display = ["effective_from", "province", "opens", "break_starts", "break_ends", "closes", "legal_basis"]
    list_filter = ["province"]
    search_fields = ["legal_basis"]
    date_hierarchy = "effective_from"
    autocomplete_fields = ["province"]
    list_select_related = ["province"]
    fields = ["province", "effective_from", "opens", "break_starts", "break_ends", "closes", "legal_basis"]

    def create(self, actor, data):
        return services.office_hours_create(
            actor=actor,
            province=data.get("province"),
            effective_from=data["effective_from"],
            opens=data["opens"],
            closes=data["closes"],
            break_starts=data.get("break_starts"),
            break_ends=data.get("break_ends"),
            legal_basis=data["legal_basis"],
        )

    def delete(self, actor, obj):
        services.office_hours_delete(actor=actor, hours=obj)
