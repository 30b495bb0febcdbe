"""The printed one-stop forms: each PDF's text is read back with pypdf and compared, so a
lost diacritic, a wrong time zone or a missing line fails here. Dossiers are made through
the services, on Monday 6 October 2025 (a working day), at fixed times; `specialist` is the
fixture of the app's conftest."""

import io
import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone, translation
from pypdf import PdfReader

from communeos.onestop import printing, services
from communeos.onestop.models import Channel, Procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANT = "Nguyễn Thị Hồng Nhung"
ADDRESS = "Thôn Bản Chu, xã Lộc Bình, tỉnh Lạng Sơn"
MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of October 2025, Vietnam time."""
    return datetime(2025, 10, day, hour, minute, tzinfo=VN)


def scan(name: str) -> SimpleUploadedFile:
    """A small real PNG, as a citizen's upload of a paper."""
    content = io.BytesIO()
    segno.make(name).save(content, kind="png")
    return SimpleUploadedFile(f"{name}.png", content.getvalue(), content_type="image/png")


def receive(cast, code: str = "birth-registration", *, when: datetime | None = None, channel=Channel.COUNTER):
    """At the counter the officer ticks the required papers; online the citizen uploads them."""
    procedure = Procedure.objects.get(code=code)
    version = services.version_in_force(procedure, (when or at(6, 9)).date())
    required = list(version.papers.filter(required=True))
    online = channel == Channel.ONLINE
    return services.dossier_receive(
        actor=cast.officer_a if channel == Channel.COUNTER else None,
        unit=cast.commune_a,
        procedure=procedure,
        applicant_name=APPLICANT,
        applicant_id_number="020190012345",
        applicant_phone="0912345678",
        applicant_address=ADDRESS,
        channel=channel,
        consent=online,
        papers_provided=[] if online else [paper.pk for paper in required],
        uploads=[services.Upload(paper.pk, scan(f"paper-{paper.pk}")) for paper in required] if online else [],
        at=when or at(6, 9),
    )


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(pdf: bytes) -> str:
    return normalise(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def assert_in_order(text: str, fragments: list[str]) -> None:
    position = 0
    for fragment in fragments:
        found = text.find(fragment, position)
        assert found >= 0, f"{fragment!r} not found after position {position} in:\n{text}"
        position = found + len(fragment)


def local(moment: datetime) -> str:
    moment = timezone.localtime(moment, VN)
    return f"{moment:%H:%M} {moment:%d/%m/%Y}"


@pytest.mark.parametrize(
    ("moment", "line"),
    [
        (datetime(2026, 1, 5, 10, tzinfo=VN), "ngày 05 tháng 01 năm 2026"),
        (datetime(2026, 2, 24, 10, tzinfo=VN), "ngày 24 tháng 02 năm 2026"),
        (datetime(2026, 3, 9, 10, tzinfo=VN), "ngày 09 tháng 3 năm 2026"),
        (datetime(2025, 10, 5, 20, tzinfo=ZoneInfo("UTC")), "ngày 06 tháng 10 năm 2025"),  # 03:00 in Vietnam
    ],
)
def test_date_line_follows_decree_30(moment, line):
    # A day below 10 and the months 1 and 2 take a leading zero; the day is Vietnam's.
    with timezone.override(VN):
        assert printing._date_line(moment) == line


def test_the_six_forms_in_order():
    assert list(printing.FORMS) == ["receipt", "tracking", "supplement", "refusal", "apology", "stop"]


def test_receipt_comes_back_in_vietnamese_with_every_line(cast):
    dossier = receive(cast)
    # Whatever the reader's language and time zone, the form is Vietnamese, in Vietnam's time.
    with translation.override("en"), timezone.override(ZoneInfo("UTC")):
        pdf = printing.render_pdf(dossier, "receipt")

    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = pdf_text(pdf)
    assert_in_order(
        text,
        [
            "ỦY BAN NHÂN DÂN XÃ LỘC BÌNH",
            "BỘ PHẬN MỘT CỬA",
            *MOTTO,
            "Lộc Bình, ngày 06 tháng 10 năm 2025",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            f"Mã hồ sơ: {dossier.code}",
            "Bộ phận Một cửa Ủy ban nhân dân xã Lộc Bình tiếp nhận hồ sơ của:",
            f"Ông/Bà: {APPLICANT}",
            "Số định danh cá nhân: 020190012345",
            f"Địa chỉ: {ADDRESS}",
            "Số điện thoại: 0912345678",
            "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
            "1. Thành phần hồ sơ nộp gồm: - Tờ khai đăng ký khai sinh: đã nộp",
            "- Giấy chứng sinh hoặc văn bản của người làm chứng: đã nộp",
            "2. Số lượng hồ sơ: 01 bộ.",
            "Thời gian giải quyết hồ sơ theo quy định: Trong ngày; tiếp nhận sau 15:00 trả kết quả trong ngày",
            "Thời gian nhận hồ sơ: 09:00 ngày 06/10/2025",
            "Thời gian trả kết quả giải quyết hồ sơ: 17:00 ngày 06/10/2025",
            "Phí, lệ phí: Miễn lệ phí khi đăng ký đúng hạn (Luật Hộ tịch, Điều 11).",
            "Người tiếp nhận: Officer.A",
            f"http://127.0.0.1:8000/lookup/{dossier.code}/",
            "NGƯỜI NỘP HỒ SƠ",
            APPLICANT,
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Officer.A",
        ],
    )
    assert re.fullmatch(r"06529-251006-\d{4}", dossier.code)
    assert "free when" not in text  # the catalogue's English half of the fee note stays out


def test_receipt_qr_code_opens_the_public_lookup(cast, settings):
    settings.PUBLIC_BASE_URL = "https://motcua.langson.example"
    dossier = receive(cast)

    page = PdfReader(io.BytesIO(printing.render_pdf(dossier, "receipt"))).pages[0]

    [image] = page.images
    picture = image.image.convert("L")
    expected = segno.make(f"https://motcua.langson.example/lookup/{dossier.code}/", error="m")
    size = len(expected.matrix) + 8  # the modules and the quiet zone of 4 on each side
    assert picture.size == (size * 8, size * 8)
    # Read the symbol back module by module (the centre pixel of each 8×8 cell).
    modules = [[picture.getpixel((8 * x + 4, 8 * y + 4)) < 128 for x in range(size)] for y in range(size)]
    assert [row[4:-4] for row in modules[4:-4]] == [[bool(m) for m in row] for row in expected.matrix]
    assert not any(modules[0]) and not any(row[0] for row in modules)  # a clean quiet zone


def test_online_receipt_names_no_officer(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = receive(cast, channel=Channel.ONLINE)

    text = pdf_text(printing.render_pdf(dossier, "receipt"))

    assert "Người tiếp nhận: Nộp trực tuyến" in text
    assert "Thời gian nhận hồ sơ: 09:00 ngày 06/10/2025 (nộp trực tuyến)" in text
    assert "BỘ PHẬN MỘT CỬA (Hồ sơ nộp trực tuyến)" in text
    assert "NGƯỜI NỘP HỒ SƠ" not in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" not in text


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ("civil-status-extract-copy", "Phí, lệ phí: 8.000 đồng/bản sao (Thông tư 281/2016/TT-BTC)."),
        ("signature-certification", "Phí, lệ phí: 10.000 đồng/trường hợp (Thông tư 226/2016/TT-BTC)."),
    ],
)
def test_receipt_states_the_fee_once_in_vietnamese(cast, code, line):
    text = pdf_text(printing.render_pdf(receive(cast, code), "receipt"))

    assert line in text
    assert "VND" not in text


