"""Who sees what. Every scoped read in the project goes through this module.

A person sees the records of the units where they hold a current assignment and of all
those units' descendants: an officer of a commune sees that commune; a provincial officer,
assigned to the province, sees every unit of the province. Anything else answers 404,
exactly like a record that does not exist, so that a probe learns nothing.
Superusers (system administrators) see everything.
"""

import hmac
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from communeos.core.citizen_id import validate_citizen_id
from communeos.units.models import Unit

ADMINISTRATOR = "administrator"


def _assignments(user, day: date):
    from communeos.people.models import Assignment

    return Assignment.objects.current(day).filter(person=user)


def assigned_unit_ids(user, day: date | None = None) -> list[int]:
    """The units where `user` holds an assignment on `day` (today by default)."""
    if not getattr(user, "is_authenticated", False):
        return []
    day = day or timezone.localdate()
    cache = user.__dict__.setdefault("_assigned_units_cache", {})
    if day not in cache:
        cache[day] = list(_assignments(user, day).values_list("unit_id", flat=True).distinct())
    return cache[day]


def units_visible_to(user, day: date | None = None) -> QuerySet:
    """The units whose records `user` may see: assigned units and their descendants."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    assigned = assigned_unit_ids(user, day)
    if not assigned:
        return Unit.objects.none()
    # Descendants: a province's units all carry it in `province`; a district's communes
    # are its children. Communes have no descendants.
    return Unit.objects.filter(Q(pk__in=assigned) | Q(province__in=assigned) | Q(parent__in=assigned))


def can_see_unit(user, unit: Unit | int) -> bool:
    unit_id = unit.pk if isinstance(unit, Model) else unit
    return units_visible_to(user).filter(pk=unit_id).exists()


def scoped(queryset: QuerySet, user, *, field: str = "unit") -> QuerySet:
    """`queryset` narrowed, inside the query, to the records of units visible to `user`."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    return queryset.filter(**{f"{field}__in": units_visible_to(user).values("pk")})


