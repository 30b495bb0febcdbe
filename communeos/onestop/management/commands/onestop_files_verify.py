"""Re-read every dossier's stored files against the SHA-256 and size recorded at upload, and
find the files no dossier holds (left by a write that was cut off, e.g. a killed worker)."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from communeos.core.uploads import stored_digest
from communeos.onestop.models import DossierFile

FOLDER = "dossiers"


class Command(BaseCommand):
    help = (
        "Re-hash every dossier file; list the missing and altered ones with their dossiers and exit non-zero if "
        "there is any. List the stored files no dossier holds (older than --grace minutes: younger ones may "
        "belong to an intake under way), and remove them with --remove-orphans."
    )

    def add_arguments(self, parser):
        parser.add_argument("--remove-orphans", action="store_true", help="Delete the files no dossier holds.")
        parser.add_argument(
            "--grace", type=int, default=60, metavar="MINUTES", help="Leave younger files alone (default 60)."
        )

    def handle(self, *args, remove_orphans=False, grace=60, **options):
        missing = altered = 0
        held = set()
        rows = DossierFile.objects.select_related("dossier").only("file", "sha256", "size", "dossier__code")
        for row in rows.order_by("id").iterator(chunk_size=2000):
            held.add(row.file.name)
            found = stored_digest(row.file.name)
            if not isinstance(found, tuple):
                missing += 1
                self.stdout.write(f"MISSING {row.file.name}{f' ({found})' if found else ''} of {row.dossier.code}")
            elif found != (row.sha256, row.size):
                altered += 1
                self.stdout.write(
                    f"ALTERED {row.file.name} of {row.dossier.code}: expected sha256 {row.sha256} ({row.size} "
                    f"bytes), found {found[0]} ({found[1]} bytes)"
                )
            elif options["verbosity"] >= 2:
                self.stdout.write(f"ok {row.file.name}")
        orphans = self._orphans(held, timezone.now() - timedelta(minutes=grace))
        for name in orphans:
            if remove_orphans:
                default_storage.delete(name)
            self.stdout.write(f"{'REMOVED' if remove_orphans else 'ORPHAN'} {name}")
        summary = (
            f"{len(held)} file(s) checked: {missing} missing, {altered} altered; "
            f"{len(orphans)} held by no dossier{' (removed)' if remove_orphans and orphans else ''}."
        )
        if missing or altered:
            raise CommandError(f"Dossier files NOT intact. {summary}")
        self.stdout.write(f"Dossier files intact. {summary}")

    def _orphans(self, held: set[str], before) -> list[str]:
        """The files under the dossiers' folder, at any depth (`dossiers/<day>/…`, and the
        `dossiers/<two hex digits>/…` of earlier versions), that no row holds and that are
        older than `before`."""
        found = []
        folders = [FOLDER]
        while folders:
            folder = folders.pop()
            try:
                subfolders, files = default_storage.listdir(folder)
            except FileNotFoundError:  # nothing stored on the file system yet
                continue
            folders += [f"{folder}/{sub}" for sub in subfolders]
            for file in files:
                name = f"{folder}/{file}"
                if name not in held and default_storage.get_modified_time(name) < before:
                    found.append(name)
        return sorted(found)
