"""The demo world's documents: registers of the seven communes and the province replayed
through the services, with their numbering, citations, confidentiality and deadlines; loaded
once."""

from collections import defaultdict
from datetime import date

import pytest
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from communeos.conftest import ensure_unit_map
from communeos.core import access
from communeos.documents import services
from communeos.documents.demo import STALLED_ON_NOTICE, demo_document_counts, load_demo_documents
from communeos.documents.models import Body, Confidentiality, Direction, Document, Reference, Status, Urgency
from communeos.people.demo import COMMUNE_ROLES, COMMUNES, PROVINCE_CODE, load_demo_people
from communeos.people.models import User
from communeos.units.models import Level

UNTIL = date(2026, 1, 31)  # past the working session, its notice and the turn of the year
NOTICE = "Thông báo kết luận của Tổ công tác số 4 tại buổi làm việc với các xã"
PREFIX = {code: prefix for prefix, code, _name in COMMUNES}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """One replay for the whole module, rolled back at the end. Before it, in a savepoint
    rolled back at once, a short replay in which the province has a head (a position the
    services are told to count as one), to see the province issue its own letters."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_unit_map()
        load_demo_people()
        with pytest.MonkeyPatch.context() as patch, transaction.atomic():
            patch.setattr(services, "HEADS", services.HEADS | {"department_officer"})
            load_demo_documents(per_unit=5, until=date(2025, 11, 5))
            province = Document.objects.filter(unit__level=Level.PROVINCE)
            headed = {
                "issued": sorted(province.filter(direction=Direction.OUTGOING).values_list("number", flat=True)),
                "dispatched": province.filter(status=Status.DISPATCHED).count(),
                "assigned": province.filter(direction=Direction.INCOMING).exclude(status=Status.NEW).count(),
                "notices": list(
                    Document.objects.filter(summary__startswith=NOTICE, direction=Direction.INCOMING).values_list(
                        "source__unit__level", flat=True
                    )
                ),
            }
            transaction.set_rollback(True)
        yield {"counts": load_demo_documents(per_unit=40, until=UNTIL), "headed": headed}
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, db):
    return loaded["counts"]


def staff_of(unit) -> list[User]:
    prefix = PREFIX[unit.code]
    return [User.objects.get(username=f"{prefix}.{suffix}") for suffix, _position, _family in COMMUNE_ROLES]


def test_the_demo_fills_the_registers_of_the_seven_communes_and_the_province(demo):
    assert demo["created"] == demo["total"] > 300
    assert demo["incoming"] > demo["outgoing"] > 100
    assert demo["delivered"] > 100  # sent inside the system, found in the recipients' registers
    assert demo["province"] > 60
    assert demo["party"] >= 14
    assert demo["urgent"] >= 7 and Document.objects.filter(urgency=Urgency.FLASH).count() >= 7
    assert demo["confidential"] >= 7
    assert demo["done"] > demo["overdue"] > 0
    # No act falls after the end of the replay.
    assert not Document.objects.filter(registered_at__date__gt=UNTIL).exists()
    # Every entry carries its unit's province (a province's own register: the province itself).
    its_province = Coalesce(F("unit__province_id"), F("unit_id"))
    assert Document.objects.exists() and not Document.objects.exclude(province_id=its_province).exists()


def test_arrival_numbers_are_consecutive_per_unit_and_year_and_in_order(demo):
    entries = defaultdict(list)
    incoming = Document.objects.filter(direction=Direction.INCOMING).order_by("arrival_number")
    for unit, year, number, arrived, registered in incoming.values_list(
        "unit", "year", "arrival_number", "arrived_at", "registered_at"
    ):
        assert timezone.localtime(arrived).year == year
        entries[unit, year].append((number, registered))
    assert len(entries) == 16  # eight units, two years
    for found in entries.values():
        assert [n for n, _ in found] == list(range(1, len(found) + 1))
        assert [r for _, r in found] == sorted(r for _, r in found)
    assert Document.objects.filter(registered_in_time=False).exists()  # a few registered late


def test_outgoing_numbers_are_gapless_per_series(demo):
    series = defaultdict(list)
    issued = Document.objects.filter(direction=Direction.OUTGOING, status=Status.DISPATCHED).select_related("unit")
    for document in issued:
        series[document.unit_id, *services.numbering_series(document, document.issued_on)].append(document.number)
    for found in series.values():
        assert sorted(found) == list(range(1, len(found) + 1))
    assert any(key[1].endswith("-secret") for key in series)  # Mật reports have their own series
    # State documents start again from 01 on 1 January; a party committee numbers across its term.
    fresh = issued.filter(body=Body.STATE, year=2026, number=1, confidentiality="", unit__level=Level.COMMUNE)
    assert fresh.count() == len(COMMUNES)
    for commune in {d.unit for d in issued.filter(unit__level=Level.COMMUNE)}:
        resolutions = issued.filter(unit=commune, body=Body.PARTY, doc_type="NQ").order_by("number")
        assert {d.issued_on.year for d in resolutions} == {2025, 2026}
        assert [d.symbol for d in resolutions] == [f"{n:02d}-NQ/ĐU" for n in range(1, resolutions.count() + 1)]


def test_citations_link_registered_documents_and_outside_placeholders(demo):
    assert demo["citations"] > demo["total"] / 2
    assert demo["citations"] > demo["linked"] > demo["citations"] / 2
    assert demo["placeholders"] >= 2
    # The founding resolution is registered by the province; 30/2020/NĐ-CP never is.
    founding = Reference.objects.select_related("document__unit").get(symbol="1672/NQ-UBTVQH15")
    assert founding.document.unit.level == Level.PROVINCE
    outside = Reference.objects.get(symbol="30/2020/NĐ-CP")
    assert outside.document is None and outside.citations.exists()
    # Every monthly report cites the province's letter on periodic reporting, registered before it.
    monthly = "Báo cáo kết quả thực hiện nhiệm vụ tháng"
    reports = Document.objects.filter(direction=Direction.OUTGOING, summary__startswith=monthly)
    assert reports.count() >= len(COMMUNES) * 6
    for report in reports:
        cited = [c.reference for c in report.citations.select_related("reference__document")]
        assert any(r.document and r.document.registered_at < report.registered_at for r in cited), report.summary


def test_confidential_documents_are_visible_only_to_the_people_granted(demo):
    secret = Document.objects.filter(
        direction=Direction.INCOMING, confidentiality=Confidentiality.SECRET, symbol__endswith="/CAT-PV01"
    ).select_related("unit")
    assert secret.count() >= len(COMMUNES)
    provincial = User.objects.get(username="province.officer")  # sees every commune of the province
    hidden = set()
    for document in secret.filter(unit__level=Level.COMMUNE):
        granted = set(document.grants.values_list("person_id", flat=True))
        assert document.handlings.get(role="lead").person_id in granted
        for person in [*staff_of(document.unit), provincial]:
            visible = access.documents_visible_to(person).filter(pk=document.pk).exists()
            assert visible == (person.pk in granted), (document.unit, person)
            hidden |= set() if visible else {person.username.split(".")[1]}
    assert {"officer", "onestop"} <= hidden  # the provincial officer, and colleagues in the commune


def test_some_incoming_documents_are_overdue(demo):
    assigned = Document.objects.filter(direction=Direction.INCOMING, deadline__isnull=False)
    overdue = [d for d in assigned if services.overdue(d)]
    assert len(overdue) == demo["overdue"] >= 3
    assert all(d.handlings.filter(done_at__isnull=True).exists() for d in overdue)


def test_the_conclusions_notice_reaches_the_seven_communes(demo):
    notices = Document.objects.filter(direction=Direction.INCOMING, summary__startswith=NOTICE).select_related("unit")
    assert sorted(n.unit.code for n in notices) == sorted(PREFIX)
    assert len({(n.symbol, n.issued_on, n.author) for n in notices}) == 1
    notice = notices[0]
    assert notice.doc_type == "TB" and notice.issuer == "UBND" and notice.author == "Ủy ban nhân dân tỉnh Lạng Sơn"
    assert "23/10/2025" in notice.summary
    province_register = Document.objects.filter(unit__code=PROVINCE_CODE, direction=Direction.INCOMING)
    for received in notices:
        answers = Document.objects.filter(
            unit=received.unit, direction=Direction.OUTGOING, citations__reference__symbol=received.symbol
        )
        assert answers.filter(doc_type="KH").exists()  # each commune makes its plan
        if PREFIX[received.unit.code] in STALLED_ON_NOTICE:
            assert services.overdue(received) and not answers.filter(doc_type="BC").exists()
        else:
            report = answers.get(doc_type="BC")
            assert received.status == Status.DONE
            assert province_register.filter(source=report).exists()


def test_with_a_head_the_province_issues_and_dispatches_its_own_letters(loaded, db):
    headed = loaded["headed"]
    assert headed["issued"] == list(range(1, len(headed["issued"]) + 1)) and len(headed["issued"]) >= 4
    assert headed["dispatched"] == len(headed["issued"])
    assert headed["notices"] == [Level.PROVINCE] * len(COMMUNES)  # delivered from the province's register
    assert headed["assigned"] > 0


def test_a_second_load_adds_nothing(demo):
    again = load_demo_documents(per_unit=40, until=UNTIL)
    assert again == demo_document_counts() | {"created": 0}
    assert again["total"] == demo["total"]
