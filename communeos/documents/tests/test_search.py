"""Full-text search of the registers (issue 4, item 8): insensitive to diacritics and case,
every word must match, symbols found whole or in parts, ranked by relevance then newest, and
the access filter inside the one SQL query. The same tests run on SQLite (FTS5) and
PostgreSQL (full-text search, GIN index)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communeos.conftest import make_person
from communeos.core import access
from communeos.core.text import fold
from communeos.documents import search, selectors, services
from communeos.documents.models import Document

LANG_SON = "Nghị quyết về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Lạng Sơn năm 2025"


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


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
        "summary": LANG_SON,
        "arrived_at": at(2025, 7, 2, 9, 0),
        "at": at(2025, 7, 2, 10, 0),
    }
    return services.document_register_incoming(actor=clerk, unit=unit, **(values | extra))


def outgoing(actor, unit, **extra):
    values = {"doc_type": "QĐ", "summary": "Quyết định về việc kiện toàn Tổ công tác", "at": at(2026, 1, 5, 9)}
    return services.document_draft(actor=actor, unit=unit, **(values | extra))


def found(user, q: str, queryset=None) -> list[str]:
    queryset = access.documents_visible_to(user) if queryset is None else queryset
    return [d.symbol for d in search.filter_matching(queryset, q)]


@pytest.fixture
def register(cast, clerk):
    """A few entries of commune A's incoming register."""
    return {
        "lang_son": incoming(clerk, cast.commune_a),  # 1672/NQ-UBTVQH15, LANG_SON
        "resolution_76": incoming(
            clerk,
            cast.commune_a,
            symbol="76/2025/UBTVQH15",
            issued_on=date(2025, 4, 14),
            summary="Nghị quyết về sắp xếp đơn vị hành chính năm 2025",
        ),
        "decision": incoming(
            clerk,
            cast.commune_a,
            symbol="12/QĐ-UBND",
            author="UBND tỉnh Lạng Sơn",
            issued_on=date(2025, 6, 2),
            summary="Quyết định thành lập Ban chỉ đạo chuyển đổi số",
        ),
        "letter": incoming(
            clerk,
            cast.commune_a,
            symbol="15/UBND-VP",
            author="UBND tỉnh Lạng Sơn",
            issued_on=date(2025, 6, 3),
            summary="Về việc báo cáo kết quả phòng chống thiên tai",
            text="Đề nghị Ủy ban nhân dân các xã rà soát đê điều trước mùa mưa lũ.",
        ),
    }


def test_words_without_diacritics_find_the_vietnamese_summary(cast, register):
    assert found(cast.officer_a, "nghi quyet sap xep lang son") == ["1672/NQ-UBTVQH15"]
    assert found(cast.officer_a, "NGHỊ QUYẾT Sắp Xếp lạng sơn") == ["1672/NQ-UBTVQH15"]
    assert found(cast.officer_a, "de dieu mua lu") == ["15/UBND-VP"]  # the text, đ folded to d


def test_every_word_must_match(cast, register):
    assert sorted(found(cast.officer_a, "nghi quyet sap xep")) == ["1672/NQ-UBTVQH15", "76/2025/UBTVQH15"]
    assert found(cast.officer_a, "nghi quyet sap xep ha noi") == []
    assert found(cast.officer_a, "chuyen doi so thien tai") == []


def test_words_match_whole(cast, register):
    assert found(cast.officer_a, "chuyen doi so ban chi dao") == ["12/QĐ-UBND"]
    assert found(cast.officer_a, "chuyen doi so ban chi da") == []  # no prefixes (see search.py)
    assert found(cast.officer_a, "UBTVQH") == []


