"""Dashboards after an officer's step on a hazard, for the code of one or more checkouts, on one
machine: an A/B of what `bench/run.py` measures as "after a change", without the other pages.

    .venv/bin/python bench/after_change.py /path/to/old/checkout /work/main

Each checkout's code is served by gunicorn (5 workers, its own `staticfiles/` collected) on
gw_county, migrated as this checkout has it; the load and the change are this checkout's
(bench/load.py). Prints p50 and p95 at c=1 (20 requests) and c=8 (8 × 10), each request after a
step of its own (one that moves no figure, and one that moves the overdue figures), and at c=8
with nothing changing (kept).
"""

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common, load
from bench.common import percentile
from bench.run import PASSWORD, PORT, dsn, env_for

OFFICE = "c-county-office-1"


def first_town(name: str) -> int:
    import psycopg

    with psycopg.connect(dsn(name)) as connection:
        return connection.execute("SELECT id FROM grids_town ORDER BY code LIMIT 1").fetchone()[0]


# An officer's step that moves no figure of the board, and one that does.
STEPS = {
    "a step (submitted, or sent back)": load.Changes.STEP,
    "a deadline passed (or moved on)": load.Changes.DEADLINE,
}


def _ms(times: list[float], q: float) -> str:
    return f"{percentile(times, q) * 1000:,.0f}"


def measure(checkout: Path, name: str) -> list[str]:
    env = env_for(name)
    subprocess.run(
        [common.PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=checkout,
        env=env,
        check=True,
    )
    common.ROOT = checkout  # gunicorn's working directory: the code served
    server = common.start_gunicorn(env, PORT + 7, 5)
    lines = []
    try:
        sessions = load.Sessions(f"http://127.0.0.1:{PORT + 7}", PASSWORD)
        boards = {"a town": f"/dashboard/?town={first_town(name)}", "the county": "/dashboard/"}
        for label, url in boards.items():
            load.run(sessions, OFFICE, url, concurrency=8, each=2)  # every worker warm
            for step_name, step in STEPS.items():
                changes = load.Changes(dsn(name), town=load.town_of(url), step=step)
                try:
                    one = load.run(sessions, OFFICE, url, concurrency=1, each=20, before=changes)
                    eight = load.run(sessions, OFFICE, url, concurrency=8, each=10, before=changes)
                finally:
                    changes.close()
                lines.append(
                    f"{checkout} | {label} | after {step_name}: c=1 {_ms(one, 0.5)} / "
                    f"{_ms(one, 0.95)} ms, c=8 {_ms(eight, 0.5)} / {_ms(eight, 0.95)} ms"
                )
            load.run(sessions, OFFICE, url, concurrency=8, each=2)  # each worker reads the last
            kept = load.run(sessions, OFFICE, url, concurrency=8, each=5)
            lines.append(f"{checkout} | {label} | kept, c=8: {_ms(kept, 0.95)} ms (p95)")
    finally:
        server.terminate()
        server.wait(timeout=20)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--database", default="gw_county")
    args = parser.parse_args()
    print(f"Python speed probe: {common.measure_python_speed():.2f} s")
    for checkout in args.checkouts:
        for line in measure(checkout.resolve(), args.database):
            print(line, flush=True)


if __name__ == "__main__":
    main()
