"""The working-day clock: which days count, and deadlines counted in working days.

Which days are working days
---------------------------
A day is a working day unless it is a Saturday or a Sunday or a public holiday. The public
holidays are those of the Labour Code 45/2019/QH14, Art. 112 (New Year, Tết, the Hùng Kings'
day, 30 April, 1 May, National Day; the package adds Vietnam Culture Day, 24 November, from
2026), as known to `holidays.country_holidays("VN")`: lunar
dates, substitute days off for a holiday that falls on a weekend, and the days the Government
swaps (the package also knows the Saturdays worked in exchange, e.g. Saturday 26 April 2025
worked for Friday 2 May 2025 off; `HolidayBase.weekend_workdays`).

Decisions the package does not know are data: `CalendarOverride` rows, national (no
province) or for one province. Every function takes `province=`: a `Unit` (a commune or
district stands for its province), a province's id, or None for the national calendar alone.
For one day and one province:

1. an override of the province wins over a national one; within one level, the override with
   the shorter period wins, then the newer one;
2. a `working` override makes the day a working day, a `day_off` override makes it a day off,
   whatever the weekday and the holiday table say;
3. otherwise the holiday table and the weekend decide.

A `receiving` override (the counter open on a Saturday morning, say) makes the day a
*receiving* day, never a working day: a dossier received that day counts as received on the
next working day, and the day does not count towards any deadline. (Its `opens`/`closes`
hours are for display, `open_hours`; no deadline uses them.)

The measure of time
-------------------
Working time is the union of the working days, each a whole local day from 00:00 to 24:00
(Asia/Ho_Chi_Minh, `settings.TIME_ZONE`, which has had no daylight saving since 1975, so every
day is 24 hours long). A working day counts as 1 day, a day off as 0; an instant inside a
working day is a fraction of it. `add_working_days(a, n)` moves forward by `n` days of working
time; `working_days_between(a, b)` measures the working time from `a` to `b` (a `Decimal`
number of days, negative if `b` is before `a`), and
`working_days_between(a, add_working_days(a, n)) == n` to within a microsecond.
An addition that ends exactly at 24:00 of a working day returns 23:59:59.999999 of that day,
never 00:00 of the day after (which may be a day off): the result belongs to the day it ends.

Deadlines of procedures (`due_at`)
----------------------------------
One-stop timing follows Decree 118/2025/NĐ-CP (the time limit runs from the receipt of a
complete dossier and is counted in working days):

* a dossier received on a day that is not a working day, or after the office closes (that
  day's `OfficeHours`), counts as received when the office opens on the next working day;
* a same-day procedure (`days=0`) is due when the office closes on the day of receipt; when the
  procedure has a cut-off (`cutoff`: the 15:00 rule of the Law on Civil Status 60/2014/QH13,
  Art. 16, and of Decree 23/2015/NĐ-CP, Art. 7, for certification) and the dossier is received
  after it, it is due when the office closes on the next working day. The cut-off is a rule of
  the procedure, passed by the caller, never a global setting;
* otherwise the day of receipt does not count: the dossier is due when the office closes on the
  `days`-th working day after it.

The result is always on a working day. "After" is strict: a dossier received at 15:00:00 sharp
is before a 15:00 cut-off.

Office hours
------------
The office's hours are data too: `OfficeHours` rows, national or for one province, each in
force from a date until the next row of the same level (a province's summer and winter hours
are two rows a year), with an optional lunch break. For one day and one province the
province's row in force wins over the national one; with neither, the office is open
`DEFAULT_HOURS` (07:00–17:00, no break). `office_hours(day)` gives the spans of a day and
`closing_at(day)` the instant the office closes, when a dossier's result is due.

`office_time_between(a, b)` measures only the time inside those spans on working days, and
`add_office_time` adds such time: the steps of a dossier share its time in office hours
(`onestop.services.stage_due_at`), so that a step's deadline falls when someone is at work,
never in the lunch break. Both take `opens=`/`closes=` to measure in one fixed span instead.

Caches
------
The holiday table of a year is built once per process (`functools.lru_cache`). The overrides
and the office hours (small tables) are loaded whole and kept per process. The services that
write them call `overrides_changed()`: until the writing transaction ends, its connection
reads them from the database at every question (so it sees its own write, and a write that is
rolled back never reaches the shared copy); when it commits, the process's copy is dropped.
Other processes (other web workers, the task runner) re-read a signature of the tables — their
row counts and latest `updated_at` — at most every `STALE_AFTER_SECONDS` and reload them only
when they changed: a change is seen everywhere within a few seconds, for two cheap
queries every few seconds per process. A write that bypasses the services with
`QuerySet.update()` does not touch `updated_at` and is not seen: write through the services.
The signature queries may therefore run inside any request that asks the clock; a test that
counts queries should ask the clock once first (the window is wide enough for one test).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache
from time import monotonic

import holidays
from django.db import connection, transaction
from django.db.models import Count, Max, Model
from django.utils import timezone

#: How long a process trusts its copy of the overrides before re-reading their signature.
STALE_AFTER_SECONDS = 5.0

DAY_US = 86_400_000_000  # microseconds in a day
#: The office's hours where no `OfficeHours` row is in force: one span, no lunch break.
DEFAULT_HOURS = ((time(7, 0), time(17, 0)),)
ONE_DAY = timedelta(days=1)
SATURDAY = 5

Province = Model | int | None


# The national holiday table ---------------------------------------------------------------


@dataclass(frozen=True)
class _HolidayYear:
    days_off: frozenset[date]  # holidays and substitute days falling Monday to Friday
    weekend_workdays: frozenset[date]  # Saturdays and Sundays worked in exchange for a day off

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= SATURDAY:
            return day in self.weekend_workdays
        return day not in self.days_off


@lru_cache(maxsize=256)
def _holiday_year(year: int) -> _HolidayYear:
    # The neighbouring years too: a swap may cross the new year (the package records
    # Saturday 27 December 2014 worked for Friday 2 January 2015).
    table = holidays.country_holidays("VN", years=range(max(year - 1, 1), min(year + 1, 9999) + 1))
    return _HolidayYear(
        days_off=frozenset(d for d in table if d.year == year and d.weekday() < SATURDAY),
        weekend_workdays=frozenset(d for d in table.weekend_workdays if d.year == year),
    )


# Overrides ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    start: date
    end: date
    weekday: int | None
    kind: str
    hours: tuple[time, time] | None = None  # a receiving day's counter hours, when given

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end and (self.weekday is None or self.weekday == day.weekday())


Spans = tuple[tuple[time, time], ...]  # the office's hours of a day, in order


@dataclass(frozen=True)
class _Overrides:
    signature: tuple
    status: dict[int | None, tuple[_Rule, ...]]  # `working`/`day_off`, the winning rule first
    receiving: dict[int | None, tuple[_Rule, ...]]
    hours: dict[int | None, tuple[tuple[date, Spans], ...]]  # (in force from, spans), the latest first

    def office_hours(self, province_id: int | None, day: date) -> Spans:
        levels = (province_id, None) if province_id is not None else (None,)
        for level in levels:
            for since, spans in self.hours.get(level, ()):
                if since <= day:
                    return spans
        return DEFAULT_HOURS

    def working_status(self, province_id: int | None, day: date) -> bool | None:
        """True/False when an override decides the day, None when the holiday table does."""
        levels = (province_id, None) if province_id is not None else (None,)
        for level in levels:
            for rule in self.status.get(level, ()):
                if rule.covers(day):
                    return rule.kind == "working"
        return None

    def receiving_rule(self, province_id: int | None, day: date) -> _Rule | None:
        levels = (province_id, None) if province_id is not None else (None,)
        return next((rule for level in levels for rule in self.receiving.get(level, ()) if rule.covers(day)), None)

    def is_receiving(self, province_id: int | None, day: date) -> bool:
        return self.receiving_rule(province_id, day) is not None


_lock = threading.Lock()
_overrides_cache: _Overrides | None = None
_checked_at = 0.0


def _signature() -> tuple:
    from communeos.core.models import CalendarOverride, OfficeHours

    signature = ()
    for model in (CalendarOverride, OfficeHours):
        row = model.objects.aggregate(count=Count("id"), last=Max("updated_at"))
        signature += (row["count"], row["last"])
    return signature


def _load() -> _Overrides:
    from communeos.core.models import CalendarOverride, OfficeHours

    hours: dict[int | None, list[tuple[date, Spans]]] = {}
    hour_rows = list(
        OfficeHours.objects.order_by("-effective_from").values_list(
            "province_id", "effective_from", "opens", "closes", "break_starts", "break_ends", "updated_at"
        )
    )
    for province_id, since, opens, closes, break_starts, break_ends, _updated_at in hour_rows:
        spans = ((opens, break_starts), (break_ends, closes)) if break_starts else ((opens, closes),)
        hours.setdefault(province_id, []).append((since, spans))
    rows = list(
        CalendarOverride.objects.values_list(
            "id", "province_id", "start", "end", "weekday", "kind", "updated_at", "opens", "closes"
        )
    )
    # Shorter period first, then the newer override: the first rule that covers a day wins.
    rows.sort(key=lambda r: ((r[3] - r[2]).days, -r[0]))
    status: dict[int | None, list[_Rule]] = {}
    receiving: dict[int | None, list[_Rule]] = {}
    for _id, province_id, start, end, weekday, kind, _updated_at, opens, closes in rows:
        target = receiving if kind == "receiving" else status
        counter = (opens, closes) if opens and closes else None
        target.setdefault(province_id, []).append(_Rule(start, end, weekday, kind, counter))
    return _Overrides(
        signature=(
            len(rows),
            max((r[6] for r in rows), default=None),
            len(hour_rows),
            max((r[6] for r in hour_rows), default=None),
        ),
        status={k: tuple(v) for k, v in status.items()},
        receiving={k: tuple(v) for k, v in receiving.items()},
        hours={k: tuple(v) for k, v in hours.items()},
    )


def _written_in_this_transaction() -> bool:
    blocks = connection.atomic_blocks
    return bool(blocks) and getattr(connection, "calendar_written_in", None) is blocks[0]


def _overrides() -> _Overrides:
    global _overrides_cache, _checked_at
    if _written_in_this_transaction():
        # This transaction changed overrides: read them as it sees them, and share nothing
        # (it may still roll back).
        return _load()
    now = monotonic()
    if _overrides_cache is not None and now - _checked_at < STALE_AFTER_SECONDS:
        return _overrides_cache
    with _lock:
        if _overrides_cache is None or _overrides_cache.signature != _signature():
            _overrides_cache = _load()
        _checked_at = now
        return _overrides_cache


def invalidate() -> None:
    """Forget the overrides: the next question reloads them."""
    global _overrides_cache, _checked_at
    with _lock:
        _overrides_cache = None
        _checked_at = 0.0


def overrides_changed() -> None:
    """Called by the services in the transaction that writes overrides: until it ends, this
    connection reads the overrides afresh at every question; the process's copy is dropped
    when the transaction commits (a rolled-back write never reaches it)."""
    if connection.in_atomic_block:
        connection.calendar_written_in = connection.atomic_blocks[0]
        transaction.on_commit(invalidate)
    else:
        invalidate()


# The clock of one province ------------------------------------------------------------------


def _province_id(province: Province) -> int | None:
    """A province's id. A unit below the province level stands for its province."""
    if province is None:
        return None
    if isinstance(province, Model):
        return province.pk if province.province_id is None else province.province_id
    if isinstance(province, int) and not isinstance(province, bool):
        return province
    raise TypeError(f"province must be a Unit, a unit id or None, not {province!r}")


