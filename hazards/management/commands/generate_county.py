"""manage.py generate_county: a county-scale benchmark database (the logic is bench/county)."""

from django.core.management.base import BaseCommand, CommandError

from bench.county import CountyError, generate_county


class Command(BaseCommand):
    help = (
        "Load a generated county into an empty PostgreSQL benchmark database: at --scale 1, "
        "15 towns, 300 villages, 1,500 grids, 100,000 premises, 1,000,000 inspections and "
        "300,000 hazards over 3 years, 2,000 users (password gridwatch-demo). Never on a real "
        "database: refuses SQLite, and a database with premises unless --force."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count")
        parser.add_argument("--seed", type=int, default=2026, help="the same seed, the same county")
        parser.add_argument(
            "--years", type=float, default=3, help="years of history (same yearly rates)"
        )
        parser.add_argument(
            "--force", action="store_true", help="add a county to a database that has premises"
        )

    def handle(self, *args, scale: float, seed: int, years: float, force: bool, **options):
        if not 0 < scale <= 10 or not 0 < years <= 10:
            raise CommandError("--scale and --years must be above 0 and at most 10.")
        try:
            result = generate_county(
                scale=scale, seed=seed, years=years, force=force, log=self.stdout.write
            )
        except CountyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Loaded in {result['load_seconds']:.0f} s (with VACUUM ANALYZE "
            f"{result['total_seconds']:.0f} s): {result['counts']}; hazards {result['statuses']}"
        )
