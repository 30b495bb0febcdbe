"""Gapless counters: dossier codes, document numbers, arrival numbers.

`next_number(series, unit, period)` returns 1, 2, 3, … per (series, unit, period). The
increment is made on a row locked for the rest of the caller's transaction, so two
concurrent callers queue on the row, and a rollback gives the number back: numbers are
unique and without gaps as long as the caller's write and the increment commit together.
On SQLite every write transaction is serialised (`transaction_mode = IMMEDIATE`).
"""

from django.db import connection, transaction
from django.db.models import F

from communeos.core.models import Counter


def next_number(series: str, unit, period: str) -> int:
    if not connection.in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that uses the number.")
    unit_id = getattr(unit, "pk", unit)
    # Create the row if it is missing; a concurrent creator makes this wait, then do nothing.
    Counter.objects.bulk_create([Counter(series=series, unit_id=unit_id, period=period)], ignore_conflicts=True)
    with transaction.atomic():
        updated = Counter.objects.filter(series=series, unit_id=unit_id, period=period).update(last=F("last") + 1)
        assert updated == 1
        return Counter.objects.filter(series=series, unit_id=unit_id, period=period).values_list("last", flat=True)[0]


def current_number(series: str, unit, period: str) -> int:
    unit_id = getattr(unit, "pk", unit)
    found = Counter.objects.filter(series=series, unit_id=unit_id, period=period).values_list("last", flat=True)
    return found[0] if found else 0
