"""County-scale benchmark (docs/decisions.md, Targets): real requests through gunicorn (DEBUG
off, the dashboard's cache in Redis as in production) on PostgreSQL, one at a time, p50/p95 of
`--requests` after three warm-ups, beside each the machine's CPU a request with eight clients;
every dashboard figure recounted from the rows. Writes its sections of bench/RESULTS.md.

    .venv/bin/python bench/run.py              # measure the county database as it is
    .venv/bin/python bench/run.py --fresh      # drop, create and generate it first, timed
    .venv/bin/python bench/run.py --sweep      # and time the daily reminder sweep on a copy

The county database (`--database`, default gw_county) is generated at scale 1 over 3 years
(100,000 premises, ~1,000,000 inspections, ~300,000 hazards). The cache is Redis database
`--redis-db` (default 3) on 127.0.0.1:6379, the benchmark's own: it is emptied before every
request that must find every cache empty. `--quiet-load 1.0` waits (up to 20 minutes) for the
1-minute load average to drop below 1.0 before measuring.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, PYTHON, ROOT, bench_env, generate_county, load_average, manage

PORT = 8811  # and PORT + 1; other benchmarks use 8791-8797
SERVER = "postgres://postgres@127.0.0.1:5432"
SCALE, YEARS = 1.0, 3.0


def dsn(name: str) -> str:
    return f"{SERVER}/{name}"


def env_for(name: str, redis_db: int) -> dict:
    env = bench_env(dsn(name))
    env["MEDIA_ROOT"] = str(OUT / "media")
    env["REDIS_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
    return env


def wait_quiet(limit: float, timeout: float = 1200) -> str:
    """Wait until the 1-minute load average is below `limit`; say what it was."""
    started = time.monotonic()
    while os.getloadavg()[0] >= limit and time.monotonic() - started < timeout:
        time.sleep(10)
    waited = time.monotonic() - started
    quiet = os.getloadavg()[0] < limit
    return f"{'quiet' if quiet else 'NOT quiet'} after {waited:.0f} s wait, load {load_average()}"


def generate(name: str, redis_db: int) -> dict:
    """Drop, create and migrate the database, then time `python -m bench.generate_county`."""
    from bench.sweep import _admin

    with _admin(dsn(name)) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = env_for(name, redis_db)
    started = time.monotonic()
    manage(env, "migrate", "--noinput")
    migrated = time.monotonic() - started
    load = load_average()
    started = time.monotonic()
    output = generate_county(env, "--scale", str(SCALE), "--years", str(YEARS))
    seconds = time.monotonic() - started
    (OUT / f"generate-{name}.log").write_text(output)
    return {
        "database": name,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "scale": SCALE,
        "years": YEARS,
        "migrate_seconds": migrated,
        "seconds": seconds,
        "load_before": load,
        "load_after": load_average(),
        "summary": output.strip().splitlines()[-1],
    }


def measure_in_child(args) -> dict:
    """The pages, in a process of their own: Django set up on the county database."""
    out = OUT / f"pages-{args.database}.json"
    subprocess.run(
        [PYTHON, __file__, "--pages-of", args.database, "--requests", str(args.requests),
         "--sql-runs", str(args.sql_runs), "--redis-db", str(args.redis_db)],
        cwd=ROOT,
        check=True,
    )  # fmt: skip
    return json.loads(out.read_text())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="gw_county")
    parser.add_argument("--fresh", action="store_true", help="drop and generate it first, timed")
    parser.add_argument("--requests", type=int, default=40, help="timed requests a page at c=1")
    parser.add_argument("--sql-runs", type=int, default=10, help="replays of a page's SQL")
    parser.add_argument("--redis-db", type=int, default=3, help="the cache's, emptied at will")
    parser.add_argument("--sweep", action="store_true", help="time the reminder sweep too")
    parser.add_argument("--quiet-load", type=float, default=0.0)
    parser.add_argument("--pages-of", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.pages_of:
        from bench.county_pages import measure_pages

        env = env_for(args.pages_of, args.redis_db)
        result = measure_pages(env, dsn(args.pages_of), args.requests, args.sql_runs, PORT)
        (OUT / f"pages-{args.pages_of}.json").write_text(json.dumps(result, indent=1))
        return
    from bench import report

    if args.fresh:
        generated = generate(args.database, args.redis_db)
        (OUT / "generate.json").write_text(json.dumps(generated, indent=1))
        report.write_generated(generated)
    quiet = wait_quiet(args.quiet_load) if args.quiet_load else f"load {load_average()}"
    started = time.monotonic()
    result = measure_in_child(args)
    result["minutes"] = (time.monotonic() - started) / 60
    report.write_pages(args, result, quiet)
    if args.sweep:
        from bench.sweep import measure as measure_sweep

        sweep = measure_sweep(env_for(args.database, args.redis_db), dsn(args.database))
        report.write_sweep({"database": args.database, "load": load_average(), **sweep})


if __name__ == "__main__":
    main()
