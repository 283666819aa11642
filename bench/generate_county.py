"""python -m bench.generate_county: a generated county in an empty PostgreSQL benchmark database.

At --scale 1: 15 towns, 300 villages, 1,500 grids, 100,000 premises, 1,000,000 inspections and
300,000 hazards over 3 years, 2,000 users (password gridwatch-demo). Never on a real database:
refuses SQLite, and a database with premises unless --force. The database is the one
DATABASE_URL names, migrated beforehand (manage.py migrate).
"""

import argparse
import os
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.generate_county", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count")
    parser.add_argument("--seed", type=int, default=2026, help="the same seed, the same county")
    parser.add_argument("--years", type=float, default=3, help="years of history")
    parser.add_argument(
        "--force", action="store_true", help="add a county to a database that has premises"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 10 or not 0 < args.years <= 10:
        parser.error("--scale and --years must be above 0 and at most 10.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench.county import CountyError, generate_county

    try:
        result = generate_county(
            scale=args.scale, seed=args.seed, years=args.years, force=args.force, log=print
        )
    except CountyError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"Loaded in {result['load_seconds']:.0f} s (with VACUUM ANALYZE "
        f"{result['total_seconds']:.0f} s): {result['counts']}; hazards {result['statuses']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
