"""The demo world's dossiers: a year and more of one-stop work in the seven communes of
Working Group No. 4, replayed through the services with the moment of each act.

Everything goes through `communeos.onestop.services` with an explicit `at=`, so the codes,
deadlines, hand-offs, audit entries and classifications are the ones real use would give.
The load is deterministic (`random.Random(seed)`) and idempotent: once the seven communes
have dossiers, it adds nothing and reports what is there.

How the shares come out right
-----------------------------
The outcome of every dossier is decided first, by quota (about 60 % early, 30 % on time,
8 % late, a few stopped, about 3 % still in progress), and the moments of its steps are then
placed in office hours (`HOURS`, 07:30–11:30 and 13:30–17:00 on working days, entered as the
province's office hours) between its receipt and a completion time drawn from its `due_at` as
the service computed it: before the due day for an early one, on the due day for one on time,
after the deadline for a late one. A request to
supplement moves `due_at` (the clock stops while the citizen is away), so what follows it is
planned again from the new deadline. A same-day procedure received before its cut-off hour is
due the same day and cannot be early (Decision 766/QĐ-TTg as `services.classify` reads it):
the quotas give "early" only to dossiers that can be early, so the early share depends on the
procedure mix; the late ones are mostly same-day dossiers that slipped to the next day.

Each dossier costs seven to ten service calls of about a dozen queries each: the default
(`DEFAULT_COUNT`) is what replays in about a minute on SQLite; `load_demo --dossiers 3000`
gives the full few thousand in about three.

Village names are in the style of the area, not a gazetteer.
"""

import io
import random
import unicodedata
from bisect import bisect_left, bisect_right
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from pypdf import PdfWriter

from communeos.core import calendar
from communeos.core import services as core_services
from communeos.core.models import OfficeHours
from communeos.onestop import services
from communeos.onestop.models import ACTIVE, Channel, Dossier, Event, Procedure, ProcedureVersion, Rating, Status
from communeos.people.demo import COMMUNES, PROVINCE_CODE
from communeos.people.demo import START as FIRST_DAY
from communeos.people.models import User
from communeos.units.models import Level, Unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_COUNT = 2000

# The demo province's office hours: entered as its `OfficeHours` (the steps' deadlines are
# counted in them) and the hours the replay places acts in.
HOURS = {"opens": time(7, 30), "break_starts": time(11, 30), "break_ends": time(13, 30), "closes": time(17, 0)}
HOURS_BASIS = "Dữ liệu mẫu của bản demo (giờ làm việc thường gặp của cơ quan hành chính)"


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


# Office time: a working day has DAY minutes of it, MORNING of them before the lunch break.
AM_OPENS, PM_OPENS, PM_CLOSES = _minutes(HOURS["opens"]), _minutes(HOURS["break_ends"]), _minutes(HOURS["closes"])
MORNING = _minutes(HOURS["break_starts"]) - AM_OPENS
DAY = MORNING + PM_CLOSES - PM_OPENS

SHARES = {"early": 0.60, "late": 0.08, "in_progress": 0.025, "stopped": 0.004}
SHARES |= {"transfer": 0.03, "supplement": 0.05, "two_supplements": 0.008, "refused": 0.02}

# Procedure code: (weight at the counter, weight online). Certified copies, signatures and
# births dominate; online goes to the procedures the catalogue allows online.
MIX = {
    "certified-copy": (19, 0),
    "signature-certification": (7, 0),
    "birth-registration": (6, 4),
    "civil-status-extract-copy": (3, 2),
    "marriage-registration": (3, 1),
    "death-registration": (2, 0),
    "marital-status-confirmation": (15, 3),
    "joint-birth-residence-insurance": (6, 11),
    "civil-status-change": (11, 2),
    "birth-re-registration": (3, 1),
}
ONLINE_SHARE = 0.2
# Relative weight of each commune's counter (the old district town is the busiest).
COMMUNE_WEIGHT = {
    "locbinh": 1.6, "naduong": 1.3, "khuatxa": 0.9, "loibac": 0.8, "mauson": 0.6, "thongnhat": 0.8, "xuanduong": 0.8,
}  # fmt: skip
MONTH_WEIGHT = {1: 1.25, 2: 0.8, 7: 0.9, 8: 1.15, 9: 1.1, 12: 1.15}  # before Tết, school year
WEEKDAY_WEIGHT = [1.25, 1.05, 1.0, 1.0, 0.85, 0.5, 0.4]  # the last two for online only

