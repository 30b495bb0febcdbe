"""Re-read every stored attachment and check it against the SHA-256 and size recorded at upload."""

from itertools import groupby

from django.core.management.base import BaseCommand, CommandError

from communeos.core.uploads import stored_digest
from communeos.documents.models import Attachment
from communeos.units.models import Unit


class Command(BaseCommand):
    help = (
        "Re-hash every attachment's stored file; list the missing and altered ones with their documents "
        "and exit non-zero if there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--unit", metavar="CODE", help="Only the documents of the unit with this code (in any period it held it)."
        )

    def handle(self, *args, unit=None, **options):
        attachments = Attachment.objects.select_related("document").only(
            "file", "sha256", "size", "document__id", "document__symbol"
        )
        if unit:
            if not Unit.objects.filter(code=unit).exists():
                raise CommandError(f"No unit has the code {unit!r}.")
            attachments = attachments.filter(document__unit__code=unit)
        # Several attachments (documents) can share one stored file: ordered by file, each file
        # is read once, and only one file's rows are held at a time.
        files = missing = altered = rows = 0
        rows_by_file = groupby(attachments.order_by("file", "id").iterator(chunk_size=2000), key=lambda a: a.file.name)
        for name, group in rows_by_file:
            group = list(group)
            files += 1
            rows += len(group)
            found = stored_digest(name)
            if not isinstance(found, tuple):
                missing += 1
                self.stdout.write(f"MISSING {name}{f' ({found})' if found else ''}\n  {_documents(group)}")
                continue
            sha256, size = found
            wrong = [a for a in group if (a.sha256, a.size) != (sha256, size)]
            if wrong:
                altered += 1
                expected = sorted({(a.sha256, a.size) for a in wrong})
                self.stdout.write(
                    f"ALTERED {name}\n"
                    + "".join(f"  expected sha256 {e} ({s} bytes)\n" for e, s in expected)
                    + f"  found    sha256 {sha256} ({size} bytes)\n"
                    + f"  {_documents(wrong)}"
                )
            elif options["verbosity"] >= 2:
                self.stdout.write(f"ok {name}")
        summary = f"{files} file(s) checked for {rows} attachment(s): {missing} missing, {altered} altered."
        if missing or altered:
            raise CommandError(f"Attachments NOT intact. {summary}")
        self.stdout.write(f"Attachments intact. {summary}")


def _documents(attachments: list[Attachment]) -> str:
    seen = dict.fromkeys((a.document.pk, a.document.symbol or "(no number yet)") for a in attachments)
    return "documents: " + ", ".join(f"#{pk} {symbol}" for pk, symbol in seen)
