"""Uploaded files: the type is read from the content, never from the name.

Accepted: PDF, JPEG, PNG. An image must also decode (Pillow), and a PDF must open, so a
renamed or truncated file is refused with a message saying why. A PDF opens when its
structure is whole — the end-of-file marker, the cross-reference it points to, a trailer
naming the document's root — which is read here in microseconds; a PDF whose structure
is not whole is given to pypdf, which repairs what readers repair and decides.
"""

import functools
import hashlib
import io
import os
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from communeos.core import calendar
from communeos.core.storage import in_database

SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def sniff(content: bytes) -> str | None:
    """The type the content really is (of the accepted ones), or None."""
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return content_type
    return None


# The last `startxref <offset> %%EOF` of the file, in its last kilobyte (readers allow some
# bytes after the marker).
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_SUBSECTION = re.compile(rb"\s*(\d+)\s+(\d+)[ \t]*\r?\n?")
_REFERENCE = rb"\s*(\d+)\s+(\d+)\s+R"
_ROOT = re.compile(rb"/Root" + _REFERENCE)
_PAGES = re.compile(rb"/Pages" + _REFERENCE)
_COUNT = re.compile(rb"/Count\s+(\d+)")


def pdf_structure_whole(content: bytes) -> bool:
    """True when the PDF opens the way a reader opens it, without repairing anything: its
    end points at a cross-reference table; the table's trailer names the root; the table
    places the root where a catalogue object of that number begins, and the catalogue's page
    tree where a page-tree object with pages begins. False for anything else, including the
    files that keep their cross-reference in a stream (PDF 1.5): `check_upload` then asks pypdf."""
    ends = list(_STARTXREF.finditer(content, max(len(content) - 1024, 0)))
    if not ends:
        return False
    end = ends[-1].start()
    at = int(ends[-1].group(1))
    if not 0 < at < end or not content[at : at + 8].lstrip().startswith(b"xref"):
        return False
    trailer = content.find(b"trailer", at, end)
    root = _ROOT.search(content, trailer, end) if trailer != -1 else None
    if root is None:
        return False
    offsets = _xref_offsets(content, content.index(b"xref", at) + 4, trailer)
    catalog = _object(content, offsets, *root.groups())
    pages = _PAGES.search(catalog) if catalog and b"/Catalog" in catalog else None
    tree = _object(content, offsets, *pages.groups()) if pages else None
    count = _COUNT.search(tree) if tree and b"/Pages" in tree else None
    return count is not None and int(count.group(1)) > 0


def _xref_offsets(content: bytes, at: int, trailer: int) -> dict[tuple[int, int], int]:
    """The cross-reference table's objects in use: (number, generation) → byte offset."""
    offsets = {}
    while at < trailer:
        subsection = _SUBSECTION.match(content, at, trailer)
        if subsection is None:
            break
        first, count = map(int, subsection.groups())
        at = subsection.end()
        for number in range(first, first + count):
            entry = content[at : at + 20].split()
            if len(entry) != 3:
                return offsets
            if entry[2] == b"n":
                offsets[(number, int(entry[1]))] = int(entry[0])
            at += 20
    return offsets


def _object(content: bytes, offsets: dict, number: bytes, generation: bytes) -> bytes | None:
    """The text of object `number generation` from its `obj` to its `endobj`, if it is there."""
    at = offsets.get((int(number), int(generation)))
    if at is None or not re.match(rb"\s*%s\s+%s\s+obj\b" % (number, generation), content[at : at + 40]):
        return None
    stop = content.find(b"endobj", at)
    return content[at:stop] if stop != -1 else None


def _decodes(content: bytes, content_type: str) -> bool:
    try:
        if content_type == "application/pdf":
            if pdf_structure_whole(content):
                return True
            from pypdf import PdfReader

            return len(PdfReader(io.BytesIO(content)).pages) > 0
        from PIL import Image

        with Image.open(io.BytesIO(content)) as image:
            image.verify()
        return True
    except Exception:  # noqa: BLE001 — any decoder failure means the same: not a usable file
        return False


