"""The registers as Excel and PDF: the columns of Decree 30/2020/NĐ-CP, Appendix IV, the rows
of the register in order, in Vietnamese, with only what the reader may see. The Excel is read
back with openpyxl, the PDF's text with pypdf."""

import io
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from communeos.conftest import make_person
from communeos.documents import exports, selectors, services
from communeos.documents.models import Direction, Document, Status

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

INCOMING_HEADERS = [
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
OUTGOING_HEADERS = [
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=TZ)


@pytest.fixture
def clerk(cast):
    return make_person("clerk.a", cast.commune_a, "clerk")


def incoming(clerk, unit, **extra) -> Document:
    values = {
        "symbol": "1672/NQ-UBTVQH15",
        "author": "Ủy ban Thường vụ Quốc hội",
        "issued_on": date(2025, 6, 16),
        "summary": "Nghị quyết về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Lạng Sơn năm 2025",
        "arrived_at": at(2025, 10, 6, 9, 0),
        "at": at(2025, 10, 6, 10, 0),
    }
    return services.document_register_incoming(actor=clerk, unit=unit, **(values | extra))


def outgoing(actor, unit, **extra) -> Document:
    values = {"doc_type": "QĐ", "summary": "Quyết định về việc kiện toàn Tổ công tác", "at": at(2026, 1, 5, 9)}
    return services.document_draft(actor=actor, unit=unit, **(values | extra))


def sheet_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def pdf_pages(content: bytes) -> list[str]:
    return [
        " ".join(unicodedata.normalize("NFC", page.extract_text()).split())
        for page in PdfReader(io.BytesIO(content)).pages
    ]


def has_heading(text: str, heading: str) -> bool:
    """A heading is found with its words in order: a heading wrapped over lines in its cell
    comes out of the PDF interleaved with the lines of its neighbours."""
    position = 0
    for word in heading.split():
        position = text.find(word, position)
        if position < 0:
            return False
        position += len(word)
    return True


def incoming_register(user, unit, year=2025):
    return selectors.register(user=user, unit=unit, direction=Direction.INCOMING, year=year)


def two_incoming(cast, clerk) -> tuple[Document, Document]:
    """Two arrivals of October 2025; the second urgent, assigned to officer A by the chair."""
    first = incoming(clerk, cast.commune_a)
    second = incoming(
        clerk,
        cast.commune_a,
        symbol="15/UBND-VP",
        author="Ủy ban nhân dân tỉnh Lạng Sơn",
        issued_on=date(2025, 6, 18),
        summary="V/v triển khai Nghị quyết 1672/NQ-UBTVQH15",
        urgency="khan",
        note="Báo cáo trước 30/6",
        arrived_at=at(2025, 10, 7, 8, 30),
        at=at(2025, 10, 7, 9, 0),
    )
    services.document_assign(
        actor=cast.chair_a, document=second, lead=cast.officer_a, comment="Đề nghị xử lý", at=at(2025, 10, 7, 10)
    )
    return first, second


def issued_and_dispatched(cast, clerk) -> Document:
    draft = outgoing(
        cast.officer_a,
        cast.commune_a,
        signer="Chair.A",
        recipients="UBND xã Khuất Xá; Lưu: VT, VP.",
        recipient_units=[cast.commune_b],
        drafting_unit="",
        copies=3,
    )
    services.document_approve(actor=cast.chair_a, document=draft, at=at(2026, 1, 5, 10))
    services.document_issue(actor=clerk, document=draft, at=at(2026, 1, 6, 8))
    return services.document_dispatch(actor=clerk, document=draft, at=at(2026, 1, 7, 8))


def test_the_incoming_register_in_excel_has_the_appendix_iv_columns_and_the_rows(cast, clerk, english):
    """In Vietnamese, whatever the reader's language (here English)."""
    two_incoming(cast, clerk)
    content = exports.register_xlsx(
        incoming_register(clerk, cast.commune_a), unit=cast.commune_a, direction=Direction.INCOMING, year=2025
    )
    rows = sheet_rows(content)
    assert rows[0][0] == f"Sổ đăng ký văn bản đến năm 2025 — {cast.commune_a.name}"
    assert rows[2] == INCOMING_HEADERS
    assert rows[3] == [
        datetime(2025, 10, 6),
        1,
        "Ủy ban Thường vụ Quốc hội",
        "1672/NQ-UBTVQH15",
        datetime(2025, 6, 16),
        "Nghị quyết về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Lạng Sơn năm 2025",
        None,
        None,
        None,
    ]
    assert rows[4] == [
        datetime(2025, 10, 7),
        2,
        "Ủy ban nhân dân tỉnh Lạng Sơn",
        "15/UBND-VP",
        datetime(2025, 6, 18),
        "Công văn: V/v triển khai Nghị quyết 1672/NQ-UBTVQH15",
        cast.officer_a.full_name,
        None,
        "Khẩn; Báo cáo trước 30/6",
    ]
    assert len(rows) == 5
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A4"].number_format == "DD/MM/YYYY" and sheet.freeze_panes == "A4"


def test_the_outgoing_register_in_excel_has_the_appendix_iv_columns_and_the_issued_documents(cast, clerk):
    sent = issued_and_dispatched(cast, clerk)
    outgoing(cast.officer_a, cast.commune_a, summary="Một dự thảo chưa có số")  # drafts are not in the register
    entries = selectors.register(user=clerk, unit=cast.commune_a, direction=Direction.OUTGOING, year=2026)
    rows = sheet_rows(exports.register_xlsx(entries, unit=cast.commune_a, direction=Direction.OUTGOING, year=2026))
    assert rows[0][0] == f"Sổ đăng ký văn bản đi năm 2026 — {cast.commune_a.name}"
    assert rows[2] == OUTGOING_HEADERS
    assert rows[3:] == [
        [
            "01/QĐ-UBND",
            datetime(2026, 1, 6),
            "Quyết định về việc kiện toàn Tổ công tác",
            "Chair.A",
            "UBND xã Khuất Xá; Lưu: VT, VP.",
            cast.commune_a.name,
            3,
            datetime(2026, 1, 7),
            None,
            None,
        ]
    ]
    assert sent.status == Status.DISPATCHED


def test_a_confidential_document_is_exported_marked_and_only_to_those_granted(cast, clerk):
    two_incoming(cast, clerk)
    incoming(
        clerk,
        cast.commune_a,
        symbol="07/KH-CAT",
        author="Công an tỉnh Lạng Sơn",
        issued_on=date(2025, 6, 19),
        summary="Kế hoạch bảo đảm an ninh",
        confidentiality="toi_mat",
        urgency="hoa_toc",
        arrived_at=at(2025, 10, 8, 8, 0),
        at=at(2025, 10, 8, 8, 5),
    )

    def symbols_and_notes(user):
        content = exports.register_xlsx(
            incoming_register(user, cast.commune_a), unit=cast.commune_a, direction=Direction.INCOMING, year=2025
        )
        return [(row[3], row[8]) for row in sheet_rows(content)[3:]]

    assert symbols_and_notes(clerk)[-1] == ("07/KH-CAT", "Hỏa tốc; Tối mật")
    assert [symbol for symbol, _notes in symbols_and_notes(cast.officer_a)] == ["1672/NQ-UBTVQH15", "15/UBND-VP"]
    assert symbols_and_notes(cast.provincial)[:2] == symbols_and_notes(cast.officer_a)[:2]
    assert len(symbols_and_notes(cast.provincial)) == 2
    assert symbols_and_notes(cast.officer_b) == []


def test_text_that_looks_like_a_formula_stays_text_in_excel(cast, clerk):
    incoming(clerk, cast.commune_a, summary='=HYPERLINK("http://example.com","x")')
    content = exports.register_xlsx(
        incoming_register(clerk, cast.commune_a), unit=cast.commune_a, direction=Direction.INCOMING, year=2025
    )
    cell = load_workbook(io.BytesIO(content)).active["F4"]
    assert cell.data_type == "s" and cell.value == 'Nghị quyết: =HYPERLINK("http://example.com","x")'


def test_the_incoming_register_as_pdf_is_in_vietnamese_with_the_columns_and_page_numbers(cast, clerk):
    two_incoming(cast, clerk)
    content = exports.register_pdf(
        incoming_register(clerk, cast.commune_a), unit=cast.commune_a, direction=Direction.INCOMING, year=2025
    )
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # A4 landscape
    (text,) = pdf_pages(content)
    assert all(has_heading(text, heading) for heading in INCOMING_HEADERS)
    for fragment in [
        "ỦY BAN NHÂN DÂN",
        cast.commune_a.name.upper(),
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2025",
        "Từ số 1 đến số 2",
        "1672/NQ-UBTVQH15",
        "06/10/2025",
        "Ủy ban Thường vụ Quốc hội",
        "Khẩn; Báo cáo trước 30/6",
        "Trang 1/1",
    ]:
        assert fragment in text, fragment


def test_the_outgoing_register_as_pdf_has_its_columns_and_symbol(cast, clerk, english):
    issued_and_dispatched(cast, clerk)
    entries = selectors.register(user=clerk, unit=cast.commune_a, direction=Direction.OUTGOING, year=2026)
    (text,) = pdf_pages(exports.register_pdf(entries, unit=cast.commune_a, direction=Direction.OUTGOING, year=2026))
    assert all(has_heading(text, heading) for heading in OUTGOING_HEADERS)
    for fragment in ["SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2026", "01/QĐ-UBND", "06/01/2026", "07/01/2026", "Chair.A"]:
        assert fragment in text, fragment


def test_a_long_register_repeats_the_header_and_numbers_every_page(cast, clerk):
    first = incoming(clerk, cast.commune_a)
    Document.objects.bulk_create(
        Document(
            unit=cast.commune_a,
            province_id=first.province_id,
            direction=Direction.INCOMING,
            year=2025,
            arrival_number=number,
            arrived_at=first.arrived_at,
            symbol=f"{number:02d}/TB-UBND",
            doc_type="TB",
            issuer="UBND",
            author="Ủy ban nhân dân tỉnh Lạng Sơn",
            issued_on=first.issued_on,
            summary=f"Thông báo số {number} về lịch công tác",
            status=Status.NEW,
        )
        for number in range(2, 121)
    )
    pages = pdf_pages(
        exports.register_pdf(
            incoming_register(clerk, cast.commune_a), unit=cast.commune_a, direction=Direction.INCOMING, year=2025
        )
    )
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert has_heading(page, "Tên loại và trích yếu nội dung") and has_heading(page, "Đơn vị hoặc người nhận")
        assert f"Trang {number}/{len(pages)}" in page
    assert "120/TB-UBND" in pages[-1] and "Từ số 1 đến số 120" in pages[0]


def test_an_empty_register_still_prints(cast, clerk):
    (text,) = pdf_pages(
        exports.register_pdf(
            incoming_register(clerk, cast.commune_a, 2024), unit=cast.commune_a, direction=Direction.INCOMING, year=2024
        )
    )
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2024" in text and "Chưa có văn bản nào trong sổ." in text
