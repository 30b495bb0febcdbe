"""Gapless counters: dossier codes, document numbers, arrival numbers.

`next_number(series, unit, period)` returns 1, 2, 3, … per (series, unit, period). The
increment is made on a row locked for the rest of the caller's transaction, so two
concurrent callers queue on the row, and a rollback gives the number back: numbers are
unique and without gaps as long as the caller's write and the increment commit together.
On SQLite every write transaction is serialised (`transaction_mode = IMMEDIATE`).
"""

from django.db import connection

from communeos.core.models import Counter


def next_number(series: str, unit, period: str) -> int:
    if not connection.in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that uses the number.")
    with connection.cursor() as cursor:
        cursor.execute(upsert_sql(), [series, getattr(unit, "pk", unit), period])
        return cursor.fetchone()[0]


def upsert_sql() -> str:
    """One statement that creates the counter at 1, or adds 1 to it, and returns the number;
    the row stays locked until the caller's transaction ends (PostgreSQL; SQLite holds the
    database write lock). Parameters: series, unit id, period. The one-stop intake's single
    statement embeds it."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    return (
        f"INSERT INTO {table} (series, unit_id, period, last) VALUES (%s, %s, %s, 1) "  # noqa: S608 — table name only
        f"ON CONFLICT (series, unit_id, period) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )


def current_number(series: str, unit, period: str) -> int:
    unit_id = getattr(unit, "pk", unit)
    found = Counter.objects.filter(series=series, unit_id=unit_id, period=period).values_list("last", flat=True)
    return found[0] if found else 0
