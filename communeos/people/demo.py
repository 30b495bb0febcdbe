"""The demo world's people: Lạng Sơn after the reform, the seven communes followed by
Working Group No. 4, staff for every role in each, provincial officers, the group."""

from datetime import date

from django.db import transaction

from communeos.people import services
from communeos.people.models import Position, User, WorkingGroup
from communeos.units.models import Level, Unit

DEMO_PASSWORD = "demo-communeos-2025"
PROVINCE_CODE = "20"  # Lạng Sơn
START = date(2025, 7, 1)
# (account prefix, unit code, name) — the seven communes of Working Group No. 4.
COMMUNES = [
    ("locbinh", "06529", "Lộc Bình"),
    ("khuatxa", "06565", "Khuất Xá"),
    ("loibac", "06601", "Lợi Bác"),
    ("mauson", "06541", "Mẫu Sơn"),
    ("naduong", "06526", "Na Dương"),
    ("thongnhat", "06577", "Thống Nhất"),
    ("xuanduong", "06607", "Xuân Dương"),
]
COMMUNE_ROLES = [
    ("chair", "commune_chair", "Hoàng Văn"),
    ("vicechair", "commune_vice_chair", "Nông Thị"),
    ("onestop", "onestop_officer", "Lương Thị"),
    ("specialist", "specialist", "Vi Văn"),
    ("clerk", "clerk", "Lăng Thị"),
]
GIVEN = ["Hùng", "Lan", "Mai", "Tuấn", "Hoa", "Dũng", "Hạnh"]
PROVINCE_STAFF = [
    ("province.officer", "department_officer", "Đinh Văn Thắng", "Provincial department officer"),
    ("province.justice", "department_officer", "Chu Thị Ngọc", "Department of Justice officer"),
    ("province.vicechair", "province_vice_chair", "Hoàng Văn Bình", "Vice-chair of the provincial People's Committee"),
    ("province.clerk", "clerk", "Lành Thị Thu", "Clerk of the provincial People's Committee"),
    ("wg4.lead", "working_group_member", "Hà Văn Quang", "Working Group No. 4 — head"),
    ("wg4.member", "working_group_member", "Tô Thị Hằng", "Working Group No. 4 — member"),
    ("province.admin", "administrator", "Bế Văn Long", "Administrator"),
]
GROUP_NAME = "Tổ công tác số 4"


@transaction.atomic
def load_demo_people() -> list[tuple[str, str, str]]:
    """Create what is missing; return (username, role, unit) for every demo account."""
    province = Unit.objects.get(level=Level.PROVINCE, code=PROVINCE_CODE, valid_to=None)
    positions = {p.code: p for p in Position.objects.all()}
    accounts = []

    def ensure(username: str, full_name: str, unit: Unit, position_code: str, role: str) -> User:
        person = User.objects.filter(username=username).first()
        if person is None:
            person = services.person_create(actor=None, username=username, full_name=full_name, password=DEMO_PASSWORD)
            services.assignment_create(
                actor=None, person=person, unit=unit, position=positions[position_code], start=START
            )
        accounts.append((username, role, unit.name))
        return person

    communes = []
    for i, (prefix, code, _name) in enumerate(COMMUNES):
        commune = Unit.objects.get(level=Level.COMMUNE, code=code, valid_to=None, province=province)
        communes.append(commune)
        for j, (suffix, position_code, family) in enumerate(COMMUNE_ROLES):
            ensure(
                f"{prefix}.{suffix}",
                f"{family} {GIVEN[(i + j) % len(GIVEN)]}",
                commune,
                position_code,
                str(positions[position_code]),
            )
    members = []
    for username, position_code, full_name, role in PROVINCE_STAFF:
        person = ensure(username, full_name, province, position_code, role)
        if position_code == "working_group_member":
            members.append(person)
    if not User.objects.filter(username="admin").exists():
        services.person_create(
            actor=None, username="admin", full_name="Quản trị hệ thống", password=DEMO_PASSWORD, is_superuser=True
        )
    accounts.append(("admin", "System administrator (superuser)", "—"))
    if not WorkingGroup.objects.filter(unit=province, name=GROUP_NAME).exists():
        services.working_group_create(
            actor=None, province=province, name=GROUP_NAME, communes=communes, members=members
        )
    return accounts