def test_tracking_form_lists_every_hand_off_with_its_step_deadline(cast, specialist):
    # A three-working-day procedure received Monday 09:00, due Thursday 17:00: 38 office
    # hours, shared 10 / 50 / 30 / 10 % between the steps, so the steps are due Monday 12:48,
    # Wednesday 11:48, Thursday 13:12 and Thursday 17:00. The officer assigns on the day (on
    # time), the specialist proposes on Tuesday (early), the chair decides on Thursday at 14:00
    # (late for the approval step), the officer returns the result that day (on time).
    dossier = receive(cast, "civil-status-change")
    services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=specialist, at=at(6, 10))
    services.dossier_start(actor=specialist, dossier=dossier, at=at(6, 11))
    services.dossier_submit(actor=specialist, dossier=dossier, at=at(7, 10))
    services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(9, 14))
    services.dossier_result_ready(actor=cast.officer_a, dossier=dossier, at=at(9, 14, 30))
    services.dossier_return(actor=cast.officer_a, dossier=dossier, at=at(9, 15))
    events = list(dossier.events.order_by("at", "id"))
    assert len(events) == 7

    text = pdf_text(printing.render_pdf(dossier, "tracking"))

    assert_in_order(text, ["ỦY BAN NHÂN DÂN XÃ LỘC BÌNH", *MOTTO, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"])
    assert f"Kèm theo hồ sơ của: Ông/Bà {APPLICANT}" in text
    citizen = f"Ông/Bà {APPLICANT}"
    expected_rows = [
        ["1", "Tiếp nhận hồ sơ", citizen, "Officer.A", "Xã Lộc Bình", "09:00 06/10/2025"],
        ["2", "Phân công xử lý", "Officer.A", "Specialist.A", "10:00 06/10/2025"],
        ["3", "Bắt đầu thẩm định", "Specialist.A", "11:00 06/10/2025"],
        ["4", "Trình phê duyệt", "Specialist.A", "Chair.A", "10:00 07/10/2025"],
        ["5", "Phê duyệt", "Chair.A", "Officer.A", "14:00 09/10/2025"],
        ["6", "Có kết quả", "Officer.A", "Xã Lộc Bình", "Xã Lộc Bình", "14:30 09/10/2025"],
        ["7", "Trả kết quả", "Officer.A", citizen, "15:00 09/10/2025"],
    ]
    labels = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
    steps = {"receive": "Tiếp nhận, phân công", "process": "Thẩm định, đề xuất", "approve": "Phê duyệt"}
    steps["return"] = "Trả kết quả"
    fragments = []
    for row, event in zip(expected_rows, events, strict=True):
        fragments += row
        if event.stage:
            fragments += [f"{steps[event.stage]}: {local(event.stage_due_at)}", labels[event.stage_timeliness]]
    assert_in_order(text, fragments)
    # The scenario shows the three results of a step.
    assert [e.stage_timeliness for e in events if e.stage] == ["on_time", "early", "late", "on_time"]
    assert [local(e.stage_due_at) for e in events if e.stage] == [
        "12:48 06/10/2025",
        "11:48 08/10/2025",
        "13:12 09/10/2025",
        "17:00 09/10/2025",
    ]


def test_supplement_form_lists_the_missing_papers_and_the_reason(cast):
    dossier = receive(cast)
    services.dossier_request_supplement(
        actor=cast.officer_a,
        dossier=dossier,
        missing=["Giấy chứng sinh (bản chính)", "Bản sao giấy chứng nhận kết hôn của cha mẹ"],
        reason="Giấy chứng sinh nộp kèm bị mờ, không đọc được họ tên người mẹ.",
        at=at(6, 9, 30),
    )

    pdf = printing.render_pdf(dossier, "supplement")

    text = pdf_text(pdf)
    assert_in_order(
        text,
        [
            "ỦY BAN NHÂN DÂN XÃ LỘC BÌNH",
            *MOTTO,
            "Lộc Bình, ngày 06 tháng 10 năm 2025",
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            f"Mã hồ sơ: {dossier.code}",
            f"Hồ sơ của: Ông/Bà {APPLICANT}",
            "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
            "1. Giấy chứng sinh (bản chính)",
            "2. Bản sao giấy chứng nhận kết hôn của cha mẹ",
            "Lý do: Giấy chứng sinh nộp kèm bị mờ, không đọc được họ tên người mẹ.",
            "tạm dừng từ 09:30 ngày 06/10/2025",
            "NGƯỜI HƯỚNG DẪN",
            "Officer.A",
        ],
    )
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1  # the look-up QR code


def test_refusal_form_gives_the_reason_and_who_decided(cast, specialist):
    dossier = receive(cast)
    reason = "Trẻ không thuộc trường hợp đăng ký khai sinh tại Ủy ban nhân dân xã Lộc Bình."
    services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=specialist, at=at(6, 9, 10))
    services.dossier_start(actor=specialist, dossier=dossier, at=at(6, 9, 20))
    services.dossier_submit(actor=specialist, dossier=dossier, approve=False, reason=reason, at=at(6, 10))
    services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=False, at=at(6, 11))

    text = pdf_text(printing.render_pdf(dossier, "refusal"))

    assert_in_order(
        text,
        [
            "ỦY BAN NHÂN DÂN XÃ LỘC BÌNH",
            *MOTTO,
            "Lộc Bình, ngày 06 tháng 10 năm 2025",
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            f"Mã hồ sơ: {dossier.code}",
            f"Ông/Bà: {APPLICANT}",
            "thông báo không giải quyết hồ sơ này với lý do cụ thể như sau:",
            reason,
            "TM. ỦY BAN NHÂN DÂN",
            "CHỦ TỊCH",
            "Chair.A",
        ],
    )


