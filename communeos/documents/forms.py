from django import forms
from django.utils.translation import gettext_lazy as _

from communeos.documents.models import Body, Confidentiality, Direction, Status, Urgency


class DateInput(forms.DateInput):
    input_type = "date"


class IncomingForm(forms.Form):
    symbol = forms.CharField(
        label=_("Number and symbol"), max_length=80, help_text=_("As printed, e.g. 12/QĐ-UBND or 60-NQ/TW.")
    )
    author = forms.CharField(label=_("Issued by"), max_length=250)
    issued_on = forms.DateField(label=_("Date of the document"), widget=DateInput)
    summary = forms.CharField(label=_("Type and summary"), widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)
    confidentiality = forms.ChoiceField(label=_("Confidentiality"), choices=Confidentiality.choices, required=False)
    deadline = forms.DateField(label=_("Deadline for handling"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(
        label=_("Text (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Pasted text is searched and its references are linked."),
    )  # fmt: skip
    confirm_duplicate = forms.BooleanField(label=_("Register it again anyway"), required=False)


class OutgoingForm(forms.Form):
    body = forms.ChoiceField(label=_("Issuing body"), choices=Body.choices)
    doc_type = forms.CharField(
        label=_("Type abbreviation"), max_length=10, required=False,
        help_text=_("QĐ, TB, KH, BC… — empty for a công văn."),
    )  # fmt: skip
    issuer = forms.CharField(label=_("Issuer code"), max_length=40, initial="UBND")
    drafting_unit = forms.CharField(label=_("Drafting unit code (công văn)"), max_length=40, required=False)
    normative = forms.BooleanField(label=_("Legal normative document (the year goes in the symbol)"), required=False)
    summary = forms.CharField(label=_("Type and summary"), widget=forms.Textarea(attrs={"rows": 3}))
    signer = forms.CharField(label=_("Signed by"), max_length=150, required=False)
    recipients = forms.CharField(label=_("Recipients"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)
    confidentiality = forms.ChoiceField(label=_("Confidentiality"), choices=Confidentiality.choices, required=False)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, initial=1)
    text = forms.CharField(label=_("Text (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    register = forms.ChoiceField(
        label=_("Register"), choices=[("", _("both"))] + list(Direction.choices), required=False
    )
    doc_type = forms.CharField(label=_("Document type"), required=False, max_length=10)
    issuer = forms.CharField(label=_("Issuer code"), required=False, max_length=40)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("any"))] + list(Status.choices), required=False)
    overdue = forms.BooleanField(label=_("Overdue documents only"), required=False)
