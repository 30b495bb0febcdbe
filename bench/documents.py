"""Benchmark of the document search at scale (issue 4, item 11).

    .venv/bin/python bench/documents.py [--documents 1000000] [--repeat 7] [--registrations 500]

One command, end to end, in this process (Django set up on the benchmark's database):

1. creates a fresh PostgreSQL database (`communeos_bench_docs`, dropped first if it exists),
   migrates it and loads the unit map (`load_units`);
2. GENERATES `--documents` register entries — NOT through the services, which would take
   hours: rows are written with COPY, in the order they arrived (the units interleaved, as in
   a real table), and the two full-text GIN indexes (migrations 0003_search and
   0006_province_search) are dropped before and built again after, then VACUUM ANALYZE. The
   rows look real: state and party symbols of both families (`12/QĐ-UBND`, `15/UBND-VP`,
   `123/2025/NĐ-CP`, `60-NQ/TW`, `176-TB/VPTU`…), their authors, Vietnamese summaries made
   of the phrases of real registers, one in five with an extracted text, spread over every
   commune in force (and a few provincial registers) from 2023 to 2026, about 2 %
   confidential; `province_id` is the unit's province; `search_text` is folded with
   `communeos.core.text.fold` over the symbol, author, summary and text, as the services do;
3. times 20 typical searches as `documents.selectors.document_list` makes them — the page's
   filters on `access.documents_visible_to(user)`, then `search.filter_matching(…, q,
   provinces=access.document_provinces(user))` — the first page of 20 evaluated through the ORM, for a commune
   officer (about 1/3,300 of the rows visible) and a provincial officer (one province),
   warm, each `--repeat` times, round-robin so that the machine's noise spreads over all of
   them; beside them, in the same rounds, the baselines `SELECT 1` and a primary-key lookup
   through the ORM; and the paginator's `count()` of each search, once (informative);
4. registers `--registrations` incoming documents through the real service
   (`document_register_incoming`: validation, arrival number, citations, audit, index);
5. prints the figures, the plans of two searches, the sizes, the machine and the date, and
   PASS/FAIL against the target: p95 under 50 ms at a million documents;
6. drops the database (unless `--keep`).

Exit status 0 even when the target is missed (the machine is shared), unless `--strict`.
"""

import argparse
import bisect
import itertools
import os
import platform
import random
import secrets
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import common  # noqa: E402
from bench.common import database_create, machine  # noqa: E402

TARGET_P95_MS = 50.0
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = date(2023, 1, 1), date(2026, 10, 31)
PROVINCE = "20"  # Lạng Sơn
COMMUNE = "06529"  # Xã Lộc Bình
PROVINCIAL_SHARE = 0.05  # the provinces' own registers; the rest goes to the communes
INCOMING_SHARE = 0.7
CONFIDENTIAL_SHARE = 0.02
TEXT_SHARE = 0.2


STARTED = time.monotonic()


def step(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.0f} s] {message}", flush=True)


# What a register holds -------------------------------------------------------------------------

TYPE_NAMES = {
    "QĐ": "Quyết định", "KH": "Kế hoạch", "TB": "Thông báo", "BC": "Báo cáo", "NQ": "Nghị quyết",
    "CT": "Chỉ thị", "KL": "Kết luận", "HD": "Hướng dẫn", "TTr": "Tờ trình", "NĐ": "Nghị định",
    "TT": "Thông tư", "CĐ": "Công điện", "CV": "Công văn", "": "Công văn",
}  # fmt: skip

