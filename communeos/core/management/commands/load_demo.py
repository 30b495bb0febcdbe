from django.core.management import call_command
from django.core.management.base import BaseCommand

from communeos.people.demo import DEMO_PASSWORD, load_demo_people


class Command(BaseCommand):
    help = "Load the demo world (Lạng Sơn, Working Group No. 4) and print the demo accounts. Idempotent."

    def handle(self, *args, verbosity=1, **options):
        call_command("load_units", verbosity=verbosity)
        accounts = load_demo_people()
        if verbosity:
            width = max(len(a[0]) for a in accounts)
            self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
            for username, role, unit in accounts:
                self.stdout.write(f"  {username.ljust(width)}  {role} — {unit}")
