"""Numbers under concurrency on PostgreSQL: issued in parallel, unique and without gaps;
arrival numbers the same. Plus a property: whatever the order of issues in a year, each
series is 1..n."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communeos.conftest import in_thread
from communeos.documents import services
from communeos.documents.models import Document, Status
from communeos.documents.tests.conftest import at, incoming, outgoing

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (SQLite serialises every write)"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_parallel_issues_get_unique_gapless_numbers(cast, clerk):
    drafts = []
    for i in range(30):
        draft = outgoing(clerk, cast.commune_a, summary=f"Quyết định số thứ {i}")
        services.document_approve(actor=cast.chair_a, document=draft)
        drafts.append(draft)
    still_draft = outgoing(clerk, cast.commune_a, summary="Chưa duyệt")
    start = threading.Barrier(6)

    @in_thread
    def issue(document):
        if document in drafts[:6]:
            start.wait()
        try:
            return services.document_issue(actor=clerk, document=document, at=at(2026, 1, 5, 9)).number
        except ValidationError:
            return None

    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(issue, [*drafts, still_draft]))
    assert numbers[-1] is None  # the unapproved draft is refused and uses no number
    assert sorted(numbers[:-1]) == list(range(1, 31))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_get_consecutive_arrival_numbers(cast, clerk):
    start = threading.Barrier(6)

    @in_thread
    def register(i):
        if i < 6:
            start.wait()
        return incoming(clerk, cast.commune_a, symbol=f"{i + 1}/UBND-VP", author="UBND tỉnh").arrival_number

    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(register, range(24)))
    assert sorted(numbers) == list(range(1, 25))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(["QĐ", "TB", "secret"]), min_size=1, max_size=8))
def test_each_series_counts_one_to_n_in_any_order(cast, clerk, kinds):
    Document.objects.filter(direction="outgoing").delete()
    from communeos.core.models import Counter as NumberCounter

    NumberCounter.objects.filter(series__startswith="out-").delete()
    issued = []
    for kind in kinds:
        draft = outgoing(
            clerk,
            cast.commune_a,
            doc_type="QĐ" if kind == "secret" else kind,
            confidentiality="mat" if kind == "secret" else "",
        )
        services.document_approve(actor=cast.chair_a, document=draft)
        issued.append((kind, services.document_issue(actor=clerk, document=draft, at=at(2026, 3, 2, 9)).number))
    # state rule: one series for every open document of the year, one for secret ones
    open_numbers = [n for kind, n in issued if kind != "secret"]
    secret_numbers = [n for kind, n in issued if kind == "secret"]
    assert sorted(open_numbers) == list(range(1, len(open_numbers) + 1))
    assert sorted(secret_numbers) == list(range(1, len(secret_numbers) + 1))
    assert all(d.status == Status.ISSUED for d in Document.objects.filter(direction="outgoing"))