def test_a_symbol_is_found_whole_or_in_parts(cast, register):
    assert found(cast.officer_a, "76/2025/UBTVQH15") == ["76/2025/UBTVQH15"]
    assert found(cast.officer_a, "76/2025/ubtvqh15 nghi quyet") == ["76/2025/UBTVQH15"]
    assert sorted(found(cast.officer_a, "ubtvqh15")) == ["1672/NQ-UBTVQH15", "76/2025/UBTVQH15"]
    assert found(cast.officer_a, "NQ-UBTVQH15") == ["1672/NQ-UBTVQH15"]
    assert found(cast.officer_a, "1672") == ["1672/NQ-UBTVQH15"]
    assert found(cast.officer_a, "QĐ-UBND") == ["12/QĐ-UBND"]
    assert found(cast.officer_a, "qd-ubnd") == ["12/QĐ-UBND"]
    assert found(cast.officer_a, "UBND-QĐ") == []  # the parts of a word are a phrase, in order
    assert found(cast.officer_a, "12/QĐ") == ["12/QĐ-UBND"]
    assert found(cast.officer_a, "76/2025") == ["76/2025/UBTVQH15"]
    assert found(cast.officer_a, "15/UBND-VP") == ["15/UBND-VP"]


def test_a_number_is_found_with_or_without_its_leading_zero(cast, clerk):
    incoming(clerk, cast.commune_a, symbol="9/KH-UBND", summary="Kế hoạch tổ chức Hội nghị ngày 05/8/2025")
    assert incoming(clerk, cast.commune_a, symbol="10/KH-UBND").symbol == "10/KH-UBND"
    for q in ["9/KH-UBND", "09/KH-UBND", "hoi nghi ngay 5/08/2025"]:
        assert found(cast.officer_a, q) == ["09/KH-UBND"], q


def test_the_most_relevant_comes_first_then_the_newest(cast, clerk):
    for number, day in [(10, 2), (11, 9), (12, 5)]:
        incoming(clerk, cast.commune_a, symbol=f"{number}/UBND-VP", issued_on=date(2025, 6, day),
                 summary="Về việc kiểm tra công tác văn thư")  # fmt: skip
    incoming(clerk, cast.commune_a, symbol="9/KH-UBND", issued_on=date(2025, 5, 1),
             summary="Kế hoạch kiểm tra, kiểm tra lại và kiểm tra đột xuất công tác văn thư")  # fmt: skip
    assert found(cast.officer_a, "kiem tra van thu") == ["09/KH-UBND", "11/UBND-VP", "12/UBND-VP", "10/UBND-VP"]


def test_another_commune_finds_nothing_of_a(cast, register, clerk_b):
    incoming(clerk_b, cast.commune_b, symbol="20/UBND-VP", summary="Về việc sắp xếp trụ sở làm việc")
    assert found(cast.officer_b, "sap xep") == ["20/UBND-VP"]
    assert found(cast.officer_b, "1672/NQ-UBTVQH15") == []
    assert found(cast.outsider, "sap xep") == []
    assert sorted(found(cast.provincial, "sap xep")) == ["1672/NQ-UBTVQH15", "20/UBND-VP", "76/2025/UBTVQH15"]


def test_a_confidential_document_is_found_only_by_those_granted(cast, clerk):
    secret = incoming(clerk, cast.commune_a, symbol="05/QĐ-UBND", confidentiality="mat", summary=LANG_SON)
    incoming(clerk, cast.commune_a, symbol="06/QĐ-UBND", summary=LANG_SON)
    assert sorted(found(clerk, "sap xep lang son")) == ["05/QĐ-UBND", "06/QĐ-UBND"]  # who registered it
    for person in [cast.officer_a, cast.provincial, cast.officer_b]:
        assert "05/QĐ-UBND" not in found(person, "sap xep lang son"), person
        assert found(person, "05/QĐ-UBND") == [], person
    services.confidential_grant(actor=cast.chair_a, document=secret, person=cast.officer_b)
    assert found(cast.officer_b, "sap xep lang son") == ["05/QĐ-UBND"]  # whatever the unit scope