VILLAGES = {
    "locbinh": ["Nà Pàn", "Bản Chu", "Pò Lọi", "Nà Thuộc", "Khòn Quanh", "Bản Cầu"],
    "khuatxa": ["Khuổi Khỉn", "Nà Lầu", "Bản Loỏng", "Pò Nhùng", "Còn Đuống"],
    "loibac": ["Nà Sla", "Bản Khuôn", "Khau Slén", "Nà Tèo", "Pác Cáp"],
    "mauson": ["Khuổi Tát", "Pò Mã", "Khau Khể", "Nà Lùng", "Co Loi"],
    "naduong": ["Pác Làng", "Nà Cáy", "Khòn Pát", "Bản Dạ", "Nà Táp"],
    "thongnhat": ["Nà Sàng", "Bản Thẩm", "Khuổi Pất", "Pò Làng", "Nà Chuông"],
    "xuanduong": ["Nà Phai", "Bản Chang", "Khau Ngần", "Pò Khoang", "Nà Mò"],
}
FAMILY = {
    "Hoàng": 12, "Nông": 10, "Nguyễn": 10, "Lương": 6, "Vi": 6, "Lộc": 6, "Lăng": 5, "Triệu": 5, "Hà": 5,
    "Lý": 5, "Chu": 4, "Mã": 4, "Trần": 4, "Lê": 3, "Đinh": 3, "Dương": 3, "Bế": 3, "Phùng": 2, "La": 2,
    "Tô": 2, "Lâm": 2, "Phạm": 2,
}  # fmt: skip
MIDDLE = {
    True: {"Thị": 75, "Thu": 6, "Ngọc": 5, "Thanh": 5, "Minh": 4, "Kim": 3},
    False: {"Văn": 70, "Đức": 8, "Minh": 6, "Quang": 5, "Xuân": 4, "Hữu": 3},
}
GIVEN = {
    True: [
        "Lan", "Mai", "Hoa", "Hạnh", "Hương", "Huyền", "Thủy", "Trang", "Linh", "Ngọc", "Nhung", "Oanh", "Phương",
        "Thảo", "Thu", "Thúy", "Vân", "Yến", "Dung", "Duyên", "Giang", "Hằng", "Hiền", "Liên", "Loan", "Nga", "Nhàn",
        "Tâm", "Tuyết", "Xuân",
    ],
    False: [
        "Hùng", "Dũng", "Tuấn", "Thắng", "Cường", "Hải", "Long", "Minh", "Quân", "Sơn", "Thành", "Toàn", "Trung",
        "Tùng", "Vinh", "Khánh", "Phúc", "Lâm", "Bình", "Chiến", "Đạt", "Hiếu", "Huy", "Kiên", "Lợi", "Nam", "Phong",
        "Quyết", "Tài", "Thái", "Tiến", "Tú",
    ],
}  # fmt: skip
# Where applicants were registered at birth: mostly Lạng Sơn, some from the neighbours.
BIRTH_PROVINCE = {"020": 86, "004": 4, "024": 4, "019": 2, "001": 2, "022": 2}
PHONE_PREFIXES = ["096", "097", "098", "086", "091", "094", "088", "081", "083", "085", "070", "076", "077"]
PHONE_PREFIXES += ["032", "033", "034", "035", "036", "037", "038", "039"]

