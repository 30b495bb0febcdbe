from datetime import date

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from communeos.core.api import Day, ErrorOut, Pages
from communeos.units import selectors
from communeos.units.models import Level

router = Router(tags=["units"])


class UnitRef(Schema):
    id: int
    code: str
    name: str
    level: str


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    level: str
    kind: str
    valid_from: date | None
    valid_to: date | None
    parent: UnitRef | None


class SuccessionOut(Schema):
    unit: UnitRef
    share: str = Field(description="'whole' if the whole territory passed, 'part' if the unit was split")
    effective: date
    resolution: str


class UnitDetailOut(UnitOut):
    province: UnitRef | None
    predecessors: list[SuccessionOut]
    successors: list[SuccessionOut]


class UnitFilters(Schema):
    province: str | None = Field(None, description="Code of the province in force on `on`")
    level: Level | None = None
    on: Day | None = Field(None, description="The day (YYYY-MM-DD); today by default")
    q: str = Field("", description="Part of the name, accents optional")


@router.get(
    "/",
    response={200: list[UnitOut], 404: ErrorOut},
    summary="Units in force on a day (404: no province with that code on that day)",
)
@paginate(Pages, page_size=100)
def units(request, filters: Query[UnitFilters]):
    on = filters.on or timezone.localdate()
    province = selectors.province_by_code(code=filters.province, on=on) if filters.province else None
    return selectors.unit_list(on=on, level=filters.level, province=province, q=filters.q)


@router.get("/{code}/", response=UnitDetailOut, summary="The unit with a code on a day, with its lineage")
def unit(request, code: str, on: Day | None = None, level: Level | None = None):
    found = selectors.unit_by_code(code=code, on=on or timezone.localdate(), level=level)
    found.predecessors = [
        {"unit": s.predecessor, "share": s.share, "effective": s.effective, "resolution": s.resolution}
        for s in selectors.predecessors(found)
    ]
    found.successors = [
        {"unit": s.successor, "share": s.share, "effective": s.effective, "resolution": s.resolution}
        for s in selectors.successors(found)
    ]
    return found