# Who sends a commune its incoming documents: weight, author ({P}: the province), family,
# [(type, issuer, drafting unit, normative)].
SENDERS = [
    (30, "UBND tỉnh {P}", "state", [("QĐ", "UBND", "", False), ("KH", "UBND", "", False), ("TB", "UBND", "", False),
                                    ("CT", "UBND", "", False), ("", "UBND", "VP", False), ("", "UBND", "KT", False),
                                    ("", "UBND", "NC", False), ("", "UBND", "TH", False)]),
    (6, "Sở Tư pháp tỉnh {P}", "state", [("", "STP", "HCTP", False), ("KH", "STP", "", False),
                                         ("HD", "STP", "", False), ("", "STP", "PBGDPL", False)]),
    (6, "Sở Nội vụ tỉnh {P}", "state", [("", "SNV", "CCVC", False), ("", "SNV", "XDCQ", False),
                                        ("HD", "SNV", "", False), ("KH", "SNV", "", False)]),
    (3, "Sở Tài chính tỉnh {P}", "state", [("", "STC", "QLNS", False), ("HD", "STC", "", False)]),
    (3, "Sở Nông nghiệp và Môi trường tỉnh {P}", "state", [("", "SNNMT", "TL", False), ("KH", "SNNMT", "", False)]),
    (3, "Sở Y tế tỉnh {P}", "state", [("", "SYT", "NVY", False), ("KH", "SYT", "", False)]),
    (2, "Sở Khoa học và Công nghệ tỉnh {P}", "state", [("", "SKHCN", "CĐS", False), ("KH", "SKHCN", "", False)]),
    (2, "Sở Giáo dục và Đào tạo tỉnh {P}", "state", [("", "SGDĐT", "GDPT", False)]),
    (2, "Công an tỉnh {P}", "state", [("", "CAT", "PV01", False), ("KH", "CAT", "", False)]),
    (2, "Bảo hiểm xã hội tỉnh {P}", "state", [("", "BHXH", "TST", False)]),
    (3, "HĐND tỉnh {P}", "state", [("NQ", "HĐND", "", True), ("TB", "HĐND", "", False)]),
    (1.5, "Chính phủ", "state", [("NĐ", "CP", "", True), ("NQ", "CP", "", False)]),
    (1.5, "Thủ tướng Chính phủ", "state", [("QĐ", "TTg", "", False), ("CT", "TTg", "", False),
                                           ("CĐ", "TTg", "", False)]),
    (1, "Văn phòng Chính phủ", "state", [("", "VPCP", "KSTT", False), ("TB", "VPCP", "", False)]),
    (0.5, "Ủy ban Thường vụ Quốc hội", "state", [("", "UBTVQH15", "", True), ("NQ", "UBTVQH15", "", False)]),
    (1, "Bộ Nội vụ", "state", [("", "BNV", "CQĐP", False), ("TT", "BNV", "", True)]),
    (0.5, "Bộ Tài chính", "state", [("TT", "BTC", "", True), ("", "BTC", "NSNN", False)]),
    (8, "Tỉnh ủy {P}", "party", [("NQ", "TU", "", False), ("KL", "TU", "", False), ("CT", "TU", "", False),
                                 ("QĐ", "TU", "", False), ("KH", "TU", "", False), ("CV", "TU", "", False)]),
    (3, "Văn phòng Tỉnh ủy {P}", "party", [("TB", "VPTU", "", False), ("CV", "VPTU", "", False)]),
    (2, "Ban Tổ chức Tỉnh ủy {P}", "party", [("HD", "BTCTU", "", False), ("CV", "BTCTU", "", False)]),
    (2, "Ban Tuyên giáo và Dân vận Tỉnh ủy {P}", "party", [("KH", "BTGDVTU", "", False), ("HD", "BTGDVTU", "", False)]),
    (1, "Ủy ban Kiểm tra Tỉnh ủy {P}", "party", [("TB", "UBKTTU", "", False)]),
    (1, "Ban Chấp hành Trung ương", "party", [("NQ", "TW", "", False), ("KL", "TW", "", False), ("CT", "TW", "", False),
                                              ("TB", "TW", "", False)]),
]  # fmt: skip
# What a commune issues: weight, author ({C}: the commune), family, [(type, issuer, drafting unit)].
OWN = [
    (80, "UBND {C}", "state", [("QĐ", "UBND", ""), ("KH", "UBND", ""), ("TB", "UBND", ""), ("BC", "UBND", ""),
                               ("TTr", "UBND", ""), ("", "UBND", "VP"), ("", "UBND", "VP")]),
    (15, "Đảng ủy {C}", "party", [("NQ", "ĐU", ""), ("BC", "ĐU", ""), ("KH", "ĐU", ""), ("TB", "ĐU", ""),
                                  ("CV", "ĐU", "")]),
    (5, "HĐND {C}", "state", [("NQ", "HĐND", ""), ("BC", "HĐND", "")]),
]  # fmt: skip

