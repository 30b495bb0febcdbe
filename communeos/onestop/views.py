"""Pages of the one-stop shop: the officer's queue, intake at the counter, the dossier with
its actions and forms, statistics; and, for citizens without an account, online submission,
the public look-up by code and the satisfaction rating."""

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from communeos.core import access, audit, calendar, registers, uploads
from communeos.core.forms import add_errors
from communeos.core.ratelimit import allow
from communeos.onestop import printing, register, selectors, services, statistics
from communeos.onestop.forms import (
    ApplicantForm,
    DossierFilterForm,
    LookupForm,
    RatingForm,
    RegisterForm,
    SupplementForm,
)
from communeos.onestop.models import Channel, Dossier, Status
from communeos.onestop.services import Upload
from communeos.people.selectors import current_unit_for
from communeos.units.models import Level, Unit


def _uploads(request, papers) -> list[Upload]:
    found = []
    for paper in papers:
        found += [Upload(paper_id=paper.pk, file=f) for f in request.FILES.getlist(f"file_{paper.pk}")]
    found += [Upload(paper_id=None, file=f) for f in request.FILES.getlist("file_other")]
    return found


def _procedure_or_404(code: str):
    procedure = selectors.procedure_by_code(code)
    if procedure is None:
        raise Http404
    return procedure


# Staff ------------------------------------------------------------------------------------


@login_required
def queue(request):
    unit, _units = current_unit_for(request)
    dossiers = selectors.dossier_queue(user=request.user, unit=unit) if unit else Dossier.objects.none()
    page = Paginator(dossiers, 50).get_page(request.GET.get("page"))
    apology_due = services.needing_apology(page)
    for dossier in page:
        dossier.needs_apology = dossier.pk in apology_due
    return render(request, "onestop/queue.html", {"page": page, "unit": unit, "now": timezone.now()})


@login_required
def dossier_list(request):
    form = DossierFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    dossiers = selectors.dossier_list(
        user=request.user,
        status=filters.get("status", ""),
        q=filters.get("q", ""),
        overdue=filters.get("overdue", False),
    )
    page = Paginator(dossiers, 50).get_page(request.GET.get("page"))
    return render(request, "onestop/dossier_list.html", {"form": form, "page": page, "now": timezone.now()})


@login_required
def receive_choose(request):
    return render(request, "onestop/receive_choose.html", {"procedures": selectors.procedure_list()})


