"""The safety office's dashboard at a smaller scale on PostgreSQL: server time of its pages through
gunicorn, and the raw SQL each runs, timed in the same run.

    .venv/bin/python bench/dashboard_bench.py [--scale 0.1] [--years 3] [--requests 30] [--fresh]

Works on its own database (`--database`, default gw_dash_bench): with --fresh, or when it is
missing, it is created, migrated and filled by `python -m bench.generate_county --scale S --years Y`
(bench/county; at 0.1 and 3 years: 2 towns, 30 villages, 10,000 premises, ~100,000 inspections
and ~30,000 hazards). The pages — the county, one town, one village, year to date — are requested
in-process once to capture their SQL, then `--requests` times each through gunicorn (one sync
worker, DEBUG off, the dashboard's cache off: each request counts the board) as the safety
office; their statements are replayed as often with psycopg over one connection: how much of a
board's time is the database's. The targets are measured at county scale by bench/run.py.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
import requests

from bench.common import (
    PYTHON,
    ROOT,
    bench_env,
    generate_county,
    login,
    manage,
    percentile,
    time_sql,
    write_section,
)

PORT = 8797
SERVER = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "gridwatch-demo"  # noqa: S105 -- the generated county's users, bench databases only
TARGET_MS = 150  # a dashboard with every cache empty (docs/decisions.md, Targets)
DECLARE = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR ', re.S)
WRITES = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "COMMIT", "BEGIN", "UPDATE", "INSERT")


def ensure_database(name: str, *, fresh: bool, scale: float, years: float) -> str:
    """Create and fill the benchmark database when asked or missing; say what was done."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not fresh:
            return "existing database"
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = bench_env(f"{SERVER}/{name}")
    manage(env, "migrate", "--noinput")
    started = time.monotonic()
    output = generate_county(env, "--scale", str(scale), "--years", str(years))
    seconds = time.monotonic() - started
    return f"generated in {seconds:.0f} s: {output.strip().splitlines()[-1]}"


def setup_django(name: str) -> dict:
    # Counted on every request: the board as it is made, not read from the cache.
    env = bench_env(f"{SERVER}/{name}") | {"DASHBOARD_CACHE_SECONDS": "0"}
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    return env


def choose_pages() -> tuple[str, list[tuple[str, str]], str]:
    """The safety office user, the pages it requests (title, url), and what the data holds."""
    from django.urls import reverse

    from accounts.models import User
    from accounts.roles import Role
    from grids.models import Town, Village
    from hazards.models import Hazard
    from inspections.models import Inspection
    from premises.models import Premises

    office = User.objects.filter(groups__name=Role.SAFETY_OFFICE, is_active=True).first()
    town = Town.objects.order_by("code").first()
    village = Village.objects.filter(town=town).order_by("code").first()
    board = reverse("dashboard:index")
    pages = [
        ("the county", board),
        (f"a town ({town.name})", f"{board}?town={town.pk}"),
        (f"a village ({village.name})", f"{board}?village={village.pk}"),
    ]
    holds = (
        f"{Town.objects.count()} towns, {Village.objects.count()} villages, "
        f"{Premises.objects.count():,} premises, {Inspection.objects.count():,} inspections, "
        f"{Hazard.objects.count():,} hazards"
    )
    return office.username, pages, holds


def capture_sql(username: str, url: str) -> list[str]:
    """The statements the page runs, read by requesting it in-process (after a warm-up)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    statements = [DECLARE.sub("", query["sql"]) for query in captured.captured_queries]
    return [sql for sql in statements if not sql.startswith(WRITES)]


def time_page(session, base: str, url: str, runs: int) -> list[float]:
    for _ in range(2):  # warm the worker
        session.get(base + url).raise_for_status()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = session.get(base + url)
        timings.append(time.perf_counter() - started)
        response.raise_for_status()
    return timings


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    """One sync worker, as bench.common.start_gunicorn, patient with a busy machine."""
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", f"--bind=127.0.0.1:{port}", "--workers=1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not answer")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="gw_dash_bench")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--years", type=float, default=3)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="recreate and regenerate the data")
    args = parser.parse_args()

    made = ensure_database(args.database, fresh=args.fresh, scale=args.scale, years=args.years)
    env = setup_django(args.database)
    username, pages, holds = choose_pages()
    captured = {url: capture_sql(username, url) for _title, url in pages}
    from django.db import connection

    connection.close()
    manage(env, "collectstatic", "--noinput")
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    server = start_gunicorn(env, PORT)
    rows, met = [], True
    try:
        base = f"http://127.0.0.1:{PORT}"
        session = login(base, username, PASSWORD)
        for title, url in pages:
            page = time_page(session, base, url, args.requests)
            sql = time_sql(f"{SERVER}/{args.database}", captured[url], args.requests)
            p95, sql_p95 = percentile(page, 0.95), percentile(sql, 0.95)
            ratio = percentile(page, 0.5) / percentile(sql, 0.5)
            ok = p95 <= TARGET_MS / 1000
            met = met and ok
            rows.append(
                f"| {title} | {ms(percentile(page, 0.5))} | {ms(p95)} | "
                f"{len(captured[url])} | {ms(percentile(sql, 0.5))} | {ms(sql_p95)} | "
                f"{ratio:.2f}× | {'met' if ok else 'NOT met'} |"
            )
            print(rows[-1], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    body = f"""
Command: `.venv/bin/python bench/dashboard_bench.py --scale {args.scale} --years {args.years}
--requests {args.requests}` (gunicorn, 1 sync worker, DEBUG off, the dashboard's cache off,
PostgreSQL database `{args.database}`, {made}).

Data: {holds}. Signed in as the safety office (`{username}`), year to date. "Raw SQL" replays the
page's own SELECT statements (captured in-process, session writes left out) with psycopg over one
connection, as many times as the page is requested, in the same run, each statement planned
every time as the page's are (`bench.common.time_sql`). The ratio compares medians.
Load average (1/5/15 min) before {load_before}, after {load_after}.

| dashboard | page p50 | page p95 | statements | raw SQL p50 | raw SQL p95 | page ÷ SQL | target |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Target (p95 ≤ {TARGET_MS} ms, every cache empty): {"met" if met else "NOT met"}.
At county scale the pages are measured by `bench/run.py`.
"""
    write_section("Dashboard at a smaller scale", body)


if __name__ == "__main__":
    main()