TOPICS = [
    (5, "sắp xếp đơn vị hành chính cấp xã"),
    (2, "sắp xếp, tinh gọn tổ chức bộ máy của hệ thống chính trị"),
    (4, "triển khai thực hiện Nghị quyết của Ban Chấp hành Đảng bộ tỉnh"),
    (4, "kiểm tra công tác cải cách hành chính"),
    (4, "chuyển đổi số và phát triển chính quyền số"),
    (2, "triển khai Đề án 06 về phát triển ứng dụng dữ liệu dân cư, định danh và xác thực điện tử"),
    (3, "phòng chống thiên tai và tìm kiếm cứu nạn"),
    (2, "phòng cháy, chữa cháy rừng mùa khô"),
    (3, "tổ chức Hội nghị tổng kết công tác năm {Y} và triển khai nhiệm vụ năm {Y1}"),
    (3, "giao chỉ tiêu kế hoạch phát triển kinh tế - xã hội"),
    (3, "thu, chi ngân sách nhà nước"),
    (2, "dự toán ngân sách năm {Y1}"),
    (3, "xây dựng nông thôn mới"),
    (2, "giảm nghèo bền vững"),
    (3, "tiếp công dân, giải quyết khiếu nại, tố cáo"),
    (3, "cấp giấy chứng nhận quyền sử dụng đất"),
    (3, "đăng ký hộ tịch và chứng thực"),
    (2, "tuyển dụng công chức cấp xã"),
    (3, "kiện toàn Ban chỉ đạo"),
    (0.3, "phòng chống bệnh dịch tả lợn châu Phi"),
    (0.1, "phòng chống bệnh lở mồm long móng gia súc"),
    (1, "tiêm chủng mở rộng"),
    (1, "bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân các cấp"),
    (2, "Đại hội Đảng bộ xã nhiệm kỳ 2025 - 2030"),
    (2, "học tập, quán triệt và triển khai thực hiện Nghị quyết"),
    (2, "quản lý trật tự xây dựng"),
    (2, "bảo vệ môi trường và thu gom rác thải"),
    (2, "bảo đảm trật tự an toàn giao thông"),
    (1, "chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi"),
    (2, "chi trả trợ cấp xã hội hằng tháng"),
    (2, "phổ biến, giáo dục pháp luật"),
    (1, "thống kê, kiểm kê đất đai"),
    (1, "quyết toán ngân sách năm {Y0}"),
    (1, "công tác dân số và phát triển"),
    (2, "phòng, chống tội phạm và tệ nạn ma túy"),
    (1, "công tác quốc phòng, quân sự địa phương"),
    (1, "tuyển chọn và gọi công dân nhập ngũ năm {Y1}"),
    (1, "tổ chức đón Tết Nguyên đán"),
    (0.5, "khắc phục hậu quả cơn bão số 3 (Yagi)"),
    (1, "xóa nhà tạm, nhà dột nát"),
    (2, "công tác thi đua, khen thưởng"),
    (2, "cung cấp dịch vụ công trực tuyến trên Cổng Dịch vụ công quốc gia"),
    (2, "quản lý, sử dụng tài sản công"),
    (1, "phòng, chống tham nhũng, tiêu cực"),
    (1, "thực hành tiết kiệm, chống lãng phí"),
    (1, "kiểm tra, giám sát của Ủy ban Kiểm tra"),
    (1, "công tác văn thư, lưu trữ"),
    (1, "quản lý và bảo vệ rừng"),
    (1, "hỗ trợ sản xuất nông nghiệp vụ Đông Xuân"),
    (1, "chấn chỉnh kỷ luật, kỷ cương hành chính"),
]
OPENINGS = {
    "QĐ": ["về việc {t}", "phê duyệt kế hoạch {t}", "ban hành Quy chế {t}", "thành lập Tổ công tác {t}",
           "kiện toàn Ban chỉ đạo {t}"],
    "KH": ["{t}", "triển khai thực hiện {t}", "kiểm tra {t}", "tuyên truyền {t}"],
    "TB": ["kết luận của Chủ tịch tại cuộc họp về {t}", "về {t}", "kết quả {t}"],
    "BC": ["kết quả {t}", "tình hình {t}", "sơ kết {t}", "tổng kết {t}"],
    "NQ": ["về {t}", "về lãnh đạo {t}", "thông qua {t}"],
    "CT": ["về tăng cường {t}", "về đẩy mạnh {t}"],
    "KL": ["về {t}", "về tiếp tục thực hiện {t}"],
    "HD": ["{t}", "thực hiện {t}"],
    "TTr": ["đề nghị phê duyệt {t}", "về {t}"],
    "NĐ": ["quy định chi tiết về {t}", "quy định {t}"],
    "TT": ["hướng dẫn {t}", "quy định {t}"],
    "CĐ": ["về {t}", "về tập trung chỉ đạo {t}"],
    "CV": ["về việc {t}", "V/v {t}"],
    "": ["về việc {t}", "V/v {t}", "V/v đôn đốc {t}", "V/v báo cáo {t}", "V/v triển khai {t}"],
}  # fmt: skip
TAILS = [
    (8, ""), (3, " năm {Y}"), (3, " trên địa bàn {C}"), (2, " trên địa bàn tỉnh {P}"), (2, " 6 tháng đầu năm {Y}"),
    (2, " quý {Q} năm {Y}"), (1, " giai đoạn 2021 - 2025"), (1, " giai đoạn 2026 - 2030"),
]  # fmt: skip
CITED = [
    ("Nghị quyết", "1672/NQ-UBTVQH15"), ("Nghị quyết", "76/2025/UBTVQH15"), ("Nghị quyết", "60-NQ/TW"),
    ("Nghị quyết", "57-NQ/TW"), ("Nghị quyết", "18-NQ/TW"), ("Kết luận", "127-KL/TW"), ("Kết luận", "137-KL/TW"),
    ("Nghị quyết", "202/2025/QH15"), ("Nghị quyết", "190/2025/QH15"), ("Quyết định", "06/QĐ-TTg"),
    ("Nghị định", "30/2020/NĐ-CP"), ("Nghị định", "61/2018/NĐ-CP"),
]  # fmt: skip
SENTENCES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Xét đề nghị của Trưởng phòng Văn hóa - Xã hội.",
    "Xét đề nghị của Chánh Văn phòng HĐND và UBND {C}.",
    "Ủy ban nhân dân {C} đề nghị các cơ quan, đơn vị, thôn, bản triển khai thực hiện nghiêm túc.",
    "Giao Văn phòng HĐND và UBND theo dõi, đôn đốc, tổng hợp, báo cáo kết quả trước ngày {D}.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời để tổng hợp, báo cáo.",
    "Quyết định này có hiệu lực kể từ ngày ký.",
    "Tổng số hồ sơ tiếp nhận trong kỳ là {N} hồ sơ, đã giải quyết đúng hạn {M} hồ sơ.",
    "Các thôn, bản chủ động rà soát các hộ dân sinh sống ven sông, suối, khu vực có nguy cơ sạt lở đất.",
    "Công chức Tư pháp - Hộ tịch có trách nhiệm hướng dẫn công dân thực hiện thủ tục theo quy định.",
    "Kinh phí thực hiện từ nguồn ngân sách xã năm {Y} và các nguồn huy động hợp pháp khác.",
    "Tăng cường tuyên truyền trên hệ thống loa truyền thanh cơ sở và các nền tảng số.",
    "Thời gian thực hiện: từ ngày {D} đến hết ngày 31 tháng 12 năm {Y}.",
    "Chủ tịch UBND các xã, phường chịu trách nhiệm trước Chủ tịch UBND tỉnh về kết quả thực hiện.",
    "Đề nghị Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội phối hợp tuyên truyền, vận động Nhân dân.",
    "Báo cáo gửi về Sở Nội vụ qua Hệ thống quản lý văn bản và điều hành trước ngày {D}.",
    "Ban Chỉ đạo họp định kỳ hằng quý, họp đột xuất khi cần thiết.",
    "Nơi nhận: Như trên; Thường trực Đảng ủy; Thường trực HĐND; Lưu: VT.",
    "Tiếp tục thực hiện có hiệu quả các nhiệm vụ, giải pháp đã đề ra trong Nghị quyết Đại hội.",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vi", "Lương", "Nông", "Hà", "Lục", "Chu", "Đinh", "Triệu"]
