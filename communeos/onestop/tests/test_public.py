"""The public side: the catalogue, online submission without an account, the look-up by
code that shows no personal data, the rating; all rate-limited per client."""

import json
from datetime import date, time, timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from ninja.renderers import JSONRenderer

from communeos.conftest import make_office_hours
from communeos.core import ratelimit
from communeos.onestop import selectors, services
from communeos.onestop.models import Dossier, ProcedureVersion
from communeos.onestop.tests.conftest import APPLICANT, at, receive, required_papers, run_to_approval
from communeos.onestop.tests.test_intake import pdf_bytes

PERSONAL = [APPLICANT["applicant_name"], APPLICANT["applicant_id_number"], APPLICANT["applicant_phone"], "Bản Chu"]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_the_look_up_shows_the_status_and_no_personal_data(client, cast):
    dossier = receive(cast, when=at(2025, 10, 8, 9, 0))
    page = client.get(reverse("onestop_public:lookup_code", args=[dossier.code]))
    body = page.content.decode()
    assert page.status_code == 200
    assert dossier.code in body and "08/10/2025 17:00" in body and "Đã tiếp nhận" in body
    assert not [p for p in PERSONAL if p in body]
    api = client.get(f"/api/v1/onestop/public/dossiers/{dossier.code}/")
    assert api.status_code == 200 and not [p for p in PERSONAL if p in api.content.decode()]


def test_the_look_up_lists_the_papers_to_bring(client, cast):
    dossier = receive(cast)
    services.dossier_request_supplement(
        actor=cast.officer_a, dossier=dossier, missing=["Giấy chứng sinh bản chính"], reason="Bản sao mờ"
    )
    body = client.get(reverse("onestop_public:lookup_code", args=[dossier.code])).content.decode()
    assert "Giấy chứng sinh bản chính" in body


def test_the_api_look_up_answers_exactly_its_documented_schema(client, cast):
    dossier = receive(cast, when=at(2025, 10, 8, 9, 0))
    services.dossier_request_supplement(
        actor=cast.officer_a, dossier=dossier, missing=["Giấy chứng sinh bản chính"], reason="Bản sao mờ"
    )
    answer = client.get(f"/api/v1/onestop/public/dossiers/{dossier.code}/")
    from communeos.onestop.api import PublicStatusOut  # after the URLs loaded the API (no import cycle)

    rendered = JSONRenderer().render(
        None, PublicStatusOut.model_validate(selectors.dossier_public_status(dossier.code)), response_status=200
    )
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert answer.json() == json.loads(rendered)
    assert answer.json()["missing"] == ["Giấy chứng sinh bản chính"] and answer.json()["status"] == "supplement"


