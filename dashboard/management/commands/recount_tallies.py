"""manage.py recount_tallies: check the dashboard's monthly tallies against the rows, and
recount them from the rows with --repair."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dashboard import tallies


class Command(BaseCommand):
    help = (
        "Compare the dashboard's monthly tallies with the inspections and hazards "
        "they count; with --repair, recount them all first (e.g. after restoring an old dump)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repair", action="store_true", help="Recount every tally first.")

    def handle(self, *args, repair: bool, **options) -> None:
        started = time.monotonic()
        if repair:
            with transaction.atomic():
                tallies.rebuild()
            self.stdout.write(f"Recounted every tally in {time.monotonic() - started:.1f} s.")
        differences = tallies.drift()
        for line in differences[:20]:
            self.stdout.write(line)
        if differences:
            raise CommandError(
                f"{len(differences)} tallies differ from the rows: run with --repair."
            )
        self.stdout.write(f"Tallies equal the rows ({time.monotonic() - started:.1f} s).")