GIVEN = ["Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Đức Hải", "Thị Hoa", "Văn Hùng", "Thị Lan", "Minh Tuấn",
         "Thị Thu", "Văn Toàn", "Quang Vinh"]  # fmt: skip

COLUMNS = [
    "created_at", "updated_at", "unit_id", "province_id", "direction", "body", "year", "arrival_number", "arrived_at",
    "registered_at", "registered_in_time", "symbol", "number", "doc_type", "issuer", "drafting_unit", "normative",
    "author", "issued_on", "summary", "signer", "recipients", "copies", "urgency", "confidentiality", "status",
    "deadline", "dispatched_at", "note", "text", "digitisation", "search_text",
]  # fmt: skip


class Picker:
    """Weighted choice, fast (cumulative weights, bisect)."""

    def __init__(self, items):
        self.values = [value for _weight, value in items]
        self.cumulative = list(itertools.accumulate(weight for weight, _value in items))

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def symbol_of(family: str, number: int, year: int, doc_type: str, issuer: str, drafting: str, normative: bool) -> str:
    """As `communeos.documents.symbols.Symbol.format` writes it."""
    n = f"{number:02d}"
    tail = f"-{drafting}" if drafting else ""
    if family == "party":
        return f"{n}-{doc_type}/{issuer}{tail}"
    return f"{n}/{f'{year}/' if normative else ''}{f'{doc_type}-' if doc_type else ''}{issuer}{tail}"


