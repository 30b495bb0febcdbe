"""Shared helpers for the one-stop tests: a specialist in commune A and a received dossier."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from communeos.conftest import make_person
from communeos.onestop import services
from communeos.onestop.models import Procedure

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANT = {
    "applicant_name": "Nguyễn Thị Hồng Nhung",
    "applicant_id_number": "020190012345",
    "applicant_phone": "0912345678",
    "applicant_address": "Thôn Bản Chu, xã Lộc Bình, tỉnh Lạng Sơn",
}


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=TZ)


def procedure(code: str = "birth-registration") -> Procedure:
    return Procedure.objects.get(code=code)


def required_papers(code: str = "birth-registration", day=None) -> list[int]:
    version = services.version_in_force(procedure(code), day or datetime(2025, 10, 8).date())
    return [p.pk for p in version.papers.filter(required=True)]


def receive(cast, *, code: str = "birth-registration", when=None, unit=None, actor=None, **extra):
    when = when or at(2025, 10, 8, 9, 0)
    return services.dossier_receive(
        actor=actor or cast.officer_a,
        unit=unit or cast.commune_a,
        procedure=procedure(code),
        papers_provided=extra.pop("papers_provided", required_papers(code, when.date())),
        at=when,
        **(APPLICANT | extra),
    )


@pytest.fixture
def specialist(cast):
    return make_person("specialist.a", cast.commune_a, "specialist")


def run_to_approval(cast, specialist, dossier, *, day=(2025, 10, 8)):
    services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=specialist, at=at(*day, 9, 30))
    services.dossier_start(actor=specialist, dossier=dossier, at=at(*day, 10, 0))
    return services.dossier_submit(actor=specialist, dossier=dossier, at=at(*day, 11, 0))
