"""County-scale benchmark (docs/decisions.md, Targets): real requests through gunicorn
on PostgreSQL, p50/p95 at concurrency 1 and 8, the raw SQL behind each page timed in the same
run, and the daily reminder sweep at two sizes. Writes its sections of bench/RESULTS.md.

    .venv/bin/python bench/run.py --fresh      # (re)create and generate both databases, timed
    .venv/bin/python bench/run.py              # measure the databases as they are

The county database (`--database`, default gw_county, generated at --scale 1 over 3 years) gets
every page and the sweep; the small one (`--small-database`, default gw_county_small, --scale 0.1
over 1 year: a tenth of the premises, a thirtieth of the hazards) gets the pages and the sweep
again, so the figures show what grows with the tables and what does not. `--quiet-load 1.0`
waits (up to 20 minutes) for the 1-minute load average to drop below 1.0 before measuring.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    OUT,
    PYTHON,
    ROOT,
    bench_env,
    generate_county,
    manage,
    percentile,
    write_section,
)

# A dashboard at c=8 for PACED_RUN seconds with a change every PACE_SECONDS: a county's pace in
# working hours (~3,000 changes a day: bench/RESULTS.md, "County scale: summary").
PACE_SECONDS = 10.0
PACED_RUN = 40.0
PORT = 8811  # and PORT + 1; other benchmarks use 8791-8797
PASSWORD = "gridwatch-demo"  # noqa: S105 -- the generated county's users, bench databases only
SERVER = "postgres://postgres@127.0.0.1:5432"
SIZES = {"county": (1.0, 3.0), "small": (0.1, 1.0)}


def dsn(name: str) -> str:
    return f"{SERVER}/{name}"


def env_for(name: str) -> dict:
    env = bench_env(dsn(name))
    env["MEDIA_ROOT"] = str(OUT / "media")
    env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    return env


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def wait_quiet(limit: float, timeout: float = 1200) -> str:
    """Wait until the 1-minute load average is below `limit`; say what it was."""
    started = time.monotonic()
    while os.getloadavg()[0] >= limit and time.monotonic() - started < timeout:
        time.sleep(10)
    waited = time.monotonic() - started
    quiet = os.getloadavg()[0] < limit
    return f"{'quiet' if quiet else 'NOT quiet'} after {waited:.0f} s wait, load {load_average()}"


# --- generating ---------------------------------------------------------------------------------


def generate(name: str, scale: float, years: float) -> dict:
    """Drop, create and migrate the database, then time `python -m bench.generate_county`."""
    from bench.sweep import _admin

    with _admin(dsn(name)) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = env_for(name)
    started = time.monotonic()
    manage(env, "migrate", "--noinput")
    migrated = time.monotonic() - started
    load = load_average()
    started = time.monotonic()
    output = generate_county(env, "--scale", str(scale), "--years", str(years))
    seconds = time.monotonic() - started
    (OUT / f"generate-{name}.log").write_text(output)
    return {
        "database": name,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "scale": scale,
        "years": years,
        "migrate_seconds": migrated,
        "seconds": seconds,
        "load_before": load,
        "load_after": load_average(),
        "summary": output.strip().splitlines()[-1],
    }


# --- pages (in a child process: Django set up on one database) --------------------------------


def measure_pages(name: str, requests_each: int, runs_sql: int) -> dict:
    os.environ.update(env_for(name))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from bench import load
    from bench.common import measure_python_speed, start_gunicorn
    from bench.pages import capture_sql, choose_pages, export_urls

    env = env_for(name)
    manage(env, "migrate", "--noinput")  # the schema as the code has it now (new apps, indexes)
    manage(env, "collectstatic", "--noinput")
    pages, subjects = choose_pages()
    for page in pages:
        status = capture_sql(page)
        if status != 200:
            raise RuntimeError(f"{page.url}: HTTP {status} in-process")
    exports = export_urls(pages[-1].user)
    tallies = tally_check()
    connection.close()
    speed = [measure_python_speed()]
    workers = 2 * (os.cpu_count() or 1) + 1
    server = start_gunicorn(env, PORT, workers)
    results = []
    try:
        sessions = load.Sessions(f"http://127.0.0.1:{PORT}", PASSWORD)
        for page in pages:
            results.append(_measure_page(page, sessions, requests_each, runs_sql, name))
            print(f"{name} {page.key}: {json.dumps(results[-1]['summary'])}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    speed.append(measure_python_speed())
    return {
        "database": name,
        "workers": workers,
        "python_speed": speed,
        "subjects": subjects,
        "tallies": tallies,
        "pages": results,
        "export_memory": export_memory(env, pages[-1].user, exports),
    }


def tally_check() -> dict:
    """The dashboard's monthly tallies against the rows they summarise (dashboard/tallies.py)."""
    from dashboard.models import GridMonth, PremisesYear, SectorMonth
    from dashboard.tallies import drift

    started = time.monotonic()
    differences = drift()
    return {
        "grid_months": GridMonth.objects.count(),
        "sector_months": SectorMonth.objects.count(),
        "premises_years": PremisesYear.objects.count(),
        "differences": len(differences),
        "first": differences[:3],
        "seconds": time.monotonic() - started,
    }