class _Clock:
    """The calendar of one province (or the national one), with the overrides read once."""

    def __init__(self, province: Province) -> None:
        self.province_id = _province_id(province)
        self.overrides = _overrides()

    def is_working_day(self, day: date) -> bool:
        decided = self.overrides.working_status(self.province_id, day)
        return _holiday_year(day.year).is_working_day(day) if decided is None else decided

    def office_hours(self, day: date) -> Spans:
        return self.overrides.office_hours(self.province_id, day)

    def next_working_day(self, day: date) -> date:
        day += ONE_DAY
        while not self.is_working_day(day):
            day += ONE_DAY
        return day


def _tz() -> tzinfo:
    return timezone.get_default_timezone()


def now() -> datetime:
    """The time now in Vietnam (aware): the product's dates are in the default time zone (and
    this skips the active-zone look-up of `timezone.localtime()`, a few microseconds a call)."""
    return timezone.now().astimezone(_tz())


def today() -> date:
    """Today in Vietnam (see `now`)."""
    return now().date()


def _local(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if timezone.is_naive(moment):
        raise ValueError(f"{name} must be an aware datetime (got the naive {moment.isoformat()})")
    return moment.astimezone(_tz())


def _as_day(day: date) -> date:
    """A date; an aware datetime stands for its local date."""
    if isinstance(day, datetime):
        return _local(day, "day").date()
    if not isinstance(day, date):
        raise TypeError(f"day must be a date, not {type(day).__name__}")
    return day


def _since_midnight(local: datetime) -> int:
    """Microseconds since local midnight."""
    return ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond


def _at(day: date, microseconds: int) -> datetime:
    """The local instant `microseconds` into `day`; 24:00 is written 23:59:59.999999 of `day`."""
    if microseconds >= DAY_US:
        return datetime.combine(day, time.max, tzinfo=_tz())
    return datetime.combine(day, time.min, tzinfo=_tz()) + timedelta(microseconds=microseconds)


def _to_microseconds(n: float | Decimal | int) -> int:
    if isinstance(n, bool) or not isinstance(n, int | float | Decimal):
        raise TypeError(f"a number of working days must be a number, not {n!r}")
    amount = n if isinstance(n, Decimal) else Decimal(n)
    if not amount.is_finite():
        raise ValueError(f"a number of working days must be finite, not {n!r}")
    if amount < 0:
        raise ValueError(f"a number of working days cannot be negative ({n!r})")
    return round(amount * DAY_US)


# The public API -----------------------------------------------------------------------------


def is_working_day(day: date, *, province: Province = None) -> bool:
    """Whether `day` counts towards deadlines in `province` (the national calendar if None)."""
    return _Clock(province).is_working_day(_as_day(day))


def is_receiving_day(day: date, *, province: Province = None) -> bool:
    """Whether the counter receives dossiers on `day`: every working day, and `receiving` days."""
    day = _as_day(day)
    clock = _Clock(province)
    return clock.is_working_day(day) or clock.overrides.is_receiving(clock.province_id, day)


def next_working_day(day: date, *, province: Province = None) -> date:
    """The first working day strictly after `day`."""
    return _Clock(province).next_working_day(_as_day(day))


def add_working_days(start: datetime, n: float | Decimal | int, *, province: Province = None) -> datetime:
    """The instant `n` days of working time after `start` (local time; see the module docstring)."""
    local = _local(start, "start")
    remaining = _to_microseconds(n)
    if remaining == 0:
        return local
    clock = _Clock(province)
    day = local.date()
    if clock.is_working_day(day):
        offset = _since_midnight(local)
        if remaining <= DAY_US - offset:
            return _at(day, offset + remaining)
        remaining -= DAY_US - offset
    while True:
        day = clock.next_working_day(day)
        if remaining <= DAY_US:
            return _at(day, remaining)
        remaining -= DAY_US


def working_days_between(start: datetime, end: datetime, *, province: Province = None) -> Decimal:
    """The working time from `start` to `end`, in days; negative if `end` is before `start`."""
    a, b = _local(start, "start"), _local(end, "end")
    if b < a:
        return -working_days_between(b, a, province=province)
    clock = _Clock(province)
    if a.date() == b.date():
        total = _since_midnight(b) - _since_midnight(a) if clock.is_working_day(a.date()) else 0
    else:
        total = DAY_US - _since_midnight(a) if clock.is_working_day(a.date()) else 0
        day = a.date() + ONE_DAY
        while day < b.date():
            total += DAY_US if clock.is_working_day(day) else 0
            day += ONE_DAY
        total += _since_midnight(b) if clock.is_working_day(b.date()) else 0
    return Decimal(total) / DAY_US


def office_hours(day: date, *, province: Province = None) -> Spans:
    """The office's hours on `day` in `province`: its spans (one, or two around a lunch break),
    local times in order. They apply on working days; the day itself may be a day off."""
    return _Clock(province).office_hours(_as_day(day))


def open_hours(day: date, *, province: Province = None) -> Spans:
    """The hours the office is open on `day` in `province`: its office hours on a working day;
    on a receiving day (the counter open on a day off), the counter's hours, or the office
    hours when the override gives none; nothing on any other day (so nothing exactly when
    `is_receiving_day` is false)."""
    day = _as_day(day)
    clock = _Clock(province)
    if clock.is_working_day(day):
        return clock.office_hours(day)
    rule = clock.overrides.receiving_rule(clock.province_id, day)
    if rule is None:
        return ()
    return (rule.hours,) if rule.hours else clock.office_hours(day)


def closing_at(day: date, *, province: Province = None) -> datetime:
    """The instant the office closes on `day` in `province`: when a result due that day is due."""
    day = _as_day(day)
    return datetime.combine(day, _Clock(province).office_hours(day)[-1][1], tzinfo=_tz())


def office_instant(moment: datetime, *, province: Province = None) -> datetime:
    """`moment` moved into the office's hours without crossing any office time: an instant in
    the lunch break or after closing moves back to the end of the span before it (the start of
    the break, the closing); one before the opening, or on a day that is not a working day,
    moves forward to the next opening. An instant inside the hours stays."""
    local = _local(moment, "moment")
    clock = _Clock(province)
    day = local.date()
    if clock.is_working_day(day):
        ended = None  # the end of the last span before the moment
        for opens, closes in clock.office_hours(day):
            if local.time() < opens:
                return ended or datetime.combine(day, opens, tzinfo=_tz())
            if local.time() <= closes:
                return local
            ended = datetime.combine(day, closes, tzinfo=_tz())
        return ended
    day = clock.next_working_day(day)
    return datetime.combine(day, clock.office_hours(day)[0][0], tzinfo=_tz())


def _spans_of(clock: _Clock, opens: time | None, closes: time | None):
    """The office's spans for each day: the clock's, or the one span `opens`–`closes`."""
    if opens is None and closes is None:
        return clock.office_hours
    if opens is None or closes is None or closes <= opens:
        raise ValueError(f"give both opens and closes, closes after opens (got {opens!r}, {closes!r})")
    spans = ((opens, closes),)
    return lambda day: spans


def office_time_between(
    start: datetime, end: datetime, *, opens: time | None = None, closes: time | None = None, province: Province = None
) -> timedelta:
    """The office time from `start` to `end`: the part of it inside the office's hours on
    working days (nothing if `end` is not after `start`). The hours are `province`'s
    (`office_hours`), or the one span `opens`–`closes` when both are given."""
    a, b = _local(start, "start"), _local(end, "end")
    clock = _Clock(province)
    spans_of = _spans_of(clock, opens, closes)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if clock.is_working_day(day):
            for span_opens, span_closes in spans_of(day):
                lo = max(datetime.combine(day, span_opens, tzinfo=_tz()), a)
                hi = min(datetime.combine(day, span_closes, tzinfo=_tz()), b)
                total += max(hi - lo, timedelta(0))
        day += ONE_DAY
    return total


def add_office_time(
    start: datetime,
    amount: timedelta,
    *,
    opens: time | None = None,
    closes: time | None = None,
    province: Province = None,
) -> datetime:
    """The instant at which `amount` of office time (see `office_time_between`) has passed
    since `start`. From an instant outside office hours the time starts at the next opening; an
    amount that runs out at the end of a span (the lunch break, the closing) ends there."""
    if amount < timedelta(0):
        raise ValueError(f"an amount of office time cannot be negative ({amount!r})")
    moment = _local(start, "start")
    clock = _Clock(province)
    spans_of = _spans_of(clock, opens, closes)
    day = moment.date()
    if not clock.is_working_day(day):
        day = clock.next_working_day(day)
    while True:
        for span_opens, span_closes in spans_of(day):
            begin = max(datetime.combine(day, span_opens, tzinfo=_tz()), moment)
            left = datetime.combine(day, span_closes, tzinfo=_tz()) - begin
            if left >= timedelta(0) and amount <= left:
                return begin + amount
            amount -= max(left, timedelta(0))
        day = clock.next_working_day(day)


def due_at(
    received_at: datetime,
    *,
    days: int,
    cutoff: time | None = None,
    office_closes: time | None = None,
    province: Province = None,
) -> datetime:
    """When the result of a procedure taking `days` working days is due (see the module docstring).

    `cutoff` applies to same-day procedures (`days=0`): received after it, the result is due
    the next working day. The deadline is when the office closes (`closing_at`; at
    `office_closes`, local time, if given) on a working day.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"days must be a whole number of working days, 0 or more (got {days!r})")
    local = _local(received_at, "received_at")
    clock = _Clock(province)
    day, at = local.date(), local.time()
    closes = clock.office_hours(day)[-1][1] if office_closes is None else office_closes
    # Intake asks this for every dossier, and the answer depends only on the day, on which
    # side of the closing and cut-off hours the moment falls, and on the overrides in force.
    key = (day, at > closes, cutoff is not None and at > cutoff, days, cutoff, office_closes, clock.province_id)
    cached = _DUE_AT.get(key)
    if cached is not None and cached[0] is clock.overrides:
        return cached[1]
    if len(_DUE_AT) >= 10_000:
        _DUE_AT.clear()
    if not clock.is_working_day(day) or at > closes:
        # Counts as received at the opening of the next working day: before any cut-off.
        day, at = clock.next_working_day(day), time.min
    if days == 0:
        if cutoff is not None and at > cutoff:
            day = clock.next_working_day(day)
    else:
        for _ in range(days):
            day = clock.next_working_day(day)
    closing = clock.office_hours(day)[-1][1] if office_closes is None else office_closes
    due = datetime.combine(day, closing, tzinfo=_tz())
    _DUE_AT[key] = (clock.overrides, due)
    return due


# (day, after closing, after cut-off, days, cut-off, closing given, province) → (the overrides
# and office hours it was computed with, the deadline); an entry counts only while they are
# still in force.
_DUE_AT: dict[tuple, tuple[_Overrides, datetime]] = {}