class Generator:
    def __init__(self, units: list[tuple[int, int, str, str, bool]], seed: int = 2025):
        """`units`: (id, commune or province name, province name, is a province)."""
        from communeos.core.text import fold

        self.fold = fold
        self.rng = random.Random(seed)
        self.units = units
        communes = [u for u in units if not u[4]]
        provinces = [u for u in units if u[4]]
        # Communes differ in size: a weight between 0.5 and 1.5.
        self.unit = Picker(
            [(1.5 * (1 - PROVINCIAL_SHARE) / len(communes) * (0.5 + self.rng.random()), u) for u in communes]
            + [(PROVINCIAL_SHARE / len(provinces), u) for u in provinces]
        )
        self.sender = Picker([(w, (author, family, kinds)) for w, author, family, kinds in SENDERS])
        self.own = Picker([(w, (author, family, kinds)) for w, author, family, kinds in OWN])
        self.topic = Picker(TOPICS)
        self.tail = Picker(TAILS)
        self.arrival: dict[tuple[int, int], int] = {}
        self.outgoing: dict[tuple[int, str], int] = {}

    def rows(self, count: int):
        rng = self.rng
        days = (END - START).days + 1
        # Arrival moments, in order: the rows go in as they would have been registered.
        moments = sorted(rng.random() * days for _ in range(count))
        base = datetime(START.year, START.month, START.day, 7, 30, tzinfo=TZ)
        for offset in moments:
            day = int(offset)
            at = base + timedelta(days=day, seconds=int((offset - day) * 9.5 * 3600))
            yield self.row(at)

    def row(self, at: datetime):
        rng = self.rng
        unit_id, province_id, name, province, is_province = self.unit(rng)
        year = at.year
        incoming = rng.random() < INCOMING_SHARE
        if incoming:
            author, family, kinds = self.sender(rng)
            doc_type, issuer, drafting, normative = kinds[rng.randrange(len(kinds))]
            number = int(rng.paretovariate(1.2) * 20) % 4000 + 1
            issued_on = (at - timedelta(days=rng.randrange(8))).date()
            key = (unit_id, year)
            arrival = self.arrival[key] = self.arrival.get(key, 0) + 1
            status = "done" if at.date() < date(2026, 9, 1) or rng.random() < 0.3 else rng.choice(["new", "assigned"])
        else:
            author, family, kinds = self.own(rng)
            doc_type, issuer, drafting = kinds[rng.randrange(len(kinds))]
            normative = False
            series = f"{year}-{family}-{doc_type if family == 'party' else ''}"
            key = (unit_id, series)
            number = self.outgoing[key] = self.outgoing.get(key, 0) + 1
            issued_on = at.date()
            arrival = None
            status = "dispatched" if rng.random() < 0.9 else "issued"
        author = author.format(P=province, C=name)
        symbol = symbol_of(family, number, issued_on.year, doc_type, issuer, drafting, normative)
        summary = self.summary(doc_type, family, name, province, year)
        text = self.text(name, year, at) if rng.random() < TEXT_SHARE else ""
        r = rng.random()
        urgency = "khan" if r < 0.05 else "thuong_khan" if r < 0.06 else "hoa_toc" if r < 0.063 else ""
        r = rng.random()
        confidentiality = "" if r >= CONFIDENTIAL_SHARE else "mat" if r < 0.017 else "toi_mat"
        deadline = (
            (at + timedelta(days=rng.choice([7, 10, 15, 30]))).date() if incoming and rng.random() < 0.3 else None
        )
        signer = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}" if not incoming else ""
        return (
            at,
            at,
            unit_id,
            province_id,
            "incoming" if incoming else "outgoing",
            family,
            year,
            arrival,
            at if incoming else None,
            at,
            True,
            symbol,
            number,
            doc_type,
            issuer,
            drafting,
            normative,
            author,
            issued_on,
            summary,
            signer,
            "",
            1,
            urgency,
            confidentiality,
            status,
            deadline,
            at if status == "dispatched" else None,
            "",
            text,
            "text" if text else "none",
            self.fold(" ".join(p for p in (symbol, author, summary, text) if p)),
        )

    def summary(self, doc_type: str, family: str, commune: str, province: str, year: int) -> str:
        rng = self.rng
        name = TYPE_NAMES[doc_type]
        topic = self.topic(rng).format(Y=year, Y1=year + 1, Y0=year - 1)
        opening = rng.choice(OPENINGS[doc_type]).format(t=topic)
        tail = self.tail(rng).format(Y=year, C=commune, P=province, Q=rng.randint(1, 4))
        text = f"{opening}{tail}" if doc_type in ("", "CV") else f"{name} {opening}{tail}"
        if rng.random() < 0.12:
            kind, cited = rng.choice(CITED)
            text += f" (thực hiện {kind} số {cited})"
        return text[0].upper() + text[1:]

    def text(self, commune: str, year: int, at: datetime) -> str:
        rng = self.rng
        day = (at + timedelta(days=rng.randrange(5, 40))).strftime("%d/%m/%Y")
        n = rng.randrange(20, 400)
        chosen = rng.sample(SENTENCES, rng.randint(4, 10))
        return " ".join(s.format(C=commune, D=day, Y=year, N=n, M=n - rng.randrange(0, 5)) for s in chosen)


# The database ---------------------------------------------------------------------------------


def database_drop(server: str, name: str) -> None:
    from django.db import connections

    connections.close_all()  # this process's own connections to it
    common.database_drop(server, name)


