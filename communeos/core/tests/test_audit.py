"""The audit trail: every service write appends an entry; entries are append-only and
hash-chained; `audit_verify` finds the first broken link."""

from datetime import date
from importlib import import_module

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from communeos.core import audit
from communeos.core.models import AuditChain, AuditEntry
from communeos.people import services
from communeos.people.models import Position
from communeos.units.models import Unit


def latest(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def test_a_service_write_records_who_what_which_unit_and_the_changes(cast):
    assignment = cast.officer_a.assignments.get()
    services.assignment_update(actor=cast.chair_a, assignment=assignment, end=date(2026, 12, 31))
    entry = latest("assignment.update")
    assert entry.actor == cast.chair_a and entry.actor_label == "chair.a"
    assert entry.unit == cast.commune_a
    assert entry.object_type == "people.assignment" and entry.object_id == str(assignment.pk)
    assert entry.changes == {"end": [None, "2026-12-31"]}


def test_a_refused_write_leaves_no_entry(cast):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=None,
            person=cast.officer_a,
            unit=cast.commune_a,
            position=Position.objects.get(code="specialist"),
            start=date(2025, 9, 1),
            end=date(2025, 8, 1),
        )
    assert AuditEntry.objects.count() == before


def test_entries_of_one_unit_form_a_chain(cast):
    entries = list(AuditEntry.objects.filter(chain=cast.commune_a.pk).order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(entries, entries[1:], strict=False))


def test_the_database_refuses_to_update_an_entry(cast):
    entry = AuditEntry.objects.filter(chain=cast.commune_a.pk).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger exists on PostgreSQL only")
def test_postgresql_refuses_to_delete_an_entry(cast):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(chain=cast.commune_a.pk).delete()


def tamper(sql: str, params: list) -> None:
    """Change the table behind the application's back, as someone with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can bypass ordinary triggers for the session; the chain still tells.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_append_only")
            cursor.execute(sql, params)
            cursor.execute(import_module("communeos.core.migrations.0003_audit_append_only").SQLITE_FORWARD)


def test_audit_verify_passes_on_an_intact_trail(cast, capsys):
    call_command("audit_verify")
    assert "Audit trail intact" in capsys.readouterr().out


def test_audit_verify_catches_a_row_altered_in_the_database(cast):
    entry = AuditEntry.objects.filter(chain=cast.commune_a.pk).order_by("seq")[1]
    tamper("UPDATE core_auditentry SET changes = %s WHERE id = %s", ['{"end": [null, "2030-01-01"]}', entry.pk])
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    message = str(exc.value)
    assert f"First broken link: chain {cast.commune_a.pk}, position 2 (entry #{entry.pk})" in message
    assert "does not match its hash" in message


@pytest.mark.parametrize("repr_", ["06529-251008-0001", "Nguyễn Thị Hồng Nhung | 1:2", ""])
def test_the_link_is_the_same_computed_in_sql_and_in_python(db, repr_):
    tail = audit.link_tail("12", repr_, "ab" * 32)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {audit.link_sql('%s', '%s', '%s')}", ["cd" * 32, 7, tail])
        assert cursor.fetchone()[0] == audit.link_hash("cd" * 32, 7, tail)


def test_the_link_tells_apart_an_id_and_a_description_that_read_alike(db):
    assert audit.link_tail("1", "2|x", "d") != audit.link_tail("1|2", "x", "d")


def legacy_entry(chain: int, seq: int, prev_hash: str) -> AuditEntry:
    """An entry hashed the older way (before migration core 0007), saved as such."""
    entry = AuditEntry(
        chain=chain,
        seq=seq,
        at=timezone.now(),
        actor_label="system",
        action="legacy.write",
        object_type="core.thing",
        object_id="1",
        unit_id=chain,
        changes={"a": [None, 1]},
        prev_hash=prev_hash,
    )
    entry.hash = audit._legacy_entry_hash(entry)
    entry.save()
    AuditChain.objects.update_or_create(key=chain, defaults={"last_seq": seq, "last_hash": entry.hash})
    return entry


def test_entries_hashed_the_older_way_still_verify(cast):
    """Entries written before the link was computable in SQL (migration core 0007) keep their
    hash at the start of their chain; the trail still verifies, entries in the current form
    follow them, and altering one of them is still caught."""
    quiet = Unit.objects.exclude(pk__in=AuditChain.objects.values("key")).filter(level="commune").first()
    first = legacy_entry(quiet.pk, 1, "")
    legacy_entry(quiet.pk, 2, first.hash)
    with transaction.atomic():
        audit.record(actor=None, action="now.write", unit=quiet.pk, changes={"b": [None, 1]})
    assert audit.verify()[1] == []
    tamper("UPDATE core_auditentry SET changes = %s WHERE id = %s", ['{"a": [null, 2]}', first.pk])
    assert [b.entry_id for b in audit.verify()[1]] == [first.pk]


def test_an_entry_hashed_the_older_way_after_a_current_one_is_caught(cast):
    """Legacy hashes all precede the current form: one after it is a forgery, even when the
    chain and its head were rewritten to match."""
    head = AuditChain.objects.get(key=cast.commune_a.pk)
    forged = legacy_entry(head.key, head.last_seq + 1, head.last_hash)
    assert [b.entry_id for b in audit.verify()[1]] == [forged.pk]


def test_audit_verify_catches_a_removed_entry(cast):
    entries = AuditEntry.objects.filter(chain=cast.commune_a.pk).order_by("seq")
    middle = entries[0]
    tamper("DELETE FROM core_auditentry WHERE id = %s", [middle.pk])
    with pytest.raises(CommandError, match="entries 1..1 are missing"):
        call_command("audit_verify")


def test_audit_verify_catches_the_newest_entry_removed(cast):
    last = AuditEntry.objects.filter(chain=cast.commune_a.pk).order_by("-seq").first()
    tamper("DELETE FROM core_auditentry WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match="the chain should end at"):
        call_command("audit_verify")


def test_administrators_browse_the_trail_by_unit_person_and_date(client, cast, admin_user):
    client.force_login(admin_user)
    page = client.get("/audit/", {"unit": cast.commune_b.code}).context["page"]
    assert page.paginator.count > 0
    assert {e.unit_id for e in page} == {cast.commune_b.pk}
    today = date.today().isoformat()
    assert client.get("/audit/", {"since": today, "until": today}).context["page"].paginator.count > 0
    assert client.get("/audit/", {"person": "nobody-like-this"}).context["page"].paginator.count == 0
    response = client.get("/audit/", {"since": "2025-02-01", "until": "2025-01-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "The end date is before the start date." in response.content.decode()
