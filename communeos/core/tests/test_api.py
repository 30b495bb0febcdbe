"""What the API answers to what it cannot take: a number past what a database holds, a request
that does not fit the schema, a day not written as ISO 8601, an address nothing serves, the
NUL character (pages too); and the errors its schema documents."""

import json
from urllib.parse import urlencode

import pytest
from django.db import connection

from communeos.onestop.models import Dossier

HUGE = "244335268755039806021552161423360"  # more than 64 bits
FORM = "application/x-www-form-urlencoded"
ENGLISH = {"Accept-Language": "en"}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/onestop/dossiers/", "/api/v1/documents/", "/api/v1/people/", "/api/v1/units/", "/api/v1/exports/"],
)
def test_a_page_number_past_what_a_database_holds_is_refused(client, cast, path):
    client.force_login(cast.officer_a)
    answer = client.get(path, {"page": HUGE})
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["page"]
    assert client.get(path, {"page": 2**31 - 1}).status_code == 200  # far past the last page: none


def test_an_id_past_64_bits_finds_nothing_or_is_refused(client, cast):
    client.force_login(cast.officer_a)
    # PostgreSQL compares the number with the column and finds nothing; SQLite cannot hold it.
    listing = client.get("/api/v1/people/", {"unit": f"-{HUGE}"})
    document = client.get(f"/api/v1/documents/{HUGE}/")
    assert document.status_code == 404
    if connection.vendor == "sqlite":
        assert listing.status_code == 422
        assert listing.json() == {"detail": "Một số trong yêu cầu quá lớn."}
    else:
        assert listing.status_code == 200 and listing.json()["items"] == []


def test_a_request_that_does_not_fit_the_schema_is_refused_in_the_shape_of_every_error(client, cast):
    client.force_login(cast.officer_a)
    answer = client.get("/api/v1/people/abc/", headers=ENGLISH)
    assert answer.status_code == 422
    assert answer.json() == {
        "detail": "The request does not fit the API's schema: person_id: Give a whole number.",
        "errors": {"person_id": ["Give a whole number."]},
    }
    # A JSON body's fields are named without the operation's parameter name.
    answer = client.post("/api/v1/onestop/public/dossiers/X/rating/", {"rating": 5}, content_type="application/json")
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["rating"]


@pytest.mark.parametrize("day", ["0", "1700000000", "24/11/2026", "2026-11-24T00:00"])
def test_a_day_is_written_as_iso_8601_or_refused(client, cast, day):
    """pydantic alone takes a number for a date (seconds since 1970): `start=0` was 1970-01-01."""
    client.force_login(cast.officer_a)
    answer = client.get("/api/v1/onestop/statistics/", {"start": day}, headers=ENGLISH)
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"start": ["Write it as YYYY-MM-DD."]}
    assert client.get("/api/v1/onestop/statistics/", {"start": "2026-01-01"}).status_code == 200


def test_an_address_under_api_that_nothing_serves_answers_json(client, cast):
    client.force_login(cast.officer_a)
    for answer in [client.get("/api/v1/exports/not-a-uuid/"), client.post("/api/nothing/here/")]:
        assert answer.status_code == 404
        assert answer.json() == {"detail": "Không tìm thấy."}


def test_the_schema_documents_the_errors_every_operation_may_answer(client):
    def no_key_twice(pairs):
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), f"a key given twice among {keys}"  # Swagger UI refuses it
        return dict(pairs)

    schema = json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_key_twice)
    me = schema["paths"]["/api/v1/me/"]["get"]["responses"]
    assert {"200", "401"} <= set(me) and "404" not in me  # no path parameter, no record to miss
    lookup = schema["paths"]["/api/v1/onestop/public/dossiers/{code}/"]["get"]["responses"]
    assert {"200", "404", "422", "429"} <= set(lookup) and "401" not in lookup  # public
    submit = schema["paths"]["/api/v1/onestop/public/dossiers/"]["post"]["responses"]
    assert {"400", "422"} <= set(submit) and "403" not in submit  # public: no session, no CSRF
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["detail"]


