"""manage.py recompute_risk: every premises' risk colour and next patrol date, from scratch."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from premises.services import recompute_risk


class Command(BaseCommand):
    help = (
        "Recompute the risk colour (docs/workflow.md) and next patrol date of every premises, in "
        "batches. Safe to run at any time and as often as wanted: it only corrects what differs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Premises per batch (default 1000)."
        )

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        checked, changed = recompute_risk(today=timezone.localdate(), batch_size=batch_size)
        self.stdout.write(
            f"{checked} premises checked, {changed} changed, in {time.monotonic() - started:.1f} s."
        )
