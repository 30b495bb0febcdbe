"""Uploaded files: the type is read from the content, never from the name.

Accepted: PDF, JPEG, PNG. An image must also decode (Pillow), and a PDF must open
(pypdf), so a renamed or truncated file is refused with a message saying why.
"""

import functools
import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
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


def _decodes(content: bytes, content_type: str) -> bool:
    try:
        if content_type == "application/pdf":
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
                    _remove(written)
                    raise
        except BaseException:
            _remove(written)  # the commit itself failed (a deferred constraint)
            raise

    return run


def _remove(written: list[str]) -> None:
    while written:
        default_storage.delete(written.pop())
