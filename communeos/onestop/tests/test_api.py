"""The staff API: intake at the counter, the actions, scope, errors in JSON."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from communeos.conftest import make_office_hours
from communeos.onestop.models import Dossier, Status
from communeos.onestop.tests.conftest import APPLICANT, receive, required_papers


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_the_api_runs_a_dossier_from_intake_to_return(client, cast, specialist):
    client.force_login(cast.officer_a)
    created = post(
        client,
        "/api/v1/onestop/dossiers/",
        APPLICANT | {"procedure": "birth-registration", "unit": "06529", "papers_provided": required_papers()},
    )
    assert created.status_code == 201
    code = created.json()["code"]
    action = lambda name: f"/api/v1/onestop/dossiers/{code}/actions/{name}/"  # noqa: E731
    assert post(client, action("assign"), {"handler": specialist.username}).json()["status"] == "assigned"
    client.force_login(specialist)
    post(client, action("start"), {})
    assert post(client, action("submit"), {"approve": True}).json()["status"] == "awaiting_approval"
    client.force_login(cast.chair_a)
    assert post(client, action("approve"), {}).json()["status"] == "approved"
    client.force_login(cast.officer_a)
    post(client, action("result_ready"), {})
    done = post(client, action("return"), {"rating": "neutral"}).json()
    assert done["status"] == "returned" and done["timeliness"] in {"early", "on_time", "late"}
    assert [e["action"] for e in done["events"]] == [
        "receive",
        "assign",
        "start",
        "submit",
        "approve",
        "result_ready",
        "return",
    ]
    pdf = client.get(f"/api/v1/onestop/dossiers/{code}/forms/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_the_api_reports_a_wrong_role_as_422_and_changes_nothing(client, cast, specialist):
    dossier = receive(cast)
    client.force_login(specialist)
    response = post(client, f"/api/v1/onestop/dossiers/{dossier.code}/actions/approve/", {})
    assert response.status_code == 422 and response.json()["detail"]
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED


def test_the_api_does_not_receive_for_a_commune_out_of_scope(client, cast):
    client.force_login(cast.officer_b)
    response = post(
        client,
        "/api/v1/onestop/dossiers/",
        APPLICANT | {"procedure": "birth-registration", "unit": "06529", "papers_provided": required_papers()},
    )
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    assert not Dossier.objects.exists()


def test_the_staff_api_needs_an_account(client, cast):
    dossier = receive(cast)
    assert client.get("/api/v1/onestop/dossiers/").status_code == 401
    assert client.get(f"/api/v1/onestop/dossiers/{dossier.code}/").status_code == 401


def test_the_openapi_schema_documents_the_one_stop_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/onestop/procedures/",
        "/api/v1/onestop/public/dossiers/",
        "/api/v1/onestop/public/dossiers/{code}/",
        "/api/v1/onestop/dossiers/",
        "/api/v1/onestop/dossiers/{code}/actions/{action}/",
        "/api/v1/onestop/dossiers/{code}/files/{file_id}/",
        "/api/v1/onestop/statistics/",
    ]:
        assert path in paths, path


def test_the_api_lists_a_dossiers_files_and_opens_them_in_scope(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communeos.core.models import AuditEntry
    from communeos.onestop.services import Upload
    from communeos.onestop.tests.test_intake import online, pdf_bytes

    birth_form, certificate = required_papers()
    dossier = online(
        cast,
        [
            Upload(birth_form, SimpleUploadedFile("to-khai.pdf", pdf_bytes())),
            Upload(certificate, SimpleUploadedFile("chung-sinh.pdf", pdf_bytes() + b"2")),
        ],
    )
    client.force_login(cast.officer_a)
    files = client.get(f"/api/v1/onestop/dossiers/{dossier.code}/").json()["files"]
    assert sorted((f["name"], f["content_type"], f["size"]) for f in files) == [
        ("chung-sinh.pdf", "application/pdf", len(pdf_bytes()) + 1),
        ("to-khai.pdf", "application/pdf", len(pdf_bytes())),
    ]
    assert all(f["paper"] for f in files)
    first = next(f for f in files if f["name"] == "to-khai.pdf")
    url = f"/api/v1/onestop/dossiers/{dossier.code}/files/{first['id']}/"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf_bytes()
    assert AuditEntry.objects.filter(action="dossier.file_view", actor=cast.officer_a).count() == 1
    assert client.get(f"/api/v1/onestop/dossiers/{dossier.code}/files/999999/").status_code == 404
    client.force_login(cast.officer_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 401


def test_an_apologys_new_date_is_due_when_the_provinces_office_closes(client, cast, specialist):
    make_office_hours(date(2026, 1, 1), time(7, 30), time(16, 30), province=cast.province)
    dossier = receive(cast)
    client.force_login(cast.officer_a)
    url = f"/api/v1/onestop/dossiers/{dossier.code}/actions/apologise/"
    answer = post(client, url, {"new_due_date": "2099-12-01", "reason": "Chờ kết quả xác minh"})
    assert answer.status_code == 200, answer.content
    dossier.refresh_from_db()
    assert dossier.appointment_at == datetime(2099, 12, 1, 16, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
