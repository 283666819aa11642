"""Server time and peak memory of filing an inspection with three 4 MB phone photos.

    .venv/bin/python bench/filing_bench.py [--runs 10] [--database-url URL]

Runs gunicorn (one sync worker, DEBUG off) on a scratch database, signs in as a grid officer and
files inspections with three failed checklist items, one 12-megapixel ~4 MB JPEG each, timing
each POST from the client on 127.0.0.1. The worker's peak resident memory (VmHWM) is read
from /proc afterwards. Target (docs/decisions.md, Targets): p95 < 1.5 s, peak < 300 MB.
"""

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    OUT,
    bench_env,
    login,
    manage,
    peak_rss_mb,
    percentile,
    phone_photo,
    start_gunicorn,
    worker_pids,
    write_section,
)

PORT = 8791
SETUP = """
import json
from accounts.models import User
from accounts.roles import Role
from django.contrib.auth.models import Group
from grids.models import Grid, Town, Village
from inspections.models import ChecklistItem
from premises.models import BusinessType, Premises, Tag
officer, _ = User.objects.get_or_create(username="bench-officer")
officer.set_password("gridwatch-demo"); officer.save()
officer.groups.add(Group.objects.get(name=Role.GRID_OFFICER))
town, _ = Town.objects.get_or_create(code="BENCH", defaults={"name": "基准镇"})
village, _ = Village.objects.get_or_create(
    code="BENCH-V", defaults={"town": town, "name": "基准村"})
grid, _ = Grid.objects.get_or_create(code="BENCH-G", defaults={"village": village, "name": "一"})
grid.officers.add(officer)
premises, _ = Premises.objects.get_or_create(
    name="基准小吃店", defaults={"address": "基准路1号", "grid": grid,
    "business_type": BusinessType.objects.get(code="FOOD")})
premises.tags.add(Tag.objects.get(code="USES_LPG"))
items = [i.pk for i in ChecklistItem.objects.applicable_to(premises)]
print(json.dumps({"premises": premises.pk, "items": items}))
"""


def filing(items: list[int], photos: list[bytes]) -> tuple[dict, list]:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "routine",
        "extra-TOTAL_FORMS": "0",
        "extra-INITIAL_FORMS": "0",
        "extra-MIN_NUM_FORMS": "0",
        "extra-MAX_NUM_FORMS": "10",
    }
    files = []
    for index, pk in enumerate(items):
        failed = index < len(photos)
        data[f"item-{pk}-answer"] = "fail" if failed else "pass"
        if failed:
            files.append((f"item-{pk}-photos", (f"IMG_{index}.jpg", photos[index], "image/jpeg")))
    return data, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url
    if not database_url:
        scratch = OUT / "filing.sqlite3"
        scratch.unlink(missing_ok=True)
        database_url = f"sqlite:///{scratch}"
    env = bench_env(database_url)
    env["MEDIA_ROOT"] = str(OUT / "media")
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    manage(env, "collectstatic", "--noinput")
    ids = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    photos = [phone_photo(seed_color=n) for n in range(3)]
    sizes = ", ".join(f"{len(p) / 1024 / 1024:.1f} MB" for p in photos)
    server = start_gunicorn(env, PORT)
    try:
        worker = worker_pids(server)[0]
        base = f"http://127.0.0.1:{PORT}"
        session = login(base, "bench-officer", "gridwatch-demo")
        address = f"{base}/premises/{ids['premises']}/inspect/"
        times = []
        for run in range(args.runs + 1):
            data, files = filing(ids["items"], photos)
            started = time.perf_counter()
            response = session.post(address, data=data, files=files, allow_redirects=False)
            elapsed = time.perf_counter() - started
            assert response.status_code == 302, response.text[:2000]
            if run:  # the first request warms the worker up (imports, templates)
                times.append(elapsed)
        peak = peak_rss_mb(worker)
    finally:
        server.terminate()
        server.wait(timeout=10)
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    verdict = "met" if p95 < 1.5 and peak < 300 else "NOT met"
    body = f"""
Command: `.venv/bin/python bench/filing_bench.py --runs {args.runs}`
(gunicorn, 1 sync worker, DEBUG off, database `{database_url.split(":")[0]}`).

One inspection with three failed checklist items and one 12-megapixel phone photo each
({sizes}), POSTed {args.runs} times after one warm-up request.

| figure | measured | target |
|---|---|---|
| server time p50 | {p50 * 1000:.0f} ms | |
| server time p95 | {p95 * 1000:.0f} ms | < 1500 ms |
| server time max | {max(times) * 1000:.0f} ms | |
| worker peak memory (VmHWM) | {peak:.0f} MB | < 300 MB |

Targets {verdict}.
"""
    write_section("Field filing: inspection with three 4 MB photos", body)
    print(body)


if __name__ == "__main__":
    main()
