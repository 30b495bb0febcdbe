"""Province-wide search (bench/documents.py): `Document.province`, and on PostgreSQL a second GIN
index whose words carry the document's province.

The index of migration 0003 holds, for a common word, every document of the country that has
it: gathering them took 40-55 ms at a million documents before the access filter kept one
province's share. Here every word is indexed as `p<province id>x<word>` ("p52xthuc" for
"thực" in a document of the province with id 52), so the posting list of a word is one
province's, and a provincial officer's search reads only that (1-2 ms). It is an index on an
expression, not a stored column: the search uses it for candidates with the words AND-ed (no
phrase, nothing for the index to recheck), and tests the exact query on the stored
`search_vector` of those rows only.

`communeos_matches` is the row-by-row test of the words (see below).
`communeos_search_words(text)` is the cut of the text that both indexes share (folded, letters
and digits, numbers without leading zeros); `communeos_search_vector` is redefined on it,
unchanged in what it returns.
"""

import django.db.models.deletion
from django.db import migrations, models

PG_FORWARD = [
    r"""
    CREATE OR REPLACE FUNCTION communeos_search_words(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT regexp_replace(
                 regexp_replace(lower(communeos_unaccent($1)), '[^[:alnum:]]+', ' ', 'g'),
                 '\m0+([0-9])', '\1', 'g') $$
    """,
    """
    CREATE OR REPLACE FUNCTION communeos_search_vector(text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT to_tsvector('simple'::regconfig, communeos_search_words($1)) $$
    """,
    # PL/pgSQL and a high COST: an SQL function would be inlined, and the planner, costing the
    # regular expressions at next to nothing, would rather compute the words of 65,000 rows
    # one by one (a date range's) than read the index (bench/documents.py: 125 ms against 16).
    r"""
    CREATE OR REPLACE FUNCTION communeos_province_words(text, bigint) RETURNS tsvector
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT COST 10000
        AS $$ BEGIN
            RETURN to_tsvector('simple'::regconfig,
                regexp_replace(communeos_search_words($1), '(\S+)', 'p' || $2::text || 'x\1', 'g'));
        END $$
    """,
    # The row-by-row test (`search._PgMatchesRowByRow`): `@@` behind a costly function, so that
    # the planner tests the other conditions of a row first and picks the plan that tests the
    # words on the fewest rows (ts_match_vq is costed like an equality: it tested 65,000 rows
    # of a date range before the unit filter, 133 ms against 18).
    """
    CREATE OR REPLACE FUNCTION communeos_matches(tsvector, tsquery) RETURNS boolean
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT COST 1000
        AS $$ BEGIN RETURN $1 @@ $2; END $$
    """,
    """
    CREATE INDEX documents_document_province_search ON documents_document
        USING gin (communeos_province_words(search_text, province_id))
    """,
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS documents_document_province_search",
    "DROP FUNCTION IF EXISTS communeos_province_words(text, bigint)",
    "DROP FUNCTION IF EXISTS communeos_matches(tsvector, tsquery)",
    r"""
    CREATE OR REPLACE FUNCTION communeos_search_vector(text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT to_tsvector('simple'::regconfig, regexp_replace(
                 regexp_replace(lower(communeos_unaccent($1)), '[^[:alnum:]]+', ' ', 'g'),
                 '\m0+([0-9])', '\1', 'g')) $$
    """,
    "DROP FUNCTION IF EXISTS communeos_search_words(text)",
]


def fill_province(apps, schema_editor):
    schema_editor.execute(
        "UPDATE documents_document SET province_id = ("
        " SELECT COALESCE(u.province_id, u.id) FROM units_unit u WHERE u.id = documents_document.unit_id)"
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_reference_date"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="province",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="units.unit",
                verbose_name="province",
            ),
        ),
        migrations.RunPython(fill_province, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="document",
            name="province",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="units.unit",
                verbose_name="province",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
