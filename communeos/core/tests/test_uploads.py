"""Uploaded files are typed by content and must open: a PDF's structure is read directly, and
pypdf decides on the PDFs whose structure is not whole."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from communeos.core.uploads import check_upload, pdf_structure_whole, remove, store_new


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xref_stream_pdf() -> bytes:
    """A PDF 1.5 file whose cross-reference is a stream object, as many scanners write."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    out, offsets = bytearray(b"%PDF-1.5\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    rows = b"".join(b"\x01" + offset.to_bytes(2, "big") + b"\x00" for offset in offsets)
    rows = b"\x00\x00\x00\xff" + rows + b"\x01" + xref_at.to_bytes(2, "big") + b"\x00"
    out += b"4 0 obj\n<< /Type /XRef /Size 5 /W [1 2 1] /Root 1 0 R /Length %d >>\nstream\n" % len(rows)
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def test_whole_pdfs_are_read_without_pypdf():
    assert pdf_structure_whole(pdf())
    assert pdf_structure_whole(xref_stream_pdf())
    assert pdf_structure_whole(pdf() + b"\r\n\x00 trailing bytes some writers add\n")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(pdf()[:-40], id="cut before its end"),
        pytest.param(pdf()[: len(pdf()) // 2], id="cut in half"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<<", id="only a header"),
        pytest.param(pdf().replace(b"/Root", b"/Ruut"), id="no root"),
    ],
)
def test_a_pdf_whose_structure_is_not_whole_is_not_read_as_whole(content):
    assert not pdf_structure_whole(content)


def test_a_pdf_pointing_to_the_wrong_place_is_refused_unless_pypdf_can_repair_it():
    content = pdf()
    end = content.rindex(b"startxref")
    wrong = content[:end] + b"startxref\n9\n%%EOF\n"  # points inside the header
    assert not pdf_structure_whole(wrong)
    assert check_upload(SimpleUploadedFile("repairable.pdf", wrong)).content_type == "application/pdf"
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("damaged.pdf", b"%PDF-1.7\n" + b"\x00" * 200 + b"\n%%EOF\n"))
    assert refused.value.code == "damaged"


def test_each_write_stores_its_own_files_and_removes_only_its_own(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    checked = check_upload(SimpleUploadedFile("scan.pdf", pdf()))
    first, second = [], []
    (kept,) = store_new([checked], "dossiers", first)
    (dropped,) = store_new([checked], "dossiers", second)
    assert kept != dropped and kept.startswith(f"dossiers/{checked.sha256[:2]}/{checked.sha256}-")
    assert default_storage.open(kept).read() == default_storage.open(dropped).read() == pdf()
    remove(second)
    assert second == [] and default_storage.exists(kept) and not default_storage.exists(dropped)
