"""Admin pages of the core. Calendar overrides are written through the services, so they are
validated as anywhere else, land in the audit trail and reach the working-day clock at once.
An override is not edited: a mistaken one is deleted (through the service) and entered again."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from communeos.core import services
from communeos.core.models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["start", "end", "weekday", "kind", "province", "reason", "legal_basis"]
    list_filter = ["kind", "province"]
    search_fields = ["reason", "legal_basis"]
    date_hierarchy = "start"
    autocomplete_fields = ["province"]
    list_select_related = ["province"]
    fields = ["province", "start", "end", "weekday", "kind", "opens", "closes", "reason", "legal_basis"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        admin_request = request

        class CheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                data = self.cleaned_data
                try:
                    self.instance = services.calendar_override_create(
                        actor=admin_request.user,
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
                except ValidationError as exc:
                    self._update_errors(exc)

        return CheckedForm

    def save_model(self, request, obj, form, change):
        # Already written by the service in the form's validation.
        pass

    def delete_model(self, request, obj):
        services.calendar_override_delete(actor=request.user, override=obj)

    def delete_queryset(self, request, queryset):
        for override in queryset:
            services.calendar_override_delete(actor=request.user, override=override)
