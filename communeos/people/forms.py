from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown in your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()
