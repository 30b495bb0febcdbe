from django import forms
from django.utils.translation import gettext_lazy as _

from communeos.onestop.models import Rating, Status


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


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False)


class DossierFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("any"))] + list(Status.choices), required=False)
    q = forms.CharField(label=_("Code"), required=False, max_length=40)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
