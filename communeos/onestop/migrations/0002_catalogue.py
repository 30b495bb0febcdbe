"""The catalogue of the ten common commune procedures (PRODUCT.md), as entered for the
two-tier local government from 1 July 2025 (Decree 118/2025/NĐ-CP on the one-stop shop).
Each line names its legal basis; administrators add versions in the admin, not here."""

from datetime import date, time

from django.db import migrations

CIVIL = ("Hộ tịch", "Civil status")
CERT = ("Chứng thực", "Certification")
JOINT = ("Liên thông", "Joint procedures")
PROVINCE_FEE = "Mức thu theo Nghị quyết của HĐND tỉnh / set by the provincial People's Council"
ON_TIME_FREE = "Miễn lệ phí khi đăng ký đúng hạn (Luật Hộ tịch, Điều 11) / free when registered in time"

# code, national code, name vi, name en, field, legal basis, fee, fee note, days, cut-off,
# time note, online, papers [(vi, en, required)]
PROCEDURES = [
    (
        "birth-registration",
        "1.001193",
        "Đăng ký khai sinh",
        "Birth registration",
        CIVIL,
        "Luật Hộ tịch số 60/2014/QH13, Điều 16; Nghị định 123/2015/NĐ-CP",
        0,
        ON_TIME_FREE,
        0,
        time(15),
        "",
        True,
        [
            ("Tờ khai đăng ký khai sinh", "Birth registration form", True),
            (
                "Giấy chứng sinh hoặc văn bản của người làm chứng",
                "Medical birth certificate or a witness's statement",
                True,
            ),
        ],
    ),
    (
        "marriage-registration",
        "1.000894",
        "Đăng ký kết hôn",
        "Marriage registration",
        CIVIL,
        "Luật Hộ tịch số 60/2014/QH13, Điều 18; Nghị định 123/2015/NĐ-CP",
        0,
        "Miễn lệ phí (Luật Hộ tịch, Điều 11) / free",
        0,
        time(15),
        "Tối đa 05 ngày làm việc nếu cần xác minh / up to 5 working days if verification is needed",
        True,
        [
            ("Tờ khai đăng ký kết hôn", "Marriage registration form", True),
            (
                "Giấy xác nhận tình trạng hôn nhân (nếu cư trú nơi khác)",
                "Marital status confirmation (if resident elsewhere)",
                False,
            ),
        ],
    ),
    (
        "death-registration",
        "1.000656",
        "Đăng ký khai tử",
        "Death registration",
        CIVIL,
        "Luật Hộ tịch số 60/2014/QH13, Điều 34; Nghị định 123/2015/NĐ-CP",
        0,
        ON_TIME_FREE,
        0,
        time(15),
        "Tối đa 03 ngày làm việc nếu cần xác minh / up to 3 working days if verification is needed",
        True,
        [
            ("Tờ khai đăng ký khai tử", "Death registration form", True),
            ("Giấy báo tử hoặc giấy tờ thay giấy báo tử", "Death notice or a paper in its place", True),
        ],
    ),
    (
        "marital-status-confirmation",
        "1.004873",
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Marital status confirmation",
        CIVIL,
        "Nghị định 123/2015/NĐ-CP, Điều 22",
        0,
        PROVINCE_FEE,
        3,
        None,
        "Tối đa 23 ngày làm việc nếu cần xác minh / up to 23 working days if verification is needed",
        True,
        [("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "Marital status confirmation form", True)],
    ),
    (
        "civil-status-extract-copy",
        "",
        "Cấp bản sao trích lục hộ tịch",
        "Copy of a civil-status extract",
        CIVIL,
        "Nghị định 123/2015/NĐ-CP, Điều 64",
        8000,
        "8.000 đồng/bản sao (Thông tư 281/2016/TT-BTC) / VND 8,000 per copy",
        0,
        time(15),
        "",
        True,
        [("Tờ khai cấp bản sao trích lục hộ tịch", "Request form for a copy of an extract", True)],
    ),
    (
        "certified-copy",
        "",
        "Chứng thực bản sao từ bản chính",
        "Certified copy from the original",
        CERT,
        "Nghị định 23/2015/NĐ-CP, Điều 7",
        2000,
        "2.000 đồng/trang; từ trang thứ 3: 1.000 đồng/trang (Thông tư 226/2016/TT-BTC) / VND 2,000 a page",
        0,
        time(15),
        "Thêm tối đa 02 ngày làm việc nếu nhiều bản / up to 2 more working days for bulk",
        False,
        [("Bản chính giấy tờ", "The original paper", True), ("Bản sao cần chứng thực", "The copies to certify", True)],
    ),
    (
        "signature-certification",
        "",
        "Chứng thực chữ ký",
        "Signature certification",
        CERT,
        "Nghị định 23/2015/NĐ-CP, Điều 7",
        10000,
        "10.000 đồng/trường hợp (Thông tư 226/2016/TT-BTC) / VND 10,000 a case",
        0,
        time(15),
        "",
        False,
        [
            ("Giấy tờ tùy thân còn giá trị", "A valid identity paper", True),
            ("Giấy tờ, văn bản cần chứng thực chữ ký", "The paper to be signed", True),
        ],
    ),
    (
        "birth-re-registration",
        "",
        "Đăng ký lại khai sinh",
        "Late re-registration of birth",
        CIVIL,
        "Nghị định 123/2015/NĐ-CP, Điều 24–27",
        0,
        PROVINCE_FEE,
        5,
        None,
        "",
        True,
        [
            ("Tờ khai đăng ký lại khai sinh", "Re-registration form", True),
            (
                "Bản sao giấy khai sinh cũ hoặc giấy tờ liên quan",
                "A copy of the old birth certificate or related papers",
                True,
            ),
        ],
    ),
    (
        "civil-status-change",
        "",
        "Đăng ký thay đổi, cải chính hộ tịch",
        "Civil-status change or correction",
        CIVIL,
        "Luật Hộ tịch số 60/2014/QH13, Điều 28; Nghị định 123/2015/NĐ-CP",
        0,
        PROVINCE_FEE,
        3,
        None,
        "Thêm tối đa 03 ngày làm việc nếu cần xác minh / up to 3 more working days if verification is needed",
        True,
        [
            ("Tờ khai đăng ký thay đổi, cải chính hộ tịch", "Change or correction form", True),
            ("Giấy tờ làm căn cứ thay đổi, cải chính", "Papers supporting the change", True),
        ],
    ),
    (
        "joint-birth-residence-insurance",
        "",
        "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ em dưới 6 tuổi",
        "Joint birth, residence and health-insurance registration (child under 6)",
        JOINT,
        "Nghị định 63/2024/NĐ-CP (liên thông điện tử); Luật Hộ tịch số 60/2014/QH13",
        0,
        ON_TIME_FREE,
        15,
        None,
        "Tối đa 15 ngày làm việc / up to 15 working days",
        True,
        [
            ("Tờ khai đăng ký khai sinh", "Birth registration form", True),
            ("Giấy chứng sinh", "Medical birth certificate", True),
            ("Tờ khai thay đổi thông tin cư trú", "Residence information form", True),
        ],
    ),
]

# stage, name vi, name en, positions, share (%)
STEPS = [
    ("receive", "Tiếp nhận, phân công", "Receive and assign", ["onestop_officer"], 10),
    ("process", "Thẩm định, đề xuất", "Examine and propose", ["specialist"], 50),
    ("approve", "Phê duyệt", "Approve", ["commune_chair", "commune_vice_chair"], 30),
    ("return", "Trả kết quả", "Hand over the result", ["onestop_officer"], 10),
]


def _notes(Version, **notes) -> dict[str, str]:
    """The notes as this migration wrote them ("Vietnamese / English" in one field), or, when the
    tests run it again with today's models (conftest.ensure_unit_map), in the fields of each
    language that migration 0005 split them into."""
    if any(field.name == "fee_note" for field in Version._meta.get_fields()):
        return notes
    split = {}
    for name, note in notes.items():
        vi, _sep, en = note.partition(" / ")
        split[f"{name}_vi"], split[f"{name}_en"] = vi.strip(), en.strip()
    return split


def forward(apps, schema_editor):
    Procedure = apps.get_model("onestop", "Procedure")
    Version = apps.get_model("onestop", "ProcedureVersion")
    Step = apps.get_model("onestop", "ProcedureStep")
    Paper = apps.get_model("onestop", "ProcedurePaper")
    Position = apps.get_model("people", "Position")
    positions = {p.code: p for p in Position.objects.all()}
    for code, national, vi, en, field, basis, fee, fee_note, days, cutoff, time_note, online, papers in PROCEDURES:
        procedure = Procedure.objects.create(
            code=code, national_code=national, name_vi=vi, name_en=en, field_vi=field[0], field_en=field[1]
        )
        version = Version.objects.create(
            procedure=procedure,
            version=1,
            effective_from=date(2025, 7, 1),
            legal_basis=basis + "; Nghị định 118/2025/NĐ-CP (một cửa)",
            fee=fee,
            days=days,
            cutoff=cutoff,
            online_allowed=online,
            **_notes(Version, fee_note=fee_note, time_note=time_note),
        )
        for order, (paper_vi, paper_en, required) in enumerate(papers, start=1):
            Paper.objects.create(version=version, order=order, name_vi=paper_vi, name_en=paper_en, required=required)
        for stage, step_vi, step_en, codes, share in STEPS:
            step = Step.objects.create(version=version, stage=stage, name_vi=step_vi, name_en=step_en, share=share)
            step.positions.set([positions[c] for c in codes])


class Migration(migrations.Migration):
    dependencies = [("onestop", "0001_initial"), ("people", "0002_positions")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
