"""The received dossier's single PostgreSQL statement (onestop.intake_statement) writes what
the statement-by-statement way writes, links its audit entry so that the trail verifies, and
stays a small statement for the planner."""

import hashlib
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms.models import model_to_dict

from communeos.core import audit
from communeos.core.models import AuditEntry
from communeos.onestop import intake_statement, services
from communeos.onestop.models import Dossier
from communeos.onestop.services import Upload
from communeos.onestop.tests.conftest import required_papers
from communeos.onestop.tests.test_intake import online, pdf_bytes

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the single statement is PostgreSQL's")


def submit(cast, key: str):
    uploads = [Upload(p, SimpleUploadedFile(f"{p}.pdf", pdf_bytes() + str(p).encode())) for p in required_papers()]
    uploads += [Upload(required_papers()[0], SimpleUploadedFile("page-2.pdf", pdf_bytes() + b"2"))]  # two for one
    uploads += [Upload(None, SimpleUploadedFile("other.pdf", pdf_bytes() + b"other"))]  # for no paper
    return online(cast, uploads, idempotency_key=key)


def written(dossier: Dossier) -> dict:
    """Everything written for a dossier, without what differs by nature between two dossiers."""
    dossier = Dossier.objects.get(pk=dossier.pk)
    skip = {"id", "code", "created_at", "updated_at", "idempotency_key"}
    entry = AuditEntry.objects.get(object_type="onestop.dossier", object_id=str(dossier.pk), action="dossier.receive")
    return {
        "dossier": {k: v for k, v in model_to_dict(dossier).items() if k not in skip},
        "papers": sorted((p.paper_id, p.name, p.provided_at) for p in dossier.papers.all()),
        "files": sorted(
            (
                (f.paper.paper_id if f.paper else 0),
                f.original_name,
                f.content_type,
                f.size,
                f.sha256,
                f.uploaded_at,
                hashlib.sha256(default_storage.open(f.file.name).read()).hexdigest(),
            )
            for f in dossier.files.select_related("paper")
        ),
        "events": [
            {k: v for k, v in model_to_dict(e).items() if k not in {"id", "dossier"}} for e in dossier.events.all()
        ],
        "entry": (entry.chain, entry.actor_id, entry.actor_label, entry.unit_id, entry.object_repr == dossier.code)
        + (json.dumps(entry.changes, sort_keys=True),),
    }


def test_the_single_statement_writes_what_the_statements_one_by_one_write(cast, file_store, monkeypatch):
    one = submit(cast, "one-statement")
    monkeypatch.setattr(services, "ONE_STATEMENT", False)
    many = submit(cast, "one-by-one")
    assert (one.code, many.code) == ("06529-251008-0001", "06529-251008-0002")
    first, second = written(one), written(many)
    assert len(first["files"]) == len(first["papers"]) + 2 and first["events"]
    assert [paper for paper, *_rest in first["files"]].count(0) == 1  # the file for no paper
    assert first == second
    assert audit.verify()[1] == []  # both entries are linked into the commune's chain


def test_the_single_statement_stays_below_the_cost_that_calls_the_jit_compiler(cast, monkeypatch):
    """Estimated too costly, a statement is compiled first (PostgreSQL's JIT): hundreds of
    milliseconds for a write of one dossier. Rows read from JSON sets are estimated at 100."""
    statement = intake_statement._statement(4)  # with the contents of `submit`'s four files
    plans = []
    real_execute = type(connection.cursor()).execute

    def explained(cursor, sql, params=None):
        if sql == statement:
            real_execute(cursor, "EXPLAIN (FORMAT JSON) " + sql, params)
            plans.append(cursor.fetchone()[0][0]["Plan"]["Total Cost"])
        return real_execute(cursor, sql, params)

    monkeypatch.setattr(type(connection.cursor()), "execute", explained)
    submit(cast, "explained")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit_above_cost')::float")
        threshold = cursor.fetchone()[0]
    assert plans and plans[0] < threshold / 10


def test_the_single_statement_fits_psycopgs_cache_of_parsed_statements(db):
    """Longer, or with more parameters, psycopg parses it again for every intake (its limits,
    psycopg._queries): shorten it, or pass the new columns in the JSON."""
    from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH, MAX_CACHED_STATEMENT_PARAMS

    for files in range(6):  # with the contents of up to five files (FILE_STORE=database)
        statement = intake_statement._statement(files)
        assert len(statement) <= MAX_CACHED_STATEMENT_LENGTH, files
        assert statement.count("%s") <= MAX_CACHED_STATEMENT_PARAMS, files