def get_scoped_or_404(queryset: QuerySet, user, *, field: str = "unit", **lookup):
    """One record of `queryset` that `user` may see, or 404 — the same for 'absent' and 'not yours'."""
    try:
        return scoped(queryset, user, field=field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_administrator(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or _assignments(user, timezone.localdate()).filter(position__code=ADMINISTRATOR).exists()


def require_administrator(user) -> None:
    if not is_administrator(user):
        raise Http404


# People -------------------------------------------------------------------------------


def people_visible_to(user) -> QuerySet:
    """Staff holding a current assignment in a unit visible to `user`, and `user`."""
    from communeos.people.models import Assignment, User

    if getattr(user, "is_superuser", False) and user.is_active:
        return User.objects.all()
    in_scope = scoped(Assignment.objects.current(), user).values("person_id")
    return User.objects.filter(Q(pk__in=in_scope) | Q(pk=getattr(user, "pk", None)))


def access_person(user, person_id) -> Model:
    from communeos.people.models import User

    try:
        return people_visible_to(user).get(pk=person_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# One-stop dossiers ------------------------------------------------------------------------


def dossiers_visible_to(user) -> QuerySet:
    """Dossiers received by a unit `user` sees, or transferred to one for handling."""
    from communeos.onestop.models import Dossier

    if getattr(user, "is_superuser", False) and user.is_active:
        return Dossier.objects.all()
    visible = units_visible_to(user).values("pk")
    return Dossier.objects.filter(Q(unit__in=visible) | Q(holder_unit__in=visible))


def access_dossier(user, code: str) -> Model:
    """One dossier by its code, or 404 (the same for 'absent' and 'not yours')."""
    from communeos.onestop.models import Dossier

    try:
        return (
            dossiers_visible_to(user)
            .select_related("unit", "holder_unit", "procedure_version__procedure", "handler", "received_by")
            .get(code=code)
        )
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def dossier_for_applicant(code: str, id_number: str) -> Model | None:
    """For the public, who have no account: the dossier with this code if `id_number` is its
    applicant's citizen ID (typed with or without separators), else None — the same for an
    unknown code, a wrong number and a malformed one. It lets a citizen act on their own
    dossier (send the papers asked for); the caller rate-limits it."""
    from communeos.onestop.models import Dossier

    try:
        given = validate_citizen_id(id_number)
    except ValidationError:
        return None
    dossier = Dossier.objects.filter(code=(code or "").strip()[:40]).first()
    if dossier is None or not hmac.compare_digest(dossier.applicant_id_number, given):
        return None
    return dossier


# Official documents -----------------------------------------------------------------------


def documents_visible_to(user) -> QuerySet:
    """Register entries of the units `user` sees; a confidential one (Mật, Tối mật, Tuyệt mật)
    only to the people explicitly granted it, whatever their unit scope — superusers
    included. The filter is part of the query, so searches and counts never see the rest.

    The visible units and the granted documents are read first (`_document_scope`) and
    written into the query as lists: with subqueries PostgreSQL cannot use an index for the
    OR and tests access row by row after a full-text match (10× slower at a million rows,
    bench/documents.py)."""
    from communeos.documents.models import Document

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Document.objects.none()
    scope = _document_scope(user)
    granted = Q(pk__in=list(scope.granted))
    if user.is_superuser:
        return Document.objects.filter(Q(confidentiality="") | granted)
    return Document.objects.filter(Q(unit_id__in=list(scope.units), confidentiality="") | granted)


def document_provinces(user) -> list[int] | None:
    """The provinces of every register entry `user` may see (those of the units they see, and of
    the confidential entries granted to them), for the search to narrow by first; None when
    that is every province (superusers)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    scope = _document_scope(user)
    return sorted({*scope.units.values(), *scope.granted.values()})


@dataclass(frozen=True)
class _DocumentScope:
    units: dict[int, int]  # visible unit -> its province (a province is its own)
    granted: dict[int, int]  # confidential document granted -> its province


def _document_scope(user) -> _DocumentScope:
    """What `user` may see of the registers, read once per request (two small queries, kept
    on the user object, like the assigned units): the register page and the API ask for the
    filter and for the provinces of the same request."""
    from communeos.documents.models import ConfidentialGrant

    day = timezone.localdate()
    cache = user.__dict__.setdefault("_document_scope_cache", {})
    if day not in cache:
        units = {}
        if not user.is_superuser:
            visible = units_visible_to(user, day).annotate(its_province=Coalesce("province_id", "id"))
            units = dict(visible.values_list("pk", "its_province"))
        granted = dict(
            ConfidentialGrant.objects.filter(person=user).values_list("document_id", "document__province_id")
        )
        cache[day] = _DocumentScope(units=units, granted=granted)
    return cache[day]


def forget_document_scope(*people) -> None:
    """After a grant: the next read of these user objects' scope goes to the database."""
    for person in people:
        if person is not None:
            person.__dict__.pop("_document_scope_cache", None)


def access_document(user, document_id) -> Model:
    """One register entry, or 404 (the same for 'absent', 'not yours' and 'not granted')."""
    from communeos.documents.models import Document

    try:
        return documents_visible_to(user).select_related("unit").get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def exports_visible_to(user) -> QuerySet:
    """The files made in the background for `user`: each is seen only by the person who asked
    for it, and only while its unit is still in their scope (a register names people)."""
    from communeos.core.models import Export

    if not getattr(user, "is_authenticated", False):
        return Export.objects.none()
    return scoped(Export.objects.filter(requested_by=user), user)


def access_export(user, export_id) -> Model:
    """One of `user`'s exports, or 404 (the same for 'absent' and 'someone else's')."""
    from communeos.core.models import Export

    try:
        return exports_visible_to(user).select_related("unit").get(pk=export_id)
    except (Export.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
