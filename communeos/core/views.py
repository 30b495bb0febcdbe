from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from communeos.core import access
from communeos.core.forms import AuditFilterForm
from communeos.core.selectors import audit_entries


def home(request):
    """Staff see their work; citizens (no account) see the public services."""
    if not request.user.is_authenticated:
        return render(request, "core/public_home.html")
    return render(request, "core/home.html")


@login_required
def audit_list(request):
    access.require_administrator(request.user)
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries(user=request.user)
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