def test_apology_gives_a_new_date_and_the_receipt_follows_it(cast):
    dossier = receive(cast)
    services.dossier_apologise(
        actor=cast.officer_a,
        dossier=dossier,
        new_due_at=at(7, 16),
        reason="Cần xác minh thông tin nơi sinh với Trạm Y tế xã.",
        at=at(6, 16),
    )

    text = pdf_text(printing.render_pdf(dossier, "apology"))

    assert_in_order(
        text,
        [
            "ỦY BAN NHÂN DÂN",
            "XÃ LỘC BÌNH",
            *MOTTO,
            "Lộc Bình, ngày 06 tháng 10 năm 2025",
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            f"Kính gửi: Ông/Bà {APPLICANT}",
            "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17:00 ngày 06/10/2025",
            "Lý do: Cần xác minh thông tin nơi sinh với Trạm Y tế xã.",
            "hẹn lại thời gian trả kết quả vào 16:00 ngày 07/10/2025",
            "TM. ỦY BAN NHÂN DÂN",
        ],
    )
    receipt = pdf_text(printing.render_pdf(dossier, "receipt"))
    assert "Thời gian trả kết quả giải quyết hồ sơ: 16:00 ngày 07/10/2025" in receipt


def test_notice_of_stopping_gives_the_reason(cast):
    dossier = receive(cast)
    services.dossier_stop(actor=cast.officer_a, dossier=dossier, reason="Người yêu cầu rút hồ sơ.", at=at(6, 14, 5))

    text = pdf_text(printing.render_pdf(dossier, "stop"))

    assert_in_order(
        text,
        [
            "ỦY BAN NHÂN DÂN",
            "XÃ LỘC BÌNH",
            *MOTTO,
            "Lộc Bình, ngày 06 tháng 10 năm 2025",
            "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            f"Kính gửi: Ông/Bà {APPLICANT}",
            "thông báo dừng giải quyết hồ sơ nêu trên kể từ 14:05 ngày 06/10/2025",
            "Lý do: Người yêu cầu rút hồ sơ.",
        ],
    )


@pytest.mark.parametrize("slug", ["supplement", "refusal", "apology", "stop", "certificate"])
def test_a_form_that_does_not_apply_answers_404(cast, slug):
    dossier = receive(cast)

    assert not printing.form_available(dossier, slug)
    with pytest.raises(Http404):
        printing.render_pdf(dossier, slug)


def test_an_approved_dossier_has_no_refusal_even_after_a_proposal_to_refuse(cast, specialist):
    dossier = receive(cast)
    services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=specialist, at=at(6, 9, 10))
    services.dossier_start(actor=specialist, dossier=dossier, at=at(6, 9, 20))
    services.dossier_submit(actor=specialist, dossier=dossier, approve=False, reason="Thiếu căn cứ.", at=at(6, 10))
    services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(6, 11))

    assert printing.form_available(dossier, "receipt") and printing.form_available(dossier, "tracking")
    with pytest.raises(Http404):
        printing.render_pdf(dossier, "refusal")
