"""The demo world's dossiers: replayed through the services, with realistic shares, and
loaded once."""

from collections import defaultdict
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from communeos.conftest import ensure_unit_map
from communeos.core import calendar
from communeos.core.citizen_id import parse_citizen_id
from communeos.core.models import OfficeHours
from communeos.onestop.demo import demo_dossier_counts, load_demo_dossiers
from communeos.onestop.models import Channel, Dossier, Event, Status, Timeliness
from communeos.people.demo import PROVINCE_CODE, load_demo_people

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNTIL = date(2025, 12, 31)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """One replay for the whole module (it takes a while), rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_unit_map()
        load_demo_people()
        yield load_demo_dossiers(count=150, until=UNTIL)
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_demo_dossiers_have_realistic_shares(demo):
    assert demo["created"] == demo["total"] == 150
    assert demo["early"] > demo["on_time"] > demo["late"] > 0
    assert 0.45 <= demo["early"] / 150 <= 0.7
    assert 0.04 <= demo["late"] / 150 <= 0.15
    assert demo["in_progress"] >= 3
    assert demo["waiting"] >= 1  # still waiting for papers at the end
    assert demo["supplement"] >= 5
    assert demo["transferred"] >= 3
    assert demo["refused"] >= 2
    assert demo["stopped"] >= 1
    assert demo["apology"] >= 1
    assert demo["online"] >= 15
    assert demo["rated"] >= 0.6 * Dossier.objects.filter(status=Status.RETURNED).count()
    # Two requests to supplement make a dossier late, whatever its dates.
    for dossier in Dossier.objects.filter(supplement_count__gte=2, completed_at__isnull=False):
        assert dossier.timeliness == Timeliness.LATE


def test_codes_are_unique_and_gapless_per_unit_and_day(demo):
    numbers = defaultdict(list)
    for dossier in Dossier.objects.select_related("unit"):
        unit_code, day, number = dossier.code.split("-")
        assert unit_code == dossier.unit.code
        assert day == timezone_day(dossier.received_at).strftime("%y%m%d")
        numbers[unit_code, day].append(int(number))
    assert sum(len(n) for n in numbers.values()) == 150
    for found in numbers.values():
        assert sorted(found) == list(range(1, len(found) + 1))


def test_every_completed_dossier_has_its_timeliness(demo):
    done = Dossier.objects.filter(status__in=[Status.RESULT_READY, Status.RETURNED, Status.REFUSED])
    assert done.count() > 100
    for dossier in done:
        assert dossier.completed_at is not None
        assert dossier.timeliness in Timeliness.values
        assert dossier.processing_days is not None


def test_the_replay_stays_in_its_period_and_in_office_hours(demo):
    end = datetime.combine(UNTIL, time.max, tzinfo=TZ)
    assert not Event.objects.filter(at__gt=end).exists()
    assert not Event.objects.filter(at__lt=datetime(2025, 7, 1, tzinfo=TZ)).exists()
    for dossier in Dossier.objects.filter(channel=Channel.COUNTER):
        local = dossier.received_at.astimezone(TZ)
        assert calendar.is_working_day(local.date(), province=dossier.unit)
        assert time(7, 30) <= local.time() <= time(17)
    for dossier in Dossier.objects.filter(channel=Channel.ONLINE):
        assert dossier.received_by is None and dossier.consent_at is not None
        assert dossier.procedure_version.online_allowed
        assert dossier.files.count() == dossier.papers.count() > 0


def test_applicants_look_like_people_of_lang_son(demo):
    for dossier in Dossier.objects.all():
        parsed = parse_citizen_id(dossier.applicant_id_number)
        middle = dossier.applicant_name.split()[1]
        if middle in ("Văn", "Thị"):
            assert parsed.female == (middle == "Thị")
        assert 18 <= 2025 - parsed.birth_year <= 80
        assert dossier.applicant_address.startswith("Thôn ")
        assert dossier.applicant_address.endswith(f"xã {dossier.unit.short_name}, tỉnh Lạng Sơn")
    from_lang_son = Dossier.objects.filter(applicant_id_number__startswith="020").count()
    assert from_lang_son > 0.7 * 150


def test_a_second_load_adds_nothing(demo):
    again = load_demo_dossiers(count=150, until=UNTIL)
    assert again == demo | {"created": 0} == demo_dossier_counts() | {"created": 0}
    assert Dossier.objects.count() == 150


def timezone_day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def test_the_demo_province_has_office_hours_and_no_step_is_due_at_lunch(demo):
    hours = OfficeHours.objects.get(province__code=PROVINCE_CODE)
    assert (hours.opens, hours.break_starts, hours.break_ends, hours.closes) == (
        time(7, 30),
        time(11, 30),
        time(13, 30),
        time(17),
    )
    due = [timezone.localtime(e.stage_due_at).time() for e in Event.objects.exclude(stage_due_at=None)]
    assert len(due) > 100
    assert not [t for t in due if time(11, 30) < t < time(13, 30)]
