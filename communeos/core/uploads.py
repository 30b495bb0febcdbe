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
from django.utils.translation import gettext as _

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
# bytes after the marker); the cross-reference there: a table, or a stream object (PDF 1.5).
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_XREF_STREAM = re.compile(rb"\s*\d+\s+\d+\s+obj\b")


def pdf_structure_whole(content: bytes) -> bool:
    """True when the PDF's end points at a cross-reference whose trailer (or stream
    dictionary) names the root: what a reader needs to open it without repairing it."""
    ends = list(_STARTXREF.finditer(content, max(len(content) - 1024, 0)))
    if not ends:
        return False
    offset = int(ends[-1].group(1))
    if not 0 < offset < ends[-1].start():
        return False
    end = ends[-1].start()
    if content[offset : offset + 8].lstrip().startswith(b"xref"):
        trailer = content.find(b"trailer", offset, end)
        return trailer != -1 and content.find(b"/Root", trailer, end) != -1
    if _XREF_STREAM.match(content, offset):
        stream = content.find(b"stream", offset, end)
        return stream != -1 and b"/XRef" in content[offset:stream] and b"/Root" in content[offset:stream]
    return False


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
            name = default_storage.save(name, ContentFile(upload.content))
            written.append(name)
        names.append(name)
    return names


def store_new(checked: list[CheckedUpload], folder: str, written: list[str]) -> list[str]:
    """Store checked files under new names of their own in `folder` (the SHA-256 and a random
    suffix: the same content given twice is two files); return their names, in order, and note
    each in `written`, for `atomic_with_files` (or the caller) to remove if the write fails.
    No file is shared, so no lock is needed: what a failed write removes is only its own."""
    names = []
    for upload in checked:
        name = f"{folder}/{upload.sha256[:2]}/{upload.sha256}-{secrets.token_hex(4)}"
        if isinstance(default_storage, FileSystemStorage):
            _write_new_file(default_storage, name, upload.content)
        else:
            name = default_storage.save(name, ContentFile(upload.content))
        written.append(name)
        names.append(name)
    return names


def _write_new_file(storage: FileSystemStorage, name: str, content: bytes) -> None:
    """What `FileSystemStorage.save` does for a name nobody else can hold (a new random one),
    in three system calls instead of a dozen: no free-name search, no file lock."""
    path = storage.path(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, storage.file_permissions_mode or 0o666)
    except FileNotFoundError:  # the folder's first file
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, flags, storage.file_permissions_mode or 0o666)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise
    os.close(fd)


def remove(written: list[str]) -> None:
    """Remove the files a failed write stored (emptying `written`)."""
    while written:
        default_storage.delete(written.pop())


def _lock_key(sha256: str) -> int:
    """The content's advisory lock: the hash's first 8 bytes as a signed 64-bit integer."""
    return int.from_bytes(bytes.fromhex(sha256[:16]), "big", signed=True)


def atomic_with_files(function):
    """Run a write that stores files in one transaction, passing it `written=[]`: if the
    write fails, the files it stored are removed too — no file without its record. They are
    removed before the transaction rolls back, while it still holds their content locks
    (`store`), so that a write of the same content waiting on them stores the file again."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        written: list[str] = []
        try:
            with transaction.atomic():
                try:
                    return function(*args, written=written, **kwargs)
                except BaseException:
                    remove(written)
                    raise
        except BaseException:
            remove(written)  # the commit itself failed (a deferred constraint)
            raise

    return run
