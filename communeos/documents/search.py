"""Full-text search of the document registers (issue 4, item 8).

What is searched is `Document.search_text`: the symbol, author, summary and text, lower-cased
and stripped of diacritics (`communeos.core.text.fold`) by the services on every write. The
query is folded the same way, and both are cut into words of letters and digits, numbers
without their leading zeros: "nghi quyet sap xep" finds "Nghị quyết … sắp xếp";
"76/2025/UBTVQH15", "ubtvqh15" and "QĐ-UBND" find the symbols that hold them; "9/KH-UBND"
finds "09/KH-UBND".

Every word of the query must match, whole. A word made of several parts ("76/2025/UBTVQH15",
"QĐ-UBND") matches as a phrase: its parts adjacent and in order. No prefix matching: at a
million documents on PostgreSQL, a prefix of a common word ("hoach:*") makes the GIN index
gather every posting list under it, and doubled the time of such searches (bench/documents.py).

The engine is the database's own (STYLE.md: no search server while the database can do it):
PostgreSQL full-text search over a GIN index in production (migration 0003_search), SQLite
FTS5 in the embedded default. Either way the match is one more condition in the WHERE clause
of the caller's query, which already holds the access filter (`documents_visible_to`): one
SQL statement, lazy, so that counts, pages and further filters compose with it. (On
PostgreSQL `filter_matching` first asks the planner, with one EXPLAIN, how many rows the
caller's other conditions leave, to choose between the index and a row-by-row test: see
`FEW_ROWS`. Filters that narrow the list a lot belong before the call, as the selector does.)
"""

import json
import re

from django.db import connections
from django.db.models import BooleanField, F, FloatField, Func, QuerySet, Value

from communeos.core.text import fold

_WORD = re.compile(r"[^\W_]+")  # letters and digits: what both engines keep as a token
_LEADING_ZEROS = re.compile(r"^0+(?=\d)")


def words(text: str) -> list[str]:
    """`text` folded and cut into words as the index holds them (the same cut as
    `communeos_search_vector` in migration 0003_search)."""
    return [_LEADING_ZEROS.sub("", word) for word in _WORD.findall(fold(text or ""))]


def terms(q: str) -> list[tuple[str, ...]]:
    """The words of `q`, each as its parts: `"QĐ-UBND số 12"` → `[("qd", "ubnd"), ("so",), ("12",)]`."""
    return [tuple(parts) for parts in map(words, (q or "").split()) if parts]


def tsquery(found: list[tuple[str, ...]]) -> str:
    """A PostgreSQL `to_tsquery` text: every part quoted as a lexeme (parts are letters and
    digits only, so nothing in them is an operator), `<->` between the parts of a word, `&`
    between words."""
    return " & ".join("(" + " <-> ".join(f"'{part}'" for part in parts) + ")" for parts in found)


def fts5_query(found: list[tuple[str, ...]]) -> str:
    """An FTS5 MATCH expression: every word a quoted string (a phrase when it has several
    parts); FTS5 joins them with AND."""
    return " ".join('"' + " ".join(parts) + '"' for parts in found)


# The SQL of each engine -------------------------------------------------------------------------


class _Sql(Func):
    """A condition or a rank over (a column, the query text): `template` is filled with their
    compiled SQL, so that the column keeps whatever alias the caller's query gives the table
    and the query text stays a parameter."""

    template: str
    column_first = True  # in `template`, for the order of the parameters

    def as_sql(self, compiler, connection, **extra):
        (column, column_params), (query, query_params) = (compiler.compile(e) for e in self.get_source_expressions())
        params = (*column_params, *query_params) if self.column_first else (*query_params, *column_params)
        return self.template.format(column=column, query=query), params


# PostgreSQL. The GIN index is on `search_vector`, a column that the database generates from
# `search_text` and that the model does not declare (migration 0003_search); it is named here
# with the alias that the caller's query gives the table. The query text is folded already;
# it goes through `communeos_unaccent` all the same, as the indexed text did.
#
# The tsquery is a sub-SELECT so that the planner does not see its words. It estimates a
# match of several words as the product of each word's frequency, but the words of a
# Vietnamese query are syllables that come together ("đơn vị hành chính"): it expected 1 row
# where 52,113 matched, and so left aside an index that the access filter could use. Unseen,
# a match counts as 0.5 % of the rows. Measured at 1M documents (bench/documents.py), a
# commune officer, "Sắp xếp đơn vị hành chính cấp xã", the access rule as lists of ids:
# 520-580 ms with the words in sight of the planner, 55-110 ms without.
_PG_QUERY = "(SELECT to_tsquery('simple'::regconfig, communeos_unaccent({query})))"


class _PgSql(_Sql):
    def as_sql(self, compiler, connection, **extra):
        column, query = self.get_source_expressions()
        vector = f"{compiler.quote_name_unless_alias(column.alias)}.{connection.ops.quote_name('search_vector')}"
        query_sql, query_params = compiler.compile(query)
        return self.template.format(column=vector, query=query_sql), query_params


