"""Attachments: stored by content, their text read (text layer or OCR), checked by
`documents_verify`, and never a document without its file nor a file without its document."""

import hashlib
import io
import shutil
import stat
import time
import unicodedata
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image, ImageDraw, ImageFont

from communeos.documents import digitise, services
from communeos.documents.models import Attachment, Digitisation, Document

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = ["Quyết định về việc sắp xếp", "đơn vị hành chính cấp xã", "tỉnh Lạng Sơn năm 2025"]

needs_ocr = pytest.mark.skipif(
    not digitise.ocr_available(),
    reason="OCR needs Debian's tesseract-ocr and tesseract-ocr-vie (apt-get install tesseract-ocr tesseract-ocr-vie)",
)
needs_pdftoppm = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="scanned PDFs are rasterised by pdftoppm (apt-get install poppler-utils)"
)


def text_pdf() -> bytes:
    import weasyprint

    html = (
        "<body style='font-family: DejaVu Sans'>"
        "<p>Quyết định về việc sắp xếp đơn vị hành chính cấp xã của tỉnh Lạng Sơn năm 2025</p>"
        "<p>Căn cứ Nghị quyết số 76/2025/UBTVQH15 của Ủy ban Thường vụ Quốc hội</p></body>"
    )
    return weasyprint.HTML(string=html).write_pdf()


