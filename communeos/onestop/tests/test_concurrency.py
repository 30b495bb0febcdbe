"""Concurrent intake and concurrent approval on PostgreSQL: unique, gapless codes, and one
decision per dossier. Each thread has its own database connection and transaction."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from communeos.conftest import CONCURRENT, in_thread, make_person
from communeos.onestop import services
from communeos.onestop.models import Channel, Dossier, Status
from communeos.onestop.services import Upload
from communeos.onestop.tests.conftest import APPLICANT, at, procedure, required_papers, run_to_approval
from communeos.onestop.tests.test_intake import pdf_bytes

pytestmark = CONCURRENT


def test_parallel_intakes_get_unique_gapless_codes(cast):
    proc, papers, when = procedure(), required_papers(), at(2025, 10, 8, 9, 0)
    start = threading.Barrier(8)

    @in_thread
    def intake(i: int):
        start.wait() if i < 8 else None
        if i % 10 == 9:  # every tenth intake fails validation half-way: its number must not be lost
            try:
                services.dossier_receive(
                    actor=cast.officer_a,
                    unit=cast.commune_a,
                    procedure=proc,
                    papers_provided=papers[:1],
                    at=when,
                    **APPLICANT,
                )
            except ValidationError:
                return None
        return services.dossier_receive(
            actor=cast.officer_a, unit=cast.commune_a, procedure=proc, papers_provided=papers, at=when, **APPLICANT
        ).code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = [c for c in pool.map(intake, range(60)) if c]
    assert len(codes) == 54
    assert sorted(codes) == [f"06529-251008-{n:04d}" for n in range(1, 55)]
    assert Dossier.objects.count() == 54


def test_two_chairs_approving_at_once_make_one_decision(cast):
    specialist = make_person("specialist.a", cast.commune_a, "specialist")
    vice = make_person("vice.a", cast.commune_a, "commune_vice_chair")
    dossier = services.dossier_receive(
        actor=cast.officer_a,
        unit=cast.commune_a,
        procedure=procedure(),
        papers_provided=required_papers(),
        at=at(2025, 10, 8, 9),
        **APPLICANT,
    )
    run_to_approval(cast, specialist, dossier)
    start = threading.Barrier(2)

    @in_thread
    def decide(person):
        start.wait()
        try:
            services.dossier_decide(actor=person, dossier=dossier, approve=True)
            return "ok"
        except ValidationError as error:
            return " ".join(error.messages)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(decide, [cast.chair_a, vice]))
    assert results.count("ok") == 1
    dossier.refresh_from_db()
    assert dossier.status == Status.APPROVED
    assert dossier.events.filter(action="approve").count() == 1


def test_the_same_submission_sent_twice_at_once_makes_one_dossier(cast):
    proc, papers, when = procedure(), required_papers(), at(2025, 10, 8, 9, 0)
    start = threading.Barrier(4)

    @in_thread
    def submit(_i: int):
        start.wait()
        dossier = services.dossier_receive(
            actor=cast.officer_a,
            unit=cast.commune_a,
            procedure=proc,
            papers_provided=papers,
            idempotency_key="form-7f3a",
            at=when,
            **APPLICANT,
        )
        return dossier.code, dossier.replayed

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(submit, range(4)))
    assert {code for code, _replayed in results} == {"06529-251008-0001"}
    assert sorted(replayed for _code, replayed in results) == [False, True, True, True]
    assert Dossier.objects.count() == 1
    # The losers' numbers were rolled back with them: the next dossier is 0002.
    assert services.dossier_receive(
        actor=cast.officer_a, unit=cast.commune_a, procedure=proc, papers_provided=papers, at=when, **APPLICANT
    ).code.endswith("-0002")


def test_a_rolled_back_intake_does_not_take_the_file_of_another_with_the_same_content(cast, monkeypatch):
    """Two online submissions of the same scan at once; the first fails after storing it and
    after the second has committed. Each dossier's files are its own, so the first removes
    only its own and the second keeps its files."""
    papers, content = required_papers(), pdf_bytes()
    stored, go = threading.Event(), threading.Event()
    real_event_row = services._event_row
    first_thread = []

    def event_then_fail(*args, **kwargs):
        if threading.current_thread() in first_thread:
            stored.set()  # the first has stored its files, and written nothing else yet
            assert go.wait(30)
            raise RuntimeError("the first submission fails after storing its files")
        return real_event_row(*args, **kwargs)

    monkeypatch.setattr(services, "_event_row", event_then_fail)

    @in_thread
    def submit(i: int):
        if i == 0:
            first_thread.append(threading.current_thread())
        else:
            assert stored.wait(30)
        uploads = [Upload(p, SimpleUploadedFile(f"scan-{p}.pdf", content + str(p).encode())) for p in papers]
        try:
            return services.dossier_receive(
                actor=None,
                unit=[cast.commune_a, cast.commune_b][i],
                procedure=procedure(),
                channel=Channel.ONLINE,
                consent=True,
                uploads=uploads,
                at=at(2025, 10, 8, 9, 0),
                **APPLICANT,
            ).code
        except RuntimeError:
            return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(submit, 0)
        assert stored.wait(30)
        second = pool.submit(submit, 1).result(timeout=60)  # commits while the first holds its files
        go.set()
        assert first.result(timeout=60) is None
    dossier = Dossier.objects.get(code=second)
    assert dossier.files.count() == len(papers)
    for stored_file in dossier.files.all():
        assert default_storage.exists(stored_file.file.name), stored_file.file.name
    assert Dossier.objects.count() == 1
