"""Uploaded files are typed by content and must open: a PDF's structure is read directly, and
pypdf decides on the PDFs whose structure is not whole."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from pypdf import PdfWriter

from communeos.core import calendar
from communeos.core.models import StoredFile
from communeos.core.storage import write_pending
from communeos.core.uploads import atomic_with_files, check_upload, pdf_structure_whole, remove, store, store_new, sync


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


def test_each_write_stores_its_own_files_and_removes_only_its_own(settings, file_store, db):
    settings.FILE_UPLOAD_PERMISSIONS = 0o640  # as the storage would give them, whatever the umask
    checked = check_upload(SimpleUploadedFile("scan.pdf", pdf()))
    first, second = [], []
    days = {calendar.today()}
    (kept,) = store_new([checked], "dossiers", first)
    (dropped,) = store_new([checked], "dossiers", second)
    days.add(calendar.today())  # the test may run across midnight
    assert kept != dropped
    # Named by the day and time (Vietnam's), so that new names sort last, then by content.
    assert any(kept.startswith(f"dossiers/{day:%Y/%m/%d}/") for day in days)
    assert kept.split("/")[-1][12:] == f"-{checked.sha256[:16]}-{kept[-8:]}"
    assert kept[:-26] <= dropped[:-26]  # the day and time: later names sort after
    assert default_storage.open(kept).read() == default_storage.open(dropped).read() == pdf()
    assert default_storage.size(kept) == len(pdf())
    if file_store == "filesystem":
        assert oct(os.stat(default_storage.path(kept)).st_mode & 0o777) == oct(0o640)
    remove(second)
    assert second == [] and default_storage.exists(kept) and not default_storage.exists(dropped)


@pytest.fixture
def synced(monkeypatch):
    """The paths `os.fsync` is called on, in order (Linux: an open descriptor's path)."""
    paths, real = [], os.fsync

    def fsync(fd):
        paths.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return paths


@pytest.mark.parametrize("write", [store, store_new], ids=["by content", "by own name"])
def test_stored_files_and_the_entries_naming_them_are_put_on_the_disk(
    write, settings, tmp_path, synced, filesystem_store, db
):
    settings.MEDIA_ROOT = tmp_path / "media"  # not there yet: the first store makes its folders
    media = tmp_path / "media"
    first, second = (check_upload(SimpleUploadedFile(n, pdf() + n.encode())) for n in ("a.pdf", "b.pdf"))
    written = []
    (name,) = write([first], "dossiers", written)
    # A folder's entry is synced in its parent when it is made, deepest first: the file's folder
    # (`dossiers/<two hex digits>` by content, `dossiers/<year>/<month>/<day>` by own name) up to
    # MEDIA_ROOT are all new.
    made = [os.path.dirname(default_storage.path(name))]
    while made[-1] != str(media):
        made.append(os.path.dirname(made[-1]))
    assert len(made) == (3 if write is store else 5)
    assert synced == [os.path.dirname(folder) for folder in made]
    synced.clear()
    sync(written)  # before the commit of the rows naming them
    path = default_storage.path(name)
    assert synced == [path, os.path.dirname(path)]
    synced.clear()
    again = []
    write([second, first], "dossiers", again)  # `first` again: by content, it is there already
    # By content, dossiers/ gains the new folder of `second` if its hash starts otherwise; by own
    # name, `second` goes to the same day's folder (its month's gains one across midnight).
    parent = str(media / "dossiers") if write is store else os.path.dirname(os.path.dirname(path))
    assert synced in ([], [parent])
    synced.clear()
    sync(again)
    files = [default_storage.path(n) for n in again]
    assert len(files) == (2 if write is store_new else 1)
    assert synced == [*files, *dict.fromkeys(os.path.dirname(f) for f in files)]


def test_a_write_that_stores_files_syncs_them_in_its_transaction(synced, filesystem_store, db):
    @atomic_with_files
    def write(*, written):
        return store_new([check_upload(SimpleUploadedFile("a.pdf", pdf()))], "documents", written)

    (name,) = write()
    path = default_storage.path(name)
    assert synced[-2:] == [path, os.path.dirname(path)]


def test_with_file_sync_off_nothing_is_synced(settings, synced, filesystem_store, db):
    settings.FILE_SYNC = False
    written = []
    store_new([check_upload(SimpleUploadedFile("a.pdf", pdf()))], "dossiers", written)
    sync(written)
    assert synced == [] and default_storage.exists(written[0])


def test_files_kept_in_the_database_are_written_in_the_callers_transaction(stored_files, db):
    @atomic_with_files
    def write(*, written, fail=False):
        names = store_new([check_upload(SimpleUploadedFile("a.pdf", pdf()))], "documents", written)
        if fail:
            raise RuntimeError("after the file was stored")
        return names

    with pytest.raises(RuntimeError):
        write(fail=True)
    assert stored_files() == []
    (name,) = write()
    assert stored_files() == [name] and StoredFile.objects.get(name=name).size == len(pdf())
    assert default_storage.open(name).read() == pdf()


def test_a_caller_that_writes_the_files_itself_gets_them_as_pending(stored_files, db):
    checked = check_upload(SimpleUploadedFile("a.pdf", pdf()))
    written, pending = [], []
    (name,) = store_new([checked], "dossiers", written, pending=pending)
    assert pending == [(name, pdf())] and written == [] and stored_files() == []
    write_pending(pending)
    assert default_storage.open(name).read() == pdf()


def test_files_stored_on_the_disk_before_the_switch_stay_readable(settings, media_root, db):
    (media_root / "documents" / "ab").mkdir(parents=True)
    (media_root / "documents" / "ab" / "old.pdf").write_bytes(pdf())
    assert default_storage.exists("documents/ab/old.pdf") and default_storage.size("documents/ab/old.pdf") == len(pdf())
    assert default_storage.open("documents/ab/old.pdf").read() == pdf()
    assert default_storage.listdir("documents/ab") == ([], ["old.pdf"])
    default_storage.delete("documents/ab/old.pdf")
    assert not (media_root / "documents" / "ab" / "old.pdf").exists()


def test_a_name_already_taken_in_the_database_gets_another(db):
    first = default_storage.save("documents/ab/same", ContentFile(b"one"))
    second = default_storage.save("documents/ab/same", ContentFile(b"two"))
    assert first == "documents/ab/same" and second != first and second.startswith("documents/ab/same")
    assert default_storage.open(first).read() == b"one" and default_storage.open(second).read() == b"two"
    assert default_storage.listdir("documents") == (["ab"], [])
    with pytest.raises(FileNotFoundError):
        default_storage.open("documents/ab/nothing")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage of the contents")
def test_stored_contents_are_kept_uncompressed_out_of_line_under_one_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'core_storedfile'")
        assert [name for (name,) in cursor.fetchall()] == ["core_storedfile_pkey"]
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'core_storedfile'::regclass AND attname = 'content'"
        )
        assert cursor.fetchone()[0] == "e"  # external: out of line, never compressed
