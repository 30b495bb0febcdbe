from django import forms
from django.utils.translation import gettext_lazy as _


class UnitSearchForm(forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