def check_upload(upload) -> CheckedUpload:
    """Read an uploaded file (Django's UploadedFile or anything with .name and .read())
    and return it checked, or raise ValidationError naming the file and the problem."""
    name = getattr(upload, "name", "") or _("file")
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(_too_big(name, size, limit), code="size")
    content = upload.read()
    if len(content) > limit:
        raise ValidationError(_too_big(name, len(content), limit), code="size")
    if not content:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    content_type = sniff(content)
    if content_type is None:
        raise ValidationError(
            _("%(name)s is not a PDF, JPEG or PNG file (whatever its name says).") % {"name": name}, code="type"
        )
    if not _decodes(content, content_type):
        raise ValidationError(
            _("%(name)s looks like a %(type)s file but cannot be opened: it is damaged or disguised.")
            % {"name": name, "type": content_type.split("/")[-1].upper()},
            code="damaged",
        )
    return CheckedUpload(
        name=name[:200], content=content, content_type=content_type, sha256=hashlib.sha256(content).hexdigest()
    )


def _too_big(name: str, size: int, limit: int) -> str:
    return _("%(name)s is %(size).1f MB; the limit is %(limit).0f MB.") % {
        "name": name,
        "size": size / 1_000_000,
        "limit": limit / 1_000_000,
    }


def store(checked: list[CheckedUpload], folder: str, written: list[str]) -> list[str]:
    """Store checked files under their SHA-256 in `folder` (once: the same content is one
    file); return their names, in order, and note in `written` the files this call created,
    for `atomic_with_files` to remove.

    Two writes storing the same content at once: the second waits (PostgreSQL: a lock on the
    content's hash, held until the first's transaction ends) and finds the file only if the
    first kept it — a rolled-back first write removes its file before it lets go. All of a
    write's locks are taken in one statement, in one order: two writes never wait for each
    other in a circle."""
    if checked and connection.vendor == "postgresql":  # SQLite runs one write transaction at a time
        keys = sorted({_lock_key(upload.sha256) for upload in checked})
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(key) FROM unnest(%s::bigint[]) AS key", [keys])
    names = []
    for upload in checked:
        name = f"{folder}/{upload.sha256[:2]}/{upload.sha256}"
        if not default_storage.exists(name):
            if isinstance(default_storage, FileSystemStorage):
                try:
                    _write_new_file(default_storage, name, upload.content)
                except FileExistsError:  # SQLite: the same content, written by a write not yet committed
                    name = f"{name}-{secrets.token_hex(4)}"
                    _write_new_file(default_storage, name, upload.content)
            else:
                name = default_storage.save(name, ContentFile(upload.content))
            written.append(name)
        names.append(name)
    return names


def store_new(
    checked: list[CheckedUpload], folder: str, written: list[str], *, pending: list | None = None
) -> list[str]:
    """Store checked files under new names of their own in `folder` (`new_name`: the same
    content given twice is two files); return their names, in order, and note
    each in `written`, for `atomic_with_files` (or the caller) to remove if the write fails.
    No file is shared, so no lock is needed: what a failed write removes is only its own.

    With `pending` given and files kept in the database (`core.storage`), nothing is written
    here: the (name, content) pairs go to `pending`, for the caller to write with its own rows
    (the intake statement writes them in the same round trip)."""
    names = []
    for upload in checked:
        name = new_name(folder, upload.sha256)
        names.append(name)
        if pending is not None and in_database():
            pending.append((name, upload.content))
            continue
        if isinstance(default_storage, FileSystemStorage):
            _write_new_file(default_storage, name, upload.content)
        else:
            names[-1] = name = default_storage.save(name, ContentFile(upload.content))
        written.append(name)
    return names


def new_name(folder: str, sha256: str) -> str:
    """A new file's name of its own in `folder`: the day and the time it is stored (Vietnam's,
    to the microsecond), the start of its SHA-256 and a random suffix, e.g.
    `dossiers/2026/11/24/093512047311-7306adeb2de9f74d-5ba7b513`. New names sort after the
    ones before them, so the index of the files kept in the database takes them at one place,
    on pages that stay in memory, rather than anywhere in an index that grows by millions of
    names a year (each insert a page to read, and after each checkpoint a whole page written
    to the log); on the disk a folder holds one day's files."""
    at = calendar.now()
    return f"{folder}/{at:%Y/%m/%d/%H%M%S%f}-{sha256[:16]}-{secrets.token_hex(4)}"


