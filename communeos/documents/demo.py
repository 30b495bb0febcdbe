"""The demo world's documents: incoming and outgoing registers of the seven communes of
Working Group No. 4 and of the province, from 1 July 2025 to yesterday, replayed through
the services with the moment of each act.

What arrives in a commune: letters of the provincial People's Committee (`2874/UBND-VP`,
`3102/QĐ-UBND`, `KH`, `TB`, a Hỏa tốc `CĐ` in the storm season), of its departments
(`STP-HCTP`, `SNV-TCBC`, …), of the provincial party committee (`1204-KL/TU`, `905-TB/VPTU`),
of the police and the military command (some Mật), and what the other communes send. The
clerk registers each one (mostly the same day, a few late), the chair or the vice-chair
assigns it with a deadline, the handler finishes it — late now and then, never for some
(overdue) — and answers with a report when the letter asks for one. What a commune issues:
monthly reports to the province, decisions, plans, notices, công văn to the province or to
a neighbouring commune, party documents numbered across the committee's term (a
`PartyTerm` "Nhiệm kỳ 2025–2030" is created for each commune), a few Mật reports in their
own series. Draft → approved by the chair → issued by the clerk → dispatched: a recipient
inside the system finds it in its own incoming register.

Summaries and texts cite other documents the way real ones do ("Thực hiện Kế hoạch số
3102/KH-UBND ngày 5/8/2025 của UBND tỉnh …", "Căn cứ Nghị quyết số 1672/NQ-UBTVQH15 ngày
16/6/2025 …"): documents registered earlier, and outside ones (60-NQ/TW, 18-NQ/TW, …) that
stay placeholders until someone registers them — the province registers the founding texts
of the reform, and 57-NQ/TW later, filling its placeholder.

The story of Working Group No. 4: the province forms its working groups (July 2025), invites
the seven communes to a working session on 23 October 2025, each commune reports before it,
the province issues the conclusions notice ("Thông báo kết luận của Tổ công tác số 4 …") to
the seven, each commune makes a plan and reports back — two of them never finish (overdue).

The province has a clerk but no head who may assign or approve (the document services know
only the commune chair and vice-chair): its incoming documents stay unassigned and its own
letters reach the communes as outside letters, registered by each commune's clerk with the
province's (invented, increasing) numbers. Once the province has a head in the services'
`HEADS`, the same replay drafts, approves, issues and dispatches the province's letters and
routes its incoming documents.

Deterministic (`random.Random(seed)`) and idempotent: once the seven communes or the province
have documents, nothing is added. Each document costs three to six service calls of about ten
milliseconds each on SQLite: the default (`DEFAULT_PER_UNIT`, about a hundred documents per
commune and year, some 1,450 in all with the province's register) loads in about 30 seconds;
`load_demo --documents 300` gives some 3,600 in under two minutes.
"""

import heapq
import random
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from communeos.core import audit
from communeos.documents import services
from communeos.documents.models import (
    Body,
    Citation,
    Confidentiality,
    Direction,
    Document,
    PartyTerm,
    Reference,
    Status,
    Urgency,
)
from communeos.onestop.demo import DAY, VILLAGES, _Office
from communeos.people.demo import COMMUNES, PROVINCE_CODE
from communeos.people.demo import START as FIRST_DAY
from communeos.people.models import Assignment, User
from communeos.units.models import Level, Unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PER_UNIT = 110  # documents a commune registers or issues in a year, about
TERM = ("Nhiệm kỳ 2025–2030", FIRST_DAY)
SESSION = date(2025, 10, 23)  # the working session of Working Group No. 4 with the seven communes
NOTICE_DEADLINE = date(2025, 12, 12)
STALLED_ON_NOTICE = {"mauson", "khuatxa"}  # the two communes that never report back
NAMES = ", ".join(name for _p, _c, name in COMMUNES[:-1]) + f" và {COMMUNES[-1][2]}"

KINDS = {
    "": "Công văn", "CV": "Công văn", "QĐ": "Quyết định", "KH": "Kế hoạch", "TB": "Thông báo", "CT": "Chỉ thị",
    "CĐ": "Công điện", "GM": "Giấy mời", "BC": "Báo cáo", "NQ": "Nghị quyết", "KL": "Kết luận", "TTr": "Tờ trình",
    "HD": "Hướng dẫn", "NĐ": "Nghị định",
}  # fmt: skip


@dataclass(frozen=True)
class _Known:
    """A document as others cite it: "Kế hoạch số 12/KH-UBND ngày 5/8/2025 của UBND tỉnh về …"."""

    symbol: str
    issued_on: date
    kind: str
    author: str = ""  # as cited; empty for a law
    about: str = ""
    tag: str = ""
    doc_type: str = ""

    def cite(self, *, about: bool = False) -> str:
        by = f" của {self.author}" if self.author else ""
        what = f" {self.about}" if about and self.about else ""
        return f"{self.kind} số {self.symbol} ngày {_day(self.issued_on)}{by}{what}"

    @property
    def binding(self) -> bool:
        """Cited with "Căn cứ" (a law, a decree, a resolution) rather than "Thực hiện"."""
        return "/20" in self.symbol or self.kind in {"Luật", "Nghị quyết", "Nghị định"}


