from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from hazards.reminders import sweep

SWEEP_TIME = time(8, 30)


class Command(BaseCommand):
    help = "Run the reminder sweep now (or for --date) and print what it sent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="the day to sweep, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be sent; change nothing"
        )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
            now = timezone.make_aware(datetime.combine(day, SWEEP_TIME))
        with transaction.atomic():
            report = sweep(now=now)
            if options["dry_run"]:
                # Rolled back: no notification, no event, and on_commit never queues a send.
                transaction.set_rollback(True)
        prefix = "[dry run] " if options["dry_run"] else ""
        lines = report.lines() or ["nothing due"]
        for line in lines:
            self.stdout.write(f"{prefix}{report.day}: {line}")