def test_the_nul_character_is_refused_wherever_it_comes(client, cast):
    """PostgreSQL's text cannot hold it: a search or a write carrying it was an error 500."""
    client.force_login(cast.officer_a)
    applicant = {"applicant_name": "Lan\x00", "applicant_id_number": "020191000001", "applicant_phone": "0912345678"}
    submission = {"procedure": "birth-registration", "commune": "06529", "applicant_address": "Lộc Bình"}
    refused = "Yêu cầu chứa ký tự NUL, không trường, trang hay tìm kiếm nào nhận ký tự này."
    for answer in [
        client.get("/api/v1/units/", {"q": "a\x00b"}),
        client.get("/api/v1/units/a%00b/"),
        client.post("/api/v1/onestop/public/dossiers/", submission | applicant),  # multipart
        client.post("/api/v1/onestop/public/dossiers/", urlencode(submission | applicant), content_type=FORM),
    ]:
        assert answer.status_code == 400
        assert answer.json() == {"detail": refused}
    for page in [
        client.get("/units/", {"q": "\x00"}),
        # The public form reads the province and the commune itself.
        client.post("/apply/birth-registration/", {"province": "20\x00", "commune": "06529"}),
    ]:
        assert page.status_code == 400 and page.content.decode() == refused
    rating = client.post(
        "/api/v1/onestop/public/dossiers/X/rating/", {"rating": "a\x00"}, content_type="application/json"
    )
    assert rating.status_code == 422
    assert rating.json()["errors"] == {"__all__": ["Văn bản không được chứa ký tự NUL."]}
    english = client.get("/api/v1/units/", {"q": "a\x00b"}, headers=ENGLISH)
    assert english.json() == {"detail": "The request contains the NUL character, which no field, page or search takes."}
    assert not Dossier.objects.exists()


def test_the_api_answers_in_the_persons_language(client, cast):
    """Vietnamese first, English when asked (Accept-Language): the schema's problems (pydantic's
    messages are English only), django-ninja's own refusals and the operations' own."""
    backwards = {"start": "2026-02-01", "end": "2026-01-01"}
    submission = {"procedure": "no-such-procedure", "commune": "06529", "consent": "true"} | {
        name: "x" for name in ["applicant_name", "applicant_id_number", "applicant_phone", "applicant_address"]
    }

    def answers(headers):
        client.logout()
        anonymous = client.get("/api/v1/me/", headers=headers)
        unknown = client.post("/api/v1/onestop/public/dossiers/", submission, headers=headers)
        client.force_login(cast.officer_a)
        return [
            (anonymous.status_code, anonymous.json()),
            (unknown.status_code, unknown.json()),
            *[
                (answer.status_code, answer.json())
                for answer in [
                    client.get("/api/v1/documents/", {"year": "x", "start": "2026-13-01"}, headers=headers),
                    client.get("/api/v1/documents/999999999/", headers=headers),
                    client.get("/api/v1/onestop/statistics/", backwards, headers=headers),
                ]
            ],
        ]

    unknown, day, whole = (
        "Không có thủ tục nào có mã này.",
        "Hãy nhập một ngày, viết theo dạng YYYY-MM-DD.",
        "Hãy nhập một số nguyên.",
    )
    assert (
        answers({})
        == answers({"Accept-Language": "vi"})
        == [
            (401, {"detail": "Hãy đăng nhập, hoặc gửi một mã API hợp lệ."}),
            (422, {"detail": unknown, "errors": {"procedure": [unknown]}}),
            (
                422,
                {
                    "detail": f"Yêu cầu không khớp với lược đồ của API: start: {day}; year: {whole}",
                    "errors": {"start": [day], "year": [whole]},
                },
            ),
            (404, {"detail": "Không tìm thấy."}),
            (
                422,
                {
                    "detail": "Ngày bắt đầu không được sau ngày kết thúc.",
                    "errors": {"start": ["Ngày bắt đầu không được sau ngày kết thúc."]},
                },
            ),
        ]
    )
    assert answers(ENGLISH) == [
        (401, {"detail": "Sign in, or send a valid API token."}),
        (422, {"detail": "No procedure has this code.", "errors": {"procedure": ["No procedure has this code."]}}),
        (
            422,
            {
                "detail": "The request does not fit the API's schema: start: Give a day, written YYYY-MM-DD.; "
                "year: Give a whole number.",
                "errors": {"start": ["Give a day, written YYYY-MM-DD."], "year": ["Give a whole number."]},
            },
        ),
        (404, {"detail": "Not found."}),
        (
            422,
            {
                "detail": "The start date must not be after the end date.",
                "errors": {"start": ["The start date must not be after the end date."]},
            },
        ),
    ]


