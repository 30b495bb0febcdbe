"""Intake at the counter and online: the checklist, the citizen ID, uploads, the code."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from PIL import Image
from pypdf import PdfWriter

from communeos.core.models import AuditEntry, Counter, StoredFile
from communeos.onestop import services
from communeos.onestop.models import Channel, Dossier, DossierFile, DossierPaper, Status
from communeos.onestop.services import Upload
from communeos.onestop.tests.conftest import APPLICANT, at, procedure, receive, required_papers


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def online(cast, uploads, **extra):
    return services.dossier_receive(
        actor=None,
        unit=cast.commune_a,
        procedure=procedure(),
        channel=Channel.ONLINE,
        consent=extra.pop("consent", True),
        uploads=uploads,
        at=extra.pop("when", at(2025, 10, 8, 9, 0)),
        **(APPLICANT | extra),
    )


def test_codes_are_unit_day_and_a_gapless_sequence(cast):
    first = receive(cast)
    second = receive(cast, when=at(2025, 10, 8, 10, 0))
    next_day = receive(cast, when=at(2025, 10, 9, 8, 0))
    other_unit = receive(cast, unit=cast.commune_b, actor=cast.officer_b)
    assert [first.code, second.code, next_day.code] == ["06529-251008-0001", "06529-251008-0002", "06529-251009-0001"]
    assert other_unit.code == "06565-251008-0001"


def test_the_ten_thousandth_dossier_of_a_day_gets_five_digits(cast):
    Counter.objects.create(series="dossier", unit=cast.commune_a, period="251008", last=9998)
    assert [receive(cast).code, receive(cast).code] == ["06529-251008-9999", "06529-251008-10000"]


def test_a_same_day_procedure_received_after_15_00_is_due_the_next_working_day(cast):
    before = receive(cast, when=at(2025, 10, 10, 14, 59))  # a Friday
    after = receive(cast, when=at(2025, 10, 10, 15, 1))
    assert before.due_at == at(2025, 10, 10, 17, 0)
    assert after.due_at == at(2025, 10, 13, 17, 0)  # Monday


def test_a_three_day_procedure_skips_tet(cast):
    dossier = receive(cast, code="marital-status-confirmation", when=at(2026, 2, 13, 9, 0))  # Friday before Tết 2026
    assert dossier.due_at == at(2026, 2, 25, 17, 0)  # Tết off 16–20 Feb; 23, 24, 25 are the three days


def test_missing_papers_are_refused_and_nothing_is_written(cast):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        receive(cast, papers_provided=required_papers()[:1])
    assert "papers" in error.value.message_dict
    assert not Dossier.objects.exists()
    assert AuditEntry.objects.count() == before
    # and the number was not used: the next dossier still gets 0001
    assert receive(cast).code.endswith("-0001")


@pytest.mark.parametrize(
    "number, problem",
    [
        ("02019001234", "12 digits"),
        ("099190012345", "province"),
        ("020990012345", "year of birth"),  # born 2099
        ("02019001234x", "12 digits"),
    ],
)
def test_an_invalid_citizen_id_is_refused_with_its_reason(cast, english, number, problem):
    with pytest.raises(ValidationError) as error:
        receive(cast, applicant_id_number=number)
    assert problem in " ".join(error.value.message_dict["applicant_id_number"])
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("applicant_name", "Nguyễn " * 30, "At most 150 characters (this has 209)"),
        ("applicant_address", "Thôn Bản Chu " * 30, "At most 300 characters"),
        ("applicant_email", "lan@", "valid email"),
    ],
)
def test_an_overlong_or_malformed_applicant_field_is_refused_with_its_reason(cast, english, field, value, problem):
    with pytest.raises(ValidationError) as error:
        receive(cast, **{field: value})
    assert problem in " ".join(error.value.message_dict[field])
    assert not Dossier.objects.exists()


def test_only_the_one_stop_officer_receives_at_the_counter(cast, specialist):
    with pytest.raises(ValidationError):
        receive(cast, actor=specialist)
    with pytest.raises(ValidationError):
        receive(cast, actor=cast.officer_b)  # an officer of another commune
    assert not Dossier.objects.exists()


def test_online_intake_needs_each_required_paper_as_a_file(cast, file_store, stored_files):
    birth_form, certificate = required_papers()
    with pytest.raises(ValidationError):
        online(cast, [Upload(birth_form, SimpleUploadedFile("form.pdf", pdf_bytes()))])
    dossier = online(
        cast,
        [
            Upload(birth_form, SimpleUploadedFile("form.pdf", pdf_bytes())),
            Upload(certificate, SimpleUploadedFile("giay-chung-sinh.png", png_bytes())),
        ],
    )
    assert dossier.channel == Channel.ONLINE and dossier.status == Status.RECEIVED
    assert sorted(dossier.files.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    files = list(dossier.files.order_by("content_type"))
    assert [default_storage.open(f.file.name).read() for f in files] == [pdf_bytes(), png_bytes()]
    assert stored_files() == sorted(f.file.name for f in files)


def test_online_intake_needs_consent(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    papers = required_papers()
    with pytest.raises(ValidationError) as error:
        online(cast, [Upload(p, SimpleUploadedFile("a.pdf", pdf_bytes())) for p in papers], consent=False)
    assert "consent" in error.value.message_dict


def test_a_disguised_or_oversized_upload_is_refused_and_no_file_is_kept(
    cast, settings, file_store, stored_files, english
):
    settings.UPLOAD_MAX_BYTES = 50_000
    birth_form, certificate = required_papers()
    cases = {
        "renamed.pdf": b"MZ\x90\x00 this is a Windows program",
        "truncated.pdf": b"%PDF-1.7\n1 0 obj\n<<",
        "huge.png": png_bytes() + b"\0" * 60_000,
    }
    for name, content in cases.items():
        with pytest.raises(ValidationError) as error:
            online(
                cast,
                [
                    Upload(birth_form, SimpleUploadedFile("form.pdf", pdf_bytes())),
                    Upload(certificate, SimpleUploadedFile(name, content)),
                ],
            )
        assert name in " ".join(error.value.messages)
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()
    assert stored_files() == []


def test_a_failure_after_the_files_are_stored_removes_them(cast, file_store, stored_files, monkeypatch):
    papers = required_papers()
    uploads = lambda: [Upload(p, SimpleUploadedFile(f"{p}.pdf", pdf_bytes() + str(p).encode())) for p in papers]  # noqa: E731
    event_row = services._event_row

    def unwritable(*args, **kwargs):  # the database refuses the hand-off, after the dossier's row
        event = event_row(*args, **kwargs)
        event.at = None
        return event

    monkeypatch.setattr(services, "_event_row", unwritable)
    entries = AuditEntry.objects.count()
    with pytest.raises(IntegrityError):
        online(cast, uploads())
    assert not Dossier.objects.exists() and not DossierPaper.objects.exists() and not DossierFile.objects.exists()
    assert AuditEntry.objects.count() == entries
    assert stored_files() == []
    monkeypatch.setattr(services, "_event_row", event_row)
    assert online(cast, uploads()).code.endswith("-0001")  # the failed write took no number


def test_the_files_are_on_the_disk_before_the_dossier_is_written(cast, filesystem_store, monkeypatch):
    # A crash of the machine after the commit must not lose a file the dossier names: each file
    # and the folder entry naming it are synced before the dossier's row is written (on
    # PostgreSQL that statement commits as it runs).
    events, real_fsync = [], os.fsync

    def fsync(fd):
        real_fsync(fd)
        events.append(os.readlink(f"/proc/self/fd/{fd}"))

    def watch(execute, sql, params, many, context):
        if 'INSERT INTO "onestop_dossier"' in sql:
            events.append("dossier written")
        return execute(sql, params, many, context)

    monkeypatch.setattr(os, "fsync", fsync)
    uploads = [Upload(p, SimpleUploadedFile(f"{p}.pdf", pdf_bytes() + str(p).encode())) for p in required_papers()]
    with connection.execute_wrapper(watch):
        dossier = online(cast, uploads)
    paths = [default_storage.path(f.file.name) for f in dossier.files.all()]
    needed = {*paths, *(os.path.dirname(path) for path in paths)}
    assert len(paths) == 2 and events.count("dossier written") == 1
    assert needed <= set(events[: events.index("dossier written")])


def test_files_kept_in_the_database_are_written_with_the_dossier(cast):
    # FILE_STORE=database: the files' rows are written by the statements that write the dossier
    # (on PostgreSQL the same single statement), so they commit or roll back together.
    statements = []

    def watch(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    uploads = [Upload(p, SimpleUploadedFile(f"{p}.pdf", pdf_bytes() + str(p).encode())) for p in required_papers()]
    with connection.execute_wrapper(watch):
        dossier = online(cast, uploads)
    if connection.vendor == "postgresql":
        (write,) = [sql for sql in statements if 'INSERT INTO "onestop_dossier"' in sql]
        assert "INSERT INTO core_storedfile" in write
    else:
        assert any('INSERT INTO "core_storedfile"' in sql for sql in statements)
    for file in dossier.files.all():
        assert StoredFile.objects.get(name=file.file.name).size == file.size
        assert default_storage.open(file.file.name).read() == pdf_bytes() + str(file.paper.paper_id).encode()


def test_an_idempotency_key_returns_the_same_dossier(cast, file_store, stored_files):
    uploads = lambda: [Upload(p, SimpleUploadedFile("a.pdf", pdf_bytes())) for p in required_papers()]  # noqa: E731
    first = online(cast, uploads(), idempotency_key="retry-1")
    again = online(cast, uploads(), idempotency_key="retry-1")
    assert again.pk == first.pk and again.replayed
    typed = ".".join(APPLICANT["applicant_id_number"][i : i + 3] for i in range(0, 12, 3))  # as people type it
    assert online(cast, uploads(), idempotency_key="retry-1", applicant_id_number=typed).pk == first.pk
    with pytest.raises(ValidationError):
        online(cast, uploads(), idempotency_key="retry-1", applicant_id_number="020185012345")
    assert Dossier.objects.count() == 1
    assert stored_files() == sorted(first.files.values_list("file", flat=True))  # the replays kept none


def test_a_procedure_not_offered_online_is_refused_online(cast):
    with pytest.raises(ValidationError):
        services.dossier_receive(
            actor=None,
            unit=cast.commune_a,
            procedure=procedure("certified-copy"),
            channel=Channel.ONLINE,
            consent=True,
            **APPLICANT,
        )