def page_image() -> Image.Image:
    font = ImageFont.truetype(FONT, 48)
    image = Image.new("L", (1400, 80 * len(LINES) + 80), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(LINES):
        draw.text((40, 40 + 80 * i), line, font=font, fill=0)
    return image


def png() -> bytes:
    out = io.BytesIO()
    page_image().save(out, format="PNG")
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A PDF holding only a picture of the page, as a scanner makes it: no text layer."""
    out = io.BytesIO()
    page_image().convert("RGB").save(out, format="PDF", resolution=150)
    return out.getvalue()


def register(clerk, unit, *uploads: SimpleUploadedFile, symbol: str = "12/QĐ-UBND") -> Document:
    return services.document_register_incoming(
        actor=clerk,
        unit=unit,
        symbol=symbol,
        author="UBND xã Lộc Bình",
        issued_on=date(2025, 10, 1),
        summary="Quyết định về việc sắp xếp đơn vị hành chính",
        uploads=list(uploads),
    )


def verify(*args) -> str:
    out = io.StringIO()
    call_command("documents_verify", *args, stdout=out)
    return out.getvalue()


# Storing and reading ---------------------------------------------------------------------------


def test_pdf_is_stored_under_its_sha256_and_its_text_layer_read(cast, clerk, file_store):
    content = text_pdf()
    document = register(clerk, cast.commune_a, SimpleUploadedFile("qd.pdf", content, "application/octet-stream"))

    attachment = document.attachments.get()
    sha256 = hashlib.sha256(content).hexdigest()
    assert attachment.sha256 == sha256
    assert attachment.size == len(content)
    assert attachment.content_type == "application/pdf"  # from the content, not the declared type
    assert attachment.file.name == f"documents/{sha256[:2]}/{sha256}"
    assert default_storage.open(attachment.file.name).read() == content
    assert "Quyết định về việc sắp xếp đơn vị hành chính cấp xã" in attachment.text
    assert "76/2025/UBTVQH15" in attachment.text
    assert unicodedata.is_normalized("NFC", attachment.text)
    document.refresh_from_db()
    assert document.digitisation == Digitisation.TEXT
    assert "Lạng Sơn" in document.text


def test_document_without_files_has_digitisation_none(cast, clerk):
    document = register(clerk, cast.commune_a)

    assert document.digitisation == Digitisation.NONE
    assert digitise.status_of([]) == Digitisation.NONE


def test_the_same_file_twice_is_stored_once(cast, clerk, file_store, stored_files):
    content = text_pdf()
    first = register(clerk, cast.commune_a, SimpleUploadedFile("a.pdf", content))
    second = register(clerk, cast.commune_a, SimpleUploadedFile("b.pdf", content), symbol="13/QĐ-UBND")

    assert first.attachments.get().file.name == second.attachments.get().file.name
    assert len(stored_files()) == 1


@needs_ocr
def test_png_scan_is_read_by_ocr(cast, clerk):
    document = register(clerk, cast.commune_a, SimpleUploadedFile("scan.png", png()))

    text = document.attachments.get().text
    for word in ["Quyết", "định", "sắp", "xếp", "hành", "chính", "Lạng", "Sơn"]:
        assert word in text
    document.refresh_from_db()
    assert document.digitisation == Digitisation.OCR


@needs_ocr
@needs_pdftoppm
def test_scanned_pdf_without_text_layer_is_read_by_ocr(cast, clerk):
    document = register(clerk, cast.commune_a, SimpleUploadedFile("scan.pdf", scanned_pdf()))

    assert "đơn vị hành chính cấp xã" in document.attachments.get().text
    document.refresh_from_db()
    assert document.digitisation == Digitisation.OCR


def test_a_text_layer_wins_over_ocr_among_several_files(cast, clerk, monkeypatch):
    monkeypatch.setattr(digitise, "_ocr_image", lambda content: "Quyết định")
    document = register(
        clerk, cast.commune_a, SimpleUploadedFile("scan.png", png()), SimpleUploadedFile("qd.pdf", text_pdf())
    )

    assert document.digitisation == Digitisation.TEXT


def test_status_is_worked_out_again_from_the_stored_files(cast, clerk, monkeypatch):
    monkeypatch.setattr(digitise, "_ocr_pdf", lambda content, pages: "Quyết định về việc sắp xếp")
    typed = register(clerk, cast.commune_a, SimpleUploadedFile("qd.pdf", text_pdf()))
    scanned = register(clerk, cast.commune_a, SimpleUploadedFile("scan.pdf", scanned_pdf()), symbol="13/QĐ-UBND")
    assert (typed.digitisation, scanned.digitisation) == (Digitisation.TEXT, Digitisation.OCR)

    digitise._methods.clear()  # as in another process: only the stored file tells how the text came

    assert digitise.status_of(typed.attachments.all()) == Digitisation.TEXT
    assert digitise.status_of(scanned.attachments.all()) == Digitisation.OCR


def test_scan_is_stored_without_text_when_ocr_is_not_installed(cast, clerk, monkeypatch):
    monkeypatch.setattr(digitise, "_tesseract", lambda: None)

    document = register(clerk, cast.commune_a, SimpleUploadedFile("scan.png", png()))

    assert not digitise.ocr_available()
    assert document.attachments.get().text == ""
    assert document.digitisation == Digitisation.STORED


def test_scan_is_stored_without_text_when_ocr_fails(cast, clerk, monkeypatch):
    monkeypatch.setattr(digitise, "_tesseract", lambda: "/bin/false")

    document = register(clerk, cast.commune_a, SimpleUploadedFile("scan.png", png()))

    assert document.attachments.get().text == ""
    assert document.digitisation == Digitisation.STORED


def test_ocr_that_hangs_is_stopped_by_its_timeout(cast, clerk, monkeypatch, tmp_path):
    slow = tmp_path / "tesseract"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(digitise, "_tesseract", lambda: str(slow))
    monkeypatch.setattr(digitise, "CALL_TIMEOUT", 0.5)
    started = time.monotonic()

    document = register(clerk, cast.commune_a, SimpleUploadedFile("scan.png", png()))

    assert time.monotonic() - started < 10
    assert document.digitisation == Digitisation.STORED


def test_text_is_tidied_and_normalised():
    decomposed = unicodedata.normalize("NFD", "Quyết  định\t số\u00a012 \r\n\n\n\nvề việc")

    assert digitise.tidy(decomposed) == "Quyết định số 12\n\nvề việc"


# Refusals and failures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("quyet-dinh.pdf", b"MZ\x90\x00 a Windows program named like a PDF"),
        ("scan.png", b"%PDF-1.7\nnot really a PDF at all"),
        ("scan.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ],
)
def test_disguised_file_is_refused_and_nothing_is_written(cast, clerk, stored_files, name, content):
    good = SimpleUploadedFile("qd.pdf", text_pdf())

    with pytest.raises(ValidationError) as refused:
        register(clerk, cast.commune_a, good, SimpleUploadedFile(name, content, "application/pdf"))

    assert name in " ".join(refused.value.messages)
    assert not Document.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_failure_after_the_file_is_stored_leaves_no_file_and_no_document(
    cast, clerk, file_store, stored_files, monkeypatch
):
    stored = []

    def fail(document):
        stored.extend(stored_files())
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_claim_reference", fail)

    with pytest.raises(RuntimeError):
        register(clerk, cast.commune_a, SimpleUploadedFile("qd.pdf", text_pdf()))

    assert len(stored) == 1  # it did fail half-way: the file was there
    assert stored_files() == []
    assert not Document.objects.exists()
    assert not Attachment.objects.exists()


def test_failure_does_not_remove_a_file_another_document_uses(cast, clerk, file_store, monkeypatch):
    content = text_pdf()
    first = register(clerk, cast.commune_a, SimpleUploadedFile("qd.pdf", content))
    monkeypatch.setattr(services, "_claim_reference", lambda document: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        register(clerk, cast.commune_a, SimpleUploadedFile("again.pdf", content), symbol="13/QĐ-UBND")

    assert default_storage.exists(first.attachments.get().file.name)
    assert "Attachments intact" in verify()


# documents_verify ------------------------------------------------------------------------------


def test_verify_passes_on_a_clean_store(cast, clerk):
    register(clerk, cast.commune_a, SimpleUploadedFile("qd.pdf", text_pdf()))
    register(clerk, cast.commune_a, SimpleUploadedFile("scan.png", png()), symbol="13/QĐ-UBND")

    output = verify()

    assert "Attachments intact" in output
    assert "2 file(s) checked for 2 attachment(s): 0 missing, 0 altered" in output


def test_verify_fails_naming_a_deleted_file_and_its_documents(cast, clerk, file_store):
    content = text_pdf()
    first = register(clerk, cast.commune_a, SimpleUploadedFile("qd.pdf", content))
    second = register(clerk, cast.commune_a, SimpleUploadedFile("copy.pdf", content), symbol="13/QĐ-UBND")
    name = first.attachments.get().file.name
    default_storage.delete(name)
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"1 missing, 0 altered"):
        call_command("documents_verify", stdout=out)

    report = out.getvalue()
    assert report.count(f"MISSING {name}") == 1  # one shared file, reported once
    assert f"#{first.pk} 12/QĐ-UBND" in report
    assert f"#{second.pk} 13/QĐ-UBND" in report


def test_verify_fails_naming_an_altered_file_with_both_hashes(cast, clerk, file_store, overwrite_stored):
    document = register(clerk, cast.commune_a, SimpleUploadedFile("qd.pdf", text_pdf()))
    attachment = document.attachments.get()
    tampered = default_storage.open(attachment.file.name).read().replace(b"%%EOF", b"%%EOF\n% changed")
    overwrite_stored(attachment.file.name, tampered)
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"0 missing, 1 altered"):
        call_command("documents_verify", stdout=out)

    report = out.getvalue()
    assert f"ALTERED {attachment.file.name}" in report
    assert f"expected sha256 {attachment.sha256} ({attachment.size} bytes)" in report
    assert f"found    sha256 {hashlib.sha256(tampered).hexdigest()} ({len(tampered)} bytes)" in report
    assert f"#{document.pk} 12/QĐ-UBND" in report


def test_verify_for_one_unit_reads_only_its_documents(cast, clerk):
    from communeos.conftest import make_person

    clerk_b = make_person("clerk.b", cast.commune_b, "clerk")
    broken = register(clerk, cast.commune_a, SimpleUploadedFile("qd.pdf", text_pdf()))
    register(clerk_b, cast.commune_b, SimpleUploadedFile("scan.png", png()))
    default_storage.delete(broken.attachments.get().file.name)

    assert "1 file(s) checked for 1 attachment(s): 0 missing" in verify("--unit", cast.commune_b.code)
    with pytest.raises(CommandError, match="1 missing"):
        verify("--unit", cast.commune_a.code)
    with pytest.raises(CommandError, match="No unit has the code"):
        verify("--unit", "99999")
