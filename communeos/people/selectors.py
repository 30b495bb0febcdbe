"""Reads about people, always starting from what the reader may see."""

from django.db.models import Prefetch, QuerySet

from communeos.core import access
from communeos.people.models import Assignment, User

SESSION_UNIT = "current_unit_id"


def current_assignments(user) -> QuerySet:
    return Assignment.objects.current().filter(person=user).select_related("unit", "position").order_by("start")


def current_unit_for(request):
    """(the unit chosen for this session, the units the person may switch between).

    A person holds one assignment normally, two during a secondment; they choose which
    unit they are working for, and that choice is kept in the session."""
    cache = getattr(request, "_current_unit_cache", None)
    if cache is not None:
        return cache
    assignments = list(current_assignments(request.user))
    units = list({a.unit_id: a.unit for a in assignments}.values())
    chosen = request.session.get(SESSION_UNIT)
    unit = next((u for u in units if u.pk == chosen), units[0] if units else None)
    request._current_unit_cache = (unit, units)
    return request._current_unit_cache


def staff_list(*, user, unit_id: int | None = None, q: str = "") -> QuerySet:
    """Staff in scope for `user`, with their current assignments in that scope."""
    in_scope = access.scoped(Assignment.objects.current(), user).select_related("unit", "position")
    if unit_id:
        in_scope = in_scope.filter(unit_id=unit_id)
    people = User.objects.filter(pk__in=in_scope.values("person_id"), is_active=True)
    if q:
        people = people.filter(full_name__icontains=q) | people.filter(username__icontains=q)
    return people.prefetch_related(Prefetch("assignments", queryset=in_scope, to_attr="visible_assignments")).order_by(
        "full_name", "username"
    )


def person_detail(*, user, person_id) -> User:
    person = access.access_person(user, person_id)
    person.visible_assignments = list(
        access.scoped(Assignment.objects.filter(person=person), user)
        .select_related("unit", "position")
        .order_by("-start")
    )
    return person
