"""Admin pages for people. Every save goes through the services, so it is validated the
same way as anywhere else and lands in the audit trail."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communeos.people import services
from communeos.people.models import ApiToken, Assignment, Position, User, WorkingGroup


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class StaffAdmin(NoDeleteMixin, UserAdmin):
    list_display = ["username", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Profile"), {"fields": ["full_name", "email"]}),
        (_("Status"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "full_name", "password1", "password2"]})]

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.person_create(
                actor=request.user,
                username=obj.username,
                full_name=obj.full_name,
                password=form.cleaned_data.get("password1"),
            )
            obj.pk = created.pk
            obj._state.adding = False
            obj.refresh_from_db()
            return
        fields = {f: getattr(obj, f) for f in ["full_name", "email", "is_active", "is_staff"] if f in form.changed_data}
        services.person_update(actor=request.user, person=User.objects.get(pk=obj.pk), **fields)
        if "is_superuser" in form.changed_data:
            messages.warning(request, gettext("Superuser status is changed with `manage.py createsuperuser` only."))


@admin.register(Position)
class PositionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "scope", "order"]


@admin.register(Assignment)
class AssignmentAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["person", "position", "unit", "start", "end"]
    list_filter = ["position"]
    search_fields = ["person__username", "person__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["person", "unit"]
    list_select_related = ["person", "position", "unit"]

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
                    if self.instance.pk:
                        services.assignment_update(
                            actor=admin_request.user,
                            assignment=self.instance,
                            **{f: data[f] for f in ["unit", "position", "start", "end", "note"] if f in data},
                        )
                    else:
                        self.instance = services.assignment_create(
                            actor=admin_request.user,
                            person=data["person"],
                            unit=data["unit"],
                            position=data["position"],
                            start=data["start"],
                            end=data.get("end"),
                            note=data.get("note", ""),
                        )
                except ValidationError as exc:
                    self._update_errors(exc)

        return CheckedForm

    def save_model(self, request, obj, form, change):
        # Already written by the service in the form's validation.
        pass


@admin.register(WorkingGroup)
class WorkingGroupAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "unit"]
    filter_horizontal = ["members"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "person", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "person"]
    autocomplete_fields = ["person"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        token, raw = services.api_token_create(actor=request.user, person=obj.person, name=obj.name)
        obj.pk = token.pk
        messages.warning(
            request,
            gettext("Token for %(name)s: %(token)s — copy it now, it is not shown again.")
            % {"name": token.name, "token": raw},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(actor=request.user, token=token)
