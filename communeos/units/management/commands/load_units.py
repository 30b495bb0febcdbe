import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communeos.units.services import unit_map_load
from communeos.units.sources import SourceFiles, UnitMapError, package_files, read_map


class Command(BaseCommand):
    help = (
        "Load the administrative map (provinces, districts and communes before and after "
        "1 July 2025, and the lineage between them) from the vietnamadminunits package. "
        "Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=Path, help="Use this dataset.db instead of the package's.")
        parser.add_argument("--converter", type=Path, help="Use this converter_2025.json instead of the package's.")

    def handle(self, *args, dataset=None, converter=None, verbosity=1, **options):
        started = time.monotonic()
        try:
            files = package_files()
            if dataset or converter:
                files = SourceFiles(
                    dataset or files.dataset, converter or files.converter, f"{files.label} (local files)"
                )
            umap = read_map(files)
        except UnitMapError as exc:
            raise CommandError(f"{exc}\nNothing was changed.") from None
        stats = unit_map_load(actor=None, umap=umap)
        if verbosity:
            self.stdout.write(
                f"Units from {umap.source}: {stats['units_created']} created, {stats['units_updated']} updated, "
                f"{stats['successions_created']} lines of lineage added ({time.monotonic() - started:.1f} s)."
            )
