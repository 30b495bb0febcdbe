"""The shared test base: the real administrative map, loaded once per test database, and
the small cast of STYLE.md on real Lạng Sơn communes."""

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils import translation

from communeos.people import services
from communeos.people.models import Position, User
from communeos.units.models import Level, Unit

COMMUNE_A = "06529"  # Xã Lộc Bình, Lạng Sơn
COMMUNE_B = "06565"  # Xã Khuất Xá, Lạng Sơn
PROVINCE = "20"  # Tỉnh Lạng Sơn
OTHER_PROVINCE = "14"  # Tỉnh Sơn La
PASSWORD = "a-long-test-password-1"


def pytest_configure(config):
    # Tests create many accounts; the production hasher (PBKDF2, deliberately slow) would
    # dominate the run. Sign-in tests still go through Django's real authentication.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def ensure_unit_map() -> None:
    """The map and the reference data of the data migrations (positions, the procedure
    catalogue, numbering rules): a transactional test's flush empties every table."""
    if not Unit.objects.filter(level=Level.COMMUNE, code=COMMUNE_A).exists():
        call_command("load_units", verbosity=0)
    if not Position.objects.exists():
        from importlib import import_module

        from django.apps import apps

        for module in [
            "communeos.people.migrations.0002_positions",
            "communeos.people.migrations.0004_provincial_heads",
            "communeos.onestop.migrations.0002_catalogue",
            "communeos.documents.migrations.0002_numbering_rules",
        ]:
            import_module(module).forward(apps, None)


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language (Vietnamese), whatever ran before it."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Per-process caches of the catalogue would outlive a test's rolled-back rows."""
    from communeos.core import memo

    memo.clear_all()
    yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to the test's own folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT


@pytest.fixture
def filesystem_store(settings):
    """Files kept under MEDIA_ROOT (FILE_STORE=filesystem) instead of in the database."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": settings.FILE_STORES["filesystem"]}}


@pytest.fixture(params=list(settings.FILE_STORES))
def file_store(request, settings) -> str:
    """The test runs once for each place files can be kept (FILE_STORE)."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": settings.FILE_STORES[request.param]}}
    return request.param


@pytest.fixture
def stored_files(media_root):
    """The names of every file stored, in the database and under MEDIA_ROOT, sorted."""
    from communeos.core.models import StoredFile

    def names() -> list[str]:
        on_disk = [str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()]
        return sorted([*StoredFile.objects.values_list("name", flat=True), *on_disk])

    return names


@pytest.fixture
def overwrite_stored(media_root):
    """Replace a stored file's bytes behind the application's back (what a damaged disk or
    a hand-edited database does), wherever the file is kept."""
    from communeos.core.models import StoredFile

    def overwrite(name: str, content: bytes) -> None:
        if not StoredFile.objects.filter(name=name).update(content=content, size=len(content)):
            (media_root / name).write_bytes(content)

    return overwrite


@pytest.fixture
def english():
    """For tests that read a message's English wording."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_units", verbosity=0)


@pytest.fixture
def unit_map(db) -> None:
    """The real map, for tests that read it without the cast (a browser test's flush may have emptied it)."""
    ensure_unit_map()


def current(code: str, level: str = Level.COMMUNE) -> Unit:
    return Unit.objects.get(level=level, code=code, valid_to=None)


@dataclass
class Cast:
    commune_a: Unit
    commune_b: Unit
    province: Unit
    officer_a: User
    chair_a: User
    provincial: User
    officer_b: User
    outsider: User  # an officer of a commune of another province


# Tests of concurrent writers: PostgreSQL only, each thread with its own connection.
CONCURRENT = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (SQLite serialises every write)"
    ),
]


def in_thread(function):
    """Run `function` in a worker thread with its own connection, closed afterwards."""

    def run(*args):
        try:
            return function(*args)
        finally:
            connections.close_all()

    return run


def race(first, second, *, paused: threading.Event, go: threading.Event) -> tuple:
    """Run `first` in a thread (named "first…") until it sets `paused`, holding its locks
    uncommitted and waiting for `go`; then `second` in another thread until it waits for a
    lock of this test's database (or is done without waiting); then let `first` go on. The
    two results, in order (a thread's exception is raised here). Each function runs with its
    own connection (`in_thread`)."""
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="first") as first_pool,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="second") as second_pool,
    ):
        one = first_pool.submit(in_thread(first))
        try:
            assert paused.wait(30), "the first never reached its pause"
            two = second_pool.submit(in_thread(second))
            waiting_for_a_lock(two)
        finally:
            go.set()
        return one.result(timeout=60), two.result(timeout=60)


def waiting_for_a_lock(second: Future, timeout: float = 30) -> None:
    """Until a transaction of this test's database waits for a lock (the race is set up), or
    `second` is done without waiting (then the test's assertions show it)."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline and not second.done():
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    if not second.done():
        raise AssertionError("the second neither waited for a lock nor finished")


def run_tasks() -> None:
    """Run the background tasks waiting in the queue, as `manage.py db_worker` does, until none
    is left (the real database-backed queue, in this process). The worker closes connections it
    finds outside autocommit between tasks, as a request does; inside a test's transaction that
    would be the test's own, so that step is left out here."""
    from django_tasks_db.management.commands import db_worker

    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("db_worker", batch=True, reload=False, interval=0, startup_delay=False, verbosity=0)


def make_office_hours(effective_from: date, opens, closes, lunch=None, province=None):
    """Office hours from `effective_from` (of `province`, or the whole country): `opens`–`closes`,
    with `lunch` = (from, until); through the service."""
    from communeos.core import services as core_services

    break_starts, break_ends = lunch or (None, None)
    return core_services.office_hours_create(
        actor=None,
        province=province,
        effective_from=effective_from,
        opens=opens,
        closes=closes,
        break_starts=break_starts,
        break_ends=break_ends,
        legal_basis="Quyết định 1/QĐ-UBND",
    )


def make_person(username: str, unit: Unit, position: str, start: date = date(2025, 7, 1)) -> User:
    person = services.person_create(actor=None, username=username, full_name=username.title(), password=PASSWORD)
    services.assignment_create(
        actor=None, person=person, unit=unit, position=Position.objects.get(code=position), start=start
    )
    return person


@pytest.fixture
def cast(db) -> Cast:
    ensure_unit_map()
    a, b, province = current(COMMUNE_A), current(COMMUNE_B), current(PROVINCE, Level.PROVINCE)
    other = Unit.objects.filter(level=Level.COMMUNE, province__code=OTHER_PROVINCE, valid_to=None).first()
    return Cast(
        commune_a=a,
        commune_b=b,
        province=province,
        officer_a=make_person("officer.a", a, "onestop_officer"),
        chair_a=make_person("chair.a", a, "commune_chair"),
        provincial=make_person("provincial", province, "department_officer"),
        officer_b=make_person("officer.b", b, "onestop_officer"),
        outsider=make_person("outsider", other, "onestop_officer"),
    )


@pytest.fixture
def admin_user(db) -> User:
    return services.person_create(
        actor=None, username="sysadmin", full_name="System Admin", password=PASSWORD, is_superuser=True
    )
