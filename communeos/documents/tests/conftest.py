from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from communeos.conftest import make_person
from communeos.documents import services

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=TZ)


@pytest.fixture
def clerk(cast):
    return make_person("clerk.a", cast.commune_a, "clerk")


@pytest.fixture
def clerk_b(cast):
    return make_person("clerk.b", cast.commune_b, "clerk")


def incoming(clerk, unit, **extra):
    values = {
        "symbol": "1672/NQ-UBTVQH15",
        "author": "Ủy ban Thường vụ Quốc hội",
        "issued_on": date(2025, 6, 16),
        "summary": "Nghị quyết về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Lạng Sơn năm 2025",
        "arrived_at": at(2025, 7, 2, 9, 0),
        "at": at(2025, 7, 2, 10, 0),
    }
    return services.document_register_incoming(actor=clerk, unit=unit, **(values | extra))


def outgoing(actor, unit, **extra):
    values = {"doc_type": "QĐ", "summary": "Quyết định về việc kiện toàn Tổ công tác", "at": at(2026, 1, 5, 9)}
    return services.document_draft(actor=actor, unit=unit, **(values | extra))
