from django.core.management import call_command
from django.core.management.base import BaseCommand

from communeos.documents.demo import DEFAULT_PER_UNIT, load_demo_documents
from communeos.onestop.demo import DEFAULT_COUNT, load_demo_dossiers
from communeos.people.demo import DEMO_PASSWORD, load_demo_people


class Command(BaseCommand):
    help = "Load the demo world (Lạng Sơn, Working Group No. 4) and print the demo accounts. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dossiers",
            type=int,
            default=DEFAULT_COUNT,
            help="How many one-stop dossiers to replay on a fresh database (default %(default)s).",
        )
        parser.add_argument(
            "--documents",
            type=int,
            default=DEFAULT_PER_UNIT,
            help="About how many documents each commune registers or issues in a year (default %(default)s).",
        )

    def handle(self, *args, verbosity=1, dossiers=DEFAULT_COUNT, documents=DEFAULT_PER_UNIT, **options):
        call_command("load_units", verbosity=verbosity)
        accounts = load_demo_people()
        counts = load_demo_dossiers(count=dossiers)
        papers = load_demo_documents(per_unit=documents)
        if verbosity:
            stopped = f", stopped {counts['stopped']}" if counts["stopped"] else ""
            self.stdout.write(
                f"Demo dossiers: {counts['total']} (early {counts['early']}, on time {counts['on_time']}, "
                f"late {counts['late']}, in progress {counts['in_progress']}{stopped})"
            )
            self.stdout.write(
                f"Demo documents: {papers['total']} (incoming {papers['incoming']}, outgoing {papers['outgoing']}; "
                f"confidential {papers['confidential']}, urgent {papers['urgent']}, overdue {papers['overdue']}; "
                f"citations {papers['citations']}, {papers['linked']} to registered documents, "
                f"{papers['placeholders']} outside ones)"
            )
            width = max(len(a[0]) for a in accounts)
            self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
            for username, role, unit in accounts:
                self.stdout.write(f"  {username.ljust(width)}  {role} — {unit}")
