"""The county benchmark's sections of bench/RESULTS.md, from what bench/run.py measured."""

import json
from datetime import date

from bench.common import write_section

COMMAND = ".venv/bin/python bench/run.py"
PAGES_SECTION = "County scale: the targets"


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _verdict(page: dict) -> str:
    return "met" if page["c1_p95"] <= page["target_ms"] else "**not met**"


def _cpu(page: dict) -> str:
    cpu = page.get("cpu")
    if not cpu:
        return "—"
    stolen = f", {cpu['steal_pct']:.0f}% stolen" if cpu["steal_pct"] >= 1 else ""
    return f"{cpu['cpu_ms']:,.0f} ms ({cpu['own_ms']:,.0f} ms{stolen})"


def _target(page: dict) -> str:
    target = page["target_ms"]
    return f"≤ {target / 1000:g} s" if target >= 1000 else f"≤ {target:,.0f} ms"


def pages_table(pages: list[dict]) -> str:
    lines = [
        "| page | c=1 p50 | c=1 p95 | target (c=1 p95) | verdict | CPU a request at c=8: "
        "machine (bench's processes) | c=8 p50 / p95 | queries | raw SQL p50 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for page in pages:
        eight = "—" if page["c8_p50"] is None else f"{_ms(page['c8_p50'])} / {_ms(page['c8_p95'])}"
        lines.append(
            f"| {page['title']} | {_ms(page['c1_p50'])} | {_ms(page['c1_p95'])} | "
            f"{_target(page)} | {_verdict(page)} | {_cpu(page)} | {eight} | "
            f"{page['queries']} | {_ms(page['sql_p50'])} |"
        )
    return "\n".join(lines)


def _speed_line(speed: list[float]) -> str:
    before, after = speed
    return (
        f"10 million additions in a Python loop took {before:.2f} s before the pages and "
        f"{after:.2f} s after them"
    )


def tally_line(check: dict) -> str:
    verdict = (
        "equal to the rows"
        if not check["differences"]
        else f"**{check['differences']} differences** (e.g. {check['first']})"
    )
    return (
        f"Monthly tallies: {check['grid_months']:,} grid-month, {check['town_months']:,} "
        f"town-month, {check['sector_months']:,} sector-month and "
        f"{check['premises_years']:,} premises-year rows, and every hazard's "
        f"and premises-year's copy of its premises' grid (and business type, on a hazard), "
        f"recounted from the rows "
        f"({check['seconds']:.0f} s): {verdict}."
    )


def headline_line(check: dict) -> str:
    verdict = (
        "every one equal"
        if not check["differences"]
        else f"**{check['differences']} differ** (e.g. {check['first']})"
    )
    return (
        f"Dashboard figures: {' and '.join(check['boards'])} boards as the office is served "
        f"them (read from the tallies) against the same boards counted from the rows alone, "
        f"{check['numbers']} numbers (headline figures and their year-earlier values, trend, "
        f"ranking, breakdowns; {check['seconds']:.0f} s): {verdict}."
    )


HOW = (
    "gunicorn with DEBUG off, the dashboard's cache in Redis as in production "
    "(config/data_cache.py). c=1: one signed-in client, requests one after another, "
    "{requests} timed after 3 warm-ups; times are the client's, on 127.0.0.1, to the last "
    "byte. Before them, eight clients (threads, each its own session) make 8 requests and "
    "then {requests} (the export: 8), which warms every worker on the page; CPU a request is "
    "the machine's busy time during those {requests} (gunicorn, PostgreSQL and the clients "
    "themselves, from /proc/stat) divided by the requests, and in brackets the time of the "
    "benchmark's own processes alone (the clients, gunicorn's master and workers, the "
    "PostgreSQL backends of the database: the machine is shared, and its busy time also "
    "counts whatever else ran meanwhile). Times in milliseconds. Dashboards: *every cache empty* "
    "empties the cache's Redis database before every request, off the clock; *read again* "
    "fills it once and asks again while nothing changes; *after a change committed*: an "
    "officer's step on a hazard of the town (a rectification submitted, or sent back) saved "
    "through the model before each request, off the clock, which moves the cache's "
    "generation ({changes} changes, c=1 only). Raw SQL: the statements the page ran "
    "(captured in-process), replayed one after another with psycopg, each planned every "
    "time as Django sends them."
)


def write_pages(args, result: dict, quiet: str) -> None:
    command = f"{COMMAND} --database {args.database}" + (
        f" --quiet-load {args.quiet_load}" if args.quiet_load else ""
    )
    body = "\n\n".join(
        [
            f"Re-run: `{command}` (needs PostgreSQL and Redis on 127.0.0.1, and the county "
            f"generated: `{COMMAND} --fresh` drops and generates it first). This run: "
            f"{result['minutes']:.0f} minutes, generating and waiting for quiet aside.",
            f"Measured {date.today()} on `{result['database']}` with {result['workers']} sync "
            f"workers; machine {quiet} when it started; "
            + _speed_line(result["python_speed"])
            + ".",
            f"Subjects: {json.dumps(result['subjects'], ensure_ascii=False)}.",
            HOW.format(requests=args.requests, changes=result["changes"]),
            pages_table(result["pages"]),
            tally_line(result["tallies"]) + "\n\n" + headline_line(result["headline"]),
            load_line(result["pages"]),
            memory_table(result["export_memory"]),
        ]
    )
    write_section(PAGES_SECTION, body)


def load_line(pages: list[dict]) -> str:
    rows = [f"{p['key']} {p['load']}" for p in pages]
    return "Load average (1/5/15 min) at each c=1 run's start → end: " + "; ".join(rows) + "."


def memory_table(export_memory: list[dict]) -> str:
    lines = [
        "Export memory: one gunicorn worker, exports of growing size one after another; its "
        "peak resident memory (VmHWM) after each:",
        "",
        "| rows exported | seconds | worker peak memory |",
        "|---|---|---|",
    ]
    for row in export_memory:
        label = "none yet (one page served)" if not row["rows"] else f"{row['rows']:,}"
        seconds = f"{row['seconds']:.1f}" if row["rows"] else "—"
        lines.append(f"| {label} | {seconds} | {row['peak_mb']:.0f} MB |")
    return "\n".join(lines)


def write_generated(g: dict) -> None:
    verdict = "met" if g["seconds"] <= 600 else "**not met**"
    write_section(
        "County scale: generating the data",
        f"Command: `{COMMAND} --fresh` (drops, creates and migrates the database, then times "
        "`python -m bench.generate_county --scale 1 --years 3`: planning in Python, COPY of "
        "every big table in one transaction, the deferred foreign-key checks at commit, "
        "VACUUM ANALYZE).\n\n"
        "| database | scale, years | migrate | generate + load | target | load average "
        "before → after | rows |\n|---|---|---|---|---|---|---|\n"
        f"| {g['database']} | {g['scale']}, {g['years']} | {g['migrate_seconds']:.0f} s | "
        f"{g['seconds']:.0f} s | ≤ 600 s: {verdict} | {g['load_before']} → {g['load_after']} "
        f"| {g['summary']} |",
    )


def write_sweep(row: dict) -> None:
    d, s = row["due"], row["sizes"]
    verdict = "met" if row["seconds"] <= 60 else "**not met**"
    write_section(
        "County scale: the reminder sweep",
        f"Command: `{COMMAND} --sweep` — `manage.py send_reminders` on a copy of the county "
        "database (`CREATE DATABASE … TEMPLATE`), deliveries queued to Redis; the generator "
        "leaves today's escalations to this sweep.\n\n"
        "| database | hazards | open | overdue | due soon | review overdue | escalations | "
        "patrol due | notifications made | deliveries queued | sweep | target |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {row['database']} | {s['hazards']:,} | {s['open']:,} | {d['overdue']:,} | "
        f"{d['due_soon']:,} | {d['review_overdue']:,} | {row['escalations']:,} | "
        f"{d['patrol_due']:,} | {row['notifications']:,} | {row['deliveries']:,} | "
        f"{row['seconds']:.1f} s | ≤ 60 s: {verdict} |",
    )
