"""Pages of the document registers: search, the registers, registering and drafting, the
document with its citations and routing, the actions, the exports."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communeos.core import access, audit, registers, uploads
from communeos.core.forms import add_errors
from communeos.documents import selectors, services
from communeos.documents.forms import IncomingForm, OutgoingForm, SearchForm
from communeos.documents.models import Direction
from communeos.people.models import Assignment, User
from communeos.people.selectors import current_unit_for
from communeos.units.models import Unit


@login_required
def document_list(request):
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.DocumentFilters(
        register=data.get("register", ""),
        q=data.get("q", ""),
        doc_type=data.get("doc_type", ""),
        issuer=data.get("issuer", ""),
        start=data.get("start"),
        end=data.get("end"),
        status=data.get("status", ""),
        overdue=data.get("overdue", False),
    )
    page = Paginator(selectors.document_list(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    unit, _units = current_unit_for(request)
    context = {
        "form": form,
        "page": page,
        "queue": selectors.document_queue(user=request.user)[:20],
        "unit": unit,
        "year": timezone.localdate().year,
        "today": timezone.localdate(),
    }
    return render(request, "documents/list.html", context)


def _current_unit(request):
    unit, _units = current_unit_for(request)
    if unit is None:
        raise Http404
    return unit


@login_required
def register_incoming(request):
    unit = _current_unit(request)
    form = IncomingForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_register_incoming(
                actor=request.user,
                unit=unit,
                symbol=data["symbol"],
                author=data["author"],
                issued_on=data["issued_on"],
                summary=data["summary"],
                urgency=data["urgency"],
                confidentiality=data["confidentiality"],
                deadline=data["deadline"],
                note=data["note"],
                text=data["text"],
                uploads=request.FILES.getlist("files"),
                confirm_duplicate=data["confirm_duplicate"],
            )
        except services.DuplicateDocument as error:
            duplicate = error.first
            form.add_error(None, error.messages[0])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Registered as arrival no. %(number)s.") % {"number": document.arrival_number})
            return redirect("documents:detail", document_id=document.pk)
    return render(request, "documents/register_incoming.html", {"form": form, "unit": unit, "duplicate": duplicate})


@login_required
def draft_outgoing(request):
    unit = _current_unit(request)
    form = OutgoingForm(request.POST or None)
    recipients = Unit.objects.filter(province_id=unit.province_id or unit.pk, valid_to__isnull=True).exclude(pk=unit.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [int(pk) for pk in request.POST.getlist("recipient_units") if pk.isdigit()]
        try:
            document = services.document_draft(
                actor=request.user,
                unit=unit,
                body=data["body"],
                doc_type=data["doc_type"],
                issuer=data["issuer"],
                drafting_unit=data["drafting_unit"],
                normative=data["normative"],
                summary=data["summary"],
                signer=data["signer"],
                recipients=data["recipients"],
                recipient_units=list(recipients.filter(pk__in=chosen)),
                urgency=data["urgency"],
                confidentiality=data["confidentiality"],
                copies=data["copies"],
                text=data["text"],
                uploads=request.FILES.getlist("files"),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("documents:detail", document_id=document.pk)
    return render(
        request,
        "documents/draft_outgoing.html",
        {"form": form, "unit": unit, "recipient_choices": recipients.order_by("-level", "name")},
    )


@login_required
def document_detail(request, document_id: int):
    document = access.access_document(request.user, document_id)
    if document.confidentiality:
        with transaction.atomic():  # every view of a confidential document is recorded
            audit.record(actor=request.user, action="document.view", obj=document, unit=document.unit_id)
    context = selectors.document_detail(user=request.user, document=document)
    staff = User.objects.filter(
        pk__in=Assignment.objects.current().filter(unit=document.unit).values("person_id"), is_active=True
    ).order_by("full_name")
    context |= {"staff": staff, "overdue": services.overdue(document)}
    return render(request, "documents/detail.html", context)


@login_required
def document_file(request, document_id: int, attachment_id: int):
    """One of the register entry's files, for those who see the entry; each opening of a
    confidential document's file is recorded, as is each view of the document."""
    document = access.access_document(request.user, document_id)
    attachment = get_object_or_404(document.attachments, pk=attachment_id)
    response = uploads.serve(attachment.file.name, attachment.content_type, attachment.name)  # 404 if gone
    services.document_file_opened(actor=request.user, document=document, attachment=attachment)
    return response


def _person(raw):
    return User.objects.filter(pk=raw).first() if str(raw or "").isdigit() else None


def _date(raw):
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationError({"deadline": [_("Enter a valid date.")]}) from None


ACTIONS = {
    "assign": lambda r, d: services.document_assign(
        actor=r.user,
        document=d,
        lead=_person(r.POST.get("lead")),
        co_handlers=[p for p in (_person(x) for x in r.POST.getlist("co_handlers")) if p],
        comment=r.POST.get("comment", ""),
        deadline=_date(r.POST.get("deadline")),
    ),
    "start": lambda r, d: services.document_start(actor=r.user, document=d),
    "done": lambda r, d: services.document_done(actor=r.user, document=d, note=r.POST.get("note", "")),
    "approve": lambda r, d: services.document_approve(actor=r.user, document=d),
    "issue": lambda r, d: services.document_issue(actor=r.user, document=d),
    "dispatch": lambda r, d: services.document_dispatch(actor=r.user, document=d),
    "grant": lambda r, d: services.confidential_grant(actor=r.user, document=d, person=_person(r.POST.get("person"))),
}


@login_required
@require_POST
def document_action(request, document_id: int, action: str):
    document = access.access_document(request.user, document_id)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        handler(request, document)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect("documents:detail", document_id=document.pk)


def _register_unit(request, unit_code: str) -> Unit:
    unit = access.units_visible_to(request.user).filter(code=unit_code, valid_to__isnull=True).first()
    if unit is None:
        raise Http404
    return unit


@login_required
def register_page(request, unit_code: str, direction: str, year: int):
    if direction not in Direction.values:
        raise Http404
    unit = _register_unit(request, unit_code)
    entries = selectors.register(user=request.user, unit=unit, direction=direction, year=year)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/register.html",
        {"unit": unit, "direction": direction, "year": year, "page": page, "is_incoming": direction == "incoming"},
    )


@login_required
def register_export(request, unit_code: str, direction: str, year: int, fmt: str):
    """The register as Excel, at once; as PDF, asked for with a POST and made in the background
    (its page, `core:export`, shows it when ready)."""
    if direction not in Direction.values or fmt not in registers.CONTENT_TYPES:
        raise Http404
    unit = _register_unit(request, unit_code)
    if fmt == "pdf":
        if request.method != "POST":
            return redirect("documents:register", unit_code=unit.code, direction=direction, year=year)
        try:
            export = services.register_pdf_request(actor=request.user, unit=unit, direction=direction, year=year)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("documents:register", unit_code=unit.code, direction=direction, year=year)
        return redirect("core:export", export_id=export.pk)
    content, filename = services.register_export(actor=request.user, unit=unit, direction=direction, year=year)
    return registers.attachment(content, fmt, filename)
