"""Reads of the administrative map. The map is public reference data: every signed-in
person may read all of it. Records *about* a unit (dossiers, documents, staff) are scoped
through `communeos.core.access`."""

from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from communeos.core.text import fold
from communeos.units.models import Level, Succession, Unit


def unit_list(*, on: date, level: str | None = None, province: Unit | None = None, q: str = "") -> QuerySet:
    units = Unit.objects.in_force_on(on).select_related("parent")
    if level:
        units = units.filter(level=level)
    if province is not None:
        units = units.filter(province=province)
    if q:
        units = units.filter(search_name__contains=fold(q))
    return units.order_by("code")


def unit_by_code(*, code: str, on: date, level: str | None = None) -> Unit:
    """The unit bearing `code` on `on`; 404 if none was in force then."""
    units = Unit.objects.in_force_on(on).filter(code=code).select_related("parent", "province")
    if level:
        units = units.filter(level=level)
    found = list(units[:2])
    if len(found) != 1:
        raise Http404
    return found[0]


def province_by_code(*, code: str, on: date) -> Unit:
    return unit_by_code(code=code, on=on, level=Level.PROVINCE)


def unit_detail(*, unit_id: int) -> Unit:
    try:
        return Unit.objects.select_related("parent", "province").get(pk=unit_id)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def predecessors(unit: Unit) -> list[Succession]:
    return list(unit.successions_in.select_related("predecessor__parent").order_by("predecessor__code"))


def successors(unit: Unit) -> list[Succession]:
    return list(unit.successions_out.select_related("successor__parent").order_by("successor__code"))
