from datetime import datetime, time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from communeos.core import access, selectors, services, uploads
from communeos.core.forms import AuditFilterForm
from communeos.core.models import Export


def home(request):
    """Staff see their work; citizens (no account) see the public services."""
    if not request.user.is_authenticated:
        return render(request, "core/public_home.html")
    return render(request, "core/home.html")


@login_required
def audit_list(request):
    access.require_administrator(request.user)
    form = AuditFilterForm(request.GET or None)
    entries = selectors.audit_entries(user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            entries = entries.filter(unit__code=data["unit"])
        if data["person"]:
            entries = entries.filter(actor_label__iexact=data["person"])
        tz = timezone.get_current_timezone()
        if data["since"]:
            entries = entries.filter(at__gte=datetime.combine(data["since"], time.min, tz))
        if data["until"]:
            entries = entries.filter(at__lte=datetime.combine(data["until"], time.max, tz))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"form": form, "page": page})


@login_required
def export_list(request):
    """The files made in the background for the person signed in, newest first."""
    exports = access.exports_visible_to(request.user).select_related("unit")
    page = Paginator(exports, 30).get_page(request.GET.get("page"))
    return render(request, "core/export_list.html", {"page": page, "keep_days": settings.EXPORT_KEEP_DAYS})


@login_required
def export_detail(request, export_id):
    """One export: waiting in the queue or being made (its page checks again by itself:
    static/js/export-status.js), ready to download, or failed (or its worker stopped)."""
    export = access.access_export(request.user, export_id)
    progress = selectors.export_progress(export)
    pending = progress is not None and progress.state != "stalled"
    return render(request, "core/export_detail.html", {"export": export, "progress": progress, "pending": pending})


@login_required
def export_file(request, export_id):
    return export_download(request.user, export_id)


def export_download(user, export_id):
    """The file of one of `user`'s exports, once ready (404 before, or if gone from the store),
    each download recorded: for the page and the API (`core.api.export_file`)."""
    export = access.access_export(user, export_id)
    if export.status != Export.Status.READY:
        raise Http404
    response = uploads.serve(export.file.name, export.content_type, export.filename, download=True)  # 404 if gone
    services.export_downloaded(actor=user, export=export)
    return response