SUPPLEMENT_REASONS = [
    "Thông tin trên tờ khai chưa khớp với giấy tờ tùy thân.",
    "Giấy tờ nộp kèm là bản chụp, cần xuất trình bản chính để đối chiếu.",
    "Tờ khai còn thiếu chữ ký của người yêu cầu.",
    "Giấy tờ bị mờ, không đọc được số và ngày cấp.",
]
REFUSALS = {
    "Chứng thực": [
        "Bản chính giấy tờ có dấu hiệu bị tẩy xóa, sửa chữa (Nghị định 23/2015/NĐ-CP, Điều 22).",
        "Người yêu cầu không xuất trình được giấy tờ tùy thân còn giá trị.",
    ],
    "": [
        "Không đủ điều kiện theo quy định của Luật Hộ tịch.",
        "Việc hộ tịch đã được đăng ký tại cơ quan khác; không đăng ký lại.",
    ],
}
TRANSFER_NOTES = [
    ("Đề nghị Sở Tư pháp xác minh thông tin hộ tịch.", "Đã xác minh; gửi trả kết quả xác minh."),
    ("Đề nghị Sở Tư pháp cho ý kiến về trường hợp cải chính.", "Sở Tư pháp đã có ý kiến; trả hồ sơ để giải quyết."),
    ("Đề nghị tra cứu cơ sở dữ liệu hộ tịch điện tử của tỉnh.", "Đã tra cứu; gửi trả kết quả."),
]
APOLOGIES = [
    "Hồ sơ cần xác minh thêm thông tin với cơ quan liên quan.",
    "Người có thẩm quyền ký đi công tác, chưa kịp ký duyệt.",
    "Hệ thống cơ sở dữ liệu hộ tịch bị gián đoạn.",
]
COMMENTS = {
    "satisfied": ["Cán bộ hướng dẫn nhiệt tình.", "Thủ tục nhanh gọn.", "Trả kết quả sớm hơn hẹn."],
    "neutral": ["Phải chờ khá lâu.", "Nên hướng dẫn rõ hơn về giấy tờ cần nộp."],
    "dissatisfied": ["Trễ hẹn so với phiếu hẹn.", "Phải đi lại nhiều lần."],
}


@cache
def _blank_page() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _scan(paper: str) -> SimpleUploadedFile:
    name = unicodedata.normalize("NFD", paper.replace("Đ", "D").replace("đ", "d"))
    name = "-".join("".join(ch for ch in name if ch.isascii() and (ch.isalnum() or ch == " ")).lower().split()[:6])
    return SimpleUploadedFile(f"{name}.pdf", _blank_page(), content_type="application/pdf")


class _Pending(Exception):
    """The next act of a dossier falls after the end of the replay: it stays where it is."""


@dataclass
class _Plan:
    at: datetime
    prefix: str
    channel: str
    procedure: Procedure
    version: ProcedureVersion
    female: bool
    outcome: str = "on_time"  # early, on_time, late, or stuck (still in progress at the end)
    can_be_early: bool = True
    supplements: int = 0
    waiting: bool = False  # the papers of the last request never come
    transfer: bool = False
    apology: bool = False
    refuse: bool = False
    stop: str = ""  # "", "withdrawn", "no_papers"