def _speed_line(speed: list[float] | None) -> str:
    if not speed:
        return ""
    before, after = speed
    return (
        f"; 10 million additions in a Python loop took {before:.2f} s before the pages "
        f"and {after:.2f} s after them"
    )


def _tally_line(check: dict | None) -> str:
    if not check:
        return ""
    verdict = (
        "equal to the rows"
        if not check["differences"]
        else f"**{check['differences']} differences** (e.g. {check['first']})"
    )
    return (
        f"Dashboard tallies: {check['grid_months']:,} grid-month, {check['sector_months']:,} "
        f"sector-month and {check.get('premises_years', 0):,} premises-year rows, recounted from "
        f"the rows with the ORM, and every hazard's copy of its premises' grid and business "
        f"type, compared "
        f"({check['seconds']:.0f} s): {verdict}.\n\n"
    )


def _measure_page(page, sessions, requests_each: int, runs_sql: int, name: str) -> dict:
    from bench import common, load
    from bench.common import time_sql

    export = page.kind == "export"
    n1 = 5 if export else requests_each
    # Warm up every worker (and a dashboard's read threads): each keeps its connections, as
    # in a server that has been running; a new connection's first queries load the catalogue.
    if export:
        load.run(sessions, page.user, page.url, concurrency=1, each=2)
    else:
        load.run(sessions, page.user, page.url, concurrency=8, each=2)
    load_at_start = load_average()
    single = load.run(sessions, page.user, page.url, concurrency=1, each=n1)
    cpu_before = common.cpu_jiffies()
    eight = (
        []
        if export
        # As many requests from each client as c=1's one makes: over 80 in all (one second of a
        # ledger), p95 moved by tens of ms between runs of the same code.
        else load.run(sessions, page.user, page.url, concurrency=8, each=n1)
    )
    cpu = common.cpu_use(cpu_before, common.cpu_jiffies(), len(eight)) if eight else {}
    fresh = _measure_fresh(page, sessions, n1, name) if page.kind == "dashboard" else {}
    runs = 3 if export else runs_sql
    raw = time_sql(dsn(name), page.sql, runs)
    raw_planned_once = time_sql(dsn(name), page.sql, runs, prepared=True)
    if page.sql_after_change:
        raw_after = time_sql(dsn(name), page.sql_after_change, runs)
        fresh["fresh_sql_p50"] = percentile(raw_after, 0.5) * 1000
        fresh["fresh_queries"] = len(page.sql_after_change)
    summary = {
        "c1_p50": percentile(single, 0.5) * 1000,
        "c1_p95": percentile(single, 0.95) * 1000,
        "c8_p50": percentile(eight, 0.5) * 1000 if eight else None,
        "c8_p95": percentile(eight, 0.95) * 1000 if eight else None,
        "sql_p50": percentile(raw, 0.5) * 1000,
        "sql_prepared_p50": percentile(raw_planned_once, 0.5) * 1000,
        "queries": len(page.sql),
        **fresh,
    }
    return {
        "key": page.key,
        "title": page.title,
        "url": page.url,
        "user": page.user,
        "kind": page.kind,
        "target_ms": page.target_ms,
        "rows": page.rows,
        "load": f"{load_at_start} → {load_average()}",
        "requests": [len(single), len(eight)],
        "cpu": cpu,
        "summary": summary,
    }


