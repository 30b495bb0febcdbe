from django.conf import settings
from django.core.management.base import BaseCommand

from communeos.core import services


class Command(BaseCommand):
    help = "Remove the files made in the background (exports) asked for more than EXPORT_KEEP_DAYS days ago."

    def handle(self, *args, **options):
        removed = services.exports_expire()
        self.stdout.write(f"{removed} export(s) older than {settings.EXPORT_KEEP_DAYS} days removed.")
