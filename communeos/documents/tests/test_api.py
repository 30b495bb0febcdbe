"""The documents API, through HTTP: registration, routing, the outgoing life cycle and dispatch
to another commune, duplicates and bad symbols, confidentiality against every role, and the
registers as Excel and PDF."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from communeos.conftest import make_person, run_tasks
from communeos.core.models import AuditEntry
from communeos.documents.models import Document

API = "/api/v1/documents"
RESOLUTION = {
    "unit": "06529",
    "symbol": "Số: 1672/NQ-UBTVQH15",
    "author": "Ủy ban Thường vụ Quốc hội",
    "issued_on": "2025-06-16",
    "summary": "Nghị quyết về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Lạng Sơn năm 2025",
}


@pytest.fixture
def clerk(cast):
    return make_person("clerk.a", cast.commune_a, "clerk")


@pytest.fixture
def clerk_b(cast):
    return make_person("clerk.b", cast.commune_b, "clerk")


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def register(client, clerk, **extra) -> dict:
    client.force_login(clerk)
    response = post(client, f"{API}/incoming/", RESOLUTION | extra)
    assert response.status_code == 201, response.json()
    return response.json()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_an_incoming_document_is_registered_assigned_and_done_through_the_api(client, cast, clerk):
    created = register(client, clerk)
    assert created["symbol"] == "1672/NQ-UBTVQH15" and created["arrival_number"] == 1
    assert created["status"] == "new" and created["direction"] == "incoming" and created["unit"]["code"] == "06529"
    document = created["id"]

    client.force_login(cast.chair_a)
    assert ids(client.get(f"{API}/", {"register": "incoming", "unit": "06529"})) == [document]
    assert ids(client.get(f"{API}/", {"register": "outgoing"})) == []
    detail = client.get(f"{API}/{document}/").json()
    assert detail["author"] == "Ủy ban Thường vụ Quốc hội" and detail["handlings"] == []

    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    assigned = post(
        client,
        f"{API}/{document}/assign/",
        {"lead": "officer.a", "co_handlers": ["clerk.a"], "comment": "Tham mưu triển khai", "deadline": deadline},
    )
    assert assigned.status_code == 200, assigned.json()
    body = assigned.json()
    assert body["status"] == "assigned" and body["deadline"] == deadline
    assert [(h["role"], h["person"], h["comment"]) for h in body["handlings"]] == [
        ("co", "clerk.a", "Tham mưu triển khai"),
        ("lead", "officer.a", "Tham mưu triển khai"),
    ]

    client.force_login(cast.officer_a)
    assert ids(client.get(f"{API}/", {"status": "assigned"})) == [document]
    assert post(client, f"{API}/{document}/start/").json()["status"] == "in_progress"
    done = post(client, f"{API}/{document}/done/", {"note": "Đã báo cáo Ủy ban nhân dân tỉnh"}).json()
    assert done["status"] == "done" and "Đã báo cáo Ủy ban nhân dân tỉnh" in done["note"]
    assert all(h["done_at"] for h in done["handlings"])


def test_only_a_handler_can_report_and_only_the_chair_can_assign(client, cast, clerk):
    document = register(client, clerk)["id"]
    client.force_login(cast.officer_a)
    refused = post(client, f"{API}/{document}/assign/", {"lead": "officer.a"})
    assert refused.status_code == 422 and refused.json()["detail"]
    assert post(client, f"{API}/{document}/start/").status_code == 422
    client.force_login(cast.chair_a)
    unknown = post(client, f"{API}/{document}/assign/", {"lead": "officer.b"})  # not someone the chair can see
    assert unknown.status_code == 422 and "lead" in unknown.json()["errors"]
    assert Document.objects.get(pk=document).status == "new"


def test_an_outgoing_document_is_drafted_approved_issued_and_dispatched_to_commune_b(client, cast, clerk):
    client.force_login(cast.officer_a)
    draft = post(
        client,
        f"{API}/outgoing/",
        {
            "unit": "06529",
            "doc_type": "QĐ",
            "summary": "Quyết định về việc kiện toàn Tổ công tác",
            "signer": "Chair.A",
            "recipients": "UBND xã Khuất Xá; Lưu: VT.",
            "recipient_units": ["06565"],
            "copies": 2,
        },
    )
    assert draft.status_code == 201, draft.json()
    sent = draft.json()
    assert (
        sent["status"] == "draft" and sent["symbol"] == "" and [u["code"] for u in sent["recipient_units"]] == ["06565"]
    )

    client.force_login(cast.chair_a)
    assert post(client, f"{API}/{sent['id']}/approve/").json()["status"] == "approved"
    client.force_login(clerk)
    issued = post(client, f"{API}/{sent['id']}/issue/").json()
    assert issued["status"] == "issued" and issued["symbol"] == "01/QĐ-UBND" and issued["number"] == 1
    dispatched = post(client, f"{API}/{sent['id']}/dispatch/").json()
    assert dispatched["status"] == "dispatched" and dispatched["dispatched_at"]

    client.force_login(cast.officer_b)
    received = client.get(f"{API}/", {"register": "incoming", "unit": "06565"}).json()["items"]
    assert [(d["symbol"], d["unit"]["code"], d["arrival_number"]) for d in received] == [("01/QĐ-UBND", "06565", 1)]
    entry = client.get(f"{API}/{received[0]['id']}/").json()
    assert entry["author"] == "Ủy ban nhân dân xã Lộc Bình" and entry["source"] is None  # the sender's entry is A's
    assert client.get(f"{API}/{sent['id']}/").status_code == 404
    assert sent["id"] not in ids(client.get(f"{API}/"))
    year = timezone.localdate().year
    sheet = load_workbook(io.BytesIO(client.get(f"{API}/registers/06565/incoming/{year}.xlsx").content)).active
    assert [row[3] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["01/QĐ-UBND"]
    assert client.get(f"{API}/registers/06529/outgoing/{year}.xlsx").status_code == 404
    client.force_login(cast.provincial)  # over both communes
    assert client.get(f"{API}/{received[0]['id']}/").json()["source"] == sent["id"]


def test_a_draft_not_yet_approved_is_refused_a_number_and_consumes_none(client, cast, clerk):
    client.force_login(cast.officer_a)
    draft = post(client, f"{API}/outgoing/", {"unit": "06529", "doc_type": "TB", "summary": "Thông báo lịch tiếp dân"})
    document = draft.json()["id"]
    client.force_login(clerk)
    refused = post(client, f"{API}/{document}/issue/")
    assert refused.status_code == 422 and refused.json()["detail"]
    assert Document.objects.get(pk=document).number is None
    client.force_login(cast.chair_a)
    post(client, f"{API}/{document}/approve/")
    client.force_login(clerk)
    assert post(client, f"{API}/{document}/issue/").json()["symbol"] == "01/TB-UBND"


def test_the_same_incoming_document_twice_answers_409_with_the_first_entry(client, cast, clerk):
    first = register(client, clerk)
    again = post(client, f"{API}/incoming/", RESOLUTION | {"symbol": "1672 / NQ-UBTVQH15"})
    assert again.status_code == 409
    body = again.json()
    assert body["first"]["id"] == first["id"] and body["first"]["arrival_number"] == 1
    assert body["first"]["url"] == f"{API}/{first['id']}/" and "confirm_duplicate" in body["detail"]
    assert Document.objects.count() == 1
    confirmed = post(client, f"{API}/incoming/", RESOLUTION | {"confirm_duplicate": True})
    assert confirmed.status_code == 201 and confirmed.json()["arrival_number"] == 2


def test_a_symbol_that_does_not_parse_answers_422_showing_the_expected_forms(client, cast, clerk):
    client.force_login(clerk)
    response = post(client, f"{API}/incoming/", RESOLUTION | {"symbol": "quyết định mười hai"})
    assert response.status_code == 422
    body = response.json()
    assert "symbol" in body["errors"]
    for form in ["12/QĐ-UBND", "123/2025/NĐ-CP", "15/UBND-VP", "60-NQ/TW"]:
        assert form in body["detail"]
    assert not Document.objects.exists()


def test_registering_for_a_unit_out_of_scope_is_refused(client, cast, clerk, clerk_b):
    client.force_login(clerk_b)
    response = post(client, f"{API}/incoming/", RESOLUTION)
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    assert not Document.objects.exists()


def test_a_confidential_document_is_404_for_everyone_not_granted_and_every_view_is_audited(
    client, cast, clerk, admin_user
):
    secret = register(
        client, clerk, symbol="07/KH-CAT", author="Công an tỉnh Lạng Sơn", summary="Kế hoạch", confidentiality="mat"
    )
    document = secret["id"]
    assert secret["confidentiality"] == "mat"
    for outsider in [cast.officer_a, cast.provincial, cast.officer_b, admin_user]:
        client.force_login(outsider)
        assert client.get(f"{API}/{document}/").status_code == 404, outsider
        assert document not in ids(client.get(f"{API}/"))
        assert post(client, f"{API}/{document}/grant/", {"username": outsider.username}).status_code == 404

    client.force_login(cast.chair_a)  # the head of the unit reads it first and decides who else may
    assert client.get(f"{API}/{document}/").status_code == 200
    granted = post(client, f"{API}/{document}/grant/", {"username": "officer.a"})
    assert granted.status_code == 200

    client.force_login(cast.officer_a)
    assert client.get(f"{API}/{document}/").json()["symbol"] == "07/KH-CAT"
    assert document in ids(client.get(f"{API}/"))
    assert post(client, f"{API}/{document}/grant/", {"username": "provincial"}).status_code == 422
    client.force_login(cast.provincial)
    assert client.get(f"{API}/{document}/").status_code == 404

    views = AuditEntry.objects.filter(action="document.view", object_id=str(document))
    assert list(views.filter(actor=cast.officer_a).values_list("unit__code", flat=True)) == ["06529"]
    assert views.filter(actor=cast.chair_a).count() == 2  # the read, and the detail after the grant
    assert not views.filter(actor__in=[cast.provincial, cast.officer_b, admin_user]).exists()


def test_an_ordinary_document_is_seen_in_scope_only(client, cast, clerk, admin_user):
    document = register(client, clerk)["id"]
    for user, status in [
        (cast.officer_a, 200),
        (cast.provincial, 200),
        (admin_user, 200),
        (cast.officer_b, 404),
        (cast.outsider, 404),
    ]:
        client.force_login(user)
        assert client.get(f"{API}/{document}/").status_code == status, user
    client.force_login(cast.officer_b)
    assert client.get(f"{API}/", {"unit": "06529"}).status_code == 404
    assert client.get(f"{API}/{document + 1000}/").status_code == 404


def test_the_list_filters_by_text_type_issuer_and_date(client, cast, clerk):
    resolution = register(client, clerk)["id"]
    letter = register(
        client,
        clerk,
        symbol="15/UBND-VP",
        author="Ủy ban nhân dân tỉnh Lạng Sơn",
        issued_on="2025-06-18",
        summary="V/v báo cáo tình hình tiếp công dân",
    )["id"]
    assert ids(client.get(f"{API}/", {"q": "nghi quyet sap xep"})) == [resolution]
    assert ids(client.get(f"{API}/", {"doc_type": "NQ"})) == [resolution]
    assert ids(client.get(f"{API}/", {"issuer": "UBND"})) == [letter]
    assert ids(client.get(f"{API}/", {"start": "2025-06-17", "end": "2025-06-30"})) == [letter]
    assert client.get(f"{API}/", {"register": "sideways"}).status_code == 422


def test_the_detail_shows_what_a_document_cites_and_what_cites_it(client, cast, clerk):
    cited = register(client, clerk)
    citing = register(
        client,
        clerk,
        symbol="15/UBND-VP",
        author="Ủy ban nhân dân tỉnh Lạng Sơn",
        issued_on="2025-06-18",
        summary="V/v triển khai Nghị quyết số 1672/NQ-UBTVQH15 và Nghị quyết 60-NQ/TW",
    )
    cites = {c["symbol"]: c["document"] for c in citing["cites"]}
    assert cites == {"1672/NQ-UBTVQH15": cited["id"], "60-NQ/TW": None}
    assert [d["id"] for d in client.get(f"{API}/{cited['id']}/").json()["cited_by"]] == [citing["id"]]


def test_the_registers_download_as_excel_and_pdf_with_the_appendix_iv_columns(client, cast, clerk):
    created = register(client, clerk, urgency="khan")
    year = created["year"]
    xlsx = client.get(f"{API}/registers/06529/incoming/{year}.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"so-van-ban-den-{year}-06529.xlsx" in xlsx["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert list(rows[2]) == [
        "Ngày đến",
        "Số đến",
        "Tác giả",
        "Số, ký hiệu",
        "Ngày tháng",
        "Tên loại và trích yếu nội dung",
        "Đơn vị hoặc người nhận",
        "Ký nhận",
        "Ghi chú",
    ]
    assert rows[3][1:4] == (1, "Ủy ban Thường vụ Quốc hội", "1672/NQ-UBTVQH15") and rows[3][8] == "Khẩn"

    asked = client.post(f"{API}/registers/06529/incoming/{year}.pdf")  # made in the background
    assert asked.status_code == 202 and asked.json()["status"] == "pending"
    run_tasks()
    ready = client.get(asked.json()["url"]).json()
    assert ready["status"] == "ready" and ready["rows"] == 1 and ready["filename"] == f"so-van-ban-den-{year}-06529.pdf"
    pdf = client.get(ready["file_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and "Ngày đến" in text and "1672/NQ-UBTVQH15" in text

    assert client.get(f"{API}/registers/06529/sideways/{year}.xlsx").status_code == 404
    client.force_login(cast.officer_b)
    assert client.post(f"{API}/registers/06529/incoming/{year}.pdf").status_code == 404
    assert client.get(asked.json()["url"]).status_code == 404  # another person's export
    assert client.get(ready["file_url"]).status_code == 404


def test_exporting_a_register_with_a_confidential_entry_audits_it(client, cast, clerk):
    secret = register(
        client, clerk, symbol="07/KH-CAT", author="Công an tỉnh", summary="Kế hoạch", confidentiality="mat"
    )
    client.get(f"{API}/registers/06529/incoming/{secret['year']}.xlsx")
    exported = AuditEntry.objects.filter(action="document.view", object_id=str(secret["id"]), actor=clerk)
    assert [entry.changes for entry in exported if entry.changes] == [{"export": [None, "register.xlsx"]}]


def test_the_documents_api_needs_an_account(client, cast, clerk):
    document = register(client, clerk)["id"]
    client.logout()
    assert client.get(f"{API}/").status_code == 401
    assert client.get(f"{API}/{document}/").status_code == 401
    assert post(client, f"{API}/incoming/", RESOLUTION).status_code == 401


def test_the_openapi_schema_documents_the_documents_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/documents/",
        "/api/v1/documents/{document_id}/",
        "/api/v1/documents/incoming/",
        "/api/v1/documents/outgoing/",
        "/api/v1/documents/{document_id}/issue/",
        "/api/v1/documents/{document_id}/assign/",
        "/api/v1/documents/{document_id}/grant/",
        "/api/v1/documents/registers/{unit_code}/{direction}/{year}.pdf",
    ]:
        assert path in paths, path


def test_a_documents_file_opens_through_the_api_in_scope_only(client, cast, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communeos.documents.tests.conftest import incoming
    from communeos.documents.tests.test_attachments import text_pdf

    content = text_pdf()
    document = incoming(clerk, cast.commune_a, uploads=[SimpleUploadedFile("nghi-quyet.pdf", content)])
    client.force_login(clerk)
    (attachment,) = client.get(f"{API}/{document.pk}/").json()["attachments"]
    url = f"{API}/{document.pk}/attachments/{attachment['id']}/"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == content
    assert 'filename="nghi-quyet.pdf"' in response["Content-Disposition"]
    client.force_login(cast.officer_b)
    assert client.get(url).status_code == 404