def load(count: int) -> dict:
    """Generate and COPY `count` documents; rebuild the search index; VACUUM ANALYZE."""
    from django.db import connection

    from communeos.units.models import Level, Unit

    provinces = {u.pk: u.short_name for u in Unit.objects.filter(level=Level.PROVINCE, valid_to=None)}
    units = [(pk, pk, name, provinces[pk], True) for pk, name in provinces.items()]
    units += [
        (u.pk, u.province_id, u.name[0].lower() + u.name[1:], provinces.get(u.province_id, ""), False)  # "xã Lộc Bình"
        for u in Unit.objects.filter(level=Level.COMMUNE, valid_to=None).only("pk", "name", "province_id")
    ]
    communes = sum(1 for u in units if not u[4])
    step(
        f"generating {count:,} documents over {communes:,} communes and {len(provinces)} provinces, "
        "written with COPY — NOT through the services"
    )
    figures = {"communes": communes, "provinces": len(provinces)}
    search_indexes = ["documents_document_search", "documents_document_province_search"]
    with connection.cursor() as cursor:  # the two GIN indexes: built once after the load, not row by row
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [search_indexes])
        definitions = [row[0] for row in cursor.fetchall()]
        assert len(definitions) == len(search_indexes), definitions
        for name in search_indexes:
            cursor.execute(f"DROP INDEX {name}")
    generator = Generator(units)
    started = time.monotonic()
    raw = connection.connection  # psycopg
    with raw.cursor() as cursor, cursor.copy(f"COPY documents_document ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for i, row in enumerate(generator.rows(count), 1):
            copy.write_row(row)
            if i % 200_000 == 0:
                step(f"  {i:,} rows, {time.monotonic() - started:.0f} s")
    raw.commit()
    figures["copy_s"] = time.monotonic() - started
    with connection.cursor() as cursor:  # the arrival counters carry on from the rows written
        cursor.execute(
            """INSERT INTO core_counter (series, unit_id, period, last)
               SELECT 'incoming', unit_id, year::text, max(arrival_number) FROM documents_document
               WHERE direction = 'incoming' GROUP BY unit_id, year"""
        )
    step(f"generated and copied in {figures['copy_s']:.0f} s; building the search indexes")
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in definitions:
            cursor.execute(definition)
        figures["index_s"] = time.monotonic() - started
        step(f"GIN indexes built in {figures['index_s']:.0f} s; VACUUM ANALYZE")
        started = time.monotonic()
        cursor.execute("VACUUM ANALYZE documents_document")
        figures["vacuum_s"] = time.monotonic() - started
    return figures


def people(commune, province):
    """The searchers: a commune officer and a provincial officer; a clerk who registers. The
    confidential documents are granted to an archivist (the table has the rows a real one
    would), and those of the commune to its officer."""
    from django.db import connection

    from communeos.people import services
    from communeos.people.models import Position

    def person(username, unit, position):
        user = services.person_create(actor=None, username=username, full_name=username.title())
        services.assignment_create(
            actor=None, person=user, unit=unit, position=Position.objects.get(code=position), start=date(2025, 7, 1)
        )
        return user

    officer = person("bench.commune", commune, "onestop_officer")
    provincial = person("bench.province", province, "department_officer")
    clerk = person("bench.clerk", commune, "clerk")
    archivist = person("bench.archivist", province, "department_officer")
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO documents_confidentialgrant (created_at, updated_at, document_id, person_id)
               SELECT now(), now(), id, %s FROM documents_document WHERE confidentiality <> ''""",
            [archivist.pk],
        )
        cursor.execute(
            """INSERT INTO documents_confidentialgrant (created_at, updated_at, document_id, person_id)
               SELECT now(), now(), id, %s FROM documents_document WHERE confidentiality <> '' AND unit_id = %s""",
            [officer.pk, commune.pk],
        )
        cursor.execute("ANALYZE documents_confidentialgrant")
    return officer, provincial, clerk


# The searches ---------------------------------------------------------------------------------


def searches(officer, provincial, commune, province_commune):
    """20 typical searches: (label, user, q, filters)."""
    from django.db.models import Q

    from communeos.documents.models import Document

    def one_symbol(*choices) -> str:
        for choice in choices:
            found = Document.objects.filter(choice).order_by("?").values_list("symbol", flat=True).first()
            if found:
                return found
        raise SystemExit("FAILED: too few documents to pick the symbols searched for")

    own = one_symbol(Q(unit=commune, direction="outgoing", doc_type="QĐ"), Q(unit=commune))
    theirs = one_symbol(
        Q(unit=province_commune, direction="incoming", body="party"), Q(unit__province=commune.province, body="party")
    )
    year_2025 = Q(issued_on__range=(date(2025, 1, 1), date(2025, 12, 31)))
    last_quarter = Q(issued_on__range=(date(2026, 7, 1), date(2026, 9, 30)))
    c, p = officer, provincial
    return [
        ("commune: words without diacritics", c, "nghi quyet sap xep", None),
        ("commune: words with diacritics", c, "Sắp xếp đơn vị hành chính cấp xã", None),
        ("commune: two words", c, "chuyen doi so", None),
        ("commune: common word", c, "ke hoach", None),
        ("commune: very common word", c, "ubnd", None),
        ("commune: its own symbol", c, own, None),
        ("commune: symbol fragment", c, "QĐ-UBND", None),
        ("commune: rare words", c, "dich ta lon chau phi", None),
        ("commune: words + year 2025", c, "bao cao ket qua", year_2025),
        ("commune: words + incoming", c, "phong chong thien tai", Q(direction="incoming")),
        ("province: words without diacritics", p, "nghi quyet sap xep", None),
        ("province: words with diacritics", p, "Kế hoạch kiểm tra cải cách hành chính", None),
        ("province: words + one commune", p, "chuyen doi so", Q(unit=province_commune)),
        ("province: a party symbol", p, theirs, None),
        ("province: symbol fragment", p, "ubtvqh15", None),
        ("province: rare words", p, "lo mom long mong", None),
        ("province: common word", p, "thuc hien", None),
        ("province: words + a quarter", p, "bao cao", last_quarter),
        ("province: a long phrase", p, "tiep cong dan, giai quyet khieu nai, to cao", None),
        ("province: issuer + topic", p, "Sở Tư pháp hộ tịch", None),
    ]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def requester(user):
    """The user as a new request loads it: nothing of its scope read yet (access keeps what it
    reads on the user object for the rest of the request)."""
    return type(user).objects.get(pk=user.pk)


def results(user, q, filters):
    """As `documents.selectors.document_list` does: the filters first, then the search, told
    the provinces of what the user may see."""
    from communeos.core import access
    from communeos.documents import search

    qs = access.documents_visible_to(user)
    qs = qs.filter(filters) if filters is not None else qs
    return search.filter_matching(qs, q, provinces=access.document_provinces(user))


def measure(cases, repeat: int) -> dict:
    """Round-robin: in each round the baselines, then every search."""
    from django.db import connection

    from communeos.documents.models import Document

    pk_cycle = itertools.cycle(list(Document.objects.order_by("?").values_list("pk", flat=True)[:50]))

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    baselines = {
        "SELECT 1 (cursor)": select_one,
        "Document by primary key (ORM)": lambda: Document.objects.get(pk=next(pk_cycle)),
    }
    base_ms = {label: [] for label in baselines}
    ms = {label: [] for label, *_ in cases}
    counted, count_ms = {}, {}
    for _label, user, q, filters in cases:  # warm: caches, plans, the users' units
        list(results(user, q, filters)[:20])
    for _ in range(repeat):
        for label, fn in baselines.items():
            t = time.perf_counter()
            fn()
            base_ms[label].append((time.perf_counter() - t) * 1000)
        for label, user, q, filters in cases:
            user = requester(user)
            t = time.perf_counter()
            list(results(user, q, filters)[:20])
            ms[label].append((time.perf_counter() - t) * 1000)
    for label, user, q, filters in cases:  # the paginator's count, once (informative)
        t = time.perf_counter()
        counted[label] = results(user, q, filters).count()
        count_ms[label] = (time.perf_counter() - t) * 1000
    return {"ms": ms, "base": base_ms, "counted": counted, "count_ms": count_ms}


def plans(cases, wanted: list[str]) -> list[str]:
    from django.db import connection

    out = []
    for label, user, q, filters in cases:
        if label not in wanted:
            continue
        sql, params = results(user, q, filters)[:20].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
        out.append(f"-- {label} {q!r}:\n" + "\n".join(lines))
    return out


def register(clerk, commune, count: int) -> float:
    """Registrations per second through the real service."""
    from django.utils import timezone

    from communeos.documents import services

    generator = Generator([(commune.pk, commune.province_id, commune.name, "Lạng Sơn", False)], seed=7)
    now = timezone.now()
    started = time.monotonic()
    for i in range(count):
        services.document_register_incoming(
            actor=clerk,
            unit=commune,
            symbol=f"{9000 + i}/UBND-VP",
            author="UBND tỉnh Lạng Sơn",
            issued_on=timezone.localdate(now) - timedelta(days=1),
            summary=generator.summary("", "state", commune.name, "Lạng Sơn", now.year),
            arrived_at=now,
        )
    return count / (time.monotonic() - started)


def sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT pg_relation_size('documents_document_search'),
                      pg_relation_size('documents_document_province_search'), pg_table_size('documents_document'),
                      pg_indexes_size('documents_document'), (SELECT count(*) FROM documents_document)"""
        )
        index, province_index, table, indexes, rows = cursor.fetchone()
    return {"index": index, "province_index": province_index, "table": table, "indexes": indexes, "rows": rows}


