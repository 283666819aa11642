"""manage.py seed_demo: the demo town 青山镇 (built by the demo package)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.record import seed_demo
from demo.words import DEFAULT_PREMISES, DEMO_PASSWORD, MIN_PREMISES


class Command(BaseCommand):
    help = (
        "Seed the demo town 青山镇 (QS): villages, grids, premises, a year of inspections and "
        f"hazards, and the demo logins (password {DEMO_PASSWORD}). Safe to run again: a seeded "
        "town is left as it is and only the demo logins' roles are made sure of."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (the demo logins share a published password).",
        )
        parser.add_argument(
            "--premises",
            type=int,
            default=DEFAULT_PREMISES,
            help=f"How many premises (default {DEFAULT_PREMISES}; fewer makes a faster test).",
        )

    def handle(self, *args, force: bool, premises: int, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a real deployment: the demo logins would share "
                f"the published password {DEMO_PASSWORD!r}. Pass --force to seed anyway."
            )
        if premises < MIN_PREMISES:
            raise CommandError(f"--premises must be at least {MIN_PREMISES}.")
        seed_demo(premises=premises, log=self.stdout.write)