@login_required
def receive(request, procedure_code: str):
    """Intake at the counter: the applicant, the papers checklist, optional scans."""
    unit, _units = current_unit_for(request)
    if unit is None or unit.level != Level.COMMUNE:
        messages.error(request, _("Dossiers are received by a commune; choose a commune as your current unit."))
        return redirect("onestop:queue")
    procedure = _procedure_or_404(procedure_code)
    version = procedure.current_versions[0]
    papers = list(version.papers.all())
    form = ApplicantForm(request.POST or None, papers=papers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dossier = services.dossier_receive(
                actor=request.user,
                unit=unit,
                procedure=procedure,
                applicant_name=data["applicant_name"],
                applicant_id_number=data["applicant_id_number"],
                applicant_phone=data["applicant_phone"],
                applicant_address=data["applicant_address"],
                applicant_email=data["applicant_email"],
                papers_provided=data["papers"],
                uploads=_uploads(request, papers),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Dossier %(code)s received.") % {"code": dossier.code})
            return redirect("onestop:detail", code=dossier.code)
    return render(
        request, "onestop/receive.html", {"form": form, "procedure": procedure, "version": version, "unit": unit}
    )


@login_required
def dossier_detail(request, code: str):
    dossier = access.access_dossier(request.user, code)
    with transaction.atomic():  # access to personal data is logged (Decree 356/2025/NĐ-CP)
        audit.record(actor=request.user, action="dossier.view", obj=dossier, unit=dossier.unit_id)
    dossier = selectors.dossier_detail(dossier)
    context = {
        "dossier": dossier,
        "events": dossier.events.all(),
        "steps": services.steps_by_stage(dossier.procedure_version),
        "needs_apology": services.needs_apology(dossier),
        "handlers": selectors.handlers_for(dossier) if dossier.status in {Status.RECEIVED, Status.ASSIGNED} else [],
        "forms": [(slug, title) for slug, title in printing.FORMS.items() if printing.form_available(dossier, slug)],
        "transfer_units": _transfer_units(dossier),
        "ratings": RatingForm().fields["rating"].choices,
        "suggested_new_date": _suggested_new_date(dossier),
    }
    return render(request, "onestop/dossier_detail.html", context)


def _transfer_units(dossier: Dossier):
    if dossier.is_transferred or dossier.status not in {Status.RECEIVED, Status.ASSIGNED, Status.PROCESSING}:
        return []
    return selectors.transfer_targets(dossier)


def _suggested_new_date(dossier: Dossier) -> str:
    day = calendar.next_working_day(timezone.localdate(dossier.due_at), province=dossier.unit)
    return day.isoformat()


def _parse_new_date(raw: str, dossier) -> datetime:
    """The new date as the instant the dossier's office closes that day."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"new_due_at": _("Enter the new date as a date.")}) from None
    return calendar.closing_at(day, province=dossier.unit)


ACTIONS = {
    "assign": lambda r, d: services.dossier_assign(
        actor=r.user, dossier=d, handler=_person_or_error(r.POST.get("handler"), d)
    ),
    "start": lambda r, d: services.dossier_start(actor=r.user, dossier=d),
    "submit": lambda r, d: services.dossier_submit(
        actor=r.user, dossier=d, approve=r.POST.get("proposal") != "refuse", reason=r.POST.get("reason", "")
    ),
    "approve": lambda r, d: services.dossier_decide(actor=r.user, dossier=d, approve=True),
    "refuse": lambda r, d: services.dossier_decide(
        actor=r.user, dossier=d, approve=False, reason=r.POST.get("reason", "")
    ),
    "result_ready": lambda r, d: services.dossier_result_ready(actor=r.user, dossier=d),
    "return": lambda r, d: services.dossier_return(
        actor=r.user, dossier=d, rating=r.POST.get("rating", ""), comment=r.POST.get("comment", "")
    ),
    "request_supplement": lambda r, d: services.dossier_request_supplement(
        actor=r.user, dossier=d, missing=r.POST.get("missing", "").splitlines(), reason=r.POST.get("reason", "")
    ),
    "supplement": lambda r, d: services.dossier_supplement(
        actor=r.user,
        dossier=d,
        uploads=[Upload(paper_id=None, file=f) for f in r.FILES.getlist("files")],
        note=r.POST.get("note", ""),
    ),
    "transfer": lambda r, d: services.dossier_transfer(
        actor=r.user, dossier=d, to_unit=_transfer_unit_or_error(r.POST.get("to_unit"), d), note=r.POST.get("note", "")
    ),
    "transfer_back": lambda r, d: services.dossier_transfer_back(actor=r.user, dossier=d, note=r.POST.get("note", "")),
    "apologise": lambda r, d: services.dossier_apologise(
        actor=r.user,
        dossier=d,
        new_due_at=_parse_new_date(r.POST.get("new_due_at", ""), d),
        reason=r.POST.get("reason", ""),
    ),
    "stop": lambda r, d: services.dossier_stop(actor=r.user, dossier=d, reason=r.POST.get("reason", "")),
}


def _person_or_error(raw, dossier):
    person = selectors.handlers_for(dossier).filter(pk=raw).first() if str(raw or "").isdigit() else None
    if person is None:
        raise ValidationError({"handler": _("Choose who examines the dossier.")})
    return person


def _transfer_unit_or_error(raw, dossier):
    unit = next((u for u in _transfer_units(dossier) if str(u.pk) == str(raw)), None)
    if unit is None:
        raise ValidationError({"to_unit": _("Choose the unit to send the dossier to.")})
    return unit


@login_required
@require_POST
def dossier_action(request, code: str, action: str):
    dossier = access.access_dossier(request.user, code)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        handler(request, dossier)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    if not access.dossiers_visible_to(request.user).filter(pk=dossier.pk).exists():
        return redirect("onestop:queue")  # sent back to a unit the person cannot see
    return redirect("onestop:detail", code=dossier.code)


@login_required
def dossier_form(request, code: str, form: str):
    dossier = access.access_dossier(request.user, code)
    pdf = printing.render_pdf(dossier, form)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-{form}.pdf"'
    return response


@login_required
def dossier_file(request, code: str, file_id: int):
    """One of the dossier's uploaded files, for those who see the dossier; each opening is
    recorded (the papers are personal data, an ID card's image sensitive data)."""
    dossier = access.access_dossier(request.user, code)
    file = get_object_or_404(dossier.files, pk=file_id)
    response = uploads.serve(file.file.name, file.content_type, file.original_name)  # 404 if gone
    services.dossier_file_opened(actor=request.user, dossier=dossier, file=file)
    return response


@login_required
def statistics_page(request):
    form = statistics.StatisticsForm(request.GET or None, user=request.user)
    result = statistics.dossier_statistics(user=request.user, **form.filters())
    return render(
        request,
        "onestop/statistics.html",
        {"form": form, "result": result, "chart": statistics.chart_svg(result), "query": request.GET.urlencode()},
    )


@login_required
def statistics_export(request):
    form = statistics.StatisticsForm(request.GET or None, user=request.user)
    result = statistics.dossier_statistics(user=request.user, **form.filters())
    response = HttpResponse(
        statistics.to_xlsx(result), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="dossier-statistics.xlsx"'
    return response


@login_required
def register_page(request):
    """The dossier register of a receiving unit over a period: how many dossiers it holds, and
    its Excel and PDF."""
    form = RegisterForm(request.GET or None, user=request.user)
    count = None
    if form.is_valid():
        data = form.cleaned_data
        dossiers = selectors.dossier_register(
            user=request.user, unit=data["unit"], start=data["start"], end=data["end"]
        )
        count = dossiers.count()
    return render(
        request,
        "onestop/register.html",
        {"form": form, "count": count, "query": request.GET.urlencode(), "max_pdf_rows": register.MAX_PDF_ROWS},
    )


@login_required
def register_export(request, fmt: str):
    """The register as Excel, at once; as PDF, asked for with a POST and made in the background
    (its page, `core:export`, shows it when ready)."""
    if fmt not in registers.CONTENT_TYPES:
        raise Http404
    page = f"{reverse('onestop:register')}?{request.GET.urlencode()}"
    if fmt == "pdf" and request.method != "POST":
        return redirect(page)
    form = RegisterForm(request.GET or None, user=request.user)
    if not form.is_valid():
        return register_page(request)
    data = form.cleaned_data
    if fmt == "xlsx":
        content, filename = services.dossier_register_export(
            actor=request.user, unit=data["unit"], start=data["start"], end=data["end"]
        )
        return registers.attachment(content, fmt, filename)
    try:
        export = services.dossier_register_pdf_request(
            actor=request.user, unit=data["unit"], start=data["start"], end=data["end"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(page)
    return redirect("core:export", export_id=export.pk)


# Public (no account) ------------------------------------------------------------------------


def procedure_catalogue(request):
    return render(request, "onestop/procedures.html", {"procedures": selectors.procedure_list()})


def _too_many(request):
    return render(request, "onestop/too_many.html", status=429)


@never_cache
def lookup(request, code: str | None = None):
    """Look a dossier up by its code (typed, or from the receipt's QR code). An unknown code
    and a malformed one get the same answer; the page never shows personal data."""
    code = code or request.GET.get("code", "").strip()
    form = LookupForm(initial={"code": code})
    if not code:
        return render(request, "onestop/lookup.html", {"form": form})
    if not allow(request, "lookup"):
        return _too_many(request)
    status = selectors.dossier_public_status(code)
    if status is None:
        return render(request, "onestop/lookup.html", {"form": form, "not_found": True}, status=404)
    context = {"form": form, "status": status, "rating_form": RatingForm(), "supplement_form": SupplementForm()}
    return render(request, "onestop/lookup.html", context)


@require_POST
def lookup_rate(request, code: str):
    if not allow(request, "lookup"):
        return _too_many(request)
    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None:
        raise Http404
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_rate(
                dossier=dossier, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you for your rating."))
    else:
        messages.error(request, _("Choose one of the answers."))
    return redirect("onestop_public:lookup_code", code=code)


@require_POST
def lookup_supplement(request, code: str):
    """A citizen sends, online, the papers a request to supplement asked for. Their citizen ID
    number proves it is their dossier; a wrong one changes nothing."""
    if not allow(request, "apply"):
        return _too_many(request)
    form = SupplementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter your citizen ID number."))
        return redirect("onestop_public:lookup_code", code=code)
    dossier = access.dossier_for_applicant(code, form.cleaned_data["applicant_id_number"])
    if dossier is None:
        messages.error(request, _("This citizen ID number is not that of the dossier's applicant."))
        return redirect("onestop_public:lookup_code", code=code)
    sent = [Upload(paper_id=None, file=file) for file in request.FILES.getlist("files")]
    try:
        services.dossier_supplement(actor=None, dossier=dossier, uploads=sent, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your papers were received; the dossier is being handled again."))
    return redirect("onestop_public:lookup_code", code=code)


def apply_choose(request):
    procedures = [p for p in selectors.procedure_list() if p.current_versions[0].online_allowed]
    return render(request, "onestop/apply_choose.html", {"procedures": procedures})


def apply(request, procedure_code: str):
    """Online submission by a citizen, no account needed."""
    procedure = _procedure_or_404(procedure_code)
    version = procedure.current_versions[0]
    if not version.online_allowed:
        raise Http404
    papers = list(version.papers.all())
    in_force = Unit.objects.in_force_on(timezone.localdate())
    provinces = in_force.filter(level=Level.PROVINCE).order_by("name")
    province = provinces.filter(code=request.POST.get("province") or request.GET.get("province", "")).first()
    communes = in_force.filter(level=Level.COMMUNE, province=province).order_by("name") if province else []
    form = ApplicantForm(request.POST or None, papers=papers, online=True)
    commune_code = request.POST.get("commune", "") if request.method == "POST" else request.GET.get("commune", "")
    if province is None and request.method == "GET":
        return render(
            request, "onestop/apply.html", {"procedure": procedure, "version": version, "provinces": provinces}
        )
    if request.method == "POST":
        if not allow(request, "apply", per_minute=10):
            return _too_many(request)
        commune = communes.filter(code=commune_code).first() if province else None
        if commune is None:
            form.add_error(None, _("Choose the commune you are applying to."))
        if form.is_valid() and commune is not None:
            data = form.cleaned_data
            try:
                dossier = services.dossier_receive(
                    actor=None,
                    unit=commune,
                    procedure=procedure,
                    channel=Channel.ONLINE,
                    applicant_name=data["applicant_name"],
                    applicant_id_number=data["applicant_id_number"],
                    applicant_phone=data["applicant_phone"],
                    applicant_address=data["applicant_address"],
                    applicant_email=data["applicant_email"],
                    consent=data["consent"],
                    uploads=_uploads(request, papers),
                    idempotency_key=_form_key(request),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:  # a form posted twice (or twice at once) lands on the first dossier
                messages.success(
                    request,
                    _("Your dossier was received. Keep its code, %(code)s, to follow it.") % {"code": dossier.code},
                )
                return redirect(reverse("onestop_public:lookup_code", args=[dossier.code]))
    return render(
        request,
        "onestop/apply.html",
        {
            "form": form,
            "procedure": procedure,
            "version": version,
            "province": province,
            "communes": communes,
            "commune_code": commune_code,
            "form_key": request.POST.get("form_key") or services.new_submission_key(),
        },
    )


def _form_key(request) -> str | None:
    """The submission's idempotency key, carried by the form: a double click or a re-sent
    POST returns the dossier the first one created."""
    key = request.POST.get("form_key", "").strip()
    return f"web:{key}" if key and len(key) <= 64 else None
