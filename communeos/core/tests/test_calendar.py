"""The working-day clock: Vietnam's holidays, provincial overrides, the measure of working
time and the deadlines of procedures (the 15:00 rule, receipts after hours or on a day off)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communeos.conftest import OTHER_PROVINCE, PROVINCE, current
from communeos.conftest import make_office_hours as make_hours
from communeos.core import calendar, services
from communeos.core.calendar import (
    add_office_time,
    add_working_days,
    closing_at,
    due_at,
    is_receiving_day,
    is_working_day,
    next_working_day,
    office_hours,
    office_time_between,
    working_days_between,
)
from communeos.core.models import AuditEntry, CalendarOverride, OfficeHours
from communeos.units.models import Level, Unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FIVE_PM = time(17, 0)
THREE_PM = time(15, 0)

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=VN)


def days(start: date, end: date) -> list[date]:
    """Every day from `start` to `end`, both included."""
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def make_override(**fields) -> CalendarOverride:
    fields.setdefault("province", None)
    fields.setdefault("reason", "test")
    fields.setdefault("legal_basis", "Công văn 1/UBND-VP")
    return services.calendar_override_create(actor=None, **fields)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Overrides created inside are gone afterwards, from the database and from the cache."""
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        calendar.invalidate()


@pytest.fixture(autouse=True)
def fresh_calendar():
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def provinces(unit_map) -> dict[str, Unit | None]:
    return {
        "national": None,
        "lang_son": current(PROVINCE, Level.PROVINCE),
        "son_la": current(OTHER_PROVINCE, Level.PROVINCE),
    }


def lang_son_commune(provinces) -> Unit:
    return Unit.objects.filter(level=Level.COMMUNE, province=provinces["lang_son"], valid_to=None).first()


@pytest.fixture(params=["holiday table only", "with overrides"])
def calendars(request, provinces) -> dict[str, Unit | None]:
    """The three calendars, bare or with a few national and Lạng Sơn overrides and office
    hours (Lạng Sơn's summer and winter hours with a lunch break, national hours from 2026)."""
    if request.param == "with overrides":
        lang_son = provinces["lang_son"]
        make_hours(date(2025, 4, 15), time(7, 0), time(17, 0), (time(11, 30), time(13, 30)), province=lang_son)
        make_hours(date(2025, 10, 15), time(7, 30), time(17, 0), (time(11, 30), time(13, 0)), province=lang_son)
        make_hours(date(2026, 1, 1), time(8, 0), time(16, 30), (time(12, 0), time(13, 0)))
        make_override(start=date(2025, 9, 2), kind="working")  # national, on National Day
        make_override(start=date(2025, 10, 14), kind="day_off")  # national, a Tuesday
        make_override(province=lang_son, start=date(2025, 10, 14), kind="working")
        make_override(province=lang_son, start=date(2025, 11, 1), kind="working")  # a Saturday
        make_override(province=lang_son, start=date(2025, 12, 22), end=date(2025, 12, 26), kind="day_off")
        make_override(
            province=lang_son,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            weekday=5,
            kind="receiving",
            opens=time(7, 30),
            closes=time(11, 30),
        )
    return provinces


# The national calendar ------------------------------------------------------------------------


def assert_days_off(start: date, end: date) -> None:
    off = days(start, end)
    assert [d for d in off if is_working_day(d)] == []
    assert is_working_day(start - timedelta(1)), "the day before the break is worked"
    assert is_working_day(end + timedelta(1)), "the day after the break is worked"
    assert next_working_day(start - timedelta(1)) == end + timedelta(1)


@pytest.mark.django_db
def test_tet_2025_is_off_from_saturday_25_january_to_sunday_2_february():
    assert_days_off(date(2025, 1, 25), date(2025, 2, 2))
    assert date(2025, 1, 24).weekday() == 4 and date(2025, 2, 3).weekday() == 0


@pytest.mark.django_db
def test_tet_2026_is_off_from_saturday_14_to_sunday_22_february():
    assert_days_off(date(2026, 2, 14), date(2026, 2, 22))


@pytest.mark.django_db
def test_30_april_2025_gives_five_days_off_and_saturday_26_april_is_worked_in_exchange():
    assert_days_off(date(2025, 4, 30), date(2025, 5, 4))
    assert date(2025, 5, 2).weekday() == 4  # Friday 2 May, the swapped day off
    assert date(2025, 4, 26).weekday() == 5 and is_working_day(date(2025, 4, 26))
    assert not is_working_day(date(2025, 4, 19)), "an ordinary Saturday"
    assert next_working_day(date(2025, 4, 25)) == date(2025, 4, 26)


@pytest.mark.django_db
def test_national_day_2025_is_monday_1_and_tuesday_2_september():
    assert_days_off(date(2025, 8, 30), date(2025, 9, 2))


@pytest.mark.django_db
def test_hung_kings_day_2026_falls_on_a_sunday_and_monday_27_april_is_off_in_its_place():
    assert date(2026, 4, 26).weekday() == 6
    assert_days_off(date(2026, 4, 25), date(2026, 4, 27))
    assert_days_off(date(2026, 4, 30), date(2026, 5, 3))


