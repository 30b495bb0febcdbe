"""Files made in the background (core.Export): a register as PDF is asked for, made by the
database-backed task queue (`manage.py db_worker`, run here in-process by `run_tasks`), and
opened only by the person who asked, each step in the audit trail."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from communeos.conftest import make_person, run_tasks
from communeos.core import selectors, services
from communeos.core.models import AuditEntry, Export
from communeos.documents import services as document_services
from communeos.documents.tests.conftest import incoming
from communeos.documents.tests.test_exports import pdf_pages

EN = {"Accept-Language": "en"}


@pytest.fixture
def clerk(cast):
    return make_person("clerk.a", cast.commune_a, "clerk")


def ask(client, unit, year=2025):
    response = client.post(reverse("documents:register_export", args=[unit.code, "incoming", year, "pdf"]))
    export = Export.objects.latest("created_at")
    assert response.status_code == 302 and response["Location"] == reverse("core:export", args=[export.pk])
    return export


def downloaded_text(client, export) -> str:
    response = client.get(reverse("core:export_file", args=[export.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "\n".join(pdf_pages(b"".join(response.streaming_content)))


def test_a_register_pdf_is_made_in_the_background_and_shown_when_ready(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    assert export.status == Export.Status.PENDING and export.requested_by == clerk
    page = client.get(reverse("core:export", args=[export.pk]), headers=EN).content.decode()
    assert "Waiting for the background worker, which takes it next." in page
    assert "export-status.js" in page and "data-export-pending" in page
    assert client.get(reverse("core:export_file", args=[export.pk])).status_code == 404  # not made yet

    run_tasks()
    export.refresh_from_db()
    assert export.status == Export.Status.READY and export.rows == 1 and export.finished_at is not None
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    page = client.get(reverse("core:export", args=[export.pk]), headers=EN).content.decode()
    assert "Ready: 1 line." in page and "export-status.js" not in page
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in downloaded_text(client, export)
    listing = client.get(reverse("core:exports"), headers=EN).content.decode()
    assert "Sổ đăng ký văn bản đến năm 2025 — Xã Lộc Bình</a>" in listing and "Download" in listing
    actions = list(
        AuditEntry.objects.filter(object_type="core.export", object_id=str(export.pk))
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["export.request", "export.ready", "export.download"]


def test_only_the_person_who_asked_opens_the_export(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    run_tasks()
    for other in [cast.chair_a, cast.officer_b, cast.provincial]:  # the same commune's chair too: it names people
        client.force_login(other)
        assert client.get(reverse("core:export", args=[export.pk])).status_code == 404
        assert client.get(reverse("core:export_file", args=[export.pk])).status_code == 404
        assert client.get(f"/api/v1/exports/{export.pk}/").status_code == 404
        assert client.get(f"/api/v1/exports/{export.pk}/file/").status_code == 404
        assert str(export.pk) not in client.get(reverse("core:exports")).content.decode()
    client.logout()
    assert client.get(reverse("core:export_file", args=[export.pk])).status_code == 302  # to the sign-in page
    assert not AuditEntry.objects.filter(action="export.download").exists()


def test_the_file_holds_what_was_registered_when_it_was_asked_for(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    incoming(clerk, cast.commune_a, symbol="99/QĐ-UBND", author="Ủy ban nhân dân tỉnh")  # after the request
    run_tasks()
    text = downloaded_text(client, export)
    assert "1672/NQ-UBTVQH15" in text and "99/QĐ-UBND" not in text
    export.refresh_from_db()
    assert export.rows == 1


def test_a_failure_is_shown_to_the_requester_and_recorded_on_the_task(client, cast, clerk, monkeypatch):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)

    def broken(export):
        raise OSError("the fonts are missing")

    monkeypatch.setitem(services.EXPORT_BUILDERS, Export.Kind.DOCUMENT_REGISTER, f"{__name__}.BROKEN")
    monkeypatch.setitem(globals(), "BROKEN", broken)
    run_tasks()
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and not export.file
    assert DBTaskResult.objects.get().status == "FAILED"
    page = client.get(reverse("core:export", args=[export.pk]), headers=EN).content.decode()
    assert "could not be made" in page and "fonts" not in page  # no internals shown
    assert client.get(reverse("core:export_file", args=[export.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="export.fail", object_id=str(export.pk)).exists()
    assert services.export_make(export_id=str(export.pk)) is None  # a failed export is not made again


def test_a_request_rolled_back_leaves_no_export_and_no_task(cast, clerk):
    incoming(clerk, cast.commune_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        document_services.register_pdf_request(actor=clerk, unit=cast.commune_a, direction="incoming", year=2025)
        assert Export.objects.count() == 1 and DBTaskResult.objects.count() == 1
        raise RuntimeError("the caller fails after asking")
    assert not Export.objects.exists() and not DBTaskResult.objects.exists()
    assert not AuditEntry.objects.filter(action="export.request").exists()


def test_a_made_export_is_not_made_twice(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    run_tasks()
    export.refresh_from_db()
    made = export.file.name
    assert services.export_make(export_id=str(export.pk)) is None
    export.refresh_from_db()
    assert export.file.name == made
    assert AuditEntry.objects.filter(action="export.ready").count() == 1


def test_the_api_lists_polls_and_downloads_the_exports(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    asked = client.post("/api/v1/documents/registers/06529/incoming/2025.pdf")
    assert asked.status_code == 202
    body = asked.json()
    assert body["status"] == "pending" and body["file_url"] is None and body["url"] == f"/api/v1/exports/{body['id']}/"
    assert client.get(f"/api/v1/exports/{body['id']}/file/").status_code == 404
    run_tasks()
    (listed,) = client.get("/api/v1/exports/").json()["items"]
    assert listed["id"] == body["id"] and listed["status"] == "ready" and listed["rows"] == 1
    response = client.get(listed["file_url"])
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert pdf_pages(b"".join(response.streaming_content))
    assert client.get("/api/v1/exports/not-a-uuid/").status_code == 404
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/exports/", "/api/v1/exports/{export_id}/", "/api/v1/exports/{export_id}/file/"} <= set(paths)


def page_text(client, export) -> str:
    return client.get(reverse("core:export", args=[export.pk]), headers=EN).content.decode()


def test_the_page_and_the_api_say_where_a_pending_export_is(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(cast.chair_a)
    first = ask(client, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    assert "Waiting for the background worker: 1 file is ahead of yours." in page_text(client, export)
    body = client.get(f"/api/v1/exports/{export.pk}/").json()
    assert body["status"] == "pending" and body["progress"] == "queued" and body["ahead"] == 1
    # A worker takes the first one: this one is next.
    DBTaskResult.objects.get(pk=first.task_id).claim("worker-1")
    assert "which takes it next" in page_text(client, export)
    task = DBTaskResult.objects.get(pk=export.task_id)
    task.claim("worker-2")
    page = page_text(client, export)
    started = timezone.localtime(task.started_at).strftime("%H:%M")
    assert f"Being made since {started}" in page and "export-status.js" in page
    assert client.get(f"/api/v1/exports/{export.pk}/").json()["progress"] == "running"


def test_a_queue_no_worker_takes_says_so(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    assert "may not be running" not in page_text(client, export)
    DBTaskResult.objects.filter(pk=export.task_id).update(enqueued_at=timezone.now() - timedelta(minutes=16))
    page = page_text(client, export)
    assert "which takes it next" in page and "background worker may not be running" in page


def test_an_export_whose_worker_stopped_says_to_ask_again_and_is_asked_for_anew(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    task = DBTaskResult.objects.get(pk=export.task_id)
    task.claim("a-worker-killed-mid-file")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - timedelta(minutes=16))
    page = page_text(client, export)
    assert "The file stopped being made" in page and "export-status.js" not in page
    assert client.get(f"/api/v1/exports/{export.pk}/").json()["progress"] == "stalled"
    again = ask(client, cast.commune_a)
    export.refresh_from_db()
    assert again != export and again.status == Export.Status.PENDING and export.status == Export.Status.FAILED
    assert AuditEntry.objects.filter(action="export.stall", object_id=str(export.pk)).count() == 1
    # Its task is ended too (nothing else would end it, and only ended tasks are pruned).
    assert DBTaskResult.objects.get(pk=task.pk).status == "FAILED"
    run_tasks()
    again.refresh_from_db()
    assert again.status == Export.Status.READY


def test_an_export_whose_task_ended_without_a_file_is_marked_failed_by_the_daily_command(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    stalled, waiting = ask(client, cast.commune_a), ask(client, cast.commune_a, year=2024)
    DBTaskResult.objects.filter(pk=stalled.task_id).update(status="FAILED")  # e.g. the database went away
    assert "The file stopped being made" in page_text(client, stalled)
    out = io.StringIO()
    call_command("exports_expire", stdout=out)
    assert out.getvalue().strip() == "0 export(s) older than 7 days removed; 1 whose worker stopped marked failed."
    stalled.refresh_from_db()
    waiting.refresh_from_db()
    assert stalled.status == Export.Status.FAILED and waiting.status == Export.Status.PENDING
    assert "The file could not be made" in page_text(client, stalled)


def test_an_export_made_between_reading_it_and_its_task_is_not_called_stopped(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    read_before = Export.objects.get(pk=export.pk)  # as a page read it, pending
    run_tasks()  # meanwhile the worker made it and ended its task
    assert read_before.status == Export.Status.PENDING
    assert selectors.export_progress(read_before) is None and read_before.status == Export.Status.READY


def test_registers_of_two_units_are_two_exports_even_when_both_are_empty(cast):
    asked = [
        document_services.register_pdf_request(actor=cast.provincial, unit=unit, direction="incoming", year=2024)
        for unit in (cast.commune_a, cast.commune_b)
    ]
    assert asked[0] != asked[1] and asked[0].params == asked[1].params  # no entries in either
    assert [export.unit for export in asked] == [cast.commune_a, cast.commune_b]


def test_the_same_file_asked_for_again_while_it_is_made_is_the_same_export(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    assert ask(client, cast.commune_a) == export
    asked = client.post("/api/v1/documents/registers/06529/incoming/2025.pdf")
    assert asked.status_code == 202 and asked.json()["id"] == str(export.pk)
    assert Export.objects.count() == 1 and DBTaskResult.objects.count() == 1
    incoming(clerk, cast.commune_a, symbol="15/TB-UBND")  # the register changed: another file
    other = ask(client, cast.commune_a)
    assert other != export and Export.objects.count() == 2
    client.force_login(cast.chair_a)  # someone else: their own file
    assert ask(client, cast.commune_a) not in (export, other)
    run_tasks()
    assert set(Export.objects.values_list("status", flat=True)) == {Export.Status.READY}
    assert AuditEntry.objects.filter(action="export.request").count() == 3


def test_exports_are_removed_with_their_files_after_the_days_kept(
    client, cast, clerk, file_store, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_KEEP_DAYS = 7
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    old = ask(client, cast.commune_a)
    run_tasks()
    recent = ask(client, cast.commune_a)  # the same register again: a new file, the first one being made
    run_tasks()
    old.refresh_from_db()
    Export.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert default_storage.exists(old.file.name)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("exports_expire", stdout=out)
    assert out.getvalue().strip() == "1 export(s) older than 7 days removed; 0 whose worker stopped marked failed."
    assert list(Export.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not default_storage.exists(old.file.name)
    assert AuditEntry.objects.filter(action="export.expire", object_id=str(old.pk)).count() == 1
    assert client.get(reverse("core:export", args=[old.pk])).status_code == 404
    assert (
        "Each is removed 7 days after it was asked for."
        in client.get(reverse("core:exports"), headers=EN).content.decode()
    )


def test_an_outgoing_document_issued_after_the_request_is_not_in_the_file(client, cast, clerk):
    """An outgoing document has its id from its draft but enters the register when issued:
    the file holds the entries the register had when it was asked for."""
    from communeos.documents import services as documents
    from communeos.documents.tests.conftest import outgoing
    from communeos.documents.tests.test_exports import issued_and_dispatched

    later = outgoing(cast.officer_a, cast.commune_a, summary="Kế hoạch kiểm tra", signer="Chair.A")
    documents.document_approve(actor=cast.chair_a, document=later)
    first = issued_and_dispatched(cast, clerk)  # drafted after `later`: a higher id
    assert later.pk < first.pk
    client.force_login(clerk)
    response = client.post(reverse("documents:register_export", args=[cast.commune_a.code, "outgoing", 2026, "pdf"]))
    export = Export.objects.get()
    assert response["Location"] == reverse("core:export", args=[export.pk])
    later = documents.document_issue(actor=clerk, document=later)
    assert later.year == 2026 and later.symbol
    run_tasks()
    text = downloaded_text(client, export)
    assert first.symbol in text and later.symbol not in text
    export.refresh_from_db()
    assert export.rows == 1


def test_a_register_too_long_for_a_pdf_is_refused_with_a_message(client, cast, clerk, monkeypatch):
    from communeos.documents import exports

    incoming(clerk, cast.commune_a)
    monkeypatch.setattr(exports, "MAX_PDF_ROWS", 0)
    client.force_login(clerk)
    url = reverse("documents:register_export", args=[cast.commune_a.code, "incoming", 2025, "pdf"])
    response = client.post(url, headers=EN)
    assert response.status_code == 302
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "The register holds 1 entries; a PDF takes at most 0. Download it as Excel." in page
    api = client.post("/api/v1/documents/registers/06529/incoming/2025.pdf", headers=EN)
    assert api.status_code == 422 and "a PDF takes at most 0" in api.json()["detail"]
    assert not Export.objects.exists() and not DBTaskResult.objects.exists()


def test_the_api_answers_202_with_the_exports_address(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    asked = client.post("/api/v1/documents/registers/06529/incoming/2025.pdf")
    assert asked.status_code == 202 and asked["Location"] == asked.json()["url"]


def test_a_file_that_could_not_be_recorded_is_not_left_behind(client, cast, clerk, file_store, monkeypatch):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    export = ask(client, cast.commune_a)
    stored = []
    real_save = Export.save

    def save_then_fail(self, *args, **kwargs):
        if self.status == Export.Status.READY:
            stored.append(self.file.name)
            assert default_storage.exists(self.file.name)
            raise RuntimeError("the database went away")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Export, "save", save_then_fail)
    run_tasks()
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and stored
    assert not default_storage.exists(stored[0])  # removed, in the database and on the disk alike
