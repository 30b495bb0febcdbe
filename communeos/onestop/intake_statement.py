"""A received dossier written in one PostgreSQL statement: intake is the public hot path.

`services.dossier_receive` prepares every row in Python — the dossier, its papers, its files,
the hand-off, the audit entry — and, on PostgreSQL, writes them with the statement below:
one round trip instead of a dozen, with a fixed text and a dozen parameters (each table's
rows travel as one JSON parameter, `core.inserts.json_rows`), so that psycopg and
PostgreSQL prepare it once per connection. Its parts (data-modifying `WITH` queries) run as
one statement, so they succeed or fail together:

    s  the files' contents, when files are kept in the database (core.storage);
    n  the unit's daily counter moves on (core.numbering.upsert_sql: its row locked, codes gapless);
    d  the dossier, its code made of the prefix and that number;
    p  the papers given, f the files (each joined to its paper), e the hand-off;
    h  the unit's audit chain moves on and links the entry (core.audit.head_upsert_sql);
    a  the audit entry, naming the dossier by its id and code.

On SQLite the same rows are written one statement at a time, in a transaction
(`services._write_received`). Columns and values come from the models and their fields, so a
new field needs no change here.
"""

import functools

from django.db import connection

from communeos.core import audit, numbering, storage
from communeos.core.inserts import from_json, json_row, json_rows, saved
from communeos.core.models import AuditEntry
from communeos.onestop.models import Dossier, DossierFile, DossierPaper, Event


def write(
    *,
    dossier: Dossier,
    series: str,
    period: str,
    lines: list[DossierPaper],
    files: list[tuple[DossierFile, int | None]],
    event: Event,
    entry: AuditEntry,
    digest: str,
    pending: list[tuple[str, bytes]],
) -> None:
    """Write the dossier (its `code` holding the prefix, to be followed by the number) and the
    rows that come with it; set the dossier's id and full code. `files` pairs each file with
    the procedure paper it was given for; `digest` is the entry's `audit.content_digest`;
    `pending` holds the files' (name, content) when they are kept in the database."""
    params = storage.pending_params(pending)
    params += [
        series,
        dossier.unit_id,
        period,
        json_row(dossier),
        json_rows(lines),
        # A file's paper column carries the procedure paper's id; the statement puts the line's.
        json_rows([file for file, _paper in files], [{"paper": paper} for _file, paper in files]),
        json_row(event),
        entry.chain,
        digest,
        digest,
        json_row(entry),
    ]
    # Nothing may fail after this statement: in autocommit it has committed when it returns,
    # and a failure would remove the files of a dossier that exists (the caller's clean-up).
    with connection.cursor() as cursor:
        cursor.execute(_statement(len(pending)), params)
        pk, dossier.code = cursor.fetchone()
    saved(dossier, pk)


# audit.link_tail in SQL: the record's id with its length, its code, the digest given.
_TAIL = (
    "(SELECT length(CAST(d.id AS text)) || ':' || CAST(d.id AS text) || '|' || d.code || '|' || CAST(%s AS text) "
    "FROM d)"
)


@functools.cache
def _statement(contents: int) -> str:
    """The statement's text, built from the models once per process (and per number of files
    whose contents it writes)."""
    # At least four digits, as Python's :04d (lpad alone would cut the 10,000th number to four).
    code = "r.code || lpad(CAST(n.last AS text), greatest(4, length(CAST(n.last AS text))), '0')"
    paper = "(SELECT p.id FROM p WHERE p.paper_id = r.paper_id)"
    entry = {
        "object_id": "CAST(d.id AS text)",
        "object_repr": "d.code",
        "seq": "h.last_seq",
        "prev_hash": "h.prev_hash",
        "hash": "h.last_hash",
    }
    parts = [f"s AS ({storage.pending_insert_sql(contents)})"] if contents else []
    parts += [
        f"n AS ({numbering.upsert_sql()})",
        f"d AS ({from_json(Dossier, {'code': code}, 'n', many=False)} RETURNING id, code)",
        f"p AS ({from_json(DossierPaper, {'dossier': 'd.id'}, 'd')} RETURNING id, paper_id)",
        f"f AS ({from_json(DossierFile, {'dossier': 'd.id', 'paper': paper}, 'd')} RETURNING id)",
        f"e AS ({from_json(Event, {'dossier': 'd.id'}, 'd', many=False)} RETURNING id)",
        f"h AS ({audit.head_upsert_sql('%s', _TAIL)})",
        f"a AS ({from_json(AuditEntry, entry, 'd, h', many=False)} RETURNING id)",
    ]
    return f"WITH {', '.join(parts)} SELECT d.id, d.code FROM d"