def test_the_api_submission_answers_exactly_its_documented_schema(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    files = {f"paper_{p}": SimpleUploadedFile(f"{p}.pdf", pdf_bytes()) for p in required_papers()}
    data = {"procedure": "birth-registration", "commune": cast.commune_a.code, "consent": "true", **APPLICANT}
    for expected in (201, 200):  # made, then replayed
        for upload in files.values():
            upload.seek(0)
        answer = client.post("/api/v1/onestop/public/dossiers/", {**data, **files}, headers={"Idempotency-Key": "k"})
        from communeos.onestop.api import SubmissionOut  # after the URLs loaded the API (no import cycle)

        body = answer.json()
        rendered = JSONRenderer().render(None, SubmissionOut.model_validate(body), response_status=expected)
        assert answer.status_code == expected and answer["Content-Type"] == "application/json"
        assert body == json.loads(rendered)  # every documented field, as the API's renderer writes it
        dossier = Dossier.objects.get(code=body["code"])
        assert (body["status"], body["lookup_url"], body["replayed"]) == (
            dossier.status,
            selectors.lookup_url(dossier.code),
            expected == 200,
        )
        # The API writes times to the millisecond (Django's JSON encoder).
        assert abs(parse_datetime(body["received_at"]) - dossier.received_at) < timedelta(milliseconds=1)
        assert parse_datetime(body["appointment_at"]) == dossier.appointment_at
        assert body["appointment_at"].endswith("+07:00") and body["received_at"].endswith("+07:00")


@pytest.mark.parametrize("code", ["06529-251008-9999", "not a code", "x" * 300, "'; DROP TABLE--"])
def test_an_unknown_and_a_malformed_code_answer_the_same(client, cast, code):
    receive(cast)
    page = client.get(reverse("onestop_public:lookup"), {"code": code})
    reference = client.get(reverse("onestop_public:lookup"), {"code": "06529-251008-9998"})
    assert page.status_code == reference.status_code == 404

    def main(response, typed):  # the page's content, with the typed code (echoed in the form) masked
        body = response.content.decode()
        return body[body.index("<main") : body.index("</main>")].replace(escape(typed), "CODE")

    assert main(page, code) == main(reference, "06529-251008-9998")
    api = client.get(f"/api/v1/onestop/public/dossiers/{code}/")
    assert api.status_code == 404 and api.json()["detail"] == "Không có hồ sơ nào có mã này."


@pytest.fixture
def one_minute(monkeypatch):
    """The requests of a test fall in one window of the rate limit, however slow the machine
    (they could straddle the turn of a minute and be counted in two)."""
    monkeypatch.setattr(ratelimit, "_window", lambda: 1)
    cache.clear()


def test_the_look_up_is_rate_limited_per_client(client, cast, settings, one_minute):
    settings.PUBLIC_RATE_PER_MINUTE = 3
    dossier = receive(cast)
    url = reverse("onestop_public:lookup_code", args=[dossier.code])
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    other_client = client.get(url, REMOTE_ADDR="192.0.2.7")
    assert other_client.status_code == 200


def test_a_citizen_applies_online_without_an_account(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    birth_form, certificate = required_papers()
    choose = client.get(reverse("onestop_public:apply", args=["birth-registration"]))
    assert "Tỉnh Lạng Sơn" in choose.content.decode()
    form = client.get(reverse("onestop_public:apply", args=["birth-registration"]), {"province": "20"})
    assert "Xã Lộc Bình" in form.content.decode() and "Xã Mường Chiềng" not in form.content.decode()
    key = form.context["form_key"]
    data = APPLICANT | {
        "province": "20",
        "commune": cast.commune_a.code,
        "consent": "on",
        "form_key": key,
        f"file_{birth_form}": SimpleUploadedFile("to-khai.pdf", pdf_bytes()),
        f"file_{certificate}": SimpleUploadedFile("giay-chung-sinh.pdf", pdf_bytes()),
    }
    response = client.post(reverse("onestop_public:apply", args=["birth-registration"]), data)
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/lookup/{dossier.code}/")
    assert dossier.channel == "online" and dossier.files.count() == 2 and dossier.consent_at
    # the same form sent again (a double click) does not make a second dossier
    data |= {f"file_{birth_form}": SimpleUploadedFile("a.pdf", pdf_bytes())}
    data |= {f"file_{certificate}": SimpleUploadedFile("b.pdf", pdf_bytes())}
    again = client.post(reverse("onestop_public:apply", args=["birth-registration"]), data)
    assert again.status_code == 302 and Dossier.objects.count() == 1


def test_an_online_application_with_errors_says_what_to_fix(client, cast):
    response = client.post(
        reverse("onestop_public:apply", args=["birth-registration"]),
        APPLICANT | {"province": "20", "commune": cast.commune_a.code, "applicant_id_number": "123", "form_key": "k"},
        headers={"Accept-Language": "en"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "exactly 12 digits" in body and "Missing required papers" in body and "consent" in body
    assert not Dossier.objects.exists()


def test_the_api_submission_is_idempotent(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    birth_form, certificate = required_papers()

    def submit():
        return client.post(
            "/api/v1/onestop/public/dossiers/",
            APPLICANT
            | {
                "procedure": "birth-registration",
                "commune": cast.commune_a.code,
                "consent": "true",
                f"paper_{birth_form}": SimpleUploadedFile("a.pdf", pdf_bytes()),
                f"paper_{certificate}": SimpleUploadedFile("b.pdf", pdf_bytes()),
            },
            headers={"Idempotency-Key": "client-42"},
        )

    first, second = submit(), submit()
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["code"] == second.json()["code"] and second.json()["replayed"] is True
    assert first.json()["lookup_url"].endswith(f"/lookup/{first.json()['code']}/")
    assert Dossier.objects.count() == 1


def test_the_api_submission_reports_each_problem(client, cast):
    response = client.post(
        "/api/v1/onestop/public/dossiers/",
        APPLICANT | {"procedure": "birth-registration", "commune": cast.commune_a.code, "consent": "false"},
    )
    assert response.status_code == 422
    assert {"papers", "consent"} <= set(response.json()["errors"])
    assert not Dossier.objects.exists()


def test_a_returned_dossier_can_be_rated_once_online(client, cast, specialist):
    dossier = run_to_approval(cast, specialist, receive(cast))
    services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(2025, 10, 8, 14))
    services.dossier_result_ready(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, 8, 15))
    services.dossier_return(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, 8, 16))
    url = f"/api/v1/onestop/public/dossiers/{dossier.code}/rating/"
    first = client.post(url, {"rating": "satisfied"}, content_type="application/json")
    second = client.post(url, {"rating": "dissatisfied"}, content_type="application/json")
    assert first.status_code == 200 and second.status_code == 422
    dossier.refresh_from_db()
    assert dossier.rating == "satisfied" and dossier.rating_channel == "online"


def test_with_the_database_cache_every_process_shares_the_counts(client, cast, settings, one_minute):
    settings.PUBLIC_RATE_PER_MINUTE = 2
    url = reverse("onestop_public:lookup_code", args=[receive(cast).code])
    # What CACHE_BACKEND=database configures (settings.py), set here after settings are read.
    database_cache = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": settings.CACHE_TABLE}
    }
    with override_settings(CACHES=database_cache):
        call_command("createcachetable")
        assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    with override_settings(CACHES=database_cache):  # new cache objects, as another server process has
        assert client.get(url).status_code == 429


def test_the_catalogue_lists_the_ten_procedures_with_their_basis(client, db):
    response = client.get("/api/v1/onestop/procedures/")
    procedures = {p["code"]: p for p in response.json()}
    assert len(procedures) == 10
    birth = procedures["birth-registration"]
    assert birth["days"] == 0 and birth["cutoff"] == "15:00" and "60/2014/QH13" in birth["legal_basis"]
    assert procedures["joint-birth-residence-insurance"]["days"] == 15
    page = client.get(reverse("onestop_public:procedures"))
    assert "Đăng ký khai sinh" in page.content.decode()


def test_the_catalogue_gives_its_notes_in_each_language(client, db):
    birth = {p["code"]: p for p in client.get("/api/v1/onestop/procedures/").json()}["birth-registration"]
    assert birth["fee_note_vi"] == "Miễn lệ phí khi đăng ký đúng hạn (Luật Hộ tịch, Điều 11)"
    assert birth["fee_note_en"] == "free when registered in time"
    notes = ProcedureVersion.objects.values_list("fee_note_vi", "fee_note_en", "time_note_vi", "time_note_en")
    assert not [note for row in notes for note in row if " / " in note]  # each language in its own field
    english = client.get(reverse("onestop_public:procedures"), headers={"Accept-Language": "en"}).content.decode()
    vietnamese = client.get(reverse("onestop_public:procedures"), headers={"Accept-Language": "vi"}).content.decode()
    assert "free when registered in time" in english and "Miễn lệ phí khi đăng ký đúng hạn" not in english
    assert "Miễn lệ phí khi đăng ký đúng hạn" in vietnamese and "free when registered in time" not in vietnamese


@pytest.mark.parametrize("code", ["06529-250704-0001", "CODE-1", "a b é?#%"])
def test_the_look_up_address_is_the_reversed_one(settings, code):
    settings.PUBLIC_BASE_URL = "https://mot-cua.example.gov.vn"
    expected = "https://mot-cua.example.gov.vn" + reverse("onestop_public:lookup_code", args=[code])
    assert selectors.lookup_url(code) == expected


@pytest.mark.parametrize("debug", [False, True])
def test_a_multipart_body_without_its_boundary_answers_400_in_json(client, cast, settings, debug):
    settings.DEBUG = debug  # django-ninja answers an unhandled error with a 500 traceback in DEBUG
    answer = client.generic(
        "POST",
        "/api/v1/onestop/public/dossiers/",
        b"procedure=birth-registration",
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 400 and answer["Content-Type"].startswith("application/json")
    assert "cannot be read as multipart/form-data" in answer.json()["detail"]
    assert not Dossier.objects.exists()


def test_the_api_says_when_a_dossier_received_then_would_be_due(client, cast):
    due = lambda code, **query: client.get(f"/api/v1/onestop/procedures/{code}/due/", query)  # noqa: E731
    # Birth registration, Wednesday 8 October 2025: the same day at 17:00; after the 15:00
    # cut-off, the next working day; on Friday 13 February 2026 after 15:00, after Tết.
    assert due("birth-registration", received_at="2025-10-08T09:00:00+07:00", commune="06529").json() == {
        "procedure": "birth-registration",
        "version": 1,
        "days": 0,
        "cutoff": "15:00",
        "received_at": "2025-10-08T09:00:00+07:00",
        "due_at": "2025-10-08T17:00:00+07:00",
    }
    late = due("birth-registration", received_at="2025-10-08T15:30:00").json()  # local time when naive
    assert late["due_at"] == "2025-10-09T17:00:00+07:00"
    before_tet = due("birth-registration", received_at="2026-02-13T15:30:00+07:00").json()
    assert before_tet["due_at"] == "2026-02-23T17:00:00+07:00"
    # As intake sets it, with the commune's province's own calendar and office hours.
    make_office_hours(date(2025, 10, 1), time(7, 30), time(16, 30), province=cast.province)
    when = at(2025, 10, 6, 9, 0)
    dossier = receive(cast, code="marital-status-confirmation", when=when)
    answer = due("marital-status-confirmation", received_at=when.isoformat(), commune=cast.commune_a.code).json()
    assert parse_datetime(answer["due_at"]) == dossier.due_at == at(2025, 10, 9, 16, 30)
    national = due("marital-status-confirmation", received_at=when.isoformat()).json()
    assert parse_datetime(national["due_at"]) == at(2025, 10, 9, 17, 0)


def test_the_due_date_question_refuses_what_it_cannot_answer(client, cast):
    def due(code, **query):
        return client.get(f"/api/v1/onestop/procedures/{code}/due/", query, headers={"Accept-Language": "en"})

    assert due("no-such-procedure").status_code == 404
    wrong_commune = due("birth-registration", commune="99999")
    assert wrong_commune.status_code == 422
    assert wrong_commune.json()["errors"] == {"commune": ["No commune in force has this code."]}
    before = due("birth-registration", received_at="1990-01-01T09:00:00+07:00")
    assert before.status_code == 422 and "no version in force" in before.json()["detail"]
    assert due("birth-registration", received_at="yesterday").status_code == 422
    assert due("birth-registration", received_at="1700000000").status_code == 422  # a number is not a moment
