"""The full-text index of the documents (issue 4, item 8), over `Document.search_text`, the
symbol, author, summary and text already lower-cased and stripped of diacritics by
`communeos.core.text.fold`. See `communeos.documents.search` for the queries.

PostgreSQL: the `unaccent` extension, an IMMUTABLE wrapper around it (`unaccent()` is only
STABLE, so it cannot appear in an index or a generated column), and
`communeos_search_vector(text)`, which splits the text on everything but letters and digits
before `to_tsvector('simple', …)`: the default parser would keep `76/2025/ubtvqh15` as one
"file" token, and `ubtvqh15` alone would never match. The vector is a STORED generated column,
`search_vector`, that the database keeps in step with `search_text` on every INSERT and
UPDATE (nothing to do in `search.index`), with a GIN index on it. The column is not a model
field: Django never writes it, and only `search.py` reads it. Stored rather than an index on
the expression because at a million rows the expression, recomputed for every row a lossy
bitmap, a phrase (`QĐ-UBND`) or the ranking must re-read, cost seconds per search
(bench/documents.py: counting the 381,539 matches of "thuc hien" took 49 s; 1.1 s stored).

Both cut the text into words of letters and digits and drop the leading zeros of numbers
(`09/KH-UBND` is found by `9/KH-UBND`), exactly as `search.words` cuts the queries.

SQLite: an FTS5 table keyed by the document id (`rowid`), holding the words of the text (its
own copy, so that a row can be replaced without knowing what it held); `search.index`
replaces it after every write. Filled here from the rows that exist.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    CREATE OR REPLACE FUNCTION communeos_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
    """,
    r"""
    CREATE OR REPLACE FUNCTION communeos_search_vector(text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT to_tsvector('simple'::regconfig, regexp_replace(
                 regexp_replace(lower(communeos_unaccent($1)), '[^[:alnum:]]+', ' ', 'g'),
                 '\m0+([0-9])', '\1', 'g')) $$
    """,
    """
    ALTER TABLE documents_document ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (communeos_search_vector(search_text)) STORED
    """,
    "CREATE INDEX documents_document_search ON documents_document USING gin (search_vector)",
]
PG_BACKWARD = [
    "ALTER TABLE documents_document DROP COLUMN IF EXISTS search_vector",  # and its index
    "DROP FUNCTION IF EXISTS communeos_search_vector(text)",
    "DROP FUNCTION IF EXISTS communeos_unaccent(text)",
    # The extension stays: something else may use it.
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE documents_fts USING fts5(search_text, tokenize = 'unicode61 remove_diacritics 2')",
    # then `fill_fts`
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS documents_fts"]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def fill_fts(apps, schema_editor):
    from communeos.documents.search import words

    Document = apps.get_model("documents", "Document")
    rows = ((pk, " ".join(words(text))) for pk, text in Document.objects.values_list("pk", "search_text").iterator())
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany("INSERT INTO documents_fts (rowid, search_text) VALUES (%s, %s)", rows)


def forward(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD})
    if schema_editor.connection.vendor == "sqlite":
        fill_fts(apps, schema_editor)


def backward(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_numbering_rules")]
    operations = [migrations.RunPython(forward, backward)]
