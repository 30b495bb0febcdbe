from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), required=False, max_length=10)
    person = forms.CharField(label=_("Username"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data


def add_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