class _PgMatches(_PgSql):
    output_field = BooleanField()
    template = "{column} @@ " + _PG_QUERY


class _PgMatchesRowByRow(_PgSql):
    """The same test as a function call (migration 0006), which the GIN index cannot serve:
    the planner then starts from the caller's other conditions (the unit, dates: B-tree
    indexes) and, the function being costly, tests the words on as few rows as it can."""

    output_field = BooleanField()
    template = "communeos_matches({column}, " + _PG_QUERY + ")"


# The GIN index gathers every document of the country that holds the query's words: for a
# common word, hundreds of thousands of them (40-50 ms at a million documents) before the
# access filter keeps a commune's few hundred. When the other conditions leave few rows, it
# is cheaper to read those and test each (bench/documents.py: a commune officer's searches
# went from 5-46 ms to a few ms). Which way is decided by the planner's own estimate of the
# rows those conditions leave: one EXPLAIN, a fraction of a millisecond.
FEW_ROWS = 5_000


def province_tsquery(found: list[tuple[str, ...]], provinces: list[int]) -> str:
    """The query's words as the province index holds them (migration 0006): every part of every
    word, in any of `provinces`, AND-ed. Exact for words of one part; for a word of several
    parts (a phrase: "QĐ-UBND") the order of the parts is tested on the rows found."""
    return " & ".join(
        "(" + " | ".join(f"'p{province}x{part}'" for province in provinces) + ")" for parts in found for part in parts
    )


class _PgProvinceMatches(Func):
    """The rows holding every word in the given provinces, through the province index (the
    condition is the index's expression, so that the planner can match it)."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        column, query = self.get_source_expressions()
        query_sql, query_params = compiler.compile(query)
        table = compiler.quote_name_unless_alias(column.alias)
        quote = connection.ops.quote_name
        words = f"communeos_province_words({table}.{quote('search_text')}, {table}.{quote('province_id')})"
        return f"{words} @@ (SELECT to_tsquery('simple'::regconfig, {query_sql}))", query_params


def _few_rows(queryset: QuerySet) -> bool:
    plan = json.loads(queryset.order_by().explain(format="json"))
    return plan[0]["Plan"]["Plan Rows"] <= FEW_ROWS


class _PgRank(_PgSql):
    """Term frequency divided by 1 + log(length of the document)."""

    output_field = FloatField()
    template = "ts_rank({column}, " + _PG_QUERY + ", 1)"


# SQLite: the FTS5 table's rowid is the document id.


class _Fts5Matches(_Sql):
    output_field = BooleanField()
    template = "{column} IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH {query})"


class _Fts5Rank(_Sql):
    """FTS5's `rank`: BM25, negated (lower is better)."""

    output_field = FloatField()
    column_first = False
    template = "(SELECT rank FROM documents_fts WHERE documents_fts MATCH {query} AND rowid = {column})"


# The API --------------------------------------------------------------------------------------


def filter_matching(queryset: QuerySet, q: str, *, provinces: list[int] | None = None) -> QuerySet:
    """`queryset` (documents, already narrowed to what the user may see) narrowed to those
    matching every word of `q`, annotated with `search_rank` and ordered by relevance, then
    newest first. A query without any word leaves `queryset` as it is.

    `provinces`: the provinces that `queryset` is confined to (`access.document_provinces`),
    when known: on PostgreSQL a search over many rows then starts from those provinces' words
    (the province index) instead of the whole country's."""
    found = terms(q)
    if not found:
        return queryset
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        text = Value(tsquery(found))
        if _few_rows(queryset):
            matches = _PgMatchesRowByRow(F("search_text"), text)
        elif provinces is not None:
            if not provinces:
                return queryset.none()
            matches = _PgProvinceMatches(F("search_text"), Value(province_tsquery(found, provinces)))
            if any(len(parts) > 1 for parts in found):  # a phrase: its order is tested on the candidates
                queryset = queryset.filter(_PgMatchesRowByRow(F("search_text"), text))
        else:
            matches = _PgMatches(F("search_text"), text)
        rank = _PgRank(F("search_text"), text)
        relevance = F("search_rank").desc()
    elif vendor == "sqlite":
        text = Value(fts5_query(found))
        matches, rank = _Fts5Matches(F("pk"), text), _Fts5Rank(F("pk"), text)
        relevance = F("search_rank").asc()
    else:
        raise NotImplementedError(f"no document search on {vendor}")
    return (
        queryset.filter(matches)
        .annotate(search_rank=rank)
        .order_by(relevance, F("issued_on").desc(nulls_last=True), "-id")
    )


def index(document) -> None:
    """Bring the engine's index in step with `document.search_text` (after every write).

    PostgreSQL generates the indexed vector from the column itself: nothing to do. SQLite:
    replace the document's row in the FTS5 table (its words, cut as the queries are)."""
    connection = connections[document._state.db or "default"]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM documents_fts WHERE rowid = %s", [document.pk])
        cursor.execute(
            "INSERT INTO documents_fts (rowid, search_text) VALUES (%s, %s)",
            [document.pk, " ".join(words(document.search_text))],
        )