@pytest.mark.django_db
def test_a_utc_instant_is_judged_on_its_local_day():
    friday_evening_utc = datetime(2025, 10, 10, 17, 30, tzinfo=UTC)  # Saturday 00:30 in Hà Nội
    assert not is_working_day(friday_evening_utc)
    assert is_working_day(datetime(2025, 10, 10, 16, 30, tzinfo=UTC))


# Deadlines ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_same_day_procedure_received_friday_at_16_is_due_monday_at_17():
    friday = at(2025, 10, 10, 16, 0)
    assert friday.weekday() == 4
    assert due_at(friday, days=0, cutoff=THREE_PM) == at(2025, 10, 13, 17, 0)


@pytest.mark.django_db
def test_the_15_00_cut_off_separates_14_59_from_15_01():
    assert date(2025, 10, 8).weekday() == 2
    assert due_at(at(2025, 10, 8, 14, 59), days=0, cutoff=THREE_PM) == at(2025, 10, 8, 17, 0)
    assert due_at(at(2025, 10, 8, 15, 0), days=0, cutoff=THREE_PM) == at(2025, 10, 8, 17, 0)
    assert due_at(at(2025, 10, 8, 15, 1), days=0, cutoff=THREE_PM) == at(2025, 10, 9, 17, 0)
    assert due_at(at(2025, 10, 8, 16, 0), days=0) == at(2025, 10, 8, 17, 0), "no cut-off: the same day"


@pytest.mark.django_db
def test_an_online_receipt_on_sunday_counts_from_monday():
    sunday = at(2025, 10, 12, 10, 0)
    assert sunday.weekday() == 6
    assert due_at(sunday, days=0, cutoff=THREE_PM) == at(2025, 10, 13, 17, 0)
    assert due_at(sunday, days=3) == at(2025, 10, 16, 17, 0)


@pytest.mark.django_db
def test_a_receipt_after_the_office_closes_counts_from_the_next_working_day():
    assert due_at(at(2025, 10, 8, 17, 30), days=0) == at(2025, 10, 9, 17, 0)
    assert due_at(at(2025, 10, 8, 17, 30), days=1) == at(2025, 10, 10, 17, 0)
    assert due_at(at(2025, 10, 8, 17, 30), days=1, office_closes=time(18, 0)) == at(2025, 10, 9, 18, 0)


@pytest.mark.django_db
def test_five_working_days_from_the_eve_of_tet_2025_end_after_the_holiday():
    # Working days after Thursday 23 January: Fri 24, then Mon 3 to Thu 6 February.
    assert due_at(at(2025, 1, 23, 10, 0), days=5) == at(2025, 2, 6, 17, 0)


@pytest.mark.django_db
def test_the_compensating_saturday_of_april_2025_is_a_day_for_deadlines():
    assert due_at(at(2025, 4, 26, 9, 0), days=0) == at(2025, 4, 26, 17, 0)
    assert due_at(at(2025, 4, 25, 9, 0), days=1) == at(2025, 4, 26, 17, 0)
    assert due_at(at(2025, 4, 29, 9, 0), days=1) == at(2025, 5, 5, 17, 0)


# The measure of working time ------------------------------------------------------------------


@pytest.mark.django_db
def test_one_working_day_from_the_friday_before_tet_2025_ends_on_monday_3_february():
    friday_noon = at(2025, 1, 24, 12, 0)
    assert add_working_days(friday_noon, 1) == at(2025, 2, 3, 12, 0)
    assert working_days_between(friday_noon, at(2025, 2, 3, 12, 0)) == 1
    assert working_days_between(at(2025, 2, 3, 12, 0), friday_noon) == -1
    assert working_days_between(friday_noon, at(2025, 1, 30, 9, 0)) == Decimal("0.5")


@pytest.mark.django_db
def test_a_sum_that_ends_at_midnight_stays_on_the_working_day():
    friday = at(2025, 1, 24)
    assert add_working_days(friday, 1) == at(2025, 1, 24, 23, 59, 59, 999999)
    assert add_working_days(at(2025, 1, 24, 18), Decimal("0.25")) == at(2025, 1, 24, 23, 59, 59, 999999)
    assert add_working_days(friday, Decimal("0.5")) == at(2025, 1, 24, 12)
    assert add_working_days(friday, 0) == friday


@pytest.mark.django_db
def test_time_spent_on_a_day_off_does_not_count():
    saturday, sunday = at(2025, 10, 11, 9), at(2025, 10, 12, 18)
    assert working_days_between(saturday, sunday) == 0
    assert add_working_days(saturday, Decimal("0.5")) == at(2025, 10, 13, 12)


@pytest.mark.django_db
def test_thirty_working_days_are_counted_by_days_not_by_instants(django_assert_max_num_queries):
    start = at(2025, 1, 2, 8)
    calendar.is_working_day(start)  # load the overrides
    with django_assert_max_num_queries(0):
        end = add_working_days(start, 30)
    assert end == at(2025, 2, 20, 8)  # Jan 3 is the 1st, Tết is skipped, Feb 20 the 30th
    assert working_days_between(start, end) == 30


