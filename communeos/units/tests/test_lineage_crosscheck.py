"""The lineage we load, cross-checked against the public reference mapping in
../shared/data/reorganization-2025 (dvhcvn/20250701, MIT).

Every difference must be one we investigated: `data/lineage_known_differences.json` says,
for each, what it is, which source is right and on what evidence (see README,
"Administrative map"). A new difference fails the test.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

from communeos.units.models import Level, Succession

SHARED = settings.BASE_DIR.parent / "shared" / "data" / "reorganization-2025"
KNOWN = Path(__file__).parent / "data" / "lineage_known_differences.json"


@pytest.fixture(scope="module")
def reference():
    if not (SHARED / "splits.json").is_file():
        pytest.skip(f"reference data not found at {SHARED} (it sits beside the project in the team's workspace)")
    data = json.loads((SHARED / "splits.json").read_text(encoding="utf-8"))
    return {(w["level3_id"], s["new_id"]) for p in data["data"] for w in p["level3s"] for s in w["splits"]}


def test_loaded_lineage_agrees_with_the_reference_except_for_investigated_differences(unit_map, reference, capsys):
    # Communes only: the reference has no rows for the five island districts that became
    # special zones, which our lineage links district → special zone.
    loaded = set(
        Succession.objects.filter(predecessor__level=Level.COMMUNE).values_list("predecessor__code", "successor__code")
    )
    known = {(d["old"], d["new"]): d for d in json.loads(KNOWN.read_text(encoding="utf-8"))}
    agree = loaded & reference
    only_loaded, only_reference = loaded - reference, reference - loaded
    with capsys.disabled():
        print(
            f"\nlineage cross-check: {len(agree)} lines agree, {len(only_loaded)} only in the package, "
            f"{len(only_reference)} only in the reference ({len(agree) / len(reference | loaded):.2%} agreement)"
        )
    assert len(agree) / len(reference | loaded) > 0.99
    assert sorted(only_loaded - known.keys()) == []
    assert sorted(only_reference - known.keys()) == []


def test_the_disagreements_the_resolutions_settle_go_the_packages_way(unit_map, reference):
    # Resolution 1674/NQ-UBTVQH15 art. 1 cl. 24: Quang Trung (Vụ Bản) → xã Hiển Khánh.
    assert Succession.objects.filter(predecessor__code="13768", successor__code="13753").exists()
    assert ("13768", "13753") not in reference
    # Resolution 1672/NQ-UBTVQH15 cl. 10 and 58: Hồng Phong (Bình Gia) does not go to Đồng Đăng;
    # the package's homonym cross-link is dropped by the loader.
    assert not Succession.objects.filter(predecessor__code="06079", successor__code="06184").exists()