def _write_new_file(storage: FileSystemStorage, name: str, content: bytes) -> None:
    """What `FileSystemStorage.save` does for a name nobody else holds, in a few system calls:
    no free-name search, no file lock. Files and new folders get the storage's permissions, as
    it gives them. The file is not synced here (`sync`); a new folder is."""
    path = storage.path(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:  # the folder's first file
        _make_folder(storage, os.path.dirname(path))
        fd = os.open(path, flags, 0o666)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        if storage.file_permissions_mode is not None:
            os.fchmod(fd, storage.file_permissions_mode)
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise
    os.close(fd)


def _make_folder(storage: FileSystemStorage, folder: str) -> None:
    """Make `folder` and its missing parents, and put their entries on the disk (a folder is
    made once; `sync` then syncs only a file's own folder)."""
    missing = []
    while not os.path.isdir(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    if not missing:  # made by another process meanwhile
        return
    if storage.directory_permissions_mode is None:
        os.makedirs(missing[0], exist_ok=True)
    else:
        umask = os.umask(0o777 & ~storage.directory_permissions_mode)  # as FileSystemStorage._save
        try:
            os.makedirs(missing[0], storage.directory_permissions_mode, exist_ok=True)
        finally:
            os.umask(umask)
    for made in missing if settings.FILE_SYNC else []:  # deepest first: its entries, then it
        _fsync(os.path.dirname(made))


def sync(names: list[str]) -> None:
    """Put stored files, then the folder entries naming them, on the disk: called before the
    commit of the rows that name them, so that a crash of the machine cannot leave a committed
    record whose file is lost (`FILE_SYNC`, on unless turned off). Other storages (an object
    store) answer a save once it is durable."""
    if not settings.FILE_SYNC or not isinstance(default_storage, FileSystemStorage):
        return
    paths = [default_storage.path(name) for name in names]
    for path in [*paths, *dict.fromkeys(os.path.dirname(path) for path in paths)]:
        _fsync(path)


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove(written: list[str]) -> None:
    """Remove the files a failed write stored (emptying `written`)."""
    while written:
        default_storage.delete(written.pop())


def serve(name: str, content_type: str, filename: str, *, download: bool = False) -> FileResponse:
    """A stored file as an answer to open in the browser (or to save, `download`), under its
    original name (the type is the one read from its content at upload; browsers are told not
    to guess another)."""
    try:
        stored = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stored, content_type=content_type, as_attachment=download, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # personal data: kept by no shared cache, nor on the disk
    return response


def stored_digest(name: str) -> tuple[str, int] | str | None:
    """The SHA-256 and size of a stored file, read in chunks; None if it is not there, or why it
    cannot be read (the `*_verify` commands)."""
    sha256, size = hashlib.sha256(), 0
    try:
        with default_storage.open(name, "rb") as stored:
            while chunk := stored.read(1024 * 1024):
                sha256.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot be read: {error}"
    return sha256.hexdigest(), size


def _lock_key(sha256: str) -> int:
    """The content's advisory lock: the hash's first 8 bytes as a signed 64-bit integer."""
    return int.from_bytes(bytes.fromhex(sha256[:16]), "big", signed=True)


def atomic_with_files(function):
    """Run a write that stores files in one transaction, passing it `written=[]`: the files
    are synced to the disk before the commit (`sync`), and if the write fails, the files it
    stored are removed too — no file without its record. They are removed before the
    transaction rolls back, while it still holds their content locks (`store`), so that a write
    of the same content waiting on them stores the file again."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        written: list[str] = []
        try:
            with transaction.atomic():
                try:
                    result = function(*args, written=written, **kwargs)
                    sync(written)
                    return result
                except BaseException:
                    remove(written)
                    raise
        except BaseException:
            remove(written)  # the commit itself failed (a deferred constraint)
            raise

    return run