# Overrides ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_day_off_override_on_an_ordinary_tuesday_moves_the_deadline():
    tuesday = date(2025, 10, 14)
    assert due_at(at(2025, 10, 13, 9), days=1) == at(2025, 10, 14, 17)
    make_override(start=tuesday, kind="day_off", reason="storm")
    assert not is_working_day(tuesday)
    assert due_at(at(2025, 10, 13, 9), days=1) == at(2025, 10, 15, 17)
    assert working_days_between(at(2025, 10, 13), at(2025, 10, 16)) == 2


@pytest.mark.django_db
def test_a_province_override_wins_over_the_national_one_for_that_province_only(provinces):
    lang_son, son_la = provinces["lang_son"], provinces["son_la"]
    make_override(start=date(2025, 10, 14), kind="day_off")
    make_override(province=lang_son, start=date(2025, 10, 14), kind="working")
    assert is_working_day(date(2025, 10, 14), province=lang_son)
    assert is_working_day(date(2025, 10, 14), province=lang_son.pk)
    assert is_working_day(date(2025, 10, 14), province=lang_son_commune(provinces)), "a commune follows its province"
    assert not is_working_day(date(2025, 10, 14), province=son_la)
    assert not is_working_day(date(2025, 10, 14))


@pytest.mark.django_db
def test_within_one_level_the_shorter_override_wins():
    make_override(start=date(2026, 1, 1), end=date(2026, 3, 31), weekday=5, kind="working", reason="catch-up")
    make_override(start=date(2026, 2, 14), kind="day_off", reason="Tết")
    assert is_working_day(date(2026, 1, 10))
    assert not is_working_day(date(2026, 2, 14))
    assert not is_working_day(date(2026, 1, 11)), "Sundays are not in the override"


@pytest.mark.django_db
def test_saturday_morning_receiving_opens_the_counter_but_does_not_count_for_deadlines(provinces):
    lang_son = provinces["lang_son"]
    make_override(
        province=lang_son,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        weekday=5,
        kind="receiving",
        opens=time(7, 30),
        closes=time(11, 30),
        reason="Saturday morning receiving",
    )
    saturday = date(2026, 3, 7)
    assert saturday.weekday() == 5
    assert is_receiving_day(saturday, province=lang_son)
    assert not is_working_day(saturday, province=lang_son)
    assert not is_receiving_day(saturday, province=provinces["son_la"])
    assert not is_receiving_day(date(2026, 3, 8), province=lang_son), "Sunday"
    assert is_receiving_day(date(2026, 3, 6)), "every working day receives"
    assert due_at(at(2026, 3, 7, 9), days=0, cutoff=THREE_PM, province=lang_son) == at(2026, 3, 9, 17)


@pytest.mark.django_db
def test_the_clock_sees_a_new_override_at_once():
    tuesday = date(2025, 10, 14)
    assert is_working_day(tuesday)
    make_override(start=tuesday, kind="day_off")
    assert not is_working_day(tuesday)


@pytest.mark.django_db
def test_the_clock_sees_a_withdrawn_override_at_once():
    override = make_override(start=date(2025, 10, 14), kind="day_off")
    override_id = override.pk
    assert not is_working_day(date(2025, 10, 14))
    services.calendar_override_delete(actor=None, override=override)
    assert is_working_day(date(2025, 10, 14))
    entry = AuditEntry.objects.get(action="calendar_override.delete", object_id=str(override_id))
    assert entry.changes["kind"] == ["day_off", None]


@pytest.mark.django_db(transaction=True)
def test_the_process_cache_takes_a_committed_override_and_never_a_rolled_back_one(django_assert_num_queries):
    tuesday, wednesday = date(2025, 10, 14), date(2025, 10, 15)
    assert is_working_day(tuesday) and is_working_day(wednesday)
    make_override(start=tuesday, kind="day_off")  # committed
    assert not is_working_day(tuesday)
    with django_assert_num_queries(0):
        assert not is_working_day(tuesday), "read from the process's copy"
    with pytest.raises(RuntimeError), transaction.atomic():
        make_override(start=wednesday, kind="day_off")
        assert not is_working_day(wednesday), "the writing transaction sees its write"
        raise RuntimeError("the dossier intake failed")
    with django_assert_num_queries(0):
        assert is_working_day(wednesday), "the rolled-back override never reached the process's copy"


@pytest.mark.django_db
def test_another_process_write_is_seen_after_the_staleness_window(monkeypatch, django_assert_num_queries):
    tuesday = date(2025, 10, 14)
    assert is_working_day(tuesday)
    with django_assert_num_queries(0):
        assert is_working_day(tuesday), "within the window the cached overrides are trusted"
    # Another process writes (here, bypassing this process's cache).
    CalendarOverride.objects.create(start=tuesday, end=tuesday, kind="day_off", reason="x", legal_basis="y")
    assert is_working_day(tuesday)
    monkeypatch.setattr(calendar, "STALE_AFTER_SECONDS", 0)
    assert not is_working_day(tuesday)