class _Office:
    """Office time of the province's working days, as a line of minutes: minute `g` is on
    working day `g // DAY`, at `g % DAY` minutes of office time into it."""

    def __init__(self, province_id: int, first: date, last: date) -> None:
        self.days = []
        day = first
        while day <= last:
            if calendar.is_working_day(day, province=province_id):
                self.days.append(day)
            day += timedelta(days=1)
        self.index = {day: i for i, day in enumerate(self.days)}

    def g(self, moment: datetime) -> float:
        """The office minute of `moment`; outside office hours, the next opening."""
        local = moment.astimezone(TZ)
        i = bisect_left(self.days, local.date())
        if i == len(self.days) or self.days[i] != local.date():
            return i * DAY
        minute = local.hour * 60 + local.minute + local.second / 60
        if minute < AM_OPENS:
            return i * DAY
        if minute < AM_OPENS + MORNING:
            return i * DAY + minute - AM_OPENS
        if minute < PM_OPENS:
            return i * DAY + MORNING
        if minute < PM_CLOSES:
            return i * DAY + MORNING + minute - PM_OPENS
        return (i + 1) * DAY

    def at(self, g: float) -> datetime:
        i = int(g // DAY)
        minute = g - i * DAY
        clock = AM_OPENS + minute if minute < MORNING else PM_OPENS + minute - MORNING
        return datetime.combine(self.days[i], time(0), tzinfo=TZ) + timedelta(seconds=round(clock * 60))

    def day_of(self, moment: datetime) -> int:
        return self.index[moment.astimezone(TZ).date()]

    def closes(self, i: int) -> datetime:
        return datetime.combine(self.days[i], time(17), tzinfo=TZ)


def _communes() -> list[Unit]:
    province = Unit.objects.get(level=Level.PROVINCE, code=PROVINCE_CODE, valid_to=None)
    codes = [code for _prefix, code, _name in COMMUNES]
    return list(Unit.objects.filter(level=Level.COMMUNE, code__in=codes, valid_to=None, province=province))


def demo_dossier_counts() -> dict[str, int]:
    """What the seven communes hold: total, early, on time, late, in progress, stopped, and
    the dossiers that had a request to supplement, a transfer, a refusal, an apology."""
    dossiers = Dossier.objects.filter(unit__in=_communes())
    counts = dossiers.aggregate(
        total=Count("id"),
        early=Count("id", filter=Q(timeliness="early")),
        on_time=Count("id", filter=Q(timeliness="on_time")),
        late=Count("id", filter=Q(timeliness="late")),
        in_progress=Count("id", filter=Q(status__in=ACTIVE)),
        overdue=Count("id", filter=Q(status__in=ACTIVE, due_at__lt=timezone.now())),
        waiting=Count("id", filter=Q(status=Status.SUPPLEMENT)),
        stopped=Count("id", filter=Q(status=Status.STOPPED)),
        supplement=Count("id", filter=Q(supplement_count__gt=0)),
        rated=Count("id", filter=~Q(rating="")),
        online=Count("id", filter=Q(channel=Channel.ONLINE)),
    )
    counts["transferred"] = dossiers.filter(events__action=Event.Action.TRANSFER).distinct().count()
    counts["refused"] = dossiers.filter(events__action=Event.Action.REFUSE).distinct().count()
    counts["apology"] = dossiers.filter(apologies__isnull=False).distinct().count()
    return counts


def load_demo_dossiers(*, count: int = DEFAULT_COUNT, seed: int = 2025, until: date | None = None) -> dict[str, int]:
    """Replay `count` dossiers received from 1 July 2025 to `until` (default: yesterday)
    through the services; return `demo_dossier_counts()` and how many were `created`."""
    communes = {unit.code: unit for unit in _communes()}
    if Dossier.objects.filter(unit__in=communes.values()).exists():
        return demo_dossier_counts() | {"created": 0}
    until = until or timezone.localdate() - timedelta(days=1)
    if until < FIRST_DAY or count <= 0:
        return demo_dossier_counts() | {"created": 0}
    world = _World(communes, until, seed)
    plans = world.plan(count)
    by_day: dict[date, list[_Plan]] = {}
    for plan in plans:
        by_day.setdefault(plan.at.astimezone(TZ).date(), []).append(plan)
    n = 0
    for day in sorted(by_day):
        with transaction.atomic():
            for plan in by_day[day]:
                world.live(plan, random.Random(f"{seed}:{n}"))
                n += 1
    return demo_dossier_counts() | {"created": n}


class _World:
    def __init__(self, communes: dict[str, Unit], until: date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.until = until
        self.horizon = datetime.combine(until, time.max, tzinfo=TZ)
        self.units = {prefix: communes[code] for prefix, code, _name in COMMUNES}
        self.province = next(iter(communes.values())).province
        if not OfficeHours.objects.filter(province=self.province).exists():
            core_services.office_hours_create(
                actor=None, province=self.province, effective_from=FIRST_DAY, legal_basis=HOURS_BASIS, **HOURS
            )
        users = {u.username: u for u in User.objects.filter(username__contains=".")}
        try:
            self.staff = {
                prefix: {role: users[f"{prefix}.{role}"] for role in ("onestop", "specialist", "chair", "vicechair")}
                for prefix in self.units
            }
            self.justice = users["province.justice"]
        except KeyError as missing:
            raise RuntimeError(f"The demo account {missing} is missing: run load_demo_people() first.") from None
        # Late and stuck dossiers are planned past the end: keep a good margin of days.
        self.office = _Office(self.province.pk, FIRST_DAY - timedelta(days=7), until + timedelta(days=400))
        procedures = Procedure.objects.filter(code__in=MIX).prefetch_related("versions__papers")
        self.procedures = {p.code: p for p in procedures}

    # Planning ---------------------------------------------------------------------------------

    def _version(self, procedure: Procedure, day: date) -> ProcedureVersion | None:
        versions = [
            v
            for v in procedure.versions.all()
            if v.effective_from <= day and (v.effective_to is None or day <= v.effective_to)
        ]
        return max(versions, key=lambda v: v.version, default=None)

    def _receipts(self, count: int) -> list[_Plan]:
        rng = self.rng
        counter_slots, online_slots = [], []
        day = FIRST_DAY
        while day <= self.until:
            weight = MONTH_WEIGHT.get(day.month, 1.0) * WEEKDAY_WEIGHT[day.weekday()]
            working = calendar.is_working_day(day, province=self.province.pk)
            for prefix in self.units:
                w = weight * COMMUNE_WEIGHT.get(prefix, 0.8)
                if working:
                    counter_slots.append((day, prefix, w))
                online_slots.append((day, prefix, w if working else w * 0.6))
            day += timedelta(days=1)
        n_online = round(count * ONLINE_SHARE)
        picks = [
            (s, Channel.COUNTER) for s in rng.choices(counter_slots, [s[2] for s in counter_slots], k=count - n_online)
        ]
        picks += [(s, Channel.ONLINE) for s in rng.choices(online_slots, [s[2] for s in online_slots], k=n_online)]
        plans = []
        for (day, prefix, _w), channel in picks:
            at = self._receipt_time(day, channel)
            candidates = []
            for code, (counter_weight, online_weight) in MIX.items():
                procedure = self.procedures.get(code)
                version = procedure and self._version(procedure, day)
                if version is None or (channel == Channel.ONLINE and not version.online_allowed):
                    continue
                weight = online_weight if channel == Channel.ONLINE else counter_weight
                if weight:
                    candidates.append((procedure, version, weight))
            if not candidates:
                continue
            procedure, version, _w = rng.choices(candidates, [c[2] for c in candidates])[0]
            plans.append(_Plan(at, prefix, channel, procedure, version, female=rng.random() < 0.55))
        plans.sort(key=lambda p: p.at)
        return plans

    def _receipt_time(self, day: date, channel: str) -> datetime:
        rng = self.rng
        working = calendar.is_working_day(day, province=self.province.pk)
        if channel == Channel.COUNTER or (working and rng.random() < 0.55):
            # At the counter: busier in the morning, no one in the last minutes.
            minute = rng.uniform(0, MORNING) if rng.random() < 0.5 else rng.uniform(MORNING, DAY - 5)
            return self.office.at(self.office.index[day] * DAY + minute)
        # Online: evenings, early mornings, weekends and holidays.
        hour = rng.choice([6, 12, 18, 19, 20, 20, 21, 21, 22, 23]) if working else rng.uniform(7, 23)
        return datetime.combine(day, time(0), tzinfo=TZ) + timedelta(seconds=round(hour * 3600 + rng.uniform(0, 3599)))

    def plan(self, count: int) -> list[_Plan]:
        """Receipts in time order, each with its outcome decided by quota."""
        rng = self.rng
        plans = self._receipts(count)
        office = self.office
        for plan in plans:
            due = calendar.due_at(
                plan.at, days=plan.version.days, cutoff=plan.version.cutoff, province=self.province.pk
            )
            plan.can_be_early = office.g(plan.at) + 25 < office.day_of(due) * DAY

        def quota(share: float, minimum: int = 1) -> int:
            return max(minimum, round(count * share)) if count >= 20 else round(count * share)

        def take(pool: list[_Plan], n: int) -> list[_Plan]:
            chosen = rng.sample(pool, min(n, len(pool)))
            for plan in chosen:
                pool.remove(plan)
            return chosen

        last = bisect_right(office.days, self.until) - 1
        tail_from = office.days[max(last - 20, 0)]
        recent_from = office.days[max(last - 8, 0)]
        tail = [p for p in plans if p.at.astimezone(TZ).date() >= tail_from]
        body = [p for p in plans if p.at.astimezone(TZ).date() < tail_from]
        early_cut = office.days[max(last - 60, 0)]

        # Still in progress at the end: some waiting for papers, the others stuck (overdue,
        # with the province, awaiting approval), half of the overdue with an apology.
        n_stuck = quota(SHARES["in_progress"], 2)
        recent = [p for p in tail if p.at.astimezone(TZ).date() >= recent_from]
        for plan in take(recent, max(1, n_stuck // 4)):
            plan.outcome, plan.supplements, plan.waiting = "stuck", 1, True
            tail.remove(plan)
        multi = [p for p in tail if p.version.days > 0]
        stuck = take(multi, n_stuck - max(1, n_stuck // 4))
        stuck += take([p for p in tail if p not in stuck], n_stuck - max(1, n_stuck // 4) - len(stuck))
        for plan in stuck:
            plan.outcome, plan.apology = "stuck", rng.random() < 0.5
            plan.transfer = plan.version.days > 0 and rng.random() < 0.3
        pool = [p for p in body + tail if p.outcome != "stuck"]

        # Stopped: the citizen withdrew, or the papers asked for never came.
        older = [p for p in pool if p.at.astimezone(TZ).date() < early_cut]
        for i, plan in enumerate(take(older, quota(SHARES["stopped"]))):
            plan.outcome = "stopped"
            plan.stop = "no_papers" if i % 2 else "withdrawn"
            if plan.stop == "no_papers":
                plan.supplements, plan.waiting = 1, True
            pool.remove(plan)

        # Flags on dossiers that will be completed.
        multi = [p for p in pool if p.version.days > 0]
        for plan in take(multi, quota(SHARES["transfer"]) - sum(p.transfer for p in stuck)):
            plan.transfer = True
        free = [p for p in pool if not p.transfer]
        for plan in take(free, quota(SHARES["two_supplements"])):
            plan.supplements, plan.outcome = 2, "on_time"  # late by rule: two requests
        already = sum(1 for p in plans if p.supplements)
        for plan in take(free, quota(SHARES["supplement"], 3) - already):
            plan.supplements = 1
        rest = [p for p in pool if p.supplements < 2]

        # Late: mostly same-day dossiers that slipped past closing time, some longer ones.
        n_late = quota(SHARES["late"]) - sum(1 for p in plans if p.supplements == 2)
        cannot = [p for p in rest if not p.can_be_early]
        late = take(cannot, round(n_late * 0.9))
        late += take([p for p in rest if p not in late], n_late - len(late))
        for plan in late:
            plan.outcome, plan.apology = "late", rng.random() < 0.5
        for plan in take([p for p in rest if p.can_be_early and p not in late], quota(SHARES["early"])):
            plan.outcome = "early"
        simple = [p for p in rest if p.outcome != "late" and not p.supplements and not p.transfer]
        for plan in take(simple, quota(SHARES["refused"])):
            plan.refuse = True
        return plans

    # Replay -----------------------------------------------------------------------------------

    def _target(self, g: float, due_at: datetime, outcome: str, same_day: bool, rng: random.Random) -> float:
        """When the result is ready (office minute), for the outcome, from minute `g` on.
        After a supplement `due_at` may fall at any hour: on time means by it, early means
        on a day before its day, late means after it."""
        shortest = 20 if same_day else 45
        due_day, due_g = self.office.day_of(due_at), self.office.g(due_at)
        if outcome == "stuck":
            return max(self.office.g(self.horizon), (due_day + 1) * DAY) + rng.uniform(60, 6 * DAY)
        latest_on_time = min((due_day + 1) * DAY, due_g) - 1
        if outcome == "on_time" and g + shortest < latest_on_time:
            return rng.uniform(max(g + shortest, due_day * DAY), latest_on_time)
        if outcome in ("early", "on_time") and g + shortest < due_day * DAY:
            room = due_day * DAY - g
            return g + max(shortest, room * rng.uniform(0.25, 0.95) if not same_day else rng.uniform(shortest, room))
        if outcome == "early" and g + shortest < latest_on_time:
            return rng.uniform(max(g + shortest, due_day * DAY), latest_on_time)
        # Late: after the deadline, by up to four working days.
        extra = rng.choice([0.3, 0.5, 1, 1, 1.5, 2, 3, 4]) * DAY
        return max(g + shortest, due_g + 1, (due_day + 1) * DAY) + rng.uniform(1, extra)

    def _applicant(self, plan: _Plan, rng: random.Random) -> dict:
        female = plan.female
        name = " ".join(
            [
                rng.choices(list(FAMILY), list(FAMILY.values()))[0],
                rng.choices(list(MIDDLE[female]), list(MIDDLE[female].values()))[0],
                rng.choice(GIVEN[female]),
            ]
        )
        born = rng.randint(1952, 2006)
        digit = (0 if born < 2000 else 2) + (1 if female else 0)
        province = rng.choices(list(BIRTH_PROVINCE), list(BIRTH_PROVINCE.values()))[0]
        id_number = f"{province}{digit}{born % 100:02d}{rng.randrange(10**6):06d}"
        village = rng.choice(VILLAGES[plan.prefix])
        address = f"Thôn {village}, xã {self.units[plan.prefix].short_name}, tỉnh Lạng Sơn"
        data = {
            "applicant_name": name,
            "applicant_id_number": id_number,
            "applicant_phone": rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}",
            "applicant_address": address,
        }
        if plan.channel == Channel.ONLINE and rng.random() < 0.4:
            plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
            plain = "".join(ch for ch in plain if ch.isascii()).lower().split()
            data["applicant_email"] = f"{plain[-1]}{''.join(w[0] for w in plain[:-1])}{born % 100:02d}@gmail.com"
        return data

    def _do(self, g: float, action, **kwargs):
        at = self.office.at(g)
        if at > self.horizon:
            raise _Pending
        return action(at=at, **kwargs)

    def live(self, plan: _Plan, rng: random.Random) -> None:
        """Receive one dossier and take it as far as the end of the replay allows."""
        people = self.staff[plan.prefix]
        online = plan.channel == Channel.ONLINE
        papers = [p for p in plan.version.papers.all() if p.required or rng.random() < 0.5]
        # Online, each paper comes as a file: the same one-page scan, stored once.
        uploads = [services.Upload(paper_id=p.pk, file=_scan(p.name_vi)) for p in papers] if online else []
        dossier = services.dossier_receive(
            actor=None if online else people["onestop"],
            unit=self.units[plan.prefix],
            procedure=plan.procedure,
            channel=plan.channel,
            papers_provided=[] if online else [p.pk for p in papers],
            uploads=uploads,
            consent=online,
            at=plan.at,
            **self._applicant(plan, rng),
        )
        with suppress(_Pending):
            self._handle(plan, dossier, people, rng)

    def _handle(self, plan: _Plan, dossier: Dossier, people: dict, rng: random.Random) -> None:
        office, do = self.office, self._do
        same_day = plan.version.days == 0
        start = office.g(plan.at)
        due_day = office.day_of(dossier.due_at)
        target = self._target(start, dossier.due_at, plan.outcome, same_day, rng)
        span = target - start
        g = start + min(max(1.0, span * rng.uniform(0.01, 0.05)), rng.uniform(20, 100))
        dossier = do(g, services.dossier_assign, actor=people["onestop"], dossier=dossier, handler=people["specialist"])
        g += min(max(1.0, span * rng.uniform(0.01, 0.05)), rng.uniform(20, 120))
        dossier = do(g, services.dossier_start, actor=people["specialist"], dossier=dossier)

        if plan.stop == "withdrawn":
            g += max(2.0, (target - g) * rng.uniform(0.05, 0.4))
            do(
                g,
                services.dossier_stop,
                actor=people["onestop"],
                dossier=dossier,
                reason="Công dân có đơn xin rút hồ sơ.",
            )
            return
        for k in range(plan.supplements):
            g += min(max(2.0, (target - g) * rng.uniform(0.05, 0.25)), 1.5 * DAY)
            paper = rng.choice(list(plan.version.papers.all()))
            do(
                g,
                services.dossier_request_supplement,
                actor=people["specialist"],
                dossier=dossier,
                missing=[paper.name_vi],
                reason=rng.choice(SUPPLEMENT_REASONS),
            )
            if plan.waiting and k == plan.supplements - 1:
                if plan.stop == "no_papers":
                    g += rng.randint(15, 25) * DAY
                    reason = "Quá thời hạn nhưng công dân không bổ sung giấy tờ theo yêu cầu."
                    do(g, services.dossier_stop, actor=people["onestop"], dossier=dossier, reason=reason)
                return
            g += rng.choice([0.5, 1, 1, 2, 2, 3, 4, 6]) * DAY + rng.uniform(0, 60)
            dossier = do(
                g,
                services.dossier_supplement,
                actor=people["onestop"],
                dossier=dossier,
                note="Công dân đã nộp bổ sung giấy tờ.",
            )
            due_day = office.day_of(dossier.due_at)
            target = self._target(g, dossier.due_at, plan.outcome, same_day, rng)
        self._finish(plan, dossier, people, rng, g, target, due_day)

    def _finish(self, plan, dossier, people, rng, g: float, target: float, due_day: int) -> None:
        office, do = self.office, self._do
        span = target - g
        acts = []
        if plan.transfer:
            there, back = rng.choice(TRANSFER_NOTES)
            acts.append((g + span * rng.uniform(0.05, 0.15), "transfer", there))
            acts.append((g + span * rng.uniform(0.3, 0.45), "back", back))
        if plan.apology:
            # Issued by the commune, so not while the dossier is with the province.
            when = max(g + 1, due_day * DAY + rng.uniform(150, DAY - 10), *(a[0] + 1 for a in acts[1:]))
            if when < target - 1:
                acts.append((when, "apology", rng.choice(APOLOGIES)))
        acts.append((g + span * rng.uniform(0.5, 0.7), "submit", ""))
        acts.append((target if plan.refuse else g + span * rng.uniform(0.75, 0.92), "decide", ""))
        if not plan.refuse:
            acts.append((target, "ready", ""))
        acts.sort(key=lambda a: a[0])
        decider = people["chair" if rng.random() < 0.55 else "vicechair"]
        reason = rng.choice(REFUSALS.get(plan.procedure.field_vi, REFUSALS[""]))
        for when, act, note in acts:
            g = max(when, g + 1)
            if act == "transfer":
                to_unit = self.province
                dossier = do(
                    g,
                    services.dossier_transfer,
                    actor=people["specialist"],
                    dossier=dossier,
                    to_unit=to_unit,
                    note=note,
                )
            elif act == "back":
                dossier = do(g, services.dossier_transfer_back, actor=self.justice, dossier=dossier, note=note)
            elif act == "apology":
                new_day = max(int(target // DAY), due_day + 1)
                if plan.outcome == "stuck" and rng.random() < 0.3:
                    new_day = due_day + rng.randint(1, 3)  # a promise already broken at the end
                new_day = max(new_day, int(g // DAY) + 1)  # after the apology itself
                do(
                    g,
                    services.dossier_apologise,
                    actor=people["onestop"],
                    dossier=dossier,
                    new_due_at=office.closes(new_day),
                    reason=note,
                )
            elif act == "submit":
                dossier = do(
                    g,
                    services.dossier_submit,
                    actor=people["specialist"],
                    dossier=dossier,
                    approve=not plan.refuse,
                    reason=reason if plan.refuse else "",
                )
            elif act == "decide":
                dossier = do(g, services.dossier_decide, actor=decider, dossier=dossier, approve=not plan.refuse)
            else:
                dossier = do(g, services.dossier_result_ready, actor=people["onestop"], dossier=dossier)

        # The citizen comes for the result: at once for same-day work, else when told or on
        # the appointment day.
        if plan.version.days == 0:
            g += rng.uniform(2, 20)
        elif int(g // DAY) < due_day and rng.random() < 0.5:
            g = max(g + 5, due_day * DAY + rng.uniform(0, DAY - 10))
        else:
            g += rng.uniform(5, 240)
        online = plan.channel == Channel.ONLINE
        rating = self._rating(dossier, rng) if not online and rng.random() < 0.8 else ""
        comment = rng.choice(COMMENTS[rating]) if rating and rng.random() < 0.15 else ""
        dossier = do(
            g, services.dossier_return, actor=people["onestop"], dossier=dossier, rating=rating, comment=comment
        )
        if online and rng.random() < 0.65:
            at = office.at(g) + timedelta(hours=rng.uniform(1, 60))
            if at <= self.horizon:
                services.dossier_rate(dossier=dossier, rating=self._rating(dossier, rng), at=at)

    @staticmethod
    def _rating(dossier: Dossier, rng: random.Random) -> str:
        weights = [55, 30, 15] if dossier.timeliness == "late" else [90, 8, 2]
        return rng.choices([Rating.SATISFIED, Rating.NEUTRAL, Rating.DISSATISFIED], weights)[0]
