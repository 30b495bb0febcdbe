"""Writes about people: accounts, assignments, working groups, API tokens."""

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communeos.core import audit
from communeos.people.models import ApiToken, Assignment, Position, User, WorkingGroup
from communeos.units.models import Level, Unit


@transaction.atomic
def person_create(
    *,
    actor,
    username: str,
    full_name: str,
    password: str | None = None,
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    person = User(
        username=username,
        full_name=full_name,
        email=email,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    audit.record(
        actor=actor, action="person.create", obj=person, changes=audit.changes_between({}, audit.snapshot(person))
    )
    return person


@transaction.atomic
def person_update(*, actor, person: User, **fields) -> User:
    allowed = {"full_name", "email", "is_active", "is_staff", "first_name", "last_name"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"person_update cannot change {sorted(unknown)}")
    before = audit.snapshot(person)
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean(exclude=["password"])
    person.save()
    changes = audit.changes_between(before, audit.snapshot(person))
    if changes:
        audit.record(actor=actor, action="person.update", obj=person, changes=changes)
    return person


@transaction.atomic
def person_set_password(*, actor, person: User, password: str) -> None:
    person.set_password(password)
    person.save(update_fields=["password"])
    audit.record(actor=actor, action="person.set_password", obj=person, changes={"password": ["***", "***"]})


def _check_assignment(unit: Unit, position: Position, start: date, end: date | None) -> None:
    errors = {}
    if end is not None and end < start:
        errors["end"] = _("The assignment ends (%(end)s) before it starts (%(start)s).") % {"end": end, "start": start}
    elif (
        not unit.in_force_on(start)
        or (end is None and unit.valid_to is not None)
        or (end and not unit.in_force_on(end))
    ):
        period = _("from %(start)s") % {"start": unit.valid_from or "…"}
        if unit.valid_to:
            period += " " + _("until %(end)s") % {"end": unit.valid_to}
        errors["unit"] = _("%(unit)s is in force only %(period)s; the assignment must fall within that period.") % {
            "unit": unit.name,
            "period": period,
        }
    if position.scope != Position.Scope.ANY and position.scope != unit.level:
        errors["position"] = _("A %(position)s is held in a %(scope)s, not in %(unit)s.") % {
            "position": position,
            "scope": position.get_scope_display(),
            "unit": unit.name,
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assignment_create(
    *, actor, person: User, unit: Unit, position: Position, start: date, end: date | None = None, note: str = ""
) -> Assignment:
    _check_assignment(unit, position, start, end)
    assignment = Assignment.objects.create(person=person, unit=unit, position=position, start=start, end=end, note=note)
    audit.record(
        actor=actor,
        action="assignment.create",
        obj=assignment,
        unit=unit,
        changes=audit.changes_between({}, audit.snapshot(assignment)),
    )
    return assignment


@transaction.atomic
def assignment_update(*, actor, assignment: Assignment, **fields) -> Assignment:
    allowed = {"unit", "position", "start", "end", "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"assignment_update cannot change {sorted(unknown)}")
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    before = audit.snapshot(assignment)
    for name, value in fields.items():
        setattr(assignment, name, value)
    _check_assignment(assignment.unit, assignment.position, assignment.start, assignment.end)
    assignment.save()
    changes = audit.changes_between(before, audit.snapshot(assignment))
    if changes:
        audit.record(actor=actor, action="assignment.update", obj=assignment, unit=assignment.unit, changes=changes)
    return assignment


@transaction.atomic
def working_group_create(
    *, actor, province: Unit, name: str, communes: list[Unit], members: list[User]
) -> WorkingGroup:
    if province.level != Level.PROVINCE:
        raise ValidationError({"unit": _("A working group belongs to a province.")})
    outside = [c.name for c in communes if c.province_id != province.pk]
    if outside:
        raise ValidationError(
            {
                "communes": _("Not communes of %(province)s: %(names)s")
                % {"province": province.name, "names": ", ".join(outside)}
            }
        )
    group = WorkingGroup.objects.create(unit=province, name=name)
    group.communes.set(communes)
    group.members.set(members)
    audit.record(
        actor=actor,
        action="working_group.create",
        obj=group,
        unit=province,
        changes={
            "name": [None, name],
            "communes": [None, sorted(c.pk for c in communes)],
            "members": [None, sorted(m.pk for m in members)],
        },
    )
    return group


@transaction.atomic
def api_token_create(*, actor, person: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; return it with the raw secret, which is never stored nor shown again."""
    raw = "cos_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(name=name, person=person, prefix=raw[4:12], digest=ApiToken.digest_of(raw))
    audit.record(
        actor=actor, action="api_token.create", obj=token, changes={"name": [None, name], "person": [None, person.pk]}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=actor, action="api_token.revoke", obj=token, changes={"revoked_at": [None, token.revoked_at]}
        )
    return token


@transaction.atomic
def totp_device_start(*, actor, person: User):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=person, name="authenticator", confirmed=False)
    audit.record(actor=actor, action="totp.start", obj=person, changes={"device": [None, device.pk]})
    return device


@transaction.atomic
def totp_device_confirm(*, actor, device, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=actor, action="totp.confirm", obj=device.user, changes={"confirmed": [False, True]})
    return True


def totp_qr_svg(device) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=4, title="TOTP")
