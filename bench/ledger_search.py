"""The ledger's text search and its filtered pages on a county database (docs/decisions.md,
Ledger text search on a trigram index): real requests through one gunicorn worker with DEBUG
off, one at a time, p50/p95 from the client to the last byte.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gw_county \\
        .venv/bin/python -m bench.ledger_search [--each 40]

The database is a generated county (python -m bench.generate_county), migrated. The user is
the county's safety office, who sees every hazard. Prints one line a page; writes nothing.
"""

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load
from bench.common import bench_env, manage, percentile, start_gunicorn

PORT = 8841  # bench/run.py uses 8811-8812, the other benchmarks 8791-8797
PASSWORD = "gridwatch-demo"  # noqa: S105 -- the generated county's users, bench databases only
# What people type: a checklist phrase (in one hazard of nine), a rarer one, a business name, a
# village, words of two characters (no trigram: the rows are read; 无此 is in none), Latin, a
# ledger number's tail, and a name nobody has.
TERMS = (
    "灭火器",
    "疏散通道",
    "便利店",
    "黄湾村",
    "燃气",
    "电线",
    "无此",
    "LPG",
    "000123",
    "无此店名",
)


def _pages(office: str) -> list[tuple[str, str]]:
    """(label, url) of each page timed; `office` is the user's name (for page 500's cursor)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from accounts.models import User
    from bench.pages import _ledger_deep_url

    user = User.objects.get(username=office)
    year = date.today().year - 1  # as bench/pages.py
    filtered = {
        "status": "closed",
        "reported_after": f"{year}-01-01",
        "reported_before": f"{year}-12-31",
    }
    deep, cursor = _ledger_deep_url(user, filtered)
    connection.close()
    pages = [(f"search {term}", f"/ledger/?{urlencode({'q': term})}") for term in TERMS]
    pages.append(("filtered, page 1", f"/ledger/?{urlencode(filtered)}"))
    pages.append((f"filtered, page {deep}", f"/ledger/?{urlencode(filtered)}&{cursor}"))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--each", type=int, default=40, help="requests a page (after 3 unseen)")
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    os.environ.update(bench_env(database_url))
    office = "c-county-office-1"  # as bench/pages.py chooses it
    pages = _pages(office)
    manage(bench_env(database_url), "collectstatic", "--noinput")  # DEBUG off: the manifest
    server = start_gunicorn(bench_env(database_url), PORT, workers=1)
    try:
        sessions = load.Sessions(f"http://127.0.0.1:{PORT}", PASSWORD)
        for label, url in pages:
            load.run(sessions, office, url, concurrency=1, each=3)  # warm: connection, caches
            times = load.run(sessions, office, url, concurrency=1, each=args.each)
            p50, p95 = (percentile(times, f) * 1000 for f in (0.5, 0.95))
            print(f"{label:40} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({len(times)} requests)")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