# Report ---------------------------------------------------------------------------------------


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MiB"


def report(args, info, figures, result, rate, size, plan_text) -> bool:
    ms, base = result["ms"], result["base"]
    labels = list(result["counted"])
    overall = [t for samples in ms.values() for t in samples]
    p95 = percentile(overall, 0.95)
    pk95 = percentile(base["Document by primary key (ORM)"], 0.95)
    met = p95 < TARGET_P95_MS
    print()
    print(
        f"Document search at scale: {size['rows']:,} documents ({args.documents:,} generated and written with COPY, "
        f"NOT through the services; then {args.registrations} registered through the service)"
    )
    print(
        f"Date: {info['date']}. Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}, "
        f"load {info['load']} at start (shared). {info['versions']}, shared_buffers {info['shared_buffers']}. "
        f"Commit {info['commit']}."
    )
    print(
        f"Load: COPY {figures['copy_s']:.0f} s, GIN indexes {figures['index_s']:.0f} s, VACUUM ANALYZE "
        f"{figures['vacuum_s']:.0f} s; {figures['communes']:,} communes, {figures['provinces']} provinces."
    )
    print(
        f"Sizes: table {mib(size['table'])} (with the generated search_vector), all its indexes "
        f"{mib(size['indexes'])}, of which the GIN search indexes {mib(size['index'])} (words) and "
        f"{mib(size['province_index'])} (words per province)."
    )
    print()
    print(
        f"First page (20 rows, relevance then newest) of each search through the ORM, warm, {args.repeat} runs "
        "each, round-robin; ms."
    )
    print("count(): the paginator's count of the same search, one run.")
    width = max(len(label) for label in labels) + 2
    head = f"{'search':<{width}}{'matches':>9}{'p50':>11}{'p95':>8}{'count()':>9}"
    print(head)
    print("-" * len(head))
    for label in labels:
        a = ms[label]
        print(
            f"{label:<{width}}{result['counted'][label]:>9,}{percentile(a, 0.5):>11.1f}{percentile(a, 0.95):>8.1f}"
            f"{result['count_ms'][label]:>9.1f}"
        )
    for label, samples in base.items():
        print(f"{label:<{width}}{'':>9}{percentile(samples, 0.5):>11.2f}{percentile(samples, 0.95):>8.2f}")
    print()
    print(
        f"All {len(labels)} searches ({len(overall)} runs): p50 {percentile(overall, 0.5):.1f} ms, "
        f"p95 {p95:.1f} ms (= {p95 / pk95:.0f}x the p95 of a primary-key look-up, {pk95:.2f} ms)"
    )
    print(
        f"Registrations through document_register_incoming: {rate:.1f} per second "
        f"({1000 / rate:.1f} ms each, one process)."
    )
    verdict = "PASS" if met else "FAIL"
    if met and size["rows"] < 1_000_000:
        verdict = "PASS at this size only (not a million)"
    print(f"Target, p95 < {TARGET_P95_MS:.0f} ms at a million documents: {verdict}")
    if plan_text:
        print()
        print("Plans (EXPLAIN ANALYZE, BUFFERS):")
        for text in plan_text:
            print(text)
            print()
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7, help="runs of each search (7)")
    parser.add_argument("--registrations", type=int, default=500)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432", help="server, no database")
    parser.add_argument("--database", default="communeos_bench_docs")
    parser.add_argument("--keep", action="store_true", help="leave the database in place")
    parser.add_argument("--strict", action="store_true", help="exit 2 when the target is missed")
    args = parser.parse_args()

    info = machine()
    info["date"] = datetime.now().astimezone().isoformat(timespec="seconds")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="communeos.settings",
        DATABASE_URL=f"{args.postgres}/{args.database}",
        DEBUG="0",  # no query log in memory
        SECRET_KEY=secrets.token_urlsafe(50),
        LOG_LEVEL="WARNING",
    )
    step(f"creating the database {args.database}")
    database_create(args.postgres, args.database)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from communeos.units.models import Level, Unit

        started = time.monotonic()
        call_command("migrate", verbosity=0)
        call_command("load_units", verbosity=0)
        step(f"migrated, unit map loaded: {time.monotonic() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), current_setting('shared_buffers')")
            version, info["shared_buffers"] = cursor.fetchone()
        info["versions"] = (
            f"{version.split(' on ')[0]}, Python {platform.python_version()}, Django {django.get_version()}"
        )
        figures = load(args.documents)
        commune = Unit.objects.get(level=Level.COMMUNE, code=COMMUNE, valid_to=None)
        province = Unit.objects.get(level=Level.PROVINCE, code=PROVINCE, valid_to=None)
        officer, provincial, clerk = people(commune, province)
        other = Unit.objects.filter(level=Level.COMMUNE, province=province, valid_to=None).exclude(pk=commune.pk)
        cases = searches(officer, provincial, commune, other.order_by("code").first())
        step(f"timing {len(cases)} searches, {args.repeat} runs each")
        result = measure(cases, args.repeat)
        plan_text = plans(cases, ["commune: common word", "province: common word", "province: a party symbol"])
        step(f"registering {args.registrations} documents through the service")
        rate = register(clerk, commune, args.registrations)
        size = sizes()
    finally:
        if args.keep:
            step(f"keeping {args.database}")
        else:
            step(f"dropping {args.database}")
            database_drop(args.postgres, args.database)
    met = report(args, info, figures, result, rate, size, plan_text)
    return 2 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
