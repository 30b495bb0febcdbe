"""Writes of the core: overrides of the working-day calendar."""

from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communeos.core import audit, calendar
from communeos.core.models import CalendarOverride
from communeos.units.models import Level, Unit


@transaction.atomic
def calendar_override_create(
    *,
    actor,
    province: Unit | None,
    start: date,
    end: date | None = None,
    kind: str,
    weekday: int | None = None,
    reason: str,
    legal_basis: str,
    opens: time | None = None,
    closes: time | None = None,
) -> CalendarOverride:
    """Record a decision that changes the calendar of `province` (of the whole country if None)."""
    if province is not None and province.level != Level.PROVINCE:
        raise ValidationError(
            {
                "province": _("%(unit)s is not a province: an override is set for a province or the whole country.")
                % {"unit": province.name}
            }
        )
    override = CalendarOverride(
        province=province,
        start=start,
        end=start if end is None else end,
        kind=kind,
        weekday=weekday,
        reason=reason,
        legal_basis=legal_basis,
        opens=opens,
        closes=closes,
    )
    override.full_clean()
    override.save()
    audit.record(
        actor=actor,
        action="calendar_override.create",
        obj=override,
        unit=province,
        changes=audit.changes_between({}, audit.snapshot(override)),
    )
    calendar.overrides_changed()
    return override


@transaction.atomic
def calendar_override_delete(*, actor, override: CalendarOverride) -> None:
    """Withdraw an override entered by mistake (the audit trail keeps what it said)."""
    before = audit.snapshot(override)
    override_id, province_id = override.pk, override.province_id
    override.delete()
    audit.record(
        actor=actor,
        action="calendar_override.delete",
        object_type=CalendarOverride._meta.label_lower,
        object_id=override_id,
        unit=province_id,
        changes=audit.changes_between(before, {}),
    )
    calendar.overrides_changed()
