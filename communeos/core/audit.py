"""The audit trail: every write made through a service appends one entry here.

Entries are append-only and hash-chained. There is one chain per unit (and chain 0 for
writes that belong to no unit), so that communes append in parallel; within a chain each
entry carries the hash of the one before it. On PostgreSQL a trigger refuses UPDATE and
DELETE on the table (migration core 0002); the application never does either.
`manage.py audit_verify` walks every chain and reports the first broken link.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from communeos.core.inserts import build, insert
from communeos.core.models import AuditChain, AuditEntry

GLOBAL_CHAIN = 0


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The values of `instance`'s concrete fields (foreign keys by id), JSON-ready."""
    values = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password", "created_at", "updated_at"}:
            continue
        values[field.name] = field.value_from_object(instance)
    return _jsonable(values)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [before, after]}` for every field whose value differs."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def content_digest(entry: AuditEntry) -> str:
    """SHA-256 of what the entry says, apart from its place in the chain and the record it
    names: canonical JSON, computed here so that the chain link can be computed in SQL."""
    payload = {
        "chain": entry.chain,
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "unit": entry.unit_id,
        "changes": entry.changes,
    }
    return _canonical_sha256(payload)


def _canonical_sha256(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def link_tail(object_id: str, object_repr: str, digest: str) -> str:
    """The part of an entry's link that does not depend on the chain. The record's id carries
    its length, so no shift of characters between id and description hashes the same.
    (onestop.intake_statement writes the same in SQL, from the dossier it inserts.)"""
    return f"{len(object_id)}:{object_id}|{object_repr}|{digest}"


def link_hash(prev_hash: str, seq: int, tail: str) -> str:
    """An entry's hash: SHA-256 of the previous entry's hash, its position and its tail.
    `link_sql` is the same in SQL; both must agree (tests compare them)."""
    return hashlib.sha256(f"{prev_hash}|{seq}|{tail}".encode()).hexdigest()


def link_sql(prev_hash: str, seq: str, tail: str) -> str:
    """`link_hash` as an SQL expression of three SQL expressions, for the connection in use."""
    text = f"{prev_hash} || '|' || CAST({seq} AS TEXT) || '|' || {tail}"
    if connection.vendor == "postgresql":
        return f"encode(sha256(convert_to({text}, 'UTF8')), 'hex')"
    return f"SHA256({text})"  # registered by Django's SQLite backend (hexadecimal, UTF-8)


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry (`verify` compares)."""
    return link_hash(entry.prev_hash, entry.seq, link_tail(entry.object_id, entry.object_repr, content_digest(entry)))


def _legacy_entry_hash(entry: AuditEntry) -> str:
    """The hash of entries written before the link was computable in SQL (core 0007): one
    canonical JSON of every field. `verify` still accepts it for those entries, which begin a
    chain: never after an entry hashed in the current form."""
    payload = {
        "chain": entry.chain,
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "unit": entry.unit_id,
        "changes": entry.changes,
        "prev_hash": entry.prev_hash,
    }
    return _canonical_sha256(payload)


def new_entry(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    unit=None,
    changes: dict[str, Any] | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """The entry `record` appends, before it has a place in its chain (seq, prev_hash, hash)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    unit_id = unit.pk if isinstance(unit, models.Model) else unit
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return build(
        AuditEntry,
        chain=unit_id or GLOBAL_CHAIN,
        at=timezone.now(),
        actor=actor,
        actor_label=actor.get_username() if actor else (actor_label or "system"),
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=str(obj)[:255] if obj is not None else "",
        unit_id=unit_id,
        changes=_jsonable(changes or {}),
    )


def record(**fields) -> AuditEntry:
    """Append one entry (`new_entry`'s arguments: actor, action, obj, unit, changes, …). Must
    run inside the service's transaction, so the entry and the write it describes are
    committed, or rolled back, together."""
    entry = new_entry(**fields)
    append(entry)
    return entry


def append(entry: AuditEntry) -> None:
    """Give a new entry (`new_entry`) its place in its chain and write it. Must run inside the
    write's transaction, so the entry and the write it describes commit, or roll back, together."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit entries must be written inside the write's transaction.")
    tail = link_tail(entry.object_id, entry.object_repr, content_digest(entry))
    entry.seq, entry.prev_hash, entry.hash = _advance_head(entry.chain, tail)
    # A plain statement rather than the ORM's: audit entries are written by every write.
    insert([entry])


def head_upsert_sql(chain: str, tail: str) -> str:
    """The statement that moves a chain's head one place and links the new entry: one
    statement, creating the head at a chain's first entry (as `core.numbering` does), whose
    row lock holds other writers of the chain until the transaction ends. It returns the
    entry's (seq, prev_hash, hash). `chain` and `tail` are SQL expressions (`tail` appears
    twice); the intake's single statement (onestop) embeds it."""
    table = connection.ops.quote_name(AuditChain._meta.db_table)
    first = link_sql("''", "1", tail)
    return (
        f"INSERT INTO {table} (key, last_seq, prev_hash, last_hash) "  # noqa: S608 — names and expressions only
        f"VALUES ({chain}, 1, '', {first}) "
        f"ON CONFLICT (key) DO UPDATE SET last_seq = {table}.last_seq + 1, prev_hash = {table}.last_hash, "
        f"last_hash = {link_sql(f'{table}.last_hash', f'{table}.last_seq + 1', tail)} "
        "RETURNING last_seq, prev_hash, last_hash"
    )


def _advance_head(chain_key: int, tail: str) -> tuple[int, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(head_upsert_sql("%s", "%s"), [chain_key, tail, tail])
        return cursor.fetchone()


@dataclass
class BrokenLink:
    chain: int
    seq: int
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry #{self.entry_id}" if self.entry_id else "chain head"
        return f"chain {self.chain}, position {self.seq} ({where}): {self.reason}"


def verify() -> tuple[int, list[BrokenLink]]:
    """Walk every chain; return the number of entries checked and the first broken link of each chain."""
    broken: list[BrokenLink] = []
    checked = 0
    heads = {h.key: h for h in AuditChain.objects.all()}
    state: dict[int, tuple[int, str]] = {}  # chain -> (last seq seen, last hash seen)
    current_form: set[int] = set()  # chains with an entry hashed in the current form
    bad_chains: set[int] = set()
    entries = AuditEntry.objects.order_by("chain", "seq").iterator(chunk_size=5000)
    for entry in entries:
        checked += 1
        if entry.chain in bad_chains:
            continue
        last_seq, last_hash = state.get(entry.chain, (0, ""))
        reason = None
        if entry.seq != last_seq + 1:
            reason = f"entries {last_seq + 1}..{entry.seq - 1} are missing"
        elif entry.prev_hash != last_hash:
            reason = "its link to the previous entry does not match (the previous entry was altered)"
        elif entry.hash == entry_hash(entry):
            current_form.add(entry.chain)
        elif entry.chain in current_form or entry.hash != _legacy_entry_hash(entry):
            # Legacy entries all precede core 0007: one after a current entry was forged.
            reason = "its content does not match its hash (the entry was altered)"
        if reason:
            broken.append(BrokenLink(entry.chain, entry.seq, entry.pk, reason))
            bad_chains.add(entry.chain)
            continue
        state[entry.chain] = (entry.seq, entry.hash)
    for key, head in heads.items():
        if key in bad_chains:
            continue
        last_seq, last_hash = state.get(key, (0, ""))
        if (head.last_seq, head.last_hash) != (last_seq, last_hash):
            broken.append(
                BrokenLink(key, last_seq + 1, None, f"the chain should end at {head.last_seq} but ends at {last_seq}")
            )
    for key in state.keys() - heads.keys():
        broken.append(BrokenLink(key, 1, None, "the chain has no head record"))
    return checked, sorted(broken, key=lambda b: (b.chain, b.seq))
