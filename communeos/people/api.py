from datetime import date

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from communeos.core.api import Pages
from communeos.people import selectors
from communeos.units.api import UnitRef

router = Router(tags=["people"])


class PositionOut(Schema):
    code: str
    name_vi: str
    name_en: str


class AssignmentOut(Schema):
    id: int
    unit: UnitRef
    position: PositionOut
    start: date
    end: date | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    assignments: list[AssignmentOut]


class PersonOut(Schema):
    id: int
    username: str
    full_name: str
    assignments: list[AssignmentOut] = Field(alias="visible_assignments")


@router.get("/me/", response=MeOut, summary="The signed-in person and their current assignments")
def me(request):
    person = request.user
    return {
        "id": person.pk,
        "username": person.username,
        "full_name": person.full_name,
        "assignments": list(selectors.current_assignments(person)),
    }


@router.get("/people/", response=list[PersonOut], summary="Staff of the units you may see")
@paginate(Pages, page_size=100)
def people(request, unit: int | None = None, q: str = ""):
    return selectors.staff_list(user=request.user, unit_id=unit, q=q)


@router.get("/people/{person_id}/", response=PersonOut, summary="One member of staff (404 outside your scope)")
def person(request, person_id: int):
    return selectors.person_detail(user=request.user, person_id=person_id)
