from communeos.core.access import is_administrator
from communeos.people.selectors import current_unit_for


def current_unit(request):
    """The unit the signed-in person is working in, shown on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unit, choices = current_unit_for(request)
    return {"current_unit": unit, "unit_choices": choices, "is_administrator": is_administrator(user)}