def test_a_page_of_results_is_one_query_with_the_access_filter_inside(cast, register):
    q = "nghi quyet sap xep"
    assert search.filter_matching(Document.objects.all(), q).count() == 2  # commune A's
    for user, expected in [(cast.officer_b, 0), (cast.officer_a, 2)]:
        visible = access.documents_visible_to(user)  # reads the user's units and grants, once per request
        with CaptureQueriesContext(connection) as queries:
            page = list(search.filter_matching(visible, q)[:20])
        # PostgreSQL first asks the planner how many rows the other conditions leave (EXPLAIN).
        *explain, query = queries.captured_queries
        assert len(page) == expected and len(explain) == (connection.vendor == "postgresql"), queries.captured_queries
        assert "documents_fts" in query["sql"] if connection.vendor == "sqlite" else "search_vector" in query["sql"]
        assert "confidentiality" in query["sql"]  # the access rule, inside the same statement


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the three ways of matching are PostgreSQL's")
def test_the_three_ways_of_matching_find_the_same(cast, register, monkeypatch):
    """Few candidate rows: the words are tested row by row; many: through the GIN index of the
    province's words when the provinces are known, else through the whole country's."""
    queries = ["nghi quyet sap xep", "sap xep", "76/2025/UBTVQH15", "QĐ-UBND", "ubnd", "lang son", "9/KH-UBND", "x y z"]
    users = (cast.officer_a, cast.provincial, cast.officer_b, cast.outsider)

    def results(few_rows: int, by_province: bool) -> tuple[list, list[str]]:
        monkeypatch.setattr(search, "FEW_ROWS", few_rows)
        with CaptureQueriesContext(connection) as captured:
            found_ = [search_as(user, q, by_province=by_province) for user in users for q in queries]
        return found_, [c["sql"] for c in captured.captured_queries if c["sql"].startswith("SELECT")]

    by_index, index_sql = results(-1, by_province=False)
    by_province, province_sql = results(-1, by_province=True)
    row_by_row, row_sql = results(10**9, by_province=True)
    assert by_index == by_province == row_by_row and any(by_index)
    assert all("communeos_matches" not in sql for sql in index_sql)
    assert any('"search_vector" @@' in sql for sql in index_sql)
    assert any("communeos_province_words" in sql and "communeos_matches" in sql for sql in province_sql)
    assert all('"search_vector" @@' not in sql for sql in province_sql + row_sql)
    assert any("communeos_matches" in sql for sql in row_sql)
    assert all("communeos_province_words" not in sql for sql in row_sql)


def search_as(user, q: str, *, by_province: bool) -> list[str]:
    provinces = access.document_provinces(user) if by_province else None
    return [d.symbol for d in search.filter_matching(access.documents_visible_to(user), q, provinces=provinces)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the province index is PostgreSQL's")
def test_a_grant_from_another_province_is_found_through_the_province_index(cast, register, clerk, monkeypatch):
    monkeypatch.setattr(search, "FEW_ROWS", -1)
    secret = incoming(clerk, cast.commune_a, symbol="07/QĐ-UBND", confidentiality="mat", summary=LANG_SON)
    assert "07/QĐ-UBND" not in search_as(cast.outsider, "sap xep lang son", by_province=True)
    services.confidential_grant(actor=cast.chair_a, document=secret, person=cast.outsider)
    assert cast.commune_a.province_id in access.document_provinces(cast.outsider)
    assert search_as(cast.outsider, "sap xep lang son", by_province=True) == ["07/QĐ-UBND"]


def test_counts_pages_and_further_filters_compose(cast, register):
    results = search.filter_matching(access.documents_visible_to(cast.officer_a), "sap xep")
    assert results.count() == 2
    paginator = Paginator(results, 1)
    pages = [d.symbol for n in paginator.page_range for d in paginator.page(n)]
    assert paginator.num_pages == 2 and sorted(pages) == ["1672/NQ-UBTVQH15", "76/2025/UBTVQH15"]
    assert [d.symbol for d in results.filter(issued_on__lt=date(2025, 5, 1))] == ["76/2025/UBTVQH15"]
    assert results.filter(unit=cast.commune_b).count() == 0
    narrowed = access.documents_visible_to(cast.officer_a).filter(
        issued_on__range=(date(2025, 6, 1), date(2025, 6, 30))
    )
    assert sorted(found(cast.officer_a, "lang son", narrowed)) == ["12/QĐ-UBND", "15/UBND-VP", "1672/NQ-UBTVQH15"]
    assert sorted(found(cast.officer_a, "ubnd", narrowed.filter(author__icontains="UBND"))) == [
        "12/QĐ-UBND",
        "15/UBND-VP",
    ]


def test_the_register_filters_combine_with_the_search(cast, register, clerk):
    draft = outgoing(clerk, cast.commune_a, summary="Quyết định về việc sắp xếp bộ phận một cửa")
    everything = selectors.document_list(user=clerk, filters=selectors.DocumentFilters(q="sap xep"))
    assert {d.pk for d in everything} == {register["lang_son"].pk, register["resolution_76"].pk, draft.pk}
    incoming_only = selectors.DocumentFilters(q="sap xep", register="incoming", start=date(2025, 6, 1))
    assert [d.symbol for d in selectors.document_list(user=clerk, filters=incoming_only)] == ["1672/NQ-UBTVQH15"]


def test_an_issued_document_is_found_by_its_new_symbol(cast, clerk):
    draft = outgoing(clerk, cast.commune_a, summary="Quyết định về việc kiện toàn Tổ công tác", at=at(2026, 1, 5, 9))
    assert found(clerk, "kien toan to cong tac") == [""]
    services.document_approve(actor=cast.chair_a, document=draft, at=at(2026, 1, 5, 9))
    services.document_issue(actor=clerk, document=draft, at=at(2026, 1, 5, 10))
    assert found(clerk, "01/QĐ-UBND") == ["01/QĐ-UBND"]


def test_the_index_follows_a_changed_text(cast, register):
    document = register["letter"]
    document.search_text = fold("15/UBND-VP Về việc tổng kết công tác năm")
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text)
    search.index(document)
    assert found(cast.officer_a, "thien tai") == []
    assert found(cast.officer_a, "tong ket") == ["15/UBND-VP"]


