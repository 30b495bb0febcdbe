"""Staff pages through HTTP: the queue, intake at the counter, the dossier and its actions,
scope (404 for another commune), the audit of views of personal data."""

from datetime import date, time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communeos.conftest import make_office_hours
from communeos.core import calendar
from communeos.core.models import AuditEntry
from communeos.onestop.models import Dossier, Status
from communeos.onestop.tests.conftest import APPLICANT, receive, required_papers


def test_an_officer_receives_at_the_counter_and_lands_on_the_dossier(client, cast):
    client.force_login(cast.officer_a)
    page = client.get(reverse("onestop:receive", args=["birth-registration"]))
    assert page.status_code == 200 and "Giấy chứng sinh" in page.content.decode()
    response = client.post(
        reverse("onestop:receive", args=["birth-registration"]), APPLICANT | {"papers": required_papers()}
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("onestop:detail", args=[dossier.code])
    assert dossier.received_by == cast.officer_a and dossier.unit == cast.commune_a


def test_a_counter_intake_with_errors_shows_them_and_writes_nothing(client, cast):
    client.force_login(cast.officer_a)
    response = client.post(
        reverse("onestop:receive", args=["birth-registration"]),
        APPLICANT | {"applicant_id_number": "020190", "papers": required_papers()[:1]},
        headers={"Accept-Language": "en"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "exactly 12 digits" in body and "Missing required papers" in body
    assert not Dossier.objects.exists()


def test_the_dossier_page_shows_the_applicant_and_logs_the_view(client, cast):
    dossier = receive(cast)
    client.force_login(cast.officer_a)
    before = AuditEntry.objects.filter(action="dossier.view").count()
    body = client.get(reverse("onestop:detail", args=[dossier.code])).content.decode()
    assert APPLICANT["applicant_name"] in body and APPLICANT["applicant_id_number"] in body
    assert AuditEntry.objects.filter(action="dossier.view", actor=cast.officer_a).count() == before + 1


def test_another_commune_gets_404_for_the_dossier_its_forms_and_its_actions(client, cast):
    dossier = receive(cast)
    client.force_login(cast.officer_b)
    assert client.get(reverse("onestop:detail", args=[dossier.code])).status_code == 404
    assert client.get(reverse("onestop:form", args=[dossier.code, "receipt"])).status_code == 404
    assert client.post(reverse("onestop:action", args=[dossier.code, "stop"]), {"reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/onestop/dossiers/{dossier.code}/").status_code == 404
    assert client.get("/api/v1/onestop/dossiers/").json()["count"] == 0
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED


def test_the_province_sees_its_communes_dossiers(client, cast):
    dossier = receive(cast)
    client.force_login(cast.provincial)
    assert client.get(reverse("onestop:detail", args=[dossier.code])).status_code == 200


def test_an_action_by_the_wrong_role_is_refused_with_a_message(client, cast, specialist):
    dossier = receive(cast)
    client.force_login(specialist)
    response = client.post(
        reverse("onestop:action", args=[dossier.code, "assign"]), {"handler": specialist.pk}, follow=True
    )
    assert "Cán bộ một cửa" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED


def test_the_whole_flow_through_the_pages(client, cast, specialist):
    dossier = receive(cast)
    url = lambda action: reverse("onestop:action", args=[dossier.code, action])  # noqa: E731
    client.force_login(cast.officer_a)
    assert dossier in client.get(reverse("onestop:queue")).context["page"]
    client.post(url("assign"), {"handler": specialist.pk})
    client.force_login(specialist)
    assert dossier in client.get(reverse("onestop:queue")).context["page"]
    client.post(url("start"))
    client.post(url("submit"), {"proposal": "approve"})
    client.force_login(cast.chair_a)
    client.post(url("approve"))
    client.force_login(cast.officer_a)
    client.post(url("result_ready"))
    client.post(url("return"), {"rating": "satisfied"})
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.rating == "satisfied"
    tracking = client.get(reverse("onestop:form", args=[dossier.code, "tracking"]))
    assert tracking.status_code == 200 and tracking["Content-Type"] == "application/pdf"


def test_the_queue_of_someone_without_assignment_is_empty(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("onestop:queue")).status_code == 200


def test_the_queue_flags_apology_slips_without_a_query_per_dossier(client, cast, monkeypatch):
    # The calendar re-checks its overrides' signature (one query) every few seconds; on a slow
    # machine the four intakes below can outlast that, so the check must not fall in between.
    monkeypatch.setattr(calendar, "STALE_AFTER_SECONDS", 3600.0)
    client.force_login(cast.officer_a)
    receive(cast)  # received in 2025: long overdue today, no apology given

    def queue():
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("onestop:queue"), headers={"Accept-Language": "en"}).content.decode()
        return body.count("apology slip due"), [query["sql"] for query in queries]

    queue()  # the first page fills the per-process caches (holidays, steps), whatever ran before
    one, queries_for_one = queue()
    for _ in range(4):
        receive(cast)
    five, queries_for_five = queue()
    assert (one, five) == (1, 5)
    assert len(queries_for_five) == len(queries_for_one), "\n".join(
        ["one:", *queries_for_one, "five:", *queries_for_five]
    )


def test_the_dossier_page_opens_its_files_and_each_opening_is_logged(client, cast, file_store):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communeos.onestop.services import Upload
    from communeos.onestop.tests.test_intake import online, pdf_bytes

    papers = required_papers()
    dossier = online(
        cast, [Upload(p, SimpleUploadedFile(f"giay-{p}.pdf", pdf_bytes() + str(p).encode())) for p in papers]
    )
    first = dossier.files.order_by("id").first()
    url = reverse("onestop:file", args=[dossier.code, first.pk])
    client.force_login(cast.officer_a)
    assert url in client.get(reverse("onestop:detail", args=[dossier.code])).content.decode()

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes() + str(first.paper.paper_id).encode()
    assert response["Content-Disposition"] == f'inline; filename="{first.original_name}"'
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="dossier.file_view")
    assert entry.actor == cast.officer_a and entry.object_id == str(dossier.pk)
    assert entry.changes["file"] == [None, first.original_name]


def test_another_commune_and_another_dossier_get_404_for_a_file(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communeos.onestop.services import Upload
    from communeos.onestop.tests.test_intake import online, pdf_bytes

    uploads = lambda: [Upload(p, SimpleUploadedFile("a.pdf", pdf_bytes())) for p in required_papers()]  # noqa: E731
    dossier, other = online(cast, uploads()), online(cast, uploads())
    file = dossier.files.first()
    client.force_login(cast.officer_b)
    assert client.get(reverse("onestop:file", args=[dossier.code, file.pk])).status_code == 404
    client.force_login(cast.officer_a)
    assert client.get(reverse("onestop:file", args=[other.code, file.pk])).status_code == 404  # not that one's
    assert not AuditEntry.objects.filter(action="dossier.file_view").exists()
    client.logout()
    assert client.get(reverse("onestop:file", args=[dossier.code, file.pk])).status_code == 302  # to the login


def test_a_file_gone_from_the_store_answers_404_and_records_no_opening(client, cast, file_store):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communeos.onestop.services import Upload
    from communeos.onestop.tests.test_intake import online, pdf_bytes

    dossier = online(cast, [Upload(p, SimpleUploadedFile("a.pdf", pdf_bytes())) for p in required_papers()])
    file = dossier.files.first()
    default_storage.delete(file.file.name)
    client.force_login(cast.officer_a)
    assert client.get(reverse("onestop:file", args=[dossier.code, file.pk])).status_code == 404
    assert client.get(f"/api/v1/onestop/dossiers/{dossier.code}/files/{file.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(action="dossier.file_view").exists()


def test_the_apology_page_sets_the_new_date_at_the_provinces_closing(client, cast):
    make_office_hours(date(2026, 1, 1), time(7, 30), time(16, 30), province=cast.province)
    dossier = receive(cast)
    client.force_login(cast.officer_a)
    url = reverse("onestop:action", args=[dossier.code, "apologise"])
    answer = client.post(url, {"new_due_at": "2099-12-01", "reason": "Chờ kết quả xác minh"})
    assert answer.status_code == 302
    dossier.refresh_from_db()
    assert dossier.appointment_at == calendar.closing_at(date(2099, 12, 1), province=cast.province)
    assert timezone.localtime(dossier.appointment_at).time() == time(16, 30)
