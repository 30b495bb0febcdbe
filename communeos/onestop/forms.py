from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communeos.onestop import selectors
from communeos.onestop.models import Rating, Status
from communeos.onestop.statistics import DateInput
from communeos.units.models import Unit


class ApplicantForm(forms.Form):
    """The citizen's details; the citizen ID is checked by the service (core.citizen_id)."""

    applicant_name = forms.CharField(label=_("Full name"), max_length=150)
    applicant_id_number = forms.CharField(
        label=_("Citizen ID number (12 digits)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("Phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    applicant_address = forms.CharField(label=_("Address"), max_length=300)
    applicant_email = forms.EmailField(label=_("Email (optional)"), required=False)

    def __init__(self, *args, papers=(), online=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.papers = list(papers)
        if not online:
            self.fields["papers"] = forms.TypedMultipleChoiceField(
                label=_("Papers received"),
                coerce=int,
                choices=[(p.pk, str(p)) for p in self.papers],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            self.fields["consent"] = forms.BooleanField(
                label=_(
                    "I agree that the commune processes the personal data in this dossier to handle it "
                    "(Personal Data Protection Law 91/2025/QH15)."
                ),
                required=False,
            )


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Dossier code"), max_length=60)


class SupplementForm(forms.Form):
    """A citizen sends the papers asked for; the files come as `files` (several allowed)."""

    applicant_id_number = forms.CharField(
        label=_("Your citizen ID number (12 digits)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False)


class DossierFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("any"))] + list(Status.choices), required=False)
    q = forms.CharField(label=_("Code"), required=False, max_length=40)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class RegisterForm(forms.Form):
    """The dossier register's unit and period (GET): a receiving unit `user` sees, this month
    by default."""

    unit = forms.ModelChoiceField(label=_("Receiving unit"), queryset=Unit.objects.none())
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("To"), widget=DateInput)

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        today = timezone.localdate()
        self.fields["start"].initial = today.replace(day=1)
        self.fields["end"].initial = today
        self.fields["unit"].queryset = selectors.register_units(user).order_by("name", "pk")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError(_("The start date must not be after the end date."), code="period")
        return cleaned
