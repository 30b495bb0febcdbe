"""The demo world: Lạng Sơn, the seven communes of Working Group No. 4, staff for every role."""

from django.core.management import call_command

from communeos.core import access
from communeos.people.demo import COMMUNE_ROLES, COMMUNES
from communeos.people.models import Assignment, User, WorkingGroup


def test_the_demo_world_loads_twice_without_duplicates(unit_map, capsys):
    call_command("load_demo", dossiers=40, documents=0)  # the full demo is long; its parts have their own tests
    first = capsys.readouterr().out
    call_command("load_demo", dossiers=40, documents=0)
    assert User.objects.count() == len(COMMUNES) * len(COMMUNE_ROLES) + 8
    assert "locbinh.chair" in first and "demo-communeos-2025" in first and "Demo dossiers: 40" in first
    assert "Demo documents: 0" in first and "province.clerk" in first
    group = WorkingGroup.objects.get()
    assert sorted(c.short_name for c in group.communes.all()) == sorted(name for _, _, name in COMMUNES)
    assert group.members.count() == 2
    for prefix, code, _ in COMMUNES:
        positions = set(Assignment.objects.filter(unit__code=code).values_list("position__code", flat=True))
        assert positions == {code for _, code, _ in COMMUNE_ROLES}, prefix
    officer = User.objects.get(username="province.officer")
    assert access.units_visible_to(officer).filter(level="commune", valid_to=None).count() == 65
