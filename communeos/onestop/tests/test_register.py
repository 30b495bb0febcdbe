"""The dossier register (sổ theo dõi hồ sơ): the dossiers a commune received over a period, as
Excel and PDF, within the reader's scope, each export audited."""

from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from communeos.conftest import run_tasks
from communeos.core.models import AuditEntry, Export
from communeos.documents.tests.test_exports import pdf_pages, sheet_rows
from communeos.onestop import register, services
from communeos.onestop.tests.conftest import APPLICANT, at, receive

OCTOBER = {"start": "2025-10-01", "end": "2025-10-31"}


def october(cast, specialist):
    """Two dossiers received by commune A in October (the second sent to the province), one in
    November, and one received by commune B in October."""
    first = receive(cast, when=at(2025, 10, 6, 9, 0))
    second = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 8, 14, 0))
    services.dossier_assign(actor=cast.officer_a, dossier=second, handler=specialist, at=at(2025, 10, 8, 14, 30))
    services.dossier_start(actor=specialist, dossier=second, at=at(2025, 10, 8, 15))
    services.dossier_transfer(actor=specialist, dossier=second, to_unit=cast.province, note="x", at=at(2025, 10, 9, 8))
    receive(cast, when=at(2025, 11, 3, 9, 0))
    receive(cast, unit=cast.commune_b, actor=cast.officer_b, when=at(2025, 10, 7, 9, 0))
    return first, second


def export(client, cast, fmt, **period):
    """Excel comes at once; a PDF is asked for with a POST and made in the background."""
    query = {"unit": cast.commune_a.pk} | OCTOBER | period
    url = reverse("onestop:register_export", args=[fmt])
    if fmt == "pdf":
        url = f"{url}?{urlencode(query)}"
        return client.post(url, headers={"Accept-Language": "en"})
    return client.get(url, query, headers={"Accept-Language": "en"})


def test_the_register_has_a_line_per_dossier_received_in_the_period(client, cast, specialist):
    first, second = october(cast, specialist)
    client.force_login(cast.officer_a)
    response = export(client, cast, "xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('-20251031.xlsx"')
    title, period, header, *lines = sheet_rows(response.content)
    assert title[0] == "Sổ theo dõi hồ sơ — Xã Lộc Bình" and period[0] == "Từ ngày 01/10/2025 đến ngày 31/10/2025"
    assert tuple(header) == register.COLUMNS
    assert [line[1] for line in lines] == [first.code, second.code]  # in the order received; not B's, not November's
    number, code, procedure, count, name, contact, handling, received, due, transferred, *_rest = lines[1]
    assert (number, code, count, name) == (2, second.code, 1, APPLICANT["applicant_name"])
    assert procedure == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert contact == f"{APPLICANT['applicant_address']}, {APPLICANT['applicant_phone']}"
    assert handling == cast.province.name
    assert received.date() == date(2025, 10, 8) and transferred.date() == date(2025, 10, 9)
    assert due.date() == timezone.localtime(second.due_at).date()
    assert lines[0][9] is None  # never transferred


def test_the_register_prints_in_vietnamese_and_each_export_is_audited(client, cast, specialist):
    first, _second = october(cast, specialist)
    client.force_login(cast.officer_a)
    before = AuditEntry.objects.filter(action="dossier.register_export").count()
    response = export(client, cast, "pdf", **{"start": "2025-10-01", "end": "2025-10-07"})
    requested = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:export", args=[requested.pk])
    assert requested.title == "Sổ theo dõi hồ sơ — Xã Lộc Bình, Từ ngày 01/10/2025 đến ngày 07/10/2025"
    run_tasks()
    response = client.get(reverse("core:export_file", args=[requested.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="so-theo-doi-ho-so-06529-20251001-20251007.pdf"'
    (text,) = pdf_pages(b"".join(response.streaming_content))
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Từ ngày 01/10/2025 đến ngày 07/10/2025" in text
    assert first.code in text and APPLICANT["applicant_name"] in text and "Đăng ký khai sinh" in text
    entry = AuditEntry.objects.filter(action="dossier.register_export").latest("seq")
    assert AuditEntry.objects.filter(action="dossier.register_export").count() == before + 1
    assert entry.actor == cast.officer_a and entry.changes["dossiers"] == [None, 1]
    assert entry.changes["period"] == [None, "2025-10-01/2025-10-07"] and entry.changes["format"] == [None, "pdf"]


def test_another_communes_register_is_not_offered_and_not_exported(client, cast, specialist):
    october(cast, specialist)
    client.force_login(cast.officer_b)
    response = export(client, cast, "xlsx")  # commune A's, asked by commune B's officer
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Select a valid choice" in response.content.decode()
    assert not AuditEntry.objects.filter(action="dossier.register_export").exists()


def test_a_pdf_too_long_is_refused_with_a_message_and_nothing_audited(client, cast, specialist, monkeypatch):
    october(cast, specialist)
    monkeypatch.setattr(register, "MAX_PDF_ROWS", 1)
    client.force_login(cast.officer_a)
    response = export(client, cast, "pdf")
    assert response.status_code == 302 and response["Location"].startswith(reverse("onestop:register"))
    page = client.get(response["Location"], headers={"Accept-Language": "en"}).content.decode()
    assert "holds 2 dossiers; a PDF takes at most 1" in page
    api = client.post(f"/api/v1/onestop/registers/06529.pdf?{urlencode(OCTOBER)}", headers={"Accept-Language": "en"})
    assert api.status_code == 422 and "a PDF takes at most 1" in api.json()["detail"]
    assert not AuditEntry.objects.filter(action="dossier.register_export").exists()
    assert not Export.objects.exists()


def test_the_register_page_counts_and_checks_the_period(client, cast, specialist):
    october(cast, specialist)
    client.force_login(cast.officer_a)
    url = reverse("onestop:register")
    page = client.get(url, {"unit": cast.commune_a.pk} | OCTOBER, headers={"Accept-Language": "en"}).content.decode()
    assert "received 2 dossiers from 01/10/2025 to 31/10/2025" in page and "Prepare as PDF" in page
    backwards = {"unit": cast.commune_a.pk, "start": "2025-10-31", "end": "2025-10-01"}
    page = client.get(url, backwards, headers={"Accept-Language": "en"}).content.decode()
    assert "The start date must not be after the end date." in page and "Download as" not in page


def test_the_api_gives_the_register_in_scope(client, cast, specialist):
    first, second = october(cast, specialist)
    client.force_login(cast.officer_a)
    response = client.get("/api/v1/onestop/registers/06529.xlsx", OCTOBER)
    assert response.status_code == 200
    assert [line[1] for line in sheet_rows(response.content)[3:]] == [first.code, second.code]
    asked = client.post(f"/api/v1/onestop/registers/06529.pdf?{urlencode(OCTOBER)}")
    assert asked.status_code == 202 and asked.json()["status"] == "pending" and asked.json()["file_url"] is None
    run_tasks()
    ready = client.get(asked.json()["url"]).json()
    assert ready["status"] == "ready" and ready["rows"] == 2
    (text,) = pdf_pages(b"".join(client.get(ready["file_url"]).streaming_content))
    assert first.code in text and second.code in text
    assert client.get("/api/v1/onestop/registers/06529.pdf", OCTOBER).status_code == 405
    backwards = client.get("/api/v1/onestop/registers/06529.xlsx", {"start": "2025-10-31", "end": "2025-10-01"})
    assert backwards.status_code == 422
    assert client.get("/api/v1/onestop/registers/06565.xlsx", OCTOBER).status_code == 404  # commune B's
    assert AuditEntry.objects.filter(action="dossier.register_export").count() == 2
