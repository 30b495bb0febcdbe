from django.conf import settings
from django.core.management.base import BaseCommand

from communeos.core import services


class Command(BaseCommand):
    help = (
        "Remove the files made in the background (exports) asked for more than EXPORT_KEEP_DAYS days ago, and "
        "mark failed the ones whose worker stopped while making them. Run it daily (cron, or a systemd timer)."
    )

    def handle(self, *args, **options):
        stalled = services.exports_fail_stalled()
        removed = services.exports_expire()
        self.stdout.write(
            f"{removed} export(s) older than {settings.EXPORT_KEEP_DAYS} days removed; "
            f"{stalled} whose worker stopped marked failed."
        )
