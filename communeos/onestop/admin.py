"""The procedure catalogue in the admin: an administrator adds a procedure, or a new version
of one, without code. A version that dossiers were received under is read-only: dossiers keep
the rules they were received under, so a change of the law is a new version."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communeos.onestop import services
from communeos.onestop.models import Procedure, ProcedurePaper, ProcedureStep, ProcedureVersion, Stage


class StepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        stages = [row["stage"] for row in rows]
        missing = [str(Stage(s).label) for s in Stage.values if s not in stages]
        if missing:
            raise ValidationError(gettext("Missing steps: %(steps)s.") % {"steps": ", ".join(missing)})
        if sum(row.get("share") or 0 for row in rows) != 100:
            raise ValidationError(gettext("The steps' shares of the time must add up to 100 %."))


class StepInline(admin.TabularInline):
    model = ProcedureStep
    formset = StepFormSet
    extra = 0
    min_num = 4
    filter_horizontal = ["positions"]


class PaperInline(admin.TabularInline):
    model = ProcedurePaper
    extra = 1


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["name_vi", "code", "field_vi", "national_code"]
    search_fields = ["name_vi", "name_en", "code", "national_code"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.procedure_save(actor=request.user, procedure=obj)


class ProcedureVersionForm(forms.ModelForm):
    class Meta:
        model = ProcedureVersion
        fields = [
            "procedure",
            "version",
            "effective_from",
            "effective_to",
            "legal_basis",
            "fee",
            "fee_note_vi",
            "fee_note_en",
            "days",
            "cutoff",
            "time_note_vi",
            "time_note_en",
            "online_allowed",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("procedure") and cleaned.get("effective_from"):
            probe = ProcedureVersion(
                pk=self.instance.pk,
                procedure=cleaned["procedure"],
                effective_from=cleaned["effective_from"],
                effective_to=cleaned.get("effective_to"),
            )
            services.check_version_dates(probe)
        return cleaned


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    form = ProcedureVersionForm
    list_display = ["procedure", "version", "effective_from", "effective_to", "days", "cutoff", "online_allowed"]
    list_filter = ["online_allowed"]
    search_fields = ["procedure__name_vi", "procedure__code"]
    inlines = [PaperInline, StepInline]
    save_as = True  # "Save as new": the way to start the next version from this one

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.dossiers.exists():
            return False  # dossiers keep the version they were received under
        return super().has_change_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.procedure_version_publish(actor=request.user, version=form.instance)

    @admin.display(description=_("in use"))
    def in_use(self, obj):
        return obj.dossiers.exists()