def _measure_fresh(page, sessions, n1: int, name: str) -> dict:
    """A dashboard after a change: an officer's step on a hazard before each request."""
    from bench import load

    town = load.town_of(page.url)
    changes = load.Changes(dsn(name), town=town)
    paced = load.Changes(dsn(name), every=PACE_SECONDS, town=town)
    try:
        single = load.run(sessions, page.user, page.url, concurrency=1, each=n1, before=changes)
        eight = load.run(
            sessions, page.user, page.url, concurrency=8, each=max(5, n1 // 4), before=changes
        )
        mixed = load.run(
            sessions, page.user, page.url, concurrency=8, each=0, seconds=PACED_RUN, before=paced
        )
    finally:
        changes.close()
        paced.close()
    return {
        "fresh_c1_p50": percentile(single, 0.5) * 1000,
        "fresh_c1_p95": percentile(single, 0.95) * 1000,
        "fresh_c8_p50": percentile(eight, 0.5) * 1000,
        "fresh_c8_p95": percentile(eight, 0.95) * 1000,
        "paced_c8_p50": percentile(mixed, 0.5) * 1000,
        "paced_c8_p95": percentile(mixed, 0.95) * 1000,
        "paced_c8_p99": percentile(mixed, 0.99) * 1000,
        "paced_requests": len(mixed),
        "paced_changes": paced.made,
    }


def run_child(name: str, requests_each: int, runs_sql: int) -> dict:
    out = OUT / f"pages-{name}.json"
    subprocess.run(
        [PYTHON, __file__, "--pages-of", name, "--requests", str(requests_each),
         "--sql-runs", str(runs_sql)],
        cwd=ROOT,
        check=True,
    )  # fmt: skip
    return json.loads(out.read_text())


def export_memory(env: dict, user: str, exports: list[tuple[str, int]]) -> list[dict]:
    """One worker exporting more and more rows: its peak memory stays flat when the rows are
    streamed (read in chunks, written by openpyxl's write-only mode to a temporary file)."""
    from bench import load
    from bench.common import peak_rss_mb, start_gunicorn, worker_pids

    server = start_gunicorn(env, PORT + 1, 1)
    figures = []
    try:
        worker = worker_pids(server)[0]
        sessions = load.Sessions(f"http://127.0.0.1:{PORT + 1}", PASSWORD)
        load.run(sessions, user, "/", concurrency=1, each=1)
        figures.append({"rows": 0, "seconds": 0, "peak_mb": peak_rss_mb(worker)})
        for url, rows in exports:
            seconds = load.run(sessions, user, url, concurrency=1, each=1)[0]
            figures.append({"rows": rows, "seconds": seconds, "peak_mb": peak_rss_mb(worker)})
    finally:
        server.terminate()
        server.wait(timeout=20)
    return figures


# --- writing RESULTS.md -------------------------------------------------------------------------


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _ratio(s: dict) -> str:
    return "—" if s["c1_p50"] is None else f"{s['c1_p50'] / max(s['sql_p50'], 0.01):.1f}"


def _verdict(page: dict) -> str:
    """Against the p95 target at each concurrency; a dashboard also against 1.5× its SQL."""
    s, target = page["summary"], page["target_ms"]
    verdicts = []
    for label, p95 in (("c=1", s["c1_p95"]), ("c=8", s["c8_p95"])):
        if p95 is not None:
            verdicts.append(f"{label} {'met' if p95 <= target else '**not met**'}")
    if page["kind"] == "dashboard" and s["c1_p50"] is not None:
        ratio = s["c1_p50"] / max(s["sql_p50"], 0.01)
        verdicts.append(f"×SQL {'met' if ratio <= 1.5 else '**not met**'}")
    return ", ".join(verdicts)


def _with_fresh_rows(pages: list[dict]) -> list[dict]:
    """Each dashboard three times: asked again (kept), read again in part after a change, and
    at c=8 with a change every PACE_SECONDS."""
    rows = []
    for page in pages:
        rows.append(page)
        s = page["summary"]
        if "fresh_c1_p50" in s:
            # Against the raw SQL of the whole board, as the kept board: what the database
            # takes to make the page from the rows. The statements the request itself runs
            # (the places the change was in) are in the title, with the page against them.
            keys = ("c1_p50", "c1_p95", "c8_p50", "c8_p95")
            fresh = {key: s[f"fresh_{key}"] for key in keys}
            title = f"{page['title']}, after a change (read again in part"
            if "fresh_sql_p50" in s:
                ran = s["fresh_sql_p50"]
                title += (
                    f": {s['fresh_queries']} statements, {ran:,.1f} ms of SQL, the page "
                    f"{s['fresh_c1_p50'] / max(ran, 0.01):.1f}× it"
                )
            rows.append({**page, "title": title + ")", "summary": {**s, **fresh}})
        if "paced_c8_p50" in s:
            title = (
                f"{page['title']}, c=8 for {PACED_RUN:.0f} s with a change every "
                f"{PACE_SECONDS:.0f} s ({s['paced_changes']} changes, {s['paced_requests']:,} "
                f"requests; p99 {s['paced_c8_p99']:,.0f} ms)"
            )
            paced = {"c1_p50": None, "c1_p95": None}
            paced |= {"c8_p50": s["paced_c8_p50"], "c8_p95": s["paced_c8_p95"]}
            rows.append({**page, "title": title, "summary": {**s, **paced}})
    return rows


def pages_table(result: dict) -> str:
    lines = [
        "| page | as | queries | c=1 p50 | c=1 p95 | c=8 p50 | c=8 p95 | raw SQL p50 | app ÷ SQL "
        "| raw SQL p50, planned once | target (p95) | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page in _with_fresh_rows(result["pages"]):
        s = page["summary"]
        target = f"≤ {page['target_ms']:,.0f} ms" + (
            " and ≤ 1.5× SQL" if page["kind"] == "dashboard" else ""
        )
        lines.append(
            f"| {page['title']} | {page['user']} | {s['queries']} | {_ms(s['c1_p50'])} | "
            f"{_ms(s['c1_p95'])} | {_ms(s['c8_p50'])} | {_ms(s['c8_p95'])} | "
            f"{_ms(s['sql_p50'])} | {_ratio(s)} | "
            f"{_ms(s.get('sql_prepared_p50'))} | {target} | "
            f"{_verdict(page)} |"
        )
    return "\n".join(lines)


def sweep_table(sweeps: list[dict]) -> str:
    lines = [
        "| database | hazards | open | overdue | due soon | review overdue | escalations | "
        "patrol due | notifications made | deliveries queued | sweep | per notification | "
        "per 1,000 hazards | target |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in sweeps:
        d, s = row["due"], row["sizes"]
        verdict = "met" if row["seconds"] <= 60 else "**not met**"
        per_item = row["seconds"] * 1000 / max(row["notifications"], 1)
        lines.append(
            f"| {row['database']} | {s['hazards']:,} | {s['open']:,} | {d['overdue']:,} | "
            f"{d['due_soon']:,} | {d['review_overdue']:,} | {row['escalations']:,} | "
            f"{d['patrol_due']:,} | {row['notifications']:,} | {row['deliveries']:,} | "
            f"{row['seconds']:.1f} s | {per_item:.1f} ms"
            f" | {row['seconds'] * 1e6 / s['hazards']:.0f} ms | ≤ 60 s: {verdict} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="gw_county")
    parser.add_argument("--small-database", default="gw_county_small")
    parser.add_argument(
        "--fresh",
        nargs="*",
        choices=["county", "small"],
        help="recreate and generate these databases (both when none is named), timed",
    )
    parser.add_argument("--requests", type=int, default=40, help="requests per page at c=1")
    parser.add_argument("--sql-runs", type=int, default=20)
    parser.add_argument("--quiet-load", type=float, default=0.0)
    parser.add_argument("--pages-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.pages_of:
        result = measure_pages(args.pages_of, args.requests, args.sql_runs)
        (OUT / f"pages-{args.pages_of}.json").write_text(json.dumps(result, indent=1))
        return
    databases = {"county": args.database, "small": args.small_database}
    record = OUT / "generate.json"
    generated = json.loads(record.read_text()) if record.exists() else {}
    if args.fresh is not None:
        for size in args.fresh or list(databases):
            generated[size] = generate(databases[size], *SIZES[size])
            record.write_text(json.dumps(generated, indent=1))
    quiet = wait_quiet(args.quiet_load) if args.quiet_load else f"load {load_average()}"
    pages = {name: run_child(name, args.requests, args.sql_runs) for name in databases.values()}
    from bench.sweep import measure as measure_sweep

    sweeps = []
    for name in databases.values():
        row = measure_sweep(env_for(name), dsn(name))
        sweeps.append({"database": name, "load": load_average(), **row})
    (OUT / "sweeps.json").write_text(json.dumps(sweeps, indent=1))
    write_results(args, generated, pages, sweeps, quiet)


def write_results(args, generated: dict, pages: dict, sweeps: list[dict], quiet: str) -> None:
    command = (
        "`.venv/bin/python bench/run.py"
        + (f" --quiet-load {args.quiet_load}" if args.quiet_load else "")
        + "`"
    )
    if generated:
        write_section("County scale: generating the data", generator_table(generated))
    for name, result in pages.items():
        body = (
            f"Command: {command} — gunicorn ({result['workers']} sync workers, DEBUG off) on "
            f"PostgreSQL database `{name}`, {date.today()}; machine {quiet} when it started"
            + _speed_line(result.get("python_speed"))
            + ".\n\n"
            f"Subjects: {json.dumps(result['subjects'], ensure_ascii=False)}\n\n"
            + _tally_line(result.get("tallies"))
            + "c=1: one signed-in client, requests one after another; c=8: eight clients at once "
            "(threads, each its own session), each making as many requests as c=1's client "
            "(the dashboards after a change: a quarter as many). "
            "Times are the client's, on 127.0.0.1, to the last "
            "byte. Raw SQL: the statements the page ran (captured in-process with "
            "CaptureQueriesContext), replayed one after another with psycopg in the same run, "
            "as the page sends them: each planned every time, since Django binds values into "
            'the text and prepares nothing. "Planned once": the same replay with psycopg\'s '
            "automatic prepared statements (each planned once it has run five times), the "
            "comparison these figures used before 2026-11-29; no page gets that. "
            "A dashboard runs those statements on three threads at once (dashboard/concurrent.py, "
            "DASHBOARD_QUERY_THREADS); its raw SQL is still their sum, one after another. Before "
            "each page is timed, 16 requests from 8 clients warm every worker's connections. "
            "A dashboard is measured three times: asked again while nothing changes (each worker "
            "keeps the board it read, dashboard/remembered.py); after an officer's step on a "
            "hazard of the board's town before every request (off the clock: a rectification "
            "submitted, or sent back), when the board reads again the hazards of the village or "
            "town the step was in and keeps the rest (config/kept.py, read_in_parts) — compared "
            "with the raw SQL of the whole board, as the kept board is, and in its title with "
            "the statements such a request runs, captured the same way; and at "
            f"c=8 for {PACED_RUN:.0f} s with a step every {PACE_SECONDS:.0f} s, a county's "
            "pace in working hours.\n\n"
            + pages_table(result)
            + "\n\n"
            + load_table(result)
            + "\n\n"
            + memory_table(result)
        )
        write_section(f"County scale: pages on {name}", body)
    write_section(
        "County scale: the reminder sweep at two sizes",
        f"Command: {command} — `manage.py send_reminders` on a copy of each database "
        "(`CREATE DATABASE … TEMPLATE`), deliveries queued to Redis; the generator leaves "
        "today's escalations to this sweep.\n\n" + sweep_table(sweeps),
    )


def generator_table(generated: dict) -> str:
    lines = [
        "Command: `.venv/bin/python bench/run.py --fresh` (drops, creates and migrates each "
        "database, then times `python -m bench.generate_county --scale S --years Y`: planning in "
        "Python, COPY of every big table in one transaction, the deferred foreign-key checks "
        "at commit, VACUUM ANALYZE).",
        "",
        "| database | scale, years | measured | migrate | generate + load | target | load "
        "average before → after | rows |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for g in generated.values():
        verdict = "met" if g["seconds"] <= 600 else "**not met**"
        lines.append(
            f"| {g['database']} | {g['scale']}, {g['years']} | {g.get('date', '')} | "
            f"{g['migrate_seconds']:.0f} s | {g['seconds']:.0f} s | ≤ 600 s: {verdict} | "
            f"{g['load_before']} → {g['load_after']} | {g['summary']} |"
        )
    return "\n".join(lines)


def load_table(result: dict) -> str:
    rows = [f"{p['title']}: {p['load']}" for p in result["pages"]]
    line = "Load average (1/5/15 min) at each page's start → end: " + "; ".join(rows) + "."
    used = [
        f"{p['title']}: {p['cpu']['cpu_ms']:.1f} ms ({p['cpu']['steal_pct']:.0f}% stolen)"
        for p in result["pages"]
        if p.get("cpu")
    ]
    if used:
        # Eight clients on two cores: c=8 p50 is about four times this.
        line += (
            "\n\nCPU a request at c=8: the machine's busy time during the eight clients' "
            "requests (gunicorn, PostgreSQL and the clients themselves), divided by the "
            "requests; and the share of the time in use that the host stole for its other "
            "guests: " + "; ".join(used) + "."
        )
    return line


def memory_table(result: dict) -> str:
    lines = [
        "Export memory: one gunicorn worker, exports of growing size one after another; its "
        "peak resident memory (VmHWM) after each:",
        "",
        "| rows exported | seconds | worker peak memory |",
        "|---|---|---|",
    ]
    for row in result["export_memory"]:
        label = "none yet (one page served)" if not row["rows"] else f"{row['rows']:,}"
        seconds = f"{row['seconds']:.1f}" if row["rows"] else "—"
        lines.append(f"| {label} | {seconds} | {row['peak_mb']:.0f} MB |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
