"""The same register asked for as PDF twice at once (two clicks) on PostgreSQL: one file.
Each thread has its own database connection and transaction."""

import threading
from datetime import date

from django_tasks_db.models import DBTaskResult

from communeos.conftest import CONCURRENT, make_person, race
from communeos.core import audit
from communeos.core.models import Export
from communeos.documents import services
from communeos.documents.tests.conftest import incoming

pytestmark = CONCURRENT


def pause_after_audit(monkeypatch, action: str) -> tuple[threading.Event, threading.Event]:
    """The first thread (`conftest.race`) pauses right after writing an audit entry `action`,
    its transaction open: (paused, go)."""
    paused, go = threading.Event(), threading.Event()
    real_record = audit.record

    def record_then_pause(**kwargs):
        entry = real_record(**kwargs)
        if kwargs["action"] == action and threading.current_thread().name.startswith("first"):
            paused.set()
            assert go.wait(30)
        return entry

    monkeypatch.setattr(audit, "record", record_then_pause)
    return paused, go


def test_two_requests_at_once_for_the_same_file_make_one_export(cast, monkeypatch):
    clerk = make_person("clerk.a", cast.commune_a, "clerk")
    incoming(clerk, cast.commune_a)
    asked, go = pause_after_audit(monkeypatch, "export.request")  # its export written, uncommitted

    def ask() -> Export:
        return services.register_pdf_request(actor=clerk, unit=cast.commune_a, direction="incoming", year=2025)

    # The second waits for the first's pending export (one per person and request), then finds it.
    exports = {export.pk for export in race(ask, ask, paused=asked, go=go)}
    assert len(exports) == 1 and Export.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_two_different_registers_asked_for_at_once_by_one_person_both_succeed(cast, monkeypatch):
    """The dossier register's request writes its audit entry (the unit's chain locked) before
    its export, the document register's writes its export first: two different requests, so
    neither waits for the other's export, and they do not wait for each other in a circle
    (PostgreSQL would end one with a deadlock)."""
    from communeos.onestop import services as onestop

    clerk = make_person("clerk.a", cast.commune_a, "clerk")
    incoming(clerk, cast.commune_a)
    audited, go = pause_after_audit(monkeypatch, "dossier.register_export")  # the unit's chain held

    def dossiers() -> Export:
        return onestop.dossier_register_pdf_request(
            actor=clerk, unit=cast.commune_a, start=date(2025, 7, 1), end=date(2025, 12, 31)
        )

    def documents() -> Export:
        return services.register_pdf_request(actor=clerk, unit=cast.commune_a, direction="incoming", year=2025)

    made = {export.kind for export in race(dossiers, documents, paused=audited, go=go)}
    assert made == {Export.Kind.DOSSIER_REGISTER, Export.Kind.DOCUMENT_REGISTER}
