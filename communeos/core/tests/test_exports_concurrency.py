"""The same register asked for as PDF twice at once (two clicks) on PostgreSQL: one file.
Each thread has its own database connection and transaction."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django_tasks_db.models import DBTaskResult

from communeos.conftest import CONCURRENT, in_thread, make_person, waiting_for_a_lock
from communeos.core import audit
from communeos.core.models import Export
from communeos.documents import services
from communeos.documents.tests.conftest import incoming

pytestmark = CONCURRENT


def test_two_requests_at_once_for_the_same_file_make_one_export(cast, monkeypatch):
    clerk = make_person("clerk.a", cast.commune_a, "clerk")
    incoming(clerk, cast.commune_a)
    asked, go = threading.Event(), threading.Event()
    real_record = audit.record

    def record_then_pause(**kwargs):  # the first request has written its export, uncommitted
        entry = real_record(**kwargs)
        if kwargs["action"] == "export.request" and threading.current_thread().name.startswith("first"):
            asked.set()
            assert go.wait(30)
        return entry

    monkeypatch.setattr(audit, "record", record_then_pause)

    @in_thread
    def ask() -> Export:
        return services.register_pdf_request(actor=clerk, unit=cast.commune_a, direction="incoming", year=2025)

    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="first") as first_pool,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="second") as second_pool,
    ):
        first = first_pool.submit(ask)
        try:
            assert asked.wait(30)
            second = second_pool.submit(ask)
            waiting_for_a_lock(second)  # for the person's row, held by the first request
        finally:
            go.set()
        exports = {first.result(timeout=60).pk, second.result(timeout=60).pk}

    assert len(exports) == 1 and Export.objects.count() == 1 and DBTaskResult.objects.count() == 1