def test_every_schema_message_is_translated_and_takes_its_context():
    """Each of pydantic's error types the API names has its Vietnamese message, filled from the
    error's context; a context without the value a message names gets the general message."""
    from django.utils import translation

    from communeos.core.api import SCHEMA_MESSAGES, schema_message

    with translation.override("en"):
        english = {kind: str(message) for kind, message in SCHEMA_MESSAGES.items()}
    with translation.override("vi"):
        assert [kind for kind, message in SCHEMA_MESSAGES.items() if str(message) == english[kind]] == []
        assert schema_message({"type": "greater_than_equal", "ctx": {"ge": 1}}) == "Hãy nhập một số ít nhất là 1."
        assert schema_message({"type": "string_too_long", "ctx": {}}) == "Giá trị này không hợp lệ."
        assert schema_message({"type": "some_type_pydantic_adds_later"}) == "Giá trị này không hợp lệ."
    with translation.override("en"):
        expected = {"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}}
        assert schema_message(expected) == "Give one of: 'a' or 'b'."
        assert schema_message({"type": "value_error", "ctx": {"error": "Write it as YYYY-MM-DD."}}) == (
            "Write it as YYYY-MM-DD."
        )


def test_a_session_write_without_its_csrf_token_is_refused_in_the_persons_language(cast):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.officer_a)
    for headers, detail in [
        ({}, "Một thao tác ghi trong phiên trình duyệt cần mã CSRF của phiên."),
        (ENGLISH, "A write in a browser session needs its CSRF token."),
    ]:
        answer = browser.post("/api/v1/onestop/dossiers/", {}, content_type="application/json", headers=headers)
        assert answer.status_code == 403 and answer.json() == {"detail": detail}
    assert not Dossier.objects.exists()


def test_an_integration_writes_with_its_token_and_no_csrf_token(cast):
    """A token is sent by a program, not by a browser a forged page could drive: its writes need
    no CSRF token. (Django's test client skips CSRF checks unless told otherwise; a real client
    does not, and every write with a token was refused 403.)"""
    from django.test import Client

    from communeos.onestop.tests.conftest import APPLICANT, required_papers
    from communeos.people import services as people_services

    _token, raw = people_services.api_token_create(actor=cast.officer_a, person=cast.officer_a, name="integration")
    program = Client(enforce_csrf_checks=True)
    body = {"procedure": "birth-registration", "unit": "06529", "papers_provided": required_papers()} | APPLICANT

    def receive(token=None, csrf=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers |= {"X-CSRFToken": csrf} if csrf else {}
        return program.post("/api/v1/onestop/dossiers/", body, content_type="application/json", headers=headers)

    assert receive(raw).status_code == 201
    assert receive("not-a-token").status_code == 401
    # A browser's session still needs its CSRF token (Swagger UI sends it, as a page would);
    # beside a valid token, the token decides.
    program.force_login(cast.officer_a)
    assert receive().status_code == 403
    program.get("/api/v1/docs")  # a page that sets the CSRF cookie
    assert receive(csrf=program.cookies["csrftoken"].value).status_code == 201
    assert receive(raw).status_code == 201
    assert Dossier.objects.count() == 3
