"""The incoming and outgoing registers: arrival numbers, the outgoing life cycle and its
numbering rules, duplicates, citations, routing, dispatch inside the system."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from communeos.conftest import make_person
from communeos.core import access
from communeos.core.models import AuditEntry
from communeos.documents import selectors, services
from communeos.documents.models import Direction, Document, PartyTerm, Reference, Status
from communeos.documents.tests.conftest import at, incoming, outgoing


def test_arrival_numbers_are_consecutive_within_the_year(cast, clerk):
    first = incoming(clerk, cast.commune_a)
    second = incoming(clerk, cast.commune_a, symbol="15/UBND-VP", author="UBND tỉnh", issued_on=date(2025, 6, 18))
    next_year = incoming(
        clerk,
        cast.commune_a,
        symbol="01/TB-UBND",
        issued_on=date(2026, 1, 2),
        arrived_at=at(2026, 1, 2, 8),
        at=at(2026, 1, 2, 9),
    )
    assert [first.arrival_number, second.arrival_number, next_year.arrival_number] == [1, 2, 1]
    assert (first.year, next_year.year) == (2025, 2026)


def test_the_symbol_is_stored_canonical(cast, clerk):
    document = incoming(clerk, cast.commune_a, symbol="Số: 2583 - QD / TU", author="Tỉnh ủy", summary="Quyết định")
    assert document.symbol == "2583-QĐ/TU" and document.body == "party" and document.doc_type == "QĐ"


def test_a_symbol_that_does_not_parse_shows_the_expected_forms(cast, clerk, english):
    with pytest.raises(ValidationError) as error:
        incoming(clerk, cast.commune_a, symbol="hello world")
    assert "12/QĐ-UBND" in " ".join(error.value.message_dict["symbol"])
    assert not Document.objects.exists()


def test_registration_the_same_or_next_working_day_is_in_time(cast, clerk):
    friday = incoming(clerk, cast.commune_a, arrived_at=at(2025, 10, 10, 16), at=at(2025, 10, 13, 8))  # Monday
    late = incoming(clerk, cast.commune_a, symbol="16/UBND-VP", arrived_at=at(2025, 10, 10, 16), at=at(2025, 10, 14, 8))
    assert friday.registered_in_time is True and late.registered_in_time is False


def test_the_same_incoming_document_twice_gets_a_warning_naming_the_first(cast, clerk):
    first = incoming(clerk, cast.commune_a)
    with pytest.raises(services.DuplicateDocument) as warning:
        incoming(clerk, cast.commune_a, symbol="1672 / NQ-UBTVQH15")
    assert warning.value.first == first
    again = incoming(clerk, cast.commune_a, confirm_duplicate=True)
    assert again.arrival_number == 2


def test_only_the_clerk_registers(cast):
    with pytest.raises(ValidationError):
        incoming(cast.officer_a, cast.commune_a)
    assert not Document.objects.exists()


def test_citations_link_to_registered_documents_and_to_placeholders(cast, clerk):
    law = incoming(
        clerk,
        cast.commune_a,
        symbol="76/2025/UBTVQH15",
        issued_on=date(2025, 4, 14),
        summary="Nghị quyết về sắp xếp đơn vị hành chính năm 2025",
    )
    resolution = incoming(
        clerk,
        cast.commune_a,
        text="Căn cứ Nghị quyết số 76/2025/UBTVQH15 ngày 14/4/2025; thực hiện Nghị quyết số 60-NQ/TW ngày 12/4/2025",
    )
    detail = selectors.document_detail(user=clerk, document=resolution)
    cited = {c["symbol"]: c["document"] for c in detail["cites"]}
    assert cited == {"76/2025/UBTVQH15": law, "60-NQ/TW": None}
    assert list(selectors.document_detail(user=clerk, document=law)["cited_by"]) == [resolution]
    # registering the outside document later fills the placeholder
    party = incoming(
        clerk,
        cast.commune_a,
        symbol="60-NQ/TW",
        author="Ban Chấp hành Trung ương",
        issued_on=date(2025, 4, 12),
        summary="Nghị quyết Hội nghị Trung ương 11",
    )
    assert Reference.objects.get(symbol="60-NQ/TW").document == party
    assert list(selectors.document_detail(user=clerk, document=party)["cited_by"]) == [resolution]


def test_outgoing_draft_approve_issue_dispatch(cast, clerk, clerk_b, english):
    draft = outgoing(clerk, cast.commune_a, recipient_units=[cast.commune_b], signer="Nguyễn Văn Chủ tịch")
    with pytest.raises(ValidationError, match="approved"):
        services.document_issue(actor=clerk, document=draft, at=at(2026, 1, 5, 10))
    services.document_approve(actor=cast.chair_a, document=draft)
    issued = services.document_issue(actor=clerk, document=draft, at=at(2026, 1, 5, 10))
    assert issued.symbol == "01/QĐ-UBND" and issued.status == Status.ISSUED
    services.document_dispatch(actor=clerk, document=issued, at=at(2026, 1, 5, 11))
    received = Document.objects.get(unit=cast.commune_b, direction=Direction.INCOMING)
    assert received.symbol == "01/QĐ-UBND" and received.source == issued and received.arrival_number == 1
    assert received in selectors.document_list(user=clerk_b)
    assert issued not in selectors.document_list(user=clerk_b)
    # Every entry carries its unit's province (the search's province index reads it).
    assert issued.province == received.province == cast.commune_a.province == cast.province


def test_a_province_s_own_register_carries_the_province_itself(cast):
    clerk_p = make_person("clerk.p", cast.province, "clerk")
    document = incoming(clerk_p, cast.province)
    assert document.unit == document.province == cast.province


def test_state_numbers_restart_each_year_and_secret_ones_have_their_own_series(cast, clerk):
    def issue(when, **extra):
        draft = outgoing(clerk, cast.commune_a, at=when, **extra)
        services.document_approve(actor=cast.chair_a, document=draft, at=when)
        return services.document_issue(actor=clerk, document=draft, at=when).symbol

    assert issue(at(2025, 12, 30, 9)) == "01/QĐ-UBND"
    assert issue(at(2025, 12, 31, 9), doc_type="TB") == "02/TB-UBND"
    assert issue(at(2025, 12, 31, 10), confidentiality="mat") == "01/QĐ-UBND"  # the secret series
    assert issue(at(2026, 1, 2, 9)) == "01/QĐ-UBND"
    assert issue(at(2026, 1, 2, 10), doc_type="", drafting_unit="VP") == "02/UBND-VP"
    assert issue(at(2026, 1, 2, 11), doc_type="NQ", issuer="HĐND", normative=True) == "03/2026/NQ-HĐND"


def test_party_numbers_run_per_type_across_the_term(cast, clerk):
    PartyTerm.objects.create(unit=cast.commune_a, name="Nhiệm kỳ 2025–2030", start=date(2025, 7, 1))

    def issue(when, doc_type, **extra):
        draft = outgoing(clerk, cast.commune_a, at=when, body="party", doc_type=doc_type, issuer="ĐU", **extra)
        services.document_approve(actor=cast.chair_a, document=draft, at=when)
        return services.document_issue(actor=clerk, document=draft, at=when).symbol

    assert issue(at(2025, 12, 30, 9), "NQ") == "01-NQ/ĐU"
    assert issue(at(2026, 1, 5, 9), "NQ") == "02-NQ/ĐU"  # no restart on 1 January
    assert issue(at(2026, 1, 5, 10), "TB") == "01-TB/ĐU"  # its own series per type
    assert issue(at(2026, 1, 5, 11), "NQ", confidentiality="mat") == "03-NQ/ĐU"  # secret: the same series


def test_party_numbering_needs_a_term(cast, clerk, english):
    draft = outgoing(clerk, cast.commune_a, body="party", doc_type="NQ", issuer="ĐU")
    services.document_approve(actor=cast.chair_a, document=draft)
    with pytest.raises(ValidationError, match="term"):
        services.document_issue(actor=clerk, document=draft)


def test_the_chair_assigns_and_the_handler_reports(cast, clerk):
    specialist = make_person("specialist.a", cast.commune_a, "specialist")
    document = incoming(clerk, cast.commune_a)
    with pytest.raises(ValidationError):
        services.document_assign(actor=clerk, document=document, lead=specialist)
    services.document_assign(
        actor=cast.chair_a,
        document=document,
        lead=specialist,
        co_handlers=[cast.officer_a],
        comment="Tham mưu triển khai",
        deadline=date(2099, 1, 1),
    )
    assert document in selectors.document_queue(user=specialist)
    assert document in selectors.document_queue(user=cast.officer_a)
    started = at(2025, 7, 3, 8, 0)
    services.document_start(actor=specialist, document=document, at=started)
    entry = AuditEntry.objects.get(action="document.start", object_id=str(document.pk))
    assert entry.changes["started_at"] == [None, started.isoformat()]
    done = services.document_done(actor=specialist, document=document, note="Đã triển khai")
    assert done.status == Status.DONE
    assert document not in selectors.document_queue(user=specialist)


def test_an_overdue_document_is_flagged(cast, clerk):
    document = incoming(clerk, cast.commune_a, deadline=date(2025, 6, 30))
    assert services.overdue(document, today=date(2025, 7, 1))
    assert document in selectors.document_list(user=clerk, filters=selectors.DocumentFilters(overdue=True))


def test_confidential_documents_are_visible_only_to_those_granted(cast, clerk, admin_user):
    secret = incoming(clerk, cast.commune_a, symbol="05/QĐ-UBND", confidentiality="mat")
    plain = incoming(clerk, cast.commune_a, symbol="06/QĐ-UBND")
    for person in [cast.officer_a, cast.provincial, admin_user, cast.officer_b]:
        assert secret not in access.documents_visible_to(person), person
    assert plain in access.documents_visible_to(cast.provincial)
    assert secret in access.documents_visible_to(clerk)  # the clerk who registered it
    assert secret in access.documents_visible_to(cast.chair_a)  # the head, who decides who else
    services.confidential_grant(actor=cast.chair_a, document=secret, person=cast.officer_b)
    assert secret in access.documents_visible_to(cast.officer_b)  # whatever the unit scope
    assert plain not in access.documents_visible_to(cast.officer_b)


def test_a_citation_links_to_the_document_of_that_date_not_another_units_same_symbol(cast, clerk, clerk_b):
    chair_b = make_person("chair.b", cast.commune_b, "commune_chair")

    def issue(clerk_, chair, unit, when):
        draft = outgoing(clerk_, unit, at=when)
        services.document_approve(actor=chair, document=draft, at=when)
        return services.document_issue(actor=clerk_, document=draft, at=when)

    mine = issue(clerk, cast.chair_a, cast.commune_a, at(2026, 1, 5, 9))
    theirs = issue(clerk_b, chair_b, cast.commune_b, at(2026, 1, 6, 9))
    assert mine.symbol == theirs.symbol == "01/QĐ-UBND"
    plan = outgoing(
        clerk_b, cast.commune_b, doc_type="KH", summary="Kế hoạch thực hiện Quyết định số 01/QĐ-UBND ngày 06/01/2026"
    )
    cited = selectors.document_detail(user=clerk_b, document=plan)["cites"]
    assert [(c["symbol"], c["document"]) for c in cited] == [("01/QĐ-UBND", theirs)]


def test_the_province_routes_its_own_mail(cast):
    clerk_p = make_person("clerk.p", cast.province, "clerk")
    vice = make_person("vice.p", cast.province, "province_vice_chair")
    document = incoming(clerk_p, cast.province)
    services.document_assign(actor=vice, document=document, lead=cast.provincial, deadline=date(2099, 1, 1))
    assert document in selectors.document_queue(user=cast.provincial)
