"""Uploaded files kept in the database: Django's file storage API over `core.StoredFile`.

`FILE_STORE=database` (the default) makes this the default storage. A file is then a row,
written in the transaction of the record that names it: they are committed together (one
flush of the database's log makes both durable), rolled back together (no file without its
record, whatever fails and wherever the transaction began), and backed up, replicated and
restored together. `FILE_STORE=filesystem` keeps files under `MEDIA_ROOT` instead, synced to
the disk before their records are committed (`core.uploads.sync`); an object store (S3) is
a storage of its own, set in `STORAGES`.

Files stored under `MEDIA_ROOT` before the switch stay readable: a name with no row is looked
up there (`fallback`), so switching needs no migration of the files.

On PostgreSQL the content is a `bytea` kept out of line and not compressed (the files are
PDFs and images, compressed already: migration `core/0009`); a file is read whole into
memory, which suits the upload limit (`UPLOAD_MAX_MB`, 10 MB by default).
"""

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible


def in_database() -> bool:
    """Whether the default storage keeps files in the database."""
    return isinstance(default_storage, DatabaseStorage)


def write_pending(pending: list[tuple[str, bytes]]) -> None:
    """Write the files `uploads.store_new` left to the caller (name, content), in the caller's
    transaction: one statement."""
    from communeos.core.models import StoredFile

    at = timezone.now()
    StoredFile.objects.bulk_create(
        [StoredFile(name=name, content=content, size=len(content), created_at=at) for name, content in pending]
    )


def pending_insert_sql(files: int) -> str:
    """PostgreSQL: `write_pending` of `files` files as a statement (or a part of one), taking
    each file's name and content in turn (`pending_params`). Each content is a parameter of its
    own, sent as it is (binary); an array of them would be assembled in Python."""
    from communeos.core.models import StoredFile

    rows = ", ".join(["(%s, CAST(%s AS bytea))"] * files)
    return (
        f"INSERT INTO {StoredFile._meta.db_table} (name, content, size, created_at) "  # noqa: S608 - table name only
        f"SELECT f.name, f.content, octet_length(f.content), now() FROM (VALUES {rows}) AS f(name, content)"
    )


def pending_params(pending: list[tuple[str, bytes]]) -> list:
    return [value for pair in pending for value in pair]


@deconstructible(path="communeos.core.storage.DatabaseStorage")
class DatabaseStorage(Storage):
    def __init__(self, fallback: bool = True):
        self.fallback = FileSystemStorage() if fallback else None

    # Reading ---------------------------------------------------------------------------------

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("Files in the database are written with save(), not opened for writing.")
        content = self._read(name, "content", lambda name: None)
        return self.fallback.open(name, mode) if content is None else ContentFile(bytes(content), name=name)

    def exists(self, name) -> bool:
        from communeos.core.models import StoredFile

        return StoredFile.objects.filter(name=name).exists() or self._on_disk(name)

    def size(self, name) -> int:
        return self._read(name, "size", lambda name: self.fallback.size(name))

    def get_created_time(self, name):
        return self._read(name, "created_at", lambda name: self.fallback.get_created_time(name))

    get_modified_time = get_accessed_time = get_created_time  # a stored file is never changed

    def listdir(self, path):
        """The folders and files directly under `path` (reads every name under it: maintenance only)."""
        from communeos.core.models import StoredFile

        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        folders, files = set(), set()
        for name in StoredFile.objects.filter(name__startswith=prefix).values_list("name", flat=True).iterator():
            head, slash, _rest = name[len(prefix) :].partition("/")
            (folders if slash else files).add(head)
        if self.fallback is not None and self.fallback.exists(path):
            more_folders, more_files = self.fallback.listdir(path)
            folders.update(more_folders)
            files.update(more_files)
        return sorted(folders), sorted(files)

    def url(self, name):
        raise NotImplementedError("Stored files are served by the views that check who may read them.")

    # Writing ---------------------------------------------------------------------------------

    def _save(self, name, content):
        from communeos.core.models import StoredFile

        data = content.read() if hasattr(content, "read") else bytes(content)
        while True:
            try:
                with transaction.atomic():  # a savepoint: a clash leaves the caller's transaction usable
                    StoredFile.objects.create(name=name, content=data, size=len(data), created_at=timezone.now())
                return name
            except IntegrityError:  # the name was taken meanwhile
                name = self.get_available_name(name)

    def delete(self, name):
        from communeos.core.models import StoredFile

        StoredFile.objects.filter(name=name).delete()
        if self._on_disk(name):
            self.fallback.delete(name)

    # ---------------------------------------------------------------------------------------

    def _read(self, name, column: str, on_disk):
        """One column of the file's row; for a file with no row, `on_disk(name)` if it is under
        MEDIA_ROOT (stored before the switch), else FileNotFoundError."""
        from communeos.core.models import StoredFile

        value = StoredFile.objects.filter(name=name).values_list(column, flat=True).first()
        if value is not None:
            return value
        if self._on_disk(name):
            return on_disk(name)
        raise FileNotFoundError(f"No stored file {name!r}")

    def _on_disk(self, name) -> bool:
        if self.fallback is None:
            return False
        try:
            return self.fallback.exists(name)
        except SuspiciousFileOperation:
            return False
