"""`core.inserts`: the hot paths' rows are made and written as the ORM would make and write them."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import signals
from django.utils import timezone

from communeos.core.inserts import build, json_rows
from communeos.core.models import AuditEntry
from communeos.onestop.models import Dossier, DossierFile, Event


def field_values(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def test_build_makes_what_the_models_init_makes(cast):
    now = timezone.now()
    values = {
        "unit": cast.commune_a,
        "holder_unit": cast.commune_a,
        "code": "06529-251008-",
        "channel": "online",
        "applicant_name": "Hoàng Thị Lan",
        "received_at": now,
        "start_at": now,
        "statutory_days": Decimal("5.000000"),
        "due_at": now + timedelta(days=7),
        "received_by_id": None,
    }
    built, made = build(Dossier, **values), Dossier(**values)
    assert field_values(built) == field_values(made)  # the defaults too (status, empty texts, 0 days)
    assert built.unit is cast.commune_a and built.unit_id == cast.commune_a.pk  # the object, cached
    assert built._state.adding and built.pk is None
    file = build(DossierFile, dossier=built, paper=None, file="dossiers/ab/x", original_name="a.pdf", size=3)
    assert file.file.name == "dossiers/ab/x" and file.paper is None and file.dossier is built
    with pytest.raises(TypeError, match="unexpected keyword arguments: colour"):
        build(Event, colour="red")


def test_build_leaves_a_model_with_init_receivers_to_its_init(db):
    seen = []

    def receiver(sender, **kwargs):
        seen.append(sender)

    signals.post_init.connect(receiver, sender=AuditEntry)
    try:
        build(AuditEntry, chain=0, at=timezone.now(), action="x", changes={})
    finally:
        signals.post_init.disconnect(receiver, sender=AuditEntry)
    assert seen == [AuditEntry]


def test_json_rows_leaves_out_nothing_but_nulls(cast):
    now = timezone.now()
    event = build(Event, at=now, action="receive", from_unit=cast.commune_a, to_unit=cast.commune_a, status="received")
    (row,) = json.loads(json_rows([event]))
    assert row["at"] == now.isoformat() and row["from_unit_id"] == cast.commune_a.pk
    assert row["note"] == "" and row["stage"] == ""  # empty texts are values, not NULLs
    assert "stage_due_at" not in row and "actor_id" not in row  # NULLs: absent keys read as NULL
