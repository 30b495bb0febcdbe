"""Uploaded files are typed by content and must open: a PDF's structure is read directly, and
pypdf decides on the PDFs whose structure is not whole."""

import io
import os

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


def test_whole_pdfs_are_read_without_pypdf():
    assert pdf_structure_whole(pdf())
    assert pdf_structure_whole(pdf() + b"\r\n\x00 trailing bytes some writers add\n")


def test_a_pdf_with_its_cross_reference_in_a_stream_is_left_to_pypdf():
    from weasyprint import HTML  # writes PDF 1.5 cross-reference streams, as many scanners do

    content = HTML(string="<p>Giấy khai sinh</p>").write_pdf()
    assert not pdf_structure_whole(content)
    assert check_upload(SimpleUploadedFile("form.pdf", content)).content_type == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(pdf()[:-40], id="cut before its end"),
        pytest.param(pdf()[: len(pdf()) // 2], id="cut in half"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<<", id="only a header"),
        pytest.param(pdf().replace(b"/Root", b"/Ruut"), id="no root"),
        pytest.param(pdf().replace(b"/Catalog", b"/Katalog"), id="the root is no catalogue"),
        pytest.param(pdf().replace(b"/Count 1", b"/Count 0"), id="no page"),
        pytest.param(b"%PDF-1.4\nxref\ntrailer <</Root 1 0 R>>\nstartxref\n9\n%%EOF", id="only the words"),
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
    settings.FILE_UPLOAD_PERMISSIONS = 0o640  # as the storage would give them, whatever the umask
    checked = check_upload(SimpleUploadedFile("scan.pdf", pdf()))
    first, second = [], []
    (kept,) = store_new([checked], "dossiers", first)
    (dropped,) = store_new([checked], "dossiers", second)
    assert kept != dropped and kept.startswith(f"dossiers/{checked.sha256[:2]}/{checked.sha256}-")
    assert default_storage.open(kept).read() == default_storage.open(dropped).read() == pdf()
    assert oct(os.stat(default_storage.path(kept)).st_mode & 0o777) == oct(0o640)
    remove(second)
    assert second == [] and default_storage.exists(kept) and not default_storage.exists(dropped)
