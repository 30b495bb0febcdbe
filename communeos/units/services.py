"""Writes to the administrative map."""

from django.db import transaction

from communeos.core import audit
from communeos.core.text import fold
from communeos.units.models import Level, Succession, Unit
from communeos.units.sources import REFORM_DATE, UnitMap

UNIT_FIELDS = ["kind", "name", "short_name", "valid_to", "source"]


@transaction.atomic
def unit_map_load(*, actor, umap: UnitMap) -> dict[str, int]:
    """Bring the database in line with `umap`, idempotently: create what is missing,
    update what changed, never delete. Returns the counts of what was written."""
    existing = {(u.level, u.code, u.valid_from): u for u in Unit.objects.all()}
    ids: dict[tuple, int] = {k: u.pk for k, u in existing.items()}
    created = updated = 0
    # Parents before children: provinces, then districts, then communes.
    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        to_create, to_update = [], []
        for rec in (r for r in umap.units if r.level == level):
            parent_id = ids[rec.parent] if rec.parent else None
            values = {
                "kind": rec.kind,
                "name": rec.name,
                "short_name": rec.short_name,
                "search_name": fold(rec.name),
                "valid_to": rec.valid_to,
                "parent_id": parent_id,
                "source": umap.source,
            }
            unit = existing.get(rec.key)
            if unit is None:
                to_create.append(Unit(level=rec.level, code=rec.code, valid_from=rec.valid_from, **values))
            else:
                changed = [f for f, v in values.items() if getattr(unit, f) != v]
                if changed:
                    for f in changed:
                        setattr(unit, f, values[f])
                    to_update.append(unit)
        if to_create:
            Unit.objects.bulk_create(to_create, batch_size=2000)
            created += len(to_create)
        if to_update:
            Unit.objects.bulk_update(
                to_update, ["kind", "name", "short_name", "search_name", "valid_to", "parent_id", "source"], 2000
            )
            updated += len(to_update)
        ids.update(
            {
                (u.level, u.code, u.valid_from): u.pk
                for u in Unit.objects.filter(level=level).only("level", "code", "valid_from")
            }
        )
    # Every unit knows its province (a commune's may be two levels up), for scoped queries.
    _set_provinces()

    have = set(Succession.objects.values_list("predecessor_id", "successor_id"))
    new_lines = []
    for s in umap.successions:
        pair = (ids[s.predecessor], ids[s.successor])
        if pair not in have:
            have.add(pair)
            new_lines.append(
                Succession(
                    predecessor_id=pair[0],
                    successor_id=pair[1],
                    share=s.share,
                    effective=REFORM_DATE,
                    resolution=s.resolution,
                )
            )
    Succession.objects.bulk_create(new_lines, batch_size=2000)
    stats = {"units_created": created, "units_updated": updated, "successions_created": len(new_lines)}
    if created or updated or new_lines:
        audit.record(
            actor=actor,
            action="units.load",
            object_type="units.unit",
            changes={"source": [None, umap.source], **{k: [0, v] for k, v in stats.items()}},
        )
    return stats


def _set_provinces() -> None:
    units = {u.pk: u for u in Unit.objects.only("id", "level", "parent_id", "province_id")}

    def province_of(unit: Unit) -> int | None:
        top = unit
        while top.parent_id is not None:
            top = units[top.parent_id]
        return None if top is unit else top.pk

    fixes = []
    for unit in units.values():
        wanted = province_of(unit)
        if unit.province_id != wanted:
            unit.province_id = wanted
            fixes.append(unit)
    Unit.objects.bulk_update(fixes, ["province_id"], 2000)
