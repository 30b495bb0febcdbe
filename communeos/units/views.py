from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from communeos.units import selectors
from communeos.units.forms import UnitSearchForm
from communeos.units.models import Level


@login_required
def unit_index(request):
    form = UnitSearchForm(request.GET or None)
    on = form.cleaned_data["on"] if form.is_valid() and form.cleaned_data["on"] else timezone.localdate()
    provinces = selectors.unit_list(on=on, level=Level.PROVINCE)
    return render(request, "units/index.html", {"form": form, "on": on, "provinces": provinces})


@login_required
def unit_detail(request, unit_id: int):
    unit = selectors.unit_detail(unit_id=unit_id)
    form = UnitSearchForm(request.GET or None)
    valid = form.is_valid()
    on = form.cleaned_data["on"] if valid and form.cleaned_data["on"] else None
    if on is None:
        on = timezone.localdate() if unit.in_force_on(timezone.localdate()) else (unit.valid_to or timezone.localdate())
    q = form.cleaned_data["q"] if valid else ""
    children = None
    if unit.level == Level.PROVINCE:
        communes = selectors.unit_list(on=on, level=Level.COMMUNE, province=unit, q=q)
        children = Paginator(communes, 100).get_page(request.GET.get("page"))
    elif unit.level == Level.DISTRICT:
        children = Paginator(unit.children.order_by("code"), 100).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "form": form,
        "on": on,
        "q": q,
        "children": children,
        "predecessors": selectors.predecessors(unit),
        "successors": selectors.successors(unit),
    }
    return render(request, "units/detail.html", context)


@login_required
def unit_by_code(request, code: str):
    form = UnitSearchForm(request.GET or None)
    on = form.cleaned_data["on"] if form.is_valid() and form.cleaned_data["on"] else timezone.localdate()
    unit = selectors.unit_by_code(code=code, on=on)
    return redirect("units:detail", unit_id=unit.pk)