def _day(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


# Outside documents that everyone cites. The province registers the first ones when the new
# communes start work; the others stay placeholders until someone registers them.
CENTRAL = {
    k.symbol: k
    for k in [
        _Known("60-NQ/TW", date(2025, 4, 12), "Nghị quyết", "Ban Chấp hành Trung ương Đảng",
               "Hội nghị lần thứ 11 Ban Chấp hành Trung ương Đảng khóa XIII"),
        _Known("18-NQ/TW", date(2017, 10, 25), "Nghị quyết", "Ban Chấp hành Trung ương Đảng khóa XII",
               "về một số vấn đề tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, "
               "hoạt động hiệu lực, hiệu quả"),
        _Known("57-NQ/TW", date(2024, 12, 22), "Nghị quyết", "Bộ Chính trị",
               "về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"),
        _Known("137-KL/TW", date(2025, 3, 28), "Kết luận", "Bộ Chính trị, Ban Bí thư",
               "về Đề án sắp xếp, tổ chức lại đơn vị hành chính các cấp và xây dựng mô hình tổ chức chính "
               "quyền địa phương 2 cấp"),
        _Known("202/2025/QH15", date(2025, 6, 12), "Nghị quyết", "Quốc hội",
               "về việc sắp xếp đơn vị hành chính cấp tỉnh"),
        _Known("72/2025/QH15", date(2025, 6, 16), "Luật Tổ chức chính quyền địa phương"),
        _Known("76/2025/UBTVQH15", date(2025, 4, 14), "Nghị quyết", "Ủy ban Thường vụ Quốc hội",
               "về sắp xếp đơn vị hành chính năm 2025"),
        _Known("1672/NQ-UBTVQH15", date(2025, 6, 16), "Nghị quyết", "Ủy ban Thường vụ Quốc hội",
               "về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Lạng Sơn năm 2025"),
        _Known("118/2025/NĐ-CP", date(2025, 6, 9), "Nghị định", "Chính phủ",
               "về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Bộ phận Một cửa "
               "và Cổng Dịch vụ công quốc gia"),
        _Known("150/2025/NĐ-CP", date(2025, 6, 12), "Nghị định", "Chính phủ",
               "quy định tổ chức các cơ quan chuyên môn thuộc Ủy ban nhân dân cấp tỉnh và Ủy ban nhân dân "
               "xã, phường, đặc khu"),
        _Known("178/2024/NĐ-CP", date(2024, 12, 31), "Nghị định", "Chính phủ",
               "về chính sách, chế độ đối với cán bộ, công chức, viên chức, người lao động và lực lượng vũ "
               "trang trong thực hiện sắp xếp tổ chức bộ máy của hệ thống chính trị"),
        _Known("30/2020/NĐ-CP", date(2020, 3, 5), "Nghị định", "Chính phủ", "về công tác văn thư"),
        _Known("766/QĐ-TTg", date(2022, 6, 23), "Quyết định", "Thủ tướng Chính phủ",
               "phê duyệt Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh "
               "nghiệp trong thực hiện thủ tục hành chính, dịch vụ công theo thời gian thực trên môi trường "
               "điện tử"),
        _Known("06/QĐ-TTg", date(2022, 1, 6), "Quyết định", "Thủ tướng Chính phủ",
               "phê duyệt Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ "
               "chuyển đổi số quốc gia giai đoạn 2022 - 2025, tầm nhìn đến năm 2030"),
        _Known("29/2018/QH14", date(2018, 11, 15), "Luật Bảo vệ bí mật nhà nước"),
    ]
}  # fmt: skip
CENTRAL_AUTHORS = {
    "Ban Chấp hành Trung ương Đảng": "Ban Chấp hành Trung ương Đảng", "Bộ Chính trị": "Bộ Chính trị",
    "Ủy ban Thường vụ Quốc hội": "Ủy ban Thường vụ Quốc hội", "Chính phủ": "Chính phủ", "": "Quốc hội",
}  # fmt: skip
# What the provincial clerk registers, and when (57-NQ/TW comes later: its placeholder fills in).
PROVINCE_RECEIVES = [
    ("1672/NQ-UBTVQH15", date(2025, 7, 1)), ("76/2025/UBTVQH15", date(2025, 7, 1)), ("72/2025/QH15", date(2025, 7, 1)),
    ("118/2025/NĐ-CP", date(2025, 7, 2)), ("150/2025/NĐ-CP", date(2025, 7, 2)), ("60-NQ/TW", date(2025, 7, 3)),
    ("57-NQ/TW", date(2025, 9, 10)),
]  # fmt: skip


@dataclass(frozen=True)
class _Sender:
    author: str  # as registered
    short: str  # as cited
    rate: float  # numbers issued per calendar day (invented, of the right order)
    start: int = 0  # party bodies: the number reached on 1 July 2025 (numbered across the term)
    party: bool = False


SENDERS = {
    "ubnd": _Sender("Ủy ban nhân dân tỉnh Lạng Sơn", "UBND tỉnh", 14),
    "stp": _Sender("Sở Tư pháp tỉnh Lạng Sơn", "Sở Tư pháp", 3.5),
    "snv": _Sender("Sở Nội vụ tỉnh Lạng Sơn", "Sở Nội vụ", 6),
    "stc": _Sender("Sở Tài chính tỉnh Lạng Sơn", "Sở Tài chính", 5),
    "snnmt": _Sender("Sở Nông nghiệp và Môi trường tỉnh Lạng Sơn", "Sở Nông nghiệp và Môi trường", 6),
    "skhcn": _Sender("Sở Khoa học và Công nghệ tỉnh Lạng Sơn", "Sở Khoa học và Công nghệ", 2),
    "tu": _Sender("Tỉnh ủy Lạng Sơn", "Tỉnh ủy", 0.4, start=1180, party=True),
    "vptu": _Sender("Văn phòng Tỉnh ủy Lạng Sơn", "Văn phòng Tỉnh ủy", 1.1, start=860, party=True),
    "cat": _Sender("Công an tỉnh Lạng Sơn", "Công an tỉnh", 8),
    "bch": _Sender("Bộ Chỉ huy Quân sự tỉnh Lạng Sơn", "Bộ Chỉ huy Quân sự tỉnh", 3),
    "bnv": _Sender("Bộ Nội vụ", "Bộ Nội vụ", 20),
    "vpcp": _Sender("Văn phòng Chính phủ", "Văn phòng Chính phủ", 25),
}


# Party bodies number per type across the term: where each series stood on 1 July 2025, and
# how many a day (for those not given here, the sender's own figures).
PARTY_SERIES = {("tu", "KL"): (96, 0.12), ("tu", "CT"): (28, 0.02), ("tu", "KH"): (310, 0.25)}


@dataclass(frozen=True)
class _Form:
    """A kind of letter: who sends it, its symbol with `{n}`, its summary (trích yếu) with
    `{ref}` for the first document it cites, and how the receiving commune handles it."""

    sender: str
    pattern: str
    title: str
    cites: tuple[str, ...] = ()  # a symbol of CENTRAL, "prev" / "prev:KH" (the sender's earlier ones), "#tag"
    body: str = ""
    reply: str = ""  # the report a commune sends back, if the letter asks for one
    action: tuple[int, int] | None = (5, 12)  # working days the handler is given; None: for information
    lead: str = "specialist"
    months: tuple[int, ...] = ()
    weight: float = 1
    urgent: float = 0.1
    flash: bool = False
    secret: bool = False
    tag: str = ""


ASK = "Ủy ban nhân dân tỉnh yêu cầu Chủ tịch Ủy ban nhân dân các xã, phường"
REPORT = "báo cáo kết quả về Ủy ban nhân dân tỉnh (qua {via}) trước ngày {by}"
LETTERS: dict[str, list[_Form]] = {
    "ubnd": [
        _Form("ubnd", "{n}/UBND-VP", "V/v triển khai thi hành {ref}", ("72/2025/QH15", "1672/NQ-UBTVQH15"),
              f"{ASK} tổ chức quán triệt, triển khai thi hành nghiêm túc đến toàn thể cán bộ, công chức; "
              f"{REPORT}.", reply="Báo cáo kết quả triển khai thi hành Luật Tổ chức chính quyền địa phương",
              months=(7, 8, 9)),
        _Form("ubnd", "{n}/UBND-VP", "V/v báo cáo tình hình tổ chức, hoạt động của chính quyền địa phương hai cấp",
              ("1672/NQ-UBTVQH15", "60-NQ/TW", "prev"),
              f"{ASK} đánh giá kết quả đạt được, khó khăn, vướng mắc, đề xuất, kiến nghị; {REPORT}.",
              reply="Báo cáo tình hình tổ chức, hoạt động của chính quyền địa phương hai cấp trên địa bàn xã {commune}",
              action=(4, 8), weight=3),
        _Form("ubnd", "{n}/UBND-VP", "V/v đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
              ("118/2025/NĐ-CP", "766/QĐ-TTg"),
              f"{ASK} chỉ đạo Trung tâm Phục vụ hành chính công xã số hóa 100% hồ sơ tiếp nhận; {REPORT}.",
              reply="Báo cáo kết quả số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", lead="onestop", weight=2),
        _Form("ubnd", "{n}/UBND-VP", "V/v chấn chỉnh tình trạng hồ sơ thủ tục hành chính giải quyết quá hạn",
              ("118/2025/NĐ-CP", "prev"),
              f"{ASK} rà soát toàn bộ hồ sơ quá hạn, thực hiện xin lỗi tổ chức, cá nhân theo quy định; {REPORT}.",
              reply="Báo cáo giải trình hồ sơ thủ tục hành chính giải quyết quá hạn", lead="onestop", urgent=0.3,
              weight=1.5),
        _Form("ubnd", "{n}/UBND-KT",
              "V/v rà soát, đề xuất phương án sắp xếp, xử lý trụ sở làm việc, tài sản công dôi dư sau sắp xếp "
              "đơn vị hành chính", ("76/2025/UBTVQH15", "1672/NQ-UBTVQH15"),
              f"{ASK} rà soát, lập danh mục trụ sở, tài sản công dôi dư; {REPORT}.",
              reply="Báo cáo phương án sắp xếp, xử lý trụ sở làm việc, tài sản công dôi dư", weight=1.5),
        _Form("ubnd", "{n}/UBND-NC",
              "V/v thực hiện chính sách, chế độ đối với cán bộ, công chức nghỉ việc do sắp xếp tổ chức bộ máy",
              ("178/2024/NĐ-CP",), f"{ASK} rà soát, lập danh sách đối tượng; {REPORT}.",
              reply="Báo cáo danh sách cán bộ, công chức đề nghị hưởng chính sách theo Nghị định số "
              "178/2024/NĐ-CP ngày 31/12/2024 của Chính phủ", lead="vicechair"),
        _Form("ubnd", "{n}/UBND-KT", "V/v tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn", (),
              f"{ASK} chủ động rà soát khu vực có nguy cơ sạt lở, lũ quét; bố trí lực lượng trực 24/24 giờ.",
              action=(1, 3), months=(7, 8, 9, 10), urgent=0.6, weight=1.5),
        _Form("ubnd", "{n}/CĐ-UBND", "Công điện về việc tập trung ứng phó, khắc phục hậu quả mưa lũ, sạt lở đất", (),
              "Chủ tịch Ủy ban nhân dân tỉnh yêu cầu Chủ tịch Ủy ban nhân dân các xã, phường tổ chức sơ tán "
              "người dân khỏi khu vực nguy hiểm, báo cáo thiệt hại trước 16 giờ hằng ngày.",
              action=(1, 2), months=(9, 10), flash=True, lead="vicechair"),
        _Form("ubnd", "{n}/UBND-VP", "V/v triển khai thực hiện {ref}", ("prev:KH",),
              f"{ASK} xây dựng kế hoạch triển khai tại địa phương; {REPORT}.",
              reply="Báo cáo kết quả triển khai thực hiện kế hoạch của Ủy ban nhân dân tỉnh", weight=2),
        _Form("ubnd", "{n}/UBND-KGVX",
              "V/v đẩy mạnh thanh toán trực tuyến phí, lệ phí và nâng cao tỷ lệ hồ sơ trực tuyến toàn trình",
              ("766/QĐ-TTg", "118/2025/NĐ-CP"), f"{ASK} giao chỉ tiêu cụ thể cho bộ phận một cửa.", lead="onestop"),
        _Form("ubnd", "{n}/UBND-VP", "V/v tổ chức đón Tết Nguyên đán Bính Ngọ năm 2026 vui tươi, lành mạnh, an toàn",
              ("prev",), f"{ASK} chăm lo Tết cho gia đình chính sách, hộ nghèo; bố trí trực Tết.", action=(3, 6),
              months=(1, 2)),
        _Form("ubnd", "{n}/UBND-KT",
              "V/v xây dựng kế hoạch phát triển kinh tế - xã hội và dự toán ngân sách nhà nước năm 2026", (),
              f"{ASK} xây dựng kế hoạch, dự toán năm 2026; {REPORT}.",
              reply="Báo cáo đánh giá tình hình thực hiện kế hoạch phát triển kinh tế - xã hội năm 2025, "
              "kế hoạch năm 2026", months=(8, 9, 10, 11)),
        _Form("ubnd", "{n}/UBND-VP", "V/v tiếp tục thực hiện {ref}", ("#tu:KL",),
              f"{ASK} quán triệt và cụ thể hóa các nhiệm vụ được giao; {REPORT}.",
              reply="Báo cáo kết quả thực hiện Kết luận của Ban Thường vụ Tỉnh ủy"),
        _Form("ubnd", "{n}/QĐ-UBND",
              "Quyết định công bố Danh mục thủ tục hành chính được sửa đổi, bổ sung trong lĩnh vực hộ tịch thuộc "
              "thẩm quyền giải quyết của Ủy ban nhân dân cấp xã", ("118/2025/NĐ-CP",),
              "Chủ tịch Ủy ban nhân dân các xã, phường có trách nhiệm niêm yết, công khai các thủ tục hành chính "
              "tại Trung tâm Phục vụ hành chính công.", action=None, lead="onestop", weight=1.5),
        _Form("ubnd", "{n}/QĐ-UBND", "Quyết định ban hành Quy chế làm việc mẫu của Ủy ban nhân dân xã, phường",
              ("72/2025/QH15",), "Quyết định này có hiệu lực kể từ ngày ký.", action=(10, 15), months=(7, 8, 9)),
        _Form("ubnd", "{n}/QĐ-UBND",
              "Quyết định giao biên chế công chức trong cơ quan hành chính của Ủy ban nhân dân các xã, phường năm 2026",
              ("150/2025/NĐ-CP",), "Chủ tịch Ủy ban nhân dân các xã, phường chịu trách nhiệm thi hành Quyết định này.",
              action=None, months=(12, 1)),
        _Form("ubnd", "{n}/KH-UBND", "Kế hoạch triển khai thực hiện {ref} trên địa bàn tỉnh Lạng Sơn",
              ("57-NQ/TW",), "Ủy ban nhân dân các xã, phường xây dựng kế hoạch triển khai tại địa phương.",
              reply="Báo cáo kết quả thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị",
              action=(10, 15), weight=1),
        _Form("ubnd", "{n}/KH-UBND", "Kế hoạch cải cách hành chính năm 2026", ("prev",),
              "Các xã, phường xây dựng và ban hành kế hoạch cải cách hành chính năm 2026 của địa phương.",
              action=(10, 15), months=(12, 1)),
        _Form("ubnd", "{n}/KH-UBND",
              "Kế hoạch kiểm tra công tác cải cách hành chính, kiểm soát thủ tục hành chính năm 2026", ("prev",),
              "Các xã được kiểm tra chuẩn bị báo cáo và hồ sơ, tài liệu theo đề cương.", action=(5, 10),
              months=(1, 2, 3, 4)),
        _Form("ubnd", "{n}/KH-UBND",
              "Kế hoạch tổ chức đợt cao điểm số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
              ("118/2025/NĐ-CP",), "Các xã, phường tổ chức thực hiện theo lộ trình.", lead="onestop",
              action=(10, 15)),
        _Form("ubnd", "{n}/TB-UBND",
              "Thông báo kết luận của Chủ tịch Ủy ban nhân dân tỉnh tại cuộc họp trực tuyến với các xã, phường về "
              "tình hình vận hành chính quyền địa phương hai cấp", ("prev",),
              "Chủ tịch Ủy ban nhân dân các xã, phường tổ chức thực hiện các nội dung kết luận.", action=(5, 10)),
        _Form("ubnd", "{n}/TB-UBND", "Thông báo lịch tiếp công dân định kỳ của Chủ tịch Ủy ban nhân dân tỉnh", (),
              "Các xã, phường thông báo rộng rãi đến Nhân dân.", action=None, weight=0.5),
        _Form("ubnd", "{n}/CT-UBND",
              "Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính trong thực thi công vụ sau sắp xếp tổ chức bộ máy",
              ("60-NQ/TW", "18-NQ/TW"), "Chủ tịch Ủy ban nhân dân các xã, phường tổ chức quán triệt, thực hiện.",
              action=(5, 10), weight=0.5),
        _Form("ubnd", "{n}/GM-UBND",
              "Giấy mời dự Hội nghị trực tuyến sơ kết công tác chỉ đạo, điều hành của Ủy ban nhân dân tỉnh", (),
              "Kính mời Chủ tịch Ủy ban nhân dân các xã, phường dự tại điểm cầu xã.", action=(1, 3),
              lead="vicechair", weight=1),
        _Form("ubnd", "{n}/UBND-NC", "V/v triển khai công tác bảo vệ bí mật nhà nước", ("29/2018/QH14",),
              f"{ASK} quán triệt, thực hiện nghiêm; {REPORT}.", reply="Báo cáo công tác bảo vệ bí mật nhà nước",
              lead="vicechair", secret=True, weight=0.5),
    ],
    "dept": [
        _Form("stp", "{n}/STP-HCTP", "V/v hướng dẫn nghiệp vụ đăng ký, quản lý hộ tịch sau sắp xếp đơn vị hành chính",
              ("1672/NQ-UBTVQH15",), "Sở Tư pháp hướng dẫn Ủy ban nhân dân các xã một số nội dung như sau.",
              lead="onestop", action=None),
        _Form("stp", "{n}/STP-HCTP", "V/v số hóa Sổ hộ tịch, cập nhật dữ liệu vào Cơ sở dữ liệu hộ tịch điện tử",
              ("prev",), "Đề nghị Ủy ban nhân dân các xã {report}.",
              reply="Báo cáo tiến độ số hóa Sổ hộ tịch", lead="onestop"),
        _Form("stp", "{n}/STP-HCTP", "V/v thực hiện chứng thực bản sao điện tử từ bản chính", ("118/2025/NĐ-CP",),
              "Đề nghị Ủy ban nhân dân các xã triển khai thực hiện.", lead="onestop"),
        _Form("stp", "{n}/STP-HCTP", "V/v kiểm tra công tác hộ tịch, chứng thực năm 2026", (),
              "Đề nghị các xã chuẩn bị báo cáo và hồ sơ theo đề cương.", lead="onestop", months=(2, 3, 4, 5)),
        _Form("snv", "{n}/SNV-TCBC", "V/v báo cáo số lượng, chất lượng đội ngũ cán bộ, công chức cấp xã sau sắp xếp",
              ("150/2025/NĐ-CP",), "Đề nghị Ủy ban nhân dân các xã {report}.",
              reply="Báo cáo số lượng, chất lượng đội ngũ cán bộ, công chức xã {commune}", lead="vicechair"),
        _Form("snv", "{n}/SNV-TCBC", "V/v hướng dẫn xây dựng Đề án vị trí việc làm của Ủy ban nhân dân xã",
              ("150/2025/NĐ-CP",), "Đề nghị Ủy ban nhân dân các xã {report}.",
              reply="Báo cáo Đề án vị trí việc làm của Ủy ban nhân dân xã {commune}", action=(10, 15)),
        _Form("snv", "{n}/SNV-TCBC", "V/v đăng ký nhu cầu tuyển dụng công chức cấp xã năm 2026", (),
              "Đề nghị Ủy ban nhân dân các xã {report}.", reply="Báo cáo nhu cầu tuyển dụng công chức năm 2026",
              months=(10, 11, 12, 1)),
        _Form("snv", "{n}/SNV-VP", "V/v hướng dẫn công tác thi đua, khen thưởng năm 2025", (),
              "Đề nghị các xã gửi hồ sơ đề nghị khen thưởng đúng thời hạn.", months=(11, 12)),
        _Form("stc", "{n}/STC-QLNS", "V/v hướng dẫn xây dựng dự toán ngân sách nhà nước năm 2026", (),
              "Đề nghị Ủy ban nhân dân các xã {report}.", reply="Báo cáo dự toán ngân sách xã năm 2026",
              months=(7, 8, 9, 10)),
        _Form("stc", "{n}/STC-QLNS", "V/v quyết toán ngân sách xã năm 2025", (),
              "Đề nghị Ủy ban nhân dân các xã {report}.", reply="Báo cáo quyết toán ngân sách xã năm 2025",
              months=(1, 2, 3, 4)),
        _Form("snnmt", "{n}/SNNMT-QLĐĐ", "V/v giải quyết thủ tục đất đai sau sắp xếp đơn vị hành chính",
              ("1672/NQ-UBTVQH15",), "Sở Nông nghiệp và Môi trường hướng dẫn như sau.", lead="onestop"),
        _Form("snnmt", "{n}/SNNMT-CNTY", "V/v tăng cường phòng, chống bệnh Dịch tả lợn châu Phi", (),
              "Đề nghị Ủy ban nhân dân các xã chỉ đạo giám sát chặt chẽ, xử lý kịp thời ổ dịch.", urgent=0.4,
              action=(2, 5)),
        _Form("skhcn", "{n}/SKHCN-CĐS", "V/v triển khai các nền tảng số dùng chung tại Ủy ban nhân dân cấp xã",
              ("57-NQ/TW",), "Đề nghị các xã cử cán bộ đầu mối, triển khai theo lộ trình."),
    ],
    "party": [
        _Form("tu", "{n}-KL/TU", "Kết luận của Ban Thường vụ Tỉnh ủy về tình hình hoạt động của chính quyền địa "
              "phương hai cấp", ("60-NQ/TW", "137-KL/TW"), "Các đảng ủy trực thuộc quán triệt, triển khai thực hiện.",
              action=(10, 15), lead="vicechair", weight=1.5, tag="tu:KL"),
        _Form("tu", "{n}-CT/TU", "Chỉ thị về lãnh đạo tổ chức Tết Nguyên đán Bính Ngọ năm 2026", (),
              "Các cấp ủy, tổ chức đảng tổ chức quán triệt, thực hiện.", action=(5, 10), months=(12, 1)),
        _Form("tu", "{n}-CT/TU", "Chỉ thị về lãnh đạo cuộc bầu cử đại biểu Quốc hội khóa XVI và đại biểu Hội đồng "
              "nhân dân các cấp nhiệm kỳ 2026 - 2031", (), "Các cấp ủy, tổ chức đảng lãnh đạo, chỉ đạo thực hiện.",
              action=(10, 15), months=(11, 12, 1, 2)),
        _Form("tu", "{n}-KH/TU", "Kế hoạch thực hiện {ref}", ("57-NQ/TW",),
              "Các đảng ủy trực thuộc xây dựng kế hoạch thực hiện.", action=(10, 15)),
        _Form("tu", "{n}-CV/TU", "V/v công tác bảo vệ chính trị nội bộ", ("prev",),
              "Các đảng ủy trực thuộc thực hiện nghiêm.", lead="vicechair", secret=True, weight=0.5),
        _Form("vptu", "{n}-TB/VPTU", "Thông báo ý kiến chỉ đạo của Thường trực Tỉnh ủy về tháo gỡ khó khăn, vướng mắc "
              "của các xã sau sắp xếp", ("#tu:KL",), "Các đảng ủy xã tổ chức thực hiện.", action=(5, 10), weight=1.5),
    ],
    "other": [
        _Form("cat", "{n}/CAT-PV01", "V/v bảo đảm an ninh, trật tự trên địa bàn", (),
              "Đề nghị Ủy ban nhân dân các xã phối hợp thực hiện.", lead="vicechair", secret=True, urgent=0.3),
        _Form("cat", "{n}/CAT-QLHC", "V/v đẩy mạnh triển khai Đề án 06 tại cấp xã", ("06/QĐ-TTg",),
              "Đề nghị Ủy ban nhân dân các xã phối hợp thực hiện.", lead="onestop"),
        _Form("bch", "{n}/BCH-TM", "V/v tuyển chọn và gọi công dân nhập ngũ năm 2026", (),
              "Đề nghị Ủy ban nhân dân các xã tổ chức thực hiện đúng quy trình.", months=(9, 10, 11, 12, 1),
              lead="vicechair"),
    ],
    "central": [
        _Form("bnv", "{n}/BNV-CQĐP", "V/v hướng dẫn đánh giá tình hình hoạt động của chính quyền địa phương hai cấp",
              ("72/2025/QH15", "150/2025/NĐ-CP"), "Bộ Nội vụ đề nghị Ủy ban nhân dân các tỉnh, thành phố thực hiện."),
        _Form("vpcp", "{n}/VPCP-KSTT", "V/v đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình",
              ("118/2025/NĐ-CP", "766/QĐ-TTg"), "Văn phòng Chính phủ đề nghị các bộ, ngành, địa phương thực hiện."),
    ],
}  # fmt: skip
LETTER_WEIGHT = {"ubnd": 0.25, "dept": 0.12, "party": 0.055, "other": 0.035, "central": 0.03}
VIA = ["Sở Nội vụ", "Văn phòng UBND tỉnh", "Sở Tư pháp", "Sở Tài chính"]

# What the province's letters of the story say (the working groups, the session, the notice).
FIXED_LETTERS = [
    (date(2025, 7, 3), _Form("ubnd", "{n}/UBND-VP", "V/v thực hiện chế độ báo cáo định kỳ của Ủy ban nhân dân các "
     "xã, phường", ("72/2025/QH15", "30/2020/NĐ-CP"), f"{ASK} gửi báo cáo tháng trước ngày 25 hằng tháng.",
     action=(3, 5), urgent=0, tag="reporting")),
    (date(2025, 7, 8), _Form("ubnd", "{n}/QĐ-UBND", "Quyết định về việc thành lập các Tổ công tác của Ủy ban nhân "
     "dân tỉnh theo dõi, hướng dẫn, kiểm tra hoạt động của chính quyền địa phương cấp xã",
     ("72/2025/QH15", "1672/NQ-UBTVQH15"), "Tổ công tác số 4 theo dõi các xã " + NAMES + ".", action=None,
     urgent=0, tag="groups")),
    (date(2025, 9, 15), _Form("cat", "{n}/CAT-PV01", "V/v bảo đảm an ninh, trật tự trong thời gian tổ chức Đại "
     "hội Đảng bộ tỉnh", (), "Đề nghị Ủy ban nhân dân các xã chỉ đạo lực lượng công an xã, dân quân phối hợp bảo "
     "đảm an ninh, trật tự trên địa bàn; báo cáo kết quả trước ngày {by}.", reply="Báo cáo kết quả bảo đảm an ninh, "
     "trật tự trong thời gian tổ chức Đại hội Đảng bộ tỉnh", action=(3, 5), lead="vicechair", urgent=0,
     secret=True)),
    (date(2025, 10, 6), _Form("ubnd", "{n}/CĐ-UBND", "Công điện về việc tập trung ứng phó với mưa lũ, sạt lở đất "
     "sau bão", (), "Chủ tịch Ủy ban nhân dân tỉnh yêu cầu Chủ tịch Ủy ban nhân dân các xã, phường không chủ quan, "
     "lơ là; tổ chức sơ tán người dân khỏi khu vực nguy hiểm; báo cáo tình hình thiệt hại trước 16 giờ hằng ngày.",
     action=(1, 1), lead="vicechair", flash=True)),
    (date(2025, 10, 14), _Form("ubnd", "{n}/GM-UBND", f"Giấy mời dự buổi làm việc của Tổ công tác số 4 với các xã "
     f"{NAMES} ngày {_day(SESSION)}", ("#groups",), "Đề nghị Ủy ban nhân dân các xã chuẩn bị báo cáo tình hình tổ "
     "chức, hoạt động, khó khăn, vướng mắc và kiến nghị, gửi Tổ công tác trước ngày 21/10/2025.",
     reply="Báo cáo tình hình tổ chức, hoạt động của chính quyền địa phương hai cấp; khó khăn, vướng mắc và đề "
     "xuất, kiến nghị (phục vụ buổi làm việc với Tổ công tác số 4)", action=(3, 4), lead="vicechair", urgent=0,
     tag="invitation")),
    (date(2025, 10, 27), _Form("ubnd", "{n}/TB-UBND", f"Thông báo kết luận của Tổ công tác số 4 tại buổi làm việc "
     f"với các xã {NAMES} ngày {_day(SESSION)}", ("#groups", "#invitation", "118/2025/NĐ-CP", "150/2025/NĐ-CP"),
     urgent=0, tag="notice")),
]  # fmt: skip
STORY_TAGS = {form.tag for _day_, form in FIXED_LETTERS if form.tag}
NOTICE_TEXT = (
    "Ngày {session}, Tổ công tác số 4 do đồng chí Hà Văn Quang làm Tổ trưởng đã làm việc với Ủy ban nhân dân các "
    "xã {names}. Sau khi nghe báo cáo của các xã và ý kiến của các thành viên Tổ công tác, Tổ trưởng kết luận:\n"
    "1. Các xã đã cơ bản ổn định tổ chức bộ máy; Trung tâm Phục vụ hành chính công xã hoạt động thông suốt, tiếp "
    "nhận và giải quyết hồ sơ theo {decree118}.\n"
    "2. Tồn tại, hạn chế: tỷ lệ hồ sơ được số hóa còn thấp; một số hồ sơ giải quyết quá hạn chưa có văn bản xin "
    "lỗi; trụ sở làm việc, trang thiết bị còn thiếu; còn thiếu công chức địa chính - xây dựng, tư pháp - hộ tịch.\n"
    "3. Nhiệm vụ: hoàn thành số hóa hồ sơ, kết quả giải quyết thủ tục hành chính trước ngày 31/12/2025; rà soát, "
    "đề xuất phương án sử dụng trụ sở dôi dư; kiện toàn đội ngũ công chức theo {decree150}.\n"
    "4. Về kiến nghị của các xã: giao Sở Nội vụ nghiên cứu bổ sung biên chế công chức; giao Sở Tài chính tham mưu bố "
    "trí kinh phí sửa chữa trụ sở xã Mẫu Sơn, xã Khuất Xá; giao Sở Xây dựng khảo sát, đề xuất nâng cấp các tuyến "
    "đường liên xã.\n"
    "Ủy ban nhân dân các xã xây dựng kế hoạch thực hiện và báo cáo kết quả về Ủy ban nhân dân tỉnh (qua Tổ công "
    "tác số 4) trước ngày 15/12/2025."
)


@dataclass(frozen=True)
class _Out:
    """A commune's outgoing document, as its drafter writes it."""

    doc_type: str
    summary: str
    text: str = ""
    drafting_unit: str = ""
    body: str = Body.STATE
    issuer: str = "UBND"
    recipients: str = "Lưu: VT."
    to: tuple[str, ...] = ()  # "province", or the prefix of a commune
    drafter: str = "specialist"
    urgency: str = ""
    confidentiality: str = ""
    tag: str = ""


@dataclass(frozen=True)
class _Draft:
    """A kind of document a commune issues of its own motion."""

    doc_type: str
    title: str
    cites: tuple[str, ...] = ()  # CENTRAL symbols, "in:UBND", "in:KH", "in:party", "own:QĐ"
    body: str = ""
    to: str = ""  # "province", "commune" (a neighbour), "" (internal or outside the system)
    recipients: str = "Như trên; Lưu: VT."
    drafter: str = "specialist"
    months: tuple[int, ...] = ()
    weight: float = 1
    party: bool = False
    secret: bool = False
    urgent: float = 0.03


DRAFTS = [
    _Draft("", "V/v đề nghị bổ sung biên chế công chức chuyên môn lĩnh vực địa chính - xây dựng",
           ("150/2025/NĐ-CP", "in:UBND"), "Ủy ban nhân dân xã {commune} kính đề nghị Ủy ban nhân dân tỉnh xem xét, "
           "bổ sung 02 biên chế công chức.", "province", "UBND tỉnh (b/c); Sở Nội vụ; Lưu: VT.", "vicechair"),
    _Draft("", "V/v đề nghị hỗ trợ kinh phí sửa chữa, cải tạo trụ sở làm việc của Ủy ban nhân dân xã", ("in:UBND",),
           "Trụ sở làm việc hiện xuống cấp, không bảo đảm điều kiện làm việc và tiếp công dân.", "province",
           "UBND tỉnh; Sở Tài chính; Lưu: VT."),
    _Draft("", "V/v đề nghị bố trí xe ô tô phục vụ công tác chung", (),
           "Địa bàn xã rộng, nhiều thôn cách trung tâm trên 20 km.", "province", "UBND tỉnh; Sở Tài chính; Lưu: VT.",
           weight=0.5),
    _Draft("", "V/v đề nghị đầu tư nâng cấp tuyến đường liên thôn {village} - {village2}", (),
           "Tuyến đường dài khoảng 6 km, mặt đường hư hỏng nặng sau mưa lũ.", "province",
           "UBND tỉnh; Sở Xây dựng; Lưu: VT."),
    _Draft("", "V/v giải trình việc giải quyết hồ sơ thủ tục hành chính quá hạn", ("118/2025/NĐ-CP", "in:UBND"),
           "Ủy ban nhân dân xã {commune} giải trình nguyên nhân và đã thực hiện xin lỗi công dân theo quy định.",
           "province", "UBND tỉnh; Lưu: VT.", "onestop"),
    _Draft("", "V/v đề nghị hướng dẫn nghiệp vụ chứng thực, hộ tịch", ("in:any",),
           "Ủy ban nhân dân xã {commune} đề nghị Sở Tư pháp hướng dẫn.", "", "Sở Tư pháp; Lưu: VT.", "onestop"),
    _Draft("", "V/v phối hợp xác minh thông tin hộ tịch của công dân", (),
           "Đề nghị Ủy ban nhân dân xã {other} phối hợp xác minh, trả lời bằng văn bản.", "commune",
           "UBND xã {other}; Lưu: VT.", "onestop"),
    _Draft("", "V/v phối hợp giải quyết đơn của công dân liên quan đến tranh chấp đất đai khu vực giáp ranh", (),
           "Đề nghị Ủy ban nhân dân xã {other} cử cán bộ phối hợp kiểm tra thực địa.", "commune",
           "UBND xã {other}; Lưu: VT."),
    _Draft("", "V/v phối hợp bàn giao hồ sơ, tài liệu lưu trữ sau sắp xếp đơn vị hành chính", ("1672/NQ-UBTVQH15",),
           "Đề nghị Ủy ban nhân dân xã {other} phối hợp bàn giao hồ sơ, tài liệu còn lưu giữ.", "commune",
           "UBND xã {other}; Lưu: VT.", weight=0.7),
    _Draft("QĐ", "Quyết định về việc phân công nhiệm vụ Chủ tịch, các Phó Chủ tịch và Ủy viên Ủy ban nhân dân xã "
           "{commune}", ("72/2025/QH15",), "Quyết định này có hiệu lực kể từ ngày ký.", months=(7, 8)),
    _Draft("QĐ", "Quyết định ban hành Quy chế làm việc của Ủy ban nhân dân xã {commune}", ("72/2025/QH15", "in:QĐ"),
           "Quyết định này có hiệu lực kể từ ngày ký.", months=(7, 8, 9, 10)),
    _Draft("QĐ", "Quyết định thành lập Tổ công tác triển khai Đề án 06 trên địa bàn xã {commune}", ("06/QĐ-TTg",),
           "Tổ công tác tự giải thể sau khi hoàn thành nhiệm vụ."),
    _Draft("QĐ", "Quyết định kiện toàn Ban Chỉ đạo chuyển đổi số xã {commune}", ("57-NQ/TW",),
           "Quyết định này có hiệu lực kể từ ngày ký."),
    _Draft("QĐ", "Quyết định giao dự toán thu, chi ngân sách xã năm 2026", ("in:UBND",),
           "Các bộ phận chuyên môn tổ chức thực hiện.", months=(12, 1)),
    _Draft("QĐ", "Quyết định phê duyệt danh sách hộ nghèo, hộ cận nghèo trên địa bàn xã năm 2026", (),
           "Quyết định này có hiệu lực kể từ ngày ký.", months=(12, 1)),
    _Draft("QĐ", "Quyết định về việc cử cán bộ, công chức tham gia lớp bồi dưỡng nghiệp vụ", ("in:any",),
           "Kinh phí do cơ quan tổ chức lớp chi trả.", weight=1.5),
    _Draft("KH", "Kế hoạch triển khai thực hiện {ref}", ("in:KH",), "Các bộ phận chuyên môn tổ chức thực hiện.",
           weight=2),
    _Draft("KH", "Kế hoạch cải cách hành chính năm 2026 của Ủy ban nhân dân xã {commune}", ("in:UBND",),
           "Giao Văn phòng HĐND và UBND xã theo dõi, tổng hợp.", months=(12, 1)),
    _Draft("KH", "Kế hoạch chuyển đổi số năm 2026", ("57-NQ/TW",), "Các bộ phận chuyên môn tổ chức thực hiện.",
           months=(12, 1, 2)),
    _Draft("KH", "Kế hoạch tổ chức các hoạt động mừng Đảng, mừng Xuân Bính Ngọ năm 2026", (),
           "Các thôn tổ chức thực hiện.", months=(1, 2)),
    _Draft("TB", "Thông báo kết luận của Chủ tịch Ủy ban nhân dân xã tại cuộc họp giao ban tháng {month}", (),
           "Các bộ phận chuyên môn tổ chức thực hiện.", weight=1.5),
    _Draft("TB", "Thông báo lịch tiếp công dân định kỳ của Chủ tịch Ủy ban nhân dân xã {commune}", (),
           "Thông báo để Nhân dân biết.", weight=0.5),
    _Draft("TTr", "Tờ trình đề nghị phê duyệt chủ trương đầu tư sửa chữa trụ sở làm việc Ủy ban nhân dân xã", (),
           "Ủy ban nhân dân xã {commune} kính trình Ủy ban nhân dân tỉnh xem xét, phê duyệt.", "province",
           "UBND tỉnh; Sở Tài chính; Lưu: VT.", weight=0.5),
    _Draft("BC", "Báo cáo tình hình an ninh chính trị, trật tự an toàn xã hội trên địa bàn xã", ("in:any",),
           "Ủy ban nhân dân xã {commune} báo cáo như sau.", "province", "UBND tỉnh; Công an tỉnh; Lưu: VT.",
           "vicechair", secret=True, weight=0.6),
    _Draft("NQ", "Nghị quyết chuyên đề về đẩy mạnh chuyển đổi số, thực hiện {ref}", ("57-NQ/TW",),
           "Các chi bộ trực thuộc tổ chức thực hiện.", recipients="Ban Thường vụ Tỉnh ủy (b/c); Lưu: VP.",
           drafter="vicechair", party=True),
    _Draft("KH", "Kế hoạch thực hiện {ref}", ("in:party",), "Các chi bộ trực thuộc tổ chức thực hiện.",
           recipients="Ban Thường vụ Tỉnh ủy (b/c); Lưu: VP.", drafter="vicechair", party=True, weight=2),
    _Draft("BC", "Báo cáo kết quả lãnh đạo, chỉ đạo thực hiện nhiệm vụ chính trị quý", (),
           "Đảng ủy xã {commune} báo cáo như sau.", recipients="Ban Thường vụ Tỉnh ủy; Lưu: VP.", drafter="vicechair",
           party=True, weight=1.5),
    _Draft("TB", "Thông báo kết luận của Ban Thường vụ Đảng ủy xã về công tác cán bộ", (),
           "Các chi bộ trực thuộc thực hiện.", recipients="Các chi bộ trực thuộc; Lưu: VP.", drafter="vicechair",
           party=True, secret=True, weight=0.5),
    _Draft("CV", "V/v lãnh đạo thực hiện công tác tuyển chọn, gọi công dân nhập ngũ năm 2026", (),
           "Đề nghị các chi bộ trực thuộc lãnh đạo thực hiện.", recipients="Các chi bộ trực thuộc; Lưu: VP.",
           drafter="vicechair", party=True, months=(10, 11, 12, 1)),
]  # fmt: skip
# The resolutions every commune's party committee adopts, numbered across the term.
PARTY_RESOLUTIONS = [
    (date(2025, 7, 15), _Draft("NQ", "Nghị quyết về lãnh đạo thực hiện nhiệm vụ chính trị 6 tháng cuối năm 2025",
     ("60-NQ/TW",), "Các chi bộ trực thuộc tổ chức thực hiện.", recipients="Ban Thường vụ Tỉnh ủy (b/c); Lưu: VP.",
     drafter="vicechair", party=True)),
    (date(2026, 1, 13), _Draft("NQ", "Nghị quyết về lãnh đạo thực hiện nhiệm vụ chính trị năm 2026",
     ("in:party", "57-NQ/TW"), "Các chi bộ trực thuộc tổ chức thực hiện.",
     recipients="Ban Thường vụ Tỉnh ủy (b/c); Lưu: VP.", drafter="vicechair", party=True)),
]  # fmt: skip
# Of every hundred documents a commune registers or issues in a year: issued of its own motion.
DRAFT_WEIGHT = {"state": 0.17, "party": 0.03}
DONE_NOTES = [
    "Đã tham mưu UBND xã triển khai thực hiện.",
    "Đã báo cáo theo yêu cầu.",
    "Đã triển khai đến các thôn và bộ phận chuyên môn.",
    "Đã nghiên cứu, lưu hồ sơ theo dõi.",
    "Đã phối hợp thực hiện, hoàn thành nhiệm vụ.",
]


@dataclass
class _Letter:
    """A document on its way to a unit's incoming register, and how that unit handles it."""

    symbol: str
    issued_on: date
    author: str
    summary: str
    known: _Known
    text: str = ""
    urgency: str = ""
    confidentiality: str = ""
    action: tuple[int, int] | None = (5, 12)
    lead: str = "specialist"
    reply: str = ""
    via: str = ""
    sender: str = ""


def load_demo_documents(*, per_unit: int = DEFAULT_PER_UNIT, seed: int = 2025, until: date | None = None) -> dict:
    """Replay about `per_unit` documents a year per commune from 1 July 2025 to `until`
    (default: yesterday) through the services; return `demo_document_counts()` and how many
    documents were `created`."""
    units = _units()
    if Document.objects.filter(unit__in=units).exists():
        return demo_document_counts() | {"created": 0}
    until = until or timezone.localdate() - timedelta(days=1)
    if until < FIRST_DAY or per_unit <= 0:
        return demo_document_counts() | {"created": 0}
    world = _World(units, until, seed, per_unit)
    world.plan()
    world.replay.run()
    counts = demo_document_counts()
    return counts | {"created": counts["total"]}


def _units() -> list[Unit]:
    province = Unit.objects.get(level=Level.PROVINCE, code=PROVINCE_CODE, valid_to=None)
    codes = [code for _prefix, code, _name in COMMUNES]
    communes = Unit.objects.filter(level=Level.COMMUNE, code__in=codes, valid_to=None, province=province)
    return [province, *communes]


def demo_document_counts() -> dict[str, int]:
    """What the seven communes and the province hold."""
    docs = Document.objects.filter(unit__in=_units())
    open_ = Q(direction=Direction.INCOMING, status__in=[Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS])
    counts = docs.aggregate(
        total=Count("id"),
        incoming=Count("id", filter=Q(direction=Direction.INCOMING)),
        outgoing=Count("id", filter=Q(direction=Direction.OUTGOING)),
        province=Count("id", filter=Q(unit__level=Level.PROVINCE)),
        delivered=Count("id", filter=Q(source__isnull=False)),
        party=Count("id", filter=Q(body=Body.PARTY)),
        confidential=Count("id", filter=~Q(confidentiality="")),
        urgent=Count("id", filter=~Q(urgency="")),
        open=Count("id", filter=open_),
        overdue=Count("id", filter=open_ & Q(deadline__lt=timezone.localdate())),
        done=Count("id", filter=Q(status=Status.DONE)),
    )
    citations = Citation.objects.filter(citing__in=docs)
    counts["citations"] = citations.count()
    counts["linked"] = citations.filter(reference__document__isnull=False).count()
    counts["placeholders"] = Reference.objects.filter(citations__in=citations, document__isnull=True).distinct().count()
    return counts


class _Replay:
    """Stories — generators that yield the moment of their next act and are sent it back —
    replayed in time order up to the end of the last day, one transaction per day."""

    def __init__(self, horizon: datetime) -> None:
        self.horizon = horizon
        self.queue: list[tuple[datetime, int, Iterator[datetime]]] = []
        self.count = 0
        self.now: datetime | None = None

    def start(self, story: Iterator[datetime]) -> None:
        self._push(next(story, None), story)

    def _push(self, moment: datetime | None, story: Iterator[datetime]) -> None:
        if moment is None:
            return
        if self.now is not None and moment < self.now:
            moment = self.now
        if moment <= self.horizon:  # later acts fall after the end: the story stops where it is
            heapq.heappush(self.queue, (moment, self.count, story))
            self.count += 1

    def run(self) -> None:
        while self.queue:
            day = self.queue[0][0].astimezone(TZ).date()
            with transaction.atomic():
                while self.queue and self.queue[0][0].astimezone(TZ).date() == day:
                    moment, _n, story = heapq.heappop(self.queue)
                    self.now = moment
                    with suppress(StopIteration):
                        self._push(story.send(moment), story)


@dataclass
class _Unit:
    unit: Unit
    prefix: str
    staff: dict[str, User]
    history: list[_Known] = field(default_factory=list)  # registered or issued, in order

    @property
    def name(self) -> str:
        return self.unit.short_name


class _World:
    def __init__(self, units: list[Unit], until: date, seed: int, per_unit: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.until = until
        self.per_unit = per_unit
        self.replay = _Replay(datetime.combine(until, time.max, tzinfo=TZ))
        self.stories = 0
        province, communes = units[0], {u.code: u for u in units[1:]}
        users = {u.username: u for u in User.objects.filter(username__contains=".")}
        try:
            self.communes = {
                prefix: _Unit(
                    communes[code],
                    prefix,
                    {r: users[f"{prefix}.{r}"] for r in ("clerk", "chair", "vicechair", "specialist", "onestop")},
                )
                for prefix, code, _name in COMMUNES
            }
            staff = {r: users[f"province.{r}"] for r in ("clerk", "officer", "justice")}
            staff |= {"lead": users["wg4.lead"], "member": users["wg4.member"]}
        except KeyError as missing:
            raise RuntimeError(f"The demo account {missing} is missing: run load_demo_people() first.") from None
        head = (
            Assignment.objects.current(FIRST_DAY)
            .filter(unit=province, position__code__in=services.HEADS)
            .select_related("person")
            .order_by("id")
            .first()
        )
        if head is not None:
            staff["chair"] = staff["vicechair"] = head.person
        self.province = _Unit(province, "province", staff)
        self.by_unit = {u.unit.pk: u for u in [self.province, *self.communes.values()]}
        self.sent: dict[str, list[_Known]] = {}  # by sender, what it has issued so far
        self.numbers: dict[tuple, int] = {}
        self.office = _Office(province.pk, FIRST_DAY - timedelta(days=7), until + timedelta(days=200))

    @property
    def province_issues(self) -> bool:
        return "chair" in self.province.staff

    # Time ------------------------------------------------------------------------------------

    def _on(self, day: date, rng: random.Random, earliest: float = 0, latest: float = DAY - 30) -> datetime:
        """A moment in office hours on `day`, or on the first working day after it."""
        return self.office.at(self._first_working(day) * DAY + rng.uniform(earliest, latest))

    def _first_working(self, day: date) -> int:
        """The index (in `office.days`) of `day`, or of the first working day after it."""
        return bisect_left(self.office.days, day)

    def _later(self, moment: datetime, rng: random.Random, low: float, high: float) -> datetime:
        """`low` to `high` minutes of office time after `moment`."""
        return self.office.at(self.office.g(moment) + rng.uniform(low, high))

    def _working_days_after(self, moment: datetime, n: int) -> date:
        return self.office.days[self._first_working(moment.astimezone(TZ).date()) + n]

    def _story_rng(self) -> random.Random:
        self.stories += 1
        return random.Random(f"{self.seed}:{self.stories}")

    # Planning ----------------------------------------------------------------------------------

    def plan(self) -> None:
        self._party_terms()
        rng = self.rng
        for symbol, day in PROVINCE_RECEIVES:
            self.replay.start(self._central(CENTRAL[symbol], day, self._story_rng()))
        for day, form in FIXED_LETTERS:
            self.replay.start(self._letter(form, day, list(self.communes.values()), self._story_rng()))
        scale = self.per_unit / 250  # a year has about 250 working days
        last = self._first_working(self.until + timedelta(days=1))
        for day in self.office.days[self._first_working(FIRST_DAY) : last]:
            for group, weight in LETTER_WEIGHT.items():
                for _ in range(_poisson(rng, weight * scale)):
                    form = self._pick(LETTERS[group], day, rng)
                    if group == "central":
                        recipients = [self.province]
                    elif form.sender in {"ubnd", "tu", "vptu"} or rng.random() < 0.5:
                        recipients = list(self.communes.values())
                    else:
                        recipients = rng.sample(list(self.communes.values()), rng.randint(2, 6))
                    self.replay.start(self._letter(form, day, recipients, self._story_rng()))
            for commune in self.communes.values():
                for kind, weight in DRAFT_WEIGHT.items():
                    for _ in range(_poisson(rng, weight * scale)):
                        pool = [d for d in DRAFTS if d.party == (kind == "party")]
                        draft = self._pick(pool, day, rng)
                        story = self._outgoing(commune, own_draft(self, commune, draft), day, self._story_rng())
                        self.replay.start(story)
        self._monthly_reports()
        for day, draft in PARTY_RESOLUTIONS:
            for commune in self.communes.values():
                rng = self._story_rng()
                when = day + timedelta(days=rng.randint(0, 6))
                self.replay.start(self._outgoing(commune, own_draft(self, commune, draft), when, rng))

    def _pick(self, forms: list, day: date, rng: random.Random):
        fitting = [f for f in forms if not f.months or day.month in f.months]
        return rng.choices(fitting, [f.weight for f in fitting])[0]

    def _party_terms(self) -> None:
        name, start = TERM
        with transaction.atomic():
            for commune in self.communes.values():
                term, created = PartyTerm.objects.get_or_create(unit=commune.unit, name=name, defaults={"start": start})
                if created:
                    audit.record(
                        actor=None,
                        action="partyterm.save",
                        obj=term,
                        unit=commune.unit.pk,
                        changes=audit.changes_between({}, audit.snapshot(term)),
                    )

    def _monthly_reports(self) -> None:
        """Each commune's report of the month, sent to the province around the 20th."""
        month = date(FIRST_DAY.year, FIRST_DAY.month, 1)
        while month <= self.until:
            for commune in self.communes.values():
                rng = self._story_rng()
                day = month.replace(day=rng.randint(18, 24))
                self.replay.start(self._outgoing(commune, monthly_report(self, commune, month), day, rng))
            month = (month + timedelta(days=32)).replace(day=1)

    # Numbers of the documents of outside senders -------------------------------------------------

    def _number(self, sender: str, doc_type: str, day: date, secret: bool, rng: random.Random) -> int:
        """An increasing number, of the right order, for a sender outside the replay: state
        bodies count from 1 January (secret documents apart), party bodies across the term
        and per type."""
        spec = SENDERS[sender]
        if spec.party:
            key = (sender, doc_type)
            start, rate = PARTY_SERIES.get(key, (spec.start, spec.rate))
            base = start + rate * (day - FIRST_DAY).days
        else:
            key = (sender, day.year, secret)
            base = spec.rate * (day - date(day.year, 1, 1)).days / (40 if secret else 1)
        number = max(self.numbers.get(key, 0) + 1, int(base) + rng.randint(0, 3), 1)
        self.numbers[key] = number
        return number

    # Citations ---------------------------------------------------------------------------------

    def _resolve(self, keys: tuple[str, ...], *, sender: str = "", unit: _Unit | None = None, rng) -> list[_Known]:
        """The documents a new one cites: CENTRAL symbols; "prev" and "prev:KH" for the
        sender's earlier ones; "#tag" for the story's; "in:…" and "own:…" for what the unit has
        registered or issued. A key that finds nothing is left out."""
        found = []
        for key in keys:
            if key in CENTRAL:
                found.append(CENTRAL[key])
                continue
            if key.startswith("#"):
                pool = [k for ks in self.sent.values() for k in ks if k.tag == key[1:]]
                pool += [k for k in (unit.history if unit else []) if k.tag == key[1:]]
            elif key.startswith("prev"):
                pool = [k for k in self.sent.get(sender, []) if ":" not in key or k.doc_type == key.split(":")[1]]
            else:
                pool = [k for k in (unit.history if unit else []) if _matches(k, key)]
            if pool:
                choice = pool[-1] if key.startswith("#") else rng.choice(pool[-12:])
                if choice not in found:
                    found.append(choice)
        return found

    def _preamble(self, cited: list[_Known]) -> list[str]:
        return [f"{'Căn cứ' if k.binding else 'Thực hiện'} {k.cite(about=True)};" for k in cited]

    # Stories -----------------------------------------------------------------------------------

    def _central(self, known: _Known, day: date, rng: random.Random) -> Iterator[datetime]:
        """The provincial clerk registers an outside document of the centre."""
        arrived = yield self._on(day, rng, 0, 120)
        author = CENTRAL_AUTHORS.get(known.author, known.author)
        letter = _Letter(
            known.symbol, known.issued_on, author, f"{known.kind} {known.about}".strip(), known,
            text=f"{known.cite(about=True)}.", action=(10, 20), lead="officer",
        )  # fmt: skip
        yield from self._incoming(self.province, letter, arrived, None, rng)

    def _letter(self, form: _Form, day: date, recipients: list[_Unit], rng: random.Random) -> Iterator[datetime]:
        """A letter of the province or of an outside body: issued, then sent to `recipients`."""
        at = yield self._on(day, rng, 0, DAY - 120)
        day = timezone.localdate(at)
        spec = SENDERS[form.sender]
        cited = self._resolve(form.cites, sender=form.sender, rng=rng)
        if "{ref}" in form.title and not cited:
            return
        ref = cited[0].cite() if cited else ""
        title = form.title.format(ref=ref)
        due = self._working_days_after(at, rng.randint(8, 15))
        story = form.tag in STORY_TAGS
        via = "Tổ công tác số 4" if story else rng.choice(VIA) if form.sender == "ubnd" else spec.short
        body = form.body.format(by=_day(due), via=via, report=f"báo cáo kết quả trước ngày {_day(due)}")
        if form.tag == "notice":
            body = NOTICE_TEXT.format(
                session=_day(SESSION), names=NAMES, decree118=CENTRAL["118/2025/NĐ-CP"].cite(),
                decree150=CENTRAL["150/2025/NĐ-CP"].cite(),
            )  # fmt: skip
        text = "\n".join([*self._preamble(cited), body]).strip()
        urgency = Urgency.FLASH if form.flash else ""
        if not urgency and rng.random() < form.urgent:
            urgency = rng.choice([Urgency.URGENT] * 4 + [Urgency.VERY_URGENT])
        secret = Confidentiality.SECRET if form.secret else ""
        parsed = services.parse_symbol(form.pattern.format(n="01"))
        doc_type = parsed.type or ""
        delivered: dict[int, Document] = {}
        if form.sender == "ubnd" and self.province_issues:
            document, at = yield from self._issue(
                self.province,
                _Out(doc_type, title, text, parsed.drafting_unit or "", recipients=_province_recipients(recipients),
                     to=tuple(u.prefix for u in recipients), drafter="member" if story else "officer",
                     urgency=urgency, confidentiality=secret, tag=form.tag),
                at, rng,
            )  # fmt: skip
            symbol, day = document.symbol, document.issued_on
            delivered = {d.unit_id: d for d in Document.objects.filter(source=document)}
        else:
            symbol = form.pattern.format(n=f"{self._number(form.sender, doc_type, day, bool(secret), rng):02d}")
        kind = KINDS.get(doc_type, "Văn bản")
        known = _Known(symbol, day, kind, spec.short, _about(title, kind), form.tag, doc_type)
        self.sent.setdefault(form.sender, []).append(known)
        if form.tag:
            self.sent.setdefault("#", []).append(known)
        for unit in recipients:
            letter = _Letter(
                symbol, day, spec.author, title, known, text, urgency, secret, form.action, form.lead, form.reply,
                via, form.sender,
            )  # fmt: skip
            if unit.unit.pk in delivered:
                self.replay.start(self._incoming(unit, letter, at, delivered[unit.unit.pk], self._story_rng()))
            else:
                arrives = self._later(at, rng, 5, 300 if not urgency else 60)
                self.replay.start(self._incoming(unit, letter, arrives, None, self._story_rng()))

    def _incoming(
        self, unit: _Unit, letter: _Letter, arrived: datetime, delivered: Document | None, rng: random.Random
    ) -> Iterator[datetime]:
        """Registered by the clerk (unless it came from inside the system), assigned by the
        chair or the vice-chair, handled (or not) by the lead handler."""
        staff = unit.staff
        urgent = letter.urgency in {Urgency.FLASH, Urgency.VERY_URGENT}
        if delivered is None:
            luck = rng.random()
            if urgent:
                at = self._later(arrived, rng, 3, 30)
            elif luck < 0.86:
                at = self._later(arrived, rng, 5, 150)
            elif luck < 0.97:
                at = self._on(self._working_days_after(arrived, 1), rng, 0, 120)
            else:  # registered late, as happens
                at = self._on(self._working_days_after(arrived, rng.randint(2, 4)), rng)
            at = yield at
            document = services.document_register_incoming(
                actor=staff["clerk"],
                unit=unit.unit,
                symbol=letter.symbol,
                author=letter.author,
                issued_on=letter.issued_on,
                summary=letter.summary,
                text=letter.text,
                arrived_at=arrived,
                urgency=letter.urgency,
                confidentiality=letter.confidentiality,
                at=at,
            )
        else:
            at, document = arrived, delivered
        unit.history.append(letter.known)
        if "chair" not in staff or (letter.action is None and rng.random() < 0.15):
            return  # the province has no one to assign it; some letters are only filed
        story = letter.known.tag in STORY_TAGS
        head = staff["chair"] if rng.random() < 0.7 or story else staff["vicechair"]
        at = yield self._later(at, rng, 5, 60) if urgent else self._later(at, rng, 20, 500)
        notice = letter.known.tag == "notice"
        lead = self._lead(unit, letter.lead, rng)
        others = [p for r, p in staff.items() if r in {"specialist", "vicechair", "onestop"} and p not in (lead, head)]
        co = [rng.choice(others)] if others and (notice or rng.random() < 0.25) else []
        deadline = None
        if notice:
            deadline = NOTICE_DEADLINE
        elif letter.action:
            deadline = self._working_days_after(at, rng.randint(*letter.action) if not urgent else 1)
        comment = f"Giao đồng chí {lead.full_name} chủ trì tham mưu thực hiện"
        comment += f"; hoàn thành trước ngày {_day(deadline)}." if deadline else "; nghiên cứu, triển khai."
        document = services.document_assign(
            actor=head, document=document, lead=lead, co_handlers=co, comment=comment, deadline=deadline, at=at
        )
        reader = staff.get("specialist")  # the chair lets one more person read a secret letter, now and then
        if document.confidentiality and reader and reader not in (lead, *co) and rng.random() < 0.4:
            services.confidential_grant(actor=staff["chair"], document=document, person=reader)
        if rng.random() < 0.35 or notice:
            at = yield self._later(at, rng, 30, 900)
            document = services.document_start(actor=lead, document=document, at=at)
        if notice:
            plan = self._working_days_after(at, rng.randint(4, 8))
            self.replay.start(self._outgoing(unit, notice_plan(self, unit), plan, self._story_rng()))
            if unit.prefix in STALLED_ON_NOTICE:
                return
            report = date(2025, 12, rng.randint(8, 11))
            self.replay.start(self._outgoing(unit, notice_report(self, unit), report, self._story_rng()))
            at = yield self._on(date(2025, 12, 12), rng)
        else:
            fate = rng.random() if not story else 1
            if deadline and fate < 0.07:
                return  # never done: overdue
            start = self.office.g(at) + 30
            if deadline and fate < 0.17:  # done late
                end = self.office.index[self.office.days[self._first_working(deadline)]] + rng.randint(1, 5)
                at = yield self.office.at(end * DAY + rng.uniform(0, DAY - 30))
            else:
                end = (self.office.index[deadline] + 1) * DAY - 20 if deadline else start + rng.uniform(60, 3 * DAY)
                at = yield self.office.at(rng.uniform(start, max(start + 10, end)))
        if letter.reply and unit is not self.province:
            self.replay.start(self._outgoing(unit, reply(self, unit, letter), at, self._story_rng()))
        services.document_done(actor=lead, document=document, note=rng.choice(DONE_NOTES), at=at)

    def _lead(self, unit: _Unit, preferred: str, rng: random.Random) -> User:
        staff = unit.staff
        if unit is self.province:
            return staff[rng.choice(["officer", "officer", "justice", "lead", "member"])]
        if preferred not in staff or rng.random() < 0.2:
            preferred = rng.choice(["specialist", "specialist", "vicechair", "onestop"])
        return staff[preferred]

    def _outgoing(
        self, unit: _Unit, compose: Callable[[datetime, random.Random], _Out | None], when, rng: random.Random
    ) -> Iterator[datetime]:
        """Drafted, approved by the chair or the vice-chair, issued and dispatched; each
        recipient inside the system routes its own copy."""
        at = yield when if isinstance(when, datetime) else self._on(when, rng, 0, DAY - 60)
        out = compose(at, rng)
        if out is None:
            return
        document, at = yield from self._issue(unit, out, at, rng)
        for copy in Document.objects.filter(source=document).select_related("unit"):
            to = self.by_unit[copy.unit_id]
            known = _Known(document.symbol, document.issued_on, KINDS.get(document.doc_type, "Văn bản"),
                           f"UBND xã {unit.name}", "", out.tag, document.doc_type)  # fmt: skip
            letter = _Letter(
                document.symbol, document.issued_on, document.author, document.summary, known,
                action=(3, 8) if to is not self.province else (5, 10), lead="onestop" if "hộ tịch" in out.summary
                else "specialist",
            )  # fmt: skip
            self.replay.start(self._incoming(to, letter, at, copy, self._story_rng()))

    def _issue(self, unit: _Unit, out: _Out, at: datetime, rng: random.Random):
        """Draft → approve → issue → dispatch; returns (document, moment of dispatch)."""
        staff = unit.staff
        approver = staff["chair"] if rng.random() < 0.65 else staff["vicechair"]
        to = [self.province.unit if p == "province" else self.communes[p].unit for p in out.to]
        document = services.document_draft(
            actor=staff[out.drafter],
            unit=unit.unit,
            doc_type=out.doc_type,
            summary=out.summary,
            body=out.body,
            issuer=out.issuer,
            drafting_unit=out.drafting_unit,
            signer=approver.full_name,
            recipients=out.recipients,
            recipient_units=to,
            urgency=out.urgency,
            confidentiality=out.confidentiality,
            copies=len(to) + 1,
            text=out.text,
            at=at,
        )
        at = yield self._later(at, rng, 30, 700)
        document = services.document_approve(actor=approver, document=document, at=at)
        at = yield self._later(at, rng, 10, 300)
        document = services.document_issue(actor=staff["clerk"], document=document, at=at)
        kind = KINDS.get(document.doc_type, "Văn bản")
        author = f"UBND xã {unit.name}" if unit is not self.province else "UBND tỉnh"
        if document.body == Body.PARTY:
            author = f"Đảng ủy xã {unit.name}"
        about = _about(out.summary, kind)
        unit.history.append(_Known(document.symbol, document.issued_on, kind, author, about, out.tag, out.doc_type))
        at = yield self._later(at, rng, 5, 120)
        document = services.document_dispatch(actor=staff["clerk"], document=document, at=at)
        return document, at


def _about(title: str, kind: str) -> str:
    """What a document is about, as a citation continues: "về việc …", "về …"."""
    if title.startswith("V/v "):
        return "về việc " + title.removeprefix("V/v ")
    about = title.removeprefix(kind + " ")
    return about if about.startswith("về") or kind == "Giấy mời" else f"về {about}"


def _matches(known: _Known, key: str) -> bool:
    """Whether a document of a unit's history fits a key of `_Draft.cites`."""
    what = key.split(":")[1]
    if key.startswith("own:") or what == "QĐ":
        return known.doc_type == what and known.author.startswith("UBND")
    if what == "UBND":
        return known.author == "UBND tỉnh"
    if what == "party":
        return known.author in {"Tỉnh ủy", "Văn phòng Tỉnh ủy"}
    if what == "any":
        return not known.tag
    return known.doc_type == what and known.author == "UBND tỉnh"


def _poisson(rng: random.Random, mean: float) -> int:
    """How many events of a day, for a small daily mean (Knuth)."""
    limit, k, p = pow(2.718281828459045, -mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _province_recipients(units: list[_Unit]) -> str:
    names = ", ".join(f"UBND xã {u.name}" for u in units)
    return f"{names}; Lưu: VT, VP."


# What communes write ---------------------------------------------------------------------------


def own_draft(world: _World, unit: _Unit, draft: _Draft) -> Callable[[datetime, random.Random], _Out | None]:
    def compose(at: datetime, rng: random.Random) -> _Out | None:
        cited = world._resolve(draft.cites, unit=unit, rng=rng)
        if "{ref}" in draft.title and not cited:
            return None
        others = [c for c in world.communes.values() if c is not unit]
        other = rng.choice(others)
        villages = rng.sample(VILLAGES[unit.prefix], 2)
        local = at.astimezone(TZ)
        fill = {
            "commune": unit.name, "other": other.name, "village": villages[0], "village2": villages[1],
            "month": f"{local.month}/{local.year}", "ref": cited[0].cite() if cited else "",
        }  # fmt: skip
        text = "\n".join([*world._preamble(cited), draft.body.format(**fill)])
        urgency = Urgency.URGENT if rng.random() < draft.urgent else ""
        to = ("province",) if draft.to == "province" else (other.prefix,) if draft.to == "commune" else ()
        return _Out(
            doc_type=draft.doc_type,
            summary=draft.title.format(**fill),
            text=text,
            drafting_unit="VP" if not draft.doc_type and not draft.party else "",
            body=Body.PARTY if draft.party else Body.STATE,
            issuer="ĐU" if draft.party else "UBND",
            recipients=draft.recipients.format(**fill),
            to=to,
            drafter=draft.drafter,
            urgency=urgency,
            confidentiality=Confidentiality.SECRET if draft.secret else "",
        )

    return compose


def monthly_report(world: _World, unit: _Unit, month: date) -> Callable[[datetime, random.Random], _Out | None]:
    def compose(at: datetime, rng: random.Random) -> _Out:
        cited = world._resolve(("#reporting",), unit=unit, rng=rng)
        following = (month + timedelta(days=32)).replace(day=1)
        summary = (
            f"Báo cáo kết quả thực hiện nhiệm vụ tháng {month.month} năm {month.year}; phương hướng, nhiệm vụ "
            f"tháng {following.month} năm {following.year}"
        )
        body = (
            f"Ủy ban nhân dân xã {unit.name} báo cáo kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội, "
            "quốc phòng, an ninh; công tác cải cách hành chính, tiếp nhận và giải quyết hồ sơ thủ tục hành chính "
            "trong tháng như sau."
        )
        return _Out(
            "BC", summary, "\n".join([*world._preamble(cited), body]), recipients="UBND tỉnh (b/c); Lưu: VT.",
            to=("province",),
        )  # fmt: skip

    return compose


def reply(world: _World, unit: _Unit, letter: _Letter) -> Callable[[datetime, random.Random], _Out | None]:
    def compose(at: datetime, rng: random.Random) -> _Out:
        party = SENDERS[letter.sender].party if letter.sender else False
        body = f"Thực hiện {letter.known.cite(about=True)}, Ủy ban nhân dân xã {unit.name} báo cáo như sau."
        summary = f"{letter.reply.format(commune=unit.name)} (theo {letter.known.kind} số {letter.symbol})"
        if party:
            return _Out("BC", summary, body.replace("Ủy ban nhân dân", "Đảng ủy"), body=Body.PARTY, issuer="ĐU",
                        recipients="Ban Thường vụ Tỉnh ủy; Lưu: VP.", drafter="vicechair")  # fmt: skip
        urgency = Urgency.URGENT if letter.urgency else ""
        recipients = f"UBND tỉnh; {letter.via or 'Văn phòng UBND tỉnh'}; Lưu: VT."
        return _Out("BC", summary, body, recipients=recipients, to=("province",), urgency=urgency,
                    confidentiality=letter.confidentiality)  # fmt: skip

    return compose


def notice_plan(world: _World, unit: _Unit) -> Callable[[datetime, random.Random], _Out | None]:
    def compose(at: datetime, rng: random.Random) -> _Out | None:
        cited = world._resolve(("#notice",), unit=unit, rng=rng)
        if not cited:
            return None
        notice = cited[0]
        summary = f"Kế hoạch thực hiện Thông báo kết luận số {notice.symbol} ngày {_day(notice.issued_on)} của " \
                  f"{notice.author} về kết quả buổi làm việc của Tổ công tác số 4"  # fmt: skip
        text = (
            f"Thực hiện {notice.cite()}, Ủy ban nhân dân xã {unit.name} ban hành Kế hoạch thực hiện như sau: "
            "hoàn thành số hóa hồ sơ trước ngày 31/12/2025; rà soát trụ sở dôi dư; đề xuất bổ sung công chức."
        )
        return _Out("KH", summary, text, recipients="UBND tỉnh (b/c); Tổ công tác số 4; Lưu: VT.", to=("province",),
                    tag="notice-plan")  # fmt: skip

    return compose


def notice_report(world: _World, unit: _Unit) -> Callable[[datetime, random.Random], _Out | None]:
    def compose(at: datetime, rng: random.Random) -> _Out | None:
        cited = world._resolve(("#notice", "#notice-plan"), unit=unit, rng=rng)
        if not cited:
            return None
        notice = cited[0]
        summary = f"Báo cáo kết quả thực hiện Thông báo kết luận số {notice.symbol} ngày {_day(notice.issued_on)} " \
                  f"của {notice.author} (Tổ công tác số 4)"  # fmt: skip
        text = "\n".join([*world._preamble(cited), f"Ủy ban nhân dân xã {unit.name} báo cáo kết quả như sau."])
        return _Out("BC", summary, text, recipients="UBND tỉnh; Tổ công tác số 4; Lưu: VT.", to=("province",))

    return compose
