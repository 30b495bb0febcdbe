"""`manage.py load_units`: idempotent, and refusing a corrupted or partial file without a trace."""

import json
import shutil
import sqlite3

import pytest
from django.core.management import CommandError, call_command

from communeos.core.models import AuditEntry
from communeos.units.models import Succession, Unit
from communeos.units.sources import package_files


@pytest.fixture
def files(tmp_path):
    src = package_files()
    dataset, converter = tmp_path / "dataset.db", tmp_path / "converter_2025.json"
    shutil.copy(src.dataset, dataset)
    shutil.copy(src.converter, converter)
    return dataset, converter


def state():
    return Unit.objects.count(), Succession.objects.count(), AuditEntry.objects.count()


def refuse(files, match: str):
    dataset, converter = files
    before = state()
    with pytest.raises(CommandError, match=match) as exc:
        call_command("load_units", dataset=dataset, converter=converter, verbosity=0)
    assert "Nothing was changed." in str(exc.value)
    assert state() == before
    return str(exc.value)


def test_a_second_run_changes_nothing(unit_map, capsys):
    before = state()
    call_command("load_units")
    assert "0 created, 0 updated, 0 lines of lineage added" in capsys.readouterr().out
    assert state() == before


def test_a_changed_name_is_updated_in_place_and_audited(unit_map, files):
    dataset, converter = files
    with sqlite3.connect(dataset) as conn:
        conn.execute("UPDATE admin_units SET ward = 'Xã Lộc Bình Mới' WHERE wardCode = '06529'")
    call_command("load_units", dataset=dataset, converter=converter, verbosity=0)
    assert Unit.objects.get(code="06529", valid_to=None).name == "Xã Lộc Bình Mới"
    entry = AuditEntry.objects.filter(action="units.load").latest("id")
    assert entry.changes["units_updated"][1] >= 1
    assert entry.changes["source"] == [None, "vietnamadminunits 1.0.4 (local files)"]


def test_it_refuses_a_partial_dataset(unit_map, files):
    with sqlite3.connect(files[0]) as conn:
        conn.execute("DELETE FROM admin_units WHERE wardCode IN ('06529', '06565')")
    message = refuse(files, "refused")
    assert "3319 communes after the reform, expected 3321" in message
    assert "converter: new unit tinhlangson/xalocbinh is not in the dataset" in message


def test_it_refuses_a_dataset_missing_a_column(unit_map, files):
    with sqlite3.connect(files[0]) as conn:
        conn.execute("ALTER TABLE admin_units DROP COLUMN wardCode")
    assert "table admin_units lacks the columns wardCode" in refuse(files, "refused")


def test_it_refuses_a_file_that_is_not_a_database(unit_map, files):
    files[0].write_bytes(b"this is not sqlite" * 100)
    assert "not a readable SQLite database" in refuse(files, "refused")


def test_it_refuses_a_truncated_converter(unit_map, files):
    text = files[1].read_text()
    files[1].write_text(text[: len(text) // 2])
    assert "converter_2025.json: not valid JSON" in refuse(files, "refused")


def test_it_refuses_a_converter_that_loses_communes(unit_map, files):
    data = json.loads(files[1].read_text())
    del data["DICT_PROVINCE_WARD_NO_DIVIDED"]["tinhlangson"]
    files[1].write_text(json.dumps(data))
    assert "new communes have no predecessor" in refuse(files, "refused")


def test_it_refuses_a_malformed_code(unit_map, files):
    with sqlite3.connect(files[0]) as conn:
        conn.execute("UPDATE admin_units SET wardCode = '65X9' WHERE wardCode = '06529'")
    assert "code '65X9' is not 5 digits" in refuse(files, "refused")


def test_a_missing_file_is_named(unit_map, files, tmp_path):
    files[0].unlink()
    assert "dataset.db: file not found" in refuse(files, "refused")