def test_a_deleted_document_is_not_found(cast, register):
    Document.objects.filter(pk=register["decision"].pk).delete()
    results = search.filter_matching(access.documents_visible_to(cast.officer_a), "chuyen doi so")
    assert list(results) == [] and results.count() == 0


@pytest.mark.parametrize("q", ["", "   ", "/-:", "!&|*"])
def test_a_query_without_words_leaves_the_list_as_it_is(cast, register, q):
    visible = access.documents_visible_to(cast.officer_a)
    assert search.filter_matching(visible, q) is visible


@pytest.mark.parametrize(
    "q, expected",
    [
        ('" OR 1=1 --', []),  # "or", "near", "drop"… are words that no document holds
        ("sap xep OR lang", []),
        ("NEAR(sap xep)", []),
        ("'; DROP TABLE x; --", []),
        ("sap & !xep | (lang)", ["1672/NQ-UBTVQH15"]),  # the operators are dropped, the words stay
        ("sap:* <-> xep", ["1672/NQ-UBTVQH15", "76/2025/UBTVQH15"]),
    ],
)
def test_operators_in_the_query_are_not_syntax(cast, register, q, expected):
    assert sorted(found(cast.officer_a, q)) == expected


def test_the_search_uses_the_full_text_index(cast, register, monkeypatch):
    # On a handful of rows the planner may prefer the unit index for the access filter; the
    # full-text condition alone must be able to use its index (bench/documents.py shows the
    # plans at a million rows). PostgreSQL: the index is used when many rows are candidates.
    monkeypatch.setattr(search, "FEW_ROWS", -1)
    results = search.filter_matching(Document.objects.all(), "sap xep")
    sql, params = results.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: force the choice
            cursor.execute(f"EXPLAIN {sql}", params)
            assert "documents_document_search" in "\n".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            assert any("VIRTUAL TABLE INDEX" in row[-1] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the province index is PostgreSQL's")
def test_a_province_wide_search_uses_the_index_of_the_province_s_words(cast, register, monkeypatch):
    monkeypatch.setattr(search, "FEW_ROWS", -1)
    provinces = access.document_provinces(cast.provincial)
    assert provinces == [cast.province.pk]
    results = search.filter_matching(access.documents_visible_to(cast.provincial), "sap xep", provinces=provinces)
    sql, params = results.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: force the choice
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "documents_document_province_search" in plan and "documents_document_search" not in plan