# The service ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_an_override_records_it_in_the_audit_trail(provinces, admin_user):
    override = make_override(province=provinces["lang_son"], start=date(2025, 11, 1), kind="working")
    assert override.end == override.start
    entry = AuditEntry.objects.get(action="calendar_override.create", object_id=str(override.pk))
    assert entry.actor is None and entry.unit == provinces["lang_son"]
    assert entry.changes["kind"] == [None, "working"] and entry.changes["start"] == [None, "2025-11-01"]


@pytest.mark.django_db
def test_an_override_that_ends_before_it_starts_is_refused_and_nothing_is_written(english):
    before = (CalendarOverride.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError, match="ends before it starts"):
        make_override(start=date(2025, 10, 14), end=date(2025, 10, 13), kind="day_off")
    assert (CalendarOverride.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_counter_hours_belong_to_receiving_days(english):
    with pytest.raises(ValidationError, match="receiving days only"):
        make_override(start=date(2025, 10, 14), kind="day_off", opens=time(8))
    with pytest.raises(ValidationError, match="closes before it opens"):
        make_override(start=date(2025, 10, 18), kind="receiving", opens=time(11), closes=time(8))
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_an_override_is_set_for_a_province_not_a_commune(provinces, english):
    with pytest.raises(ValidationError, match="not a province"):
        make_override(province=lang_son_commune(provinces), start=date(2025, 10, 14), kind="day_off")


def admin_add(client, **fields):
    data = {"start": "2025-10-14", "end": "", "kind": "day_off", "reason": "storm", "legal_basis": "QĐ 1/QĐ-UBND"}
    return client.post("/admin/core/calendaroverride/add/", data | fields, HTTP_ACCEPT_LANGUAGE="en")


def test_the_admin_page_creates_an_override_through_the_service(client, admin_user, unit_map):
    client.force_login(admin_user)
    assert admin_add(client).status_code == 302
    created = CalendarOverride.objects.get()
    assert created.end == date(2025, 10, 14)
    assert AuditEntry.objects.filter(action="calendar_override.create", actor=admin_user).exists()
    assert not is_working_day(date(2025, 10, 14))


def test_the_admin_page_shows_the_services_error_on_the_form(client, admin_user, unit_map):
    client.force_login(admin_user)
    response = admin_add(client, end="2025-10-01")
    assert response.status_code == 200
    assert "ends before it starts" in response.content.decode()
    assert not CalendarOverride.objects.exists()


# Office hours ---------------------------------------------------------------------------------

LUNCH = (time(11, 30), time(13, 30))


@pytest.mark.django_db
def test_without_office_hours_the_office_is_open_from_seven_to_five(provinces):
    assert office_hours(date(2025, 10, 8), province=provinces["lang_son"]) == ((time(7), FIVE_PM),)
    assert closing_at(date(2025, 10, 8)) == at(2025, 10, 8, 17)


@pytest.mark.django_db
def test_office_hours_are_in_force_from_their_date_and_a_provinces_own_win(provinces):
    lang_son, son_la = provinces["lang_son"], provinces["son_la"]
    make_hours(date(2026, 1, 1), time(8), time(16, 30), (time(12), time(13)))  # national
    make_hours(date(2025, 10, 15), time(7, 30), FIVE_PM, LUNCH, province=lang_son)
    make_hours(date(2026, 4, 15), time(7), FIVE_PM, LUNCH, province=lang_son)  # summer hours
    lang_son_winter = ((time(7, 30), time(11, 30)), (time(13, 30), FIVE_PM))
    assert office_hours(date(2025, 10, 14), province=lang_son) == ((time(7), FIVE_PM),)
    assert office_hours(date(2025, 10, 15), province=lang_son) == lang_son_winter
    # The province's own hours stay in force after new national ones, until its next row.
    assert office_hours(date(2026, 3, 2), province=lang_son) == lang_son_winter
    assert office_hours(date(2026, 4, 15), province=lang_son) == ((time(7), time(11, 30)), (time(13, 30), FIVE_PM))
    assert office_hours(date(2025, 12, 31), province=son_la) == ((time(7), FIVE_PM),)
    assert office_hours(date(2026, 1, 1), province=son_la) == ((time(8), time(12)), (time(13), time(16, 30)))
    # A commune stands for its province.
    assert office_hours(date(2025, 10, 15), province=lang_son_commune(provinces)) == lang_son_winter


@pytest.mark.django_db
def test_a_result_is_due_when_the_office_closes_that_day():
    make_hours(date(2026, 1, 1), time(8), time(16, 30), (time(12), time(13)))
    # Thursday 8 January 2026: a same-day procedure is due at 16:30, the closing. Received at
    # 16:45 the office has closed: it counts from Friday's opening, before any cut-off.
    assert closing_at(date(2026, 1, 8)) == at(2026, 1, 8, 16, 30)
    assert due_at(at(2026, 1, 8, 10), days=0) == at(2026, 1, 8, 16, 30)
    assert due_at(at(2026, 1, 8, 16, 45), days=0, cutoff=THREE_PM) == at(2026, 1, 9, 16, 30)
    assert due_at(at(2026, 1, 8, 16, 45), days=1) == at(2026, 1, 12, 16, 30)  # from Friday: Monday
    # Before those hours, and with a closing hour given, as before.
    assert due_at(at(2025, 12, 31, 16, 45), days=0) == at(2025, 12, 31, 17)
    assert due_at(at(2026, 1, 8, 10), days=0, office_closes=FIVE_PM) == at(2026, 1, 8, 17)


@pytest.mark.django_db
def test_office_time_skips_the_lunch_break(provinces):
    lang_son = provinces["lang_son"]
    make_hours(date(2025, 10, 1), time(7, 30), FIVE_PM, LUNCH, province=lang_son)
    wednesday = (2025, 10, 8)
    assert office_time_between(at(*wednesday), at(2025, 10, 9), province=lang_son) == timedelta(hours=7.5)
    assert office_time_between(at(*wednesday, 11), at(*wednesday, 14), province=lang_son) == timedelta(hours=1)
    # An hour from 11:00: half an hour before lunch, half an hour after it.
    assert add_office_time(at(*wednesday, 11), timedelta(hours=1), province=lang_son) == at(*wednesday, 14)
    # Time that runs out at the break ends there; from inside the break it starts after it.
    assert add_office_time(at(*wednesday, 11), timedelta(minutes=30), province=lang_son) == at(*wednesday, 11, 30)
    assert add_office_time(at(*wednesday, 12), timedelta(minutes=30), province=lang_son) == at(*wednesday, 14)
    # Other provinces keep the default hours; one fixed span can still be asked for.
    assert add_office_time(at(*wednesday, 11), timedelta(hours=1), province=provinces["son_la"]) == at(*wednesday, 12)
    fixed = {"opens": time(7), "closes": FIVE_PM, "province": lang_son}
    assert add_office_time(at(*wednesday, 11), timedelta(hours=1), **fixed) == at(*wednesday, 12)
    with pytest.raises(ValueError, match="both"):
        office_time_between(at(*wednesday), at(2025, 10, 9), opens=time(7))


@pytest.mark.django_db
def test_office_hours_are_audited_and_the_clock_sees_them_come_and_go(provinces, admin_user):
    lang_son = provinces["lang_son"]
    hours = services.office_hours_create(
        actor=admin_user,
        province=lang_son,
        effective_from=date(2025, 10, 15),
        opens=time(7, 30),
        closes=time(16, 30),
        legal_basis="Quyết định 12/QĐ-UBND",
    )
    entry = AuditEntry.objects.get(action="office_hours.create", object_id=str(hours.pk))
    assert entry.actor == admin_user and entry.unit_id == lang_son.pk and "closes" in entry.changes
    assert closing_at(date(2025, 10, 15), province=lang_son) == at(2025, 10, 15, 16, 30)
    hours_id = hours.pk
    services.office_hours_delete(actor=admin_user, hours=hours)
    assert AuditEntry.objects.filter(action="office_hours.delete", object_id=str(hours_id)).exists()
    assert closing_at(date(2025, 10, 15), province=lang_son) == at(2025, 10, 15, 17)


@pytest.mark.django_db
def test_an_instant_moves_into_office_hours_without_crossing_office_time(provinces):
    lang_son = provinces["lang_son"]
    make_hours(date(2025, 10, 1), time(7, 30), FIVE_PM, LUNCH, province=lang_son)
    wednesday = (2025, 10, 8)
    expected = {
        at(*wednesday, 10): at(*wednesday, 10),  # inside: stays
        at(*wednesday, 11, 30): at(*wednesday, 11, 30),
        at(*wednesday, 12, 15): at(*wednesday, 11, 30),  # in the break: back to its start
        at(*wednesday, 18): at(*wednesday, 17),  # after closing: back to the closing
        at(*wednesday, 6): at(*wednesday, 7, 30),  # before opening: forward to it
        at(2025, 10, 11, 9): at(2025, 10, 13, 7, 30),  # Saturday: Monday's opening
    }
    assert {moment: calendar.office_instant(moment, province=lang_son) for moment in expected} == expected
    for moment, moved in expected.items():
        assert office_time_between(min(moment, moved), max(moment, moved), province=lang_son) == timedelta(0)


@pytest.mark.django_db(transaction=True)
def test_committed_office_hours_reach_the_process_cache_and_its_deadlines(django_assert_num_queries):
    received = at(2026, 1, 8, 10)
    assert due_at(received, days=0) == at(2026, 1, 8, 17)  # cached for the national calendar
    make_hours(date(2026, 1, 1), time(8), time(16, 30))  # committed
    assert due_at(received, days=0) == at(2026, 1, 8, 16, 30), "the cached deadline is not reused"
    with django_assert_num_queries(0):
        assert due_at(received, days=0) == at(2026, 1, 8, 16, 30), "read from the process's copy"
        assert closing_at(date(2026, 1, 8)) == at(2026, 1, 8, 16, 30)


@pytest.mark.django_db
def test_office_hours_are_given_in_whole_minutes(english):
    with pytest.raises(ValidationError, match="whole minutes"):
        make_hours(date(2026, 1, 1), time(7, 30, 30), FIVE_PM)
    assert not OfficeHours.objects.exists()


@pytest.mark.django_db
def test_the_same_day_entered_twice_at_once_is_refused_with_its_message(monkeypatch, english):
    """The second of two simultaneous entries passes the checks before the first is saved;
    the unique constraint refuses it, and the service says why rather than failing."""
    make_hours(date(2026, 1, 1), time(7), FIVE_PM)
    monkeypatch.setattr(OfficeHours, "full_clean", lambda self, *args, **kwargs: None)
    with pytest.raises(ValidationError, match="whole country already has office hours from this date"):
        make_hours(date(2026, 1, 1), time(8), FIVE_PM)
    assert OfficeHours.objects.count() == 1 and AuditEntry.objects.filter(action="office_hours.create").count() == 1


IMPOSSIBLE_HOURS = [
    ({"opens": FIVE_PM, "closes": time(7)}, "closes before it opens"),
    ({"break_starts": time(11, 30)}, "lunch break"),
    ({"break_ends": time(13, 30)}, "lunch break"),
    ({"break_starts": time(13), "break_ends": time(12)}, "lunch break"),
    ({"break_starts": time(6), "break_ends": time(8)}, "lunch break"),
    ({"break_starts": time(16), "break_ends": time(18)}, "lunch break"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "message"), IMPOSSIBLE_HOURS)
def test_impossible_office_hours_are_refused_and_nothing_is_written(english, fields, message):
    before = (OfficeHours.objects.count(), AuditEntry.objects.count())
    hours = {"opens": time(7), "closes": FIVE_PM} | fields
    with pytest.raises(ValidationError, match=message):
        services.office_hours_create(
            actor=None, province=None, effective_from=date(2026, 1, 1), legal_basis="QĐ 1", **hours
        )
    assert (OfficeHours.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_office_hours_are_set_once_a_day_for_a_province_or_the_country(provinces, english):
    make_hours(date(2026, 1, 1), time(7), FIVE_PM)
    make_hours(date(2026, 1, 1), time(7), FIVE_PM, province=provinces["lang_son"])
    with pytest.raises(ValidationError, match="whole country already has office hours from this date"):
        make_hours(date(2026, 1, 1), time(8), FIVE_PM)
    with pytest.raises(ValidationError, match="province already has office hours from this date"):
        make_hours(date(2026, 1, 1), time(8), FIVE_PM, province=provinces["lang_son"])
    with pytest.raises(ValidationError, match="is not a province: office hours"):
        make_hours(date(2026, 1, 1), time(8), FIVE_PM, province=lang_son_commune(provinces))
    assert OfficeHours.objects.count() == 2


def test_the_admin_page_sets_office_hours_through_the_service(client, admin_user, unit_map):
    client.force_login(admin_user)
    data = {"effective_from": "2026-01-01", "opens": "07:30", "closes": "17:00", "legal_basis": "QĐ 1/QĐ-UBND"}
    refused = client.post("/admin/core/officehours/add/", data | {"break_starts": "11:30"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "lunch break" in refused.content.decode()
    assert not OfficeHours.objects.exists()
    added = client.post(
        "/admin/core/officehours/add/",
        data | {"break_starts": "11:30", "break_ends": "13:30"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert added.status_code == 302
    assert AuditEntry.objects.filter(action="office_hours.create", actor=admin_user).exists()
    assert office_hours(date(2026, 1, 2)) == ((time(7, 30), time(11, 30)), (time(13, 30), FIVE_PM))


# The API ---------------------------------------------------------------------------------------


def test_the_api_gives_a_provinces_calendar_day_by_day(client, provinces):
    lang_son = provinces["lang_son"]
    make_override(province=lang_son, start=date(2026, 2, 21), kind="receiving", opens=time(7, 30), closes=time(11, 30))
    make_hours(date(2026, 1, 1), time(7, 30), FIVE_PM, LUNCH, province=lang_son)
    answer = client.get("/api/v1/calendar/", {"start": "2026-02-13", "end": "2026-02-23", "unit": lang_son.code})
    assert answer.status_code == 200
    days = {d["date"]: d for d in answer.json()}
    assert len(days) == 11
    # Tết 2026: Monday 16 to Friday 20 February off; Saturday 21 the counter receives; Monday 23 back.
    assert [d for d, v in days.items() if v["working"]] == ["2026-02-13", "2026-02-23"]
    assert [d for d, v in days.items() if v["receiving"]] == ["2026-02-13", "2026-02-21", "2026-02-23"]
    # Open: the office hours on a working day, the counter's on a receiving day, none on a day off.
    assert days["2026-02-23"]["office_hours"] == [
        {"opens": "07:30", "closes": "11:30"},
        {"opens": "13:30", "closes": "17:00"},
    ]
    assert days["2026-02-21"]["office_hours"] == [{"opens": "07:30", "closes": "11:30"}]
    assert days["2026-02-17"]["office_hours"] == days["2026-02-22"]["office_hours"] == []
    # A commune answers with its province's calendar; no unit, the national one.
    commune = client.get("/api/v1/calendar/", {"start": "2026-02-21", "end": "2026-02-21", "unit": "06529"})
    assert commune.json() == [days["2026-02-21"]]
    national = client.get("/api/v1/calendar/", {"start": "2026-02-21", "end": "2026-02-23"}).json()
    assert national == [
        {"date": "2026-02-21", "working": False, "receiving": False, "office_hours": []},
        {"date": "2026-02-22", "working": False, "receiving": False, "office_hours": []},
        {
            "date": "2026-02-23",
            "working": True,
            "receiving": True,
            "office_hours": [{"opens": "07:00", "closes": "17:00"}],
        },
    ]
    # A receiving day whose override gives no counter hours is open the office hours.
    make_override(province=lang_son, start=date(2026, 2, 28), kind="receiving")
    saturday = client.get("/api/v1/calendar/", {"start": "2026-02-28", "end": "2026-02-28", "unit": lang_son.code})
    assert saturday.json()[0]["office_hours"] == days["2026-02-23"]["office_hours"]


def test_the_calendar_api_refuses_what_it_cannot_answer(client, unit_map):
    def ask(**query):
        return client.get("/api/v1/calendar/", query, headers={"Accept-Language": "en"})

    backwards = ask(start="2026-02-13", end="2026-02-01")
    assert backwards.status_code == 422
    assert backwards.json()["errors"] == {"start": ["The start date must not be after the end date."]}
    too_long = ask(start="2026-01-01", end="2027-01-02")  # 367 days
    assert too_long.status_code == 422 and too_long.json()["errors"] == {"end": ["Ask for at most 366 days at a time."]}
    assert ask(start="2028-01-01", end="2028-12-31").status_code == 200  # a leap year
    assert ask(start="2026-01-01", end="2026-01-02", unit="99999").status_code == 404
    assert ask(start="13/02/2026", end="2026-02-14").status_code == 422


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_naive_datetimes_are_refused():
    naive = datetime(2025, 10, 8, 10, 0)
    with pytest.raises(ValueError, match="aware"):
        add_working_days(naive, 1)
    with pytest.raises(ValueError, match="aware"):
        working_days_between(at(2025, 10, 8), naive)
    with pytest.raises(ValueError, match="aware"):
        due_at(naive, days=0)
    with pytest.raises(ValueError, match="aware"):
        is_working_day(naive)


@pytest.mark.django_db
def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(at(2025, 10, 8), -1)
    with pytest.raises(ValueError):
        add_working_days(at(2025, 10, 8), float("nan"))
    with pytest.raises(ValueError):
        due_at(at(2025, 10, 8), days=-1)


@pytest.mark.django_db
def test_office_time_counts_only_office_hours_on_working_days():
    hours = {"opens": time(7, 0), "closes": FIVE_PM}
    # From Friday 24 January 2025 at 16:00, the last working day before Tết, to Monday
    # 3 February at 08:00, the first after it: an office hour on each side of the break.
    assert office_time_between(at(2025, 1, 24, 16), at(2025, 2, 3, 8), **hours) == timedelta(hours=2)
    assert office_time_between(at(2025, 10, 6, 16), at(2025, 10, 7, 8), **hours) == timedelta(hours=2)
    assert office_time_between(at(2025, 10, 7, 8), at(2025, 10, 6, 16), **hours) == timedelta(0)
    # Three hours from Monday 16:00: one on Monday, then from Tuesday's opening.
    assert add_office_time(at(2025, 10, 6, 16), timedelta(hours=3), **hours) == at(2025, 10, 7, 9)
    # Time that runs out at closing ends that day; from a Saturday it starts on Monday morning.
    assert add_office_time(at(2025, 10, 6, 16), timedelta(hours=1), **hours) == at(2025, 10, 6, 17)
    assert add_office_time(at(2025, 10, 11, 10), timedelta(0), **hours) == at(2025, 10, 13, 7)
    with pytest.raises(ValueError, match="negative"):
        add_office_time(at(2025, 10, 6, 16), timedelta(hours=-1), **hours)


# Properties -----------------------------------------------------------------------------------

WHERE = st.sampled_from(["national", "lang_son", "son_la"])
INSTANTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.sampled_from([VN, UTC])
)
AMOUNTS = st.decimals(min_value=0, max_value=60, places=6) | st.integers(min_value=0, max_value=60)
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
PUBLIC_HOLIDAYS = sorted(holidays.country_holidays("VN", years=range(2024, 2028)))
ORDINARY_TUESDAYS = [
    d
    for d in days(date(2024, 1, 2), date(2027, 12, 28))
    if d.weekday() == 1 and d not in PUBLIC_HOLIDAYS and d - timedelta(1) not in PUBLIC_HOLIDAYS
]


@PROPERTY
@given(start=INSTANTS, n=AMOUNTS, where=WHERE)
def test_counting_what_was_added_gives_it_back(calendars, start, n, where):
    province = calendars[where]
    end = add_working_days(start, n, province=province)
    counted = working_days_between(start, end, province=province)
    assert round((n - counted) * calendar.DAY_US) in {0, 1}, "exact, or 1 µs short at 24:00"
    if n > 0:
        assert is_working_day(end.date(), province=province), "time runs on working days only"


@PROPERTY
@given(start=INSTANTS, a=AMOUNTS, b=AMOUNTS, where=WHERE)
def test_adding_more_never_ends_earlier(calendars, start, a, b, where):
    province = calendars[where]
    low, high = sorted([a, b])
    assert add_working_days(start, low, province=province) <= add_working_days(start, high, province=province)


@PROPERTY
@given(
    received=INSTANTS,
    n=st.integers(min_value=0, max_value=30),
    cutoff=st.sampled_from([None, THREE_PM]),
    where=WHERE,
)
def test_a_deadline_always_falls_on_a_working_day(calendars, received, n, cutoff, where):
    province = calendars[where]
    due = due_at(received, days=n, cutoff=cutoff, province=province)
    assert due == closing_at(due.date(), province=province) and due >= received
    assert is_working_day(due.date(), province=province)
    local = received.astimezone(VN)
    closes = office_hours(local.date(), province=province)[-1][1]
    if n > 0 and is_working_day(local.date(), province=province) and local.time() <= closes:
        counted = [d for d in days(local.date() + timedelta(1), due.date()) if is_working_day(d, province=province)]
        assert len(counted) == n, "the day of receipt does not count"


@PROPERTY
@given(day=st.sampled_from(PUBLIC_HOLIDAYS), where=WHERE)
def test_a_working_override_on_a_public_holiday_makes_it_a_working_day(provinces, day, where):
    province = provinces[where]
    assert not is_working_day(day, province=province)
    with rolled_back():
        make_override(province=province, start=day, kind="working")
        assert is_working_day(day, province=province)
        assert due_at(at(day.year, day.month, day.day, 9), days=0, province=province).date() == day


@PROPERTY
@given(tuesday=st.sampled_from(ORDINARY_TUESDAYS), where=WHERE)
def test_a_day_off_override_on_an_ordinary_tuesday_shifts_deadlines(provinces, tuesday, where):
    province = provinces[where]
    monday_morning = at(tuesday.year, tuesday.month, tuesday.day, 9) - timedelta(days=1)
    assert due_at(monday_morning, days=1, province=province).date() == tuesday
    with rolled_back():
        make_override(province=province, start=tuesday, kind="day_off")
        assert not is_working_day(tuesday, province=province)
        assert due_at(monday_morning, days=1, province=province).date() == next_working_day(tuesday, province=province)


@PROPERTY
@given(day=DAYS, kind=st.sampled_from(["working", "day_off"]))
def test_a_province_override_changes_that_province_only(provinces, day, kind):
    before = {where: is_working_day(day, province=p) for where, p in provinces.items()}
    with rolled_back():
        make_override(province=provinces["lang_son"], start=day, kind=kind)
        assert is_working_day(day, province=provinces["lang_son"]) is (kind == "working")
        assert is_working_day(day, province=provinces["son_la"]) is before["son_la"]
        assert is_working_day(day) is before["national"]


@PROPERTY
@given(day=DAYS, national=st.sampled_from(["working", "day_off"]), provincial=st.sampled_from(["working", "day_off"]))
def test_a_province_override_wins_over_a_national_one(provinces, day, national, provincial):
    with rolled_back():
        make_override(start=day, kind=national)
        make_override(province=provinces["lang_son"], start=day, kind=provincial)
        assert is_working_day(day, province=provinces["lang_son"]) is (provincial == "working")
        assert is_working_day(day, province=provinces["son_la"]) is (national == "working")


OFFICE_AMOUNTS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300))


@PROPERTY
@given(start=INSTANTS, amount=OFFICE_AMOUNTS, where=WHERE)
def test_office_time_added_is_counted_back_and_ends_in_office_hours(calendars, start, amount, where):
    province = calendars[where]
    end = add_office_time(start, amount, province=province)
    assert office_time_between(start, end, province=province) == amount
    assert end >= start and is_working_day(end.date(), province=province)
    spans = office_hours(end.date(), province=province)
    assert any(opens <= end.astimezone(VN).time() <= closes for opens, closes in spans)


@PROPERTY
@given(start=INSTANTS, a=OFFICE_AMOUNTS, b=OFFICE_AMOUNTS, where=WHERE)
def test_adding_more_office_time_never_ends_earlier(calendars, start, a, b, where):
    province = calendars[where]
    low, high = sorted([a, b])
    assert add_office_time(start, low, province=province) <= add_office_time(start, high, province=province)
