"""Attachments stored at once on PostgreSQL: two registrations of the same file, the first
rolled back after storing it. Each thread has its own database connection and transaction."""

import functools
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from communeos.conftest import CONCURRENT, in_thread, make_person, race
from communeos.core.numbering import current_number
from communeos.documents import services
from communeos.documents.models import Document
from communeos.documents.tests.test_attachments import text_pdf

pytestmark = CONCURRENT


def test_a_rolled_back_registration_does_not_take_the_file_of_another_with_the_same_content(
    cast, clerk, clerk_b, monkeypatch
):
    """The clerks of two communes register the same scan at once; commune A's registration
    fails after storing the file. Commune B's waits for the content's lock, stores the file
    again, and keeps it. (Two communes: two arrival counters, two registers, so nothing but
    the content's lock makes the second wait for the first.)"""
    content = text_pdf()
    stored, go = threading.Event(), threading.Event()
    real_claim_reference = services._claim_reference

    def claim_reference_or_fail(document):  # runs right after the attachments are stored
        if document.unit_id == cast.commune_a.pk:
            stored.set()  # commune A's registration holds the stored file, uncommitted
            assert go.wait(30)
            raise RuntimeError("commune A's registration fails after storing its file")
        return real_claim_reference(document)

    monkeypatch.setattr(services, "_claim_reference", claim_reference_or_fail)

    @in_thread
    def register(clerk_of_unit, unit, symbol: str) -> Document | None:
        if unit != cast.commune_a:
            assert stored.wait(30)
        try:
            return services.document_register_incoming(
                actor=clerk_of_unit,
                unit=unit,
                symbol=symbol,
                author="UBND tỉnh Lạng Sơn",
                issued_on=date(2025, 10, 1),
                summary="Quyết định về việc sắp xếp đơn vị hành chính",
                uploads=[SimpleUploadedFile("qd.pdf", content)],
            )
        except RuntimeError:
            return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(register, clerk, cast.commune_a, "12/QĐ-UBND")
        try:
            assert stored.wait(30)
            second = pool.submit(register, clerk_b, cast.commune_b, "13/QĐ-UBND")
            waiting_for_the_content_lock(second)
        finally:
            go.set()  # commune A's registration fails now
        assert first.result(timeout=60) is None
        document = second.result(timeout=60)

    attachment = Document.objects.get(pk=document.pk).attachments.get()
    assert Document.objects.filter(unit=cast.commune_a).count() == 0
    assert default_storage.exists(attachment.file.name), attachment.file.name


def waiting_for_the_content_lock(second: Future, timeout: float = 30) -> None:
    """Until a transaction waits for an advisory lock (core.uploads.store): the race is set
    up. Or until the second registration is done without waiting: then nothing protects its
    file, and the test's last assertion shows it lost."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline and not second.done():
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    if not second.done():
        raise AssertionError("the second registration neither waited for the content's lock nor finished")


def test_two_clerks_registering_the_same_document_at_once_register_it_once(cast, clerk, monkeypatch):
    """The second registration of a document (same issuer, symbol and date) is refused as a
    duplicate even when both clerks press the button at the same moment: the second waits for
    the unit's arrival counter, which the first holds until it commits, then finds it."""
    second_clerk = make_person("clerk.a2", cast.commune_a, "clerk")
    numbered, go = threading.Event(), threading.Event()
    real_next_number = services.next_number

    def next_number_then_pause(series, unit, period):
        number = real_next_number(series, unit, period)
        if threading.current_thread().name.startswith("first"):
            numbered.set()  # the first registration holds the counter, uncommitted
            assert go.wait(30)
        return number

    monkeypatch.setattr(services, "next_number", next_number_then_pause)

    def register(actor) -> Document | services.DuplicateDocument:
        try:
            return services.document_register_incoming(
                actor=actor,
                unit=cast.commune_a,
                symbol="25/QĐ-UBND",
                author="UBND tỉnh Lạng Sơn",
                issued_on=date(2025, 10, 1),
                summary="Quyết định về việc giao chỉ tiêu",
            )
        except services.DuplicateDocument as error:
            return error

    document, refused = race(
        functools.partial(register, clerk), functools.partial(register, second_clerk), paused=numbered, go=go
    )

    assert isinstance(document, Document) and document.arrival_number == 1
    assert isinstance(refused, services.DuplicateDocument) and refused.first.pk == document.pk
    assert Document.objects.filter(unit=cast.commune_a).count() == 1
    assert current_number("incoming", cast.commune_a, str(document.year)) == 1  # the refused one's number came back
