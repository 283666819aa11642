"""50 grid officers filing inspections with photos at once, for 60 s, against gunicorn (DEBUG
off, 2 × cores + 1 workers) on a fresh PostgreSQL database; then the database is counted.

    .venv/bin/python bench/load_officers.py [--officers 50] [--seconds 60]
        [--server postgres://postgres@127.0.0.1:5432] [--database gw_load]

Each officer is a thread with its own signed-in session, premises and grid (ten officers to a
grid). It files one inspection after another: one failed checklist item with one or two real
JPEG photos. A request that times out, fails to connect or answers 5xx is sent again with the
same idempotency key, as the phone's outbox does. Afterwards every key the officers were told
was filed must be in the database exactly once ("lost" and "duplicated" count the others), each
inspection must hold one hazard and exactly the photos sent with it, and no photo may be left
over as an unattached draft. p50/p95 and the counts go to bench/RESULTS.md.

The fleet (`Fleet`) and the seeding are shared with bench/faults.py.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, bench_env, login, manage, percentile, start_gunicorn, write_section

PORT = 8795
PASSWORD = "gridwatch-load-2026"  # noqa: S105 - scratch users on a scratch database
REQUEST_TIMEOUT = 30
SEED = """
import json
from accounts.models import User
from accounts.roles import Role
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from grids.models import Grid, Town, Village
from inspections.models import ChecklistItem
from premises.models import BusinessType, Premises
OFFICERS, PASSWORD = {officers}, {password!r}
role = Group.objects.get(name=Role.GRID_OFFICER)
town, _ = Town.objects.get_or_create(code="LOAD", defaults={{"name": "压测镇"}})
village, _ = Village.objects.get_or_create(
    code="LOAD-V", defaults={{"town": town, "name": "压测村"}})
shop = BusinessType.objects.get(code="SHOP")
hashed = make_password(PASSWORD)
officers = []
for n in range(OFFICERS):
    grid, _ = Grid.objects.get_or_create(code=f"LOAD-G{{n // 10:02d}}",
        defaults={{"village": village, "name": f"压测网格{{n // 10}}"}})
    user, _ = User.objects.get_or_create(username=f"load{{n:03d}}", defaults={{"password": hashed}})
    user.groups.add(role)
    grid.officers.add(user)
    premises, _ = Premises.objects.get_or_create(
        name=f"压测场所{{n:03d}}", defaults={{"address": f"压测路{{n}}号", "grid": grid,
        "business_type": shop}})
    officers.append({{"username": user.username, "premises": premises.pk}})
items = [i.pk for i in ChecklistItem.objects.applicable_to(premises)]
print(json.dumps({{"officers": officers, "items": items}}))
"""


def photo_pool(count: int = 8) -> list[bytes]:
    """Small but real photos: 1280 × 960 JPEGs of ~100-200 KB, each different."""
    from PIL import Image

    photos = []
    for n in range(count):
        base = Image.linear_gradient("L").resize((1280, 960))
        noise = Image.effect_noise((1280, 960), 12 + n)
        image = Image.merge("RGB", (base, noise, Image.blend(base, noise, 0.3)))
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=80)
        photos.append(buffer.getvalue())
    return photos


def filing(items: list[int], photos: list[bytes], key: str) -> tuple[dict, list]:
    """Every applicable item answered: the first failed, with the photos; the rest pass."""
    item = items[0]
    data = {
        "idempotency_key": key,
        "kind": "routine",
        "notes": "压测",
        "extra-TOTAL_FORMS": "0",
        "extra-INITIAL_FORMS": "0",
        "extra-MIN_NUM_FORMS": "0",
        "extra-MAX_NUM_FORMS": "10",
        f"item-{item}-answer": "fail",
        **{f"item-{other}-answer": "pass" for other in items[1:]},
    }
    files = [
        (f"item-{item}-photos", (f"IMG_{i}.jpg", photo, "image/jpeg"))
        for i, photo in enumerate(photos)
    ]
    return data, files


@dataclass
class Stats:
    """What the officers saw. Filed: key → the photos sent with it (the client's record)."""

    filed: dict[str, int] = field(default_factory=dict)
    gave_up: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # each request
    filing_times: list[float] = field(default_factory=list)  # first attempt to "filed"
    retries: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # "HTTP 502", "timeout", …
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1


class Fleet:
    """Officers filing in threads until stop(); each retries a filing with the same key until
    the server confirms it (or `patience` seconds pass, then it is counted as given up)."""

    def __init__(self, base: str, officers: list[dict], items: list[int], *, patience=120.0):
        self.base, self.officers, self.items, self.patience = base, officers, items, patience
        self.stats = Stats()
        self.photos = photo_pool()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.sessions = [login(base, o["username"], PASSWORD) for o in officers]

    def start(self) -> None:
        for index in range(len(self.officers)):
            thread = threading.Thread(target=self._officer, args=(index,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _officer(self, index: int) -> None:
        session, premises = self.sessions[index], self.officers[index]["premises"]
        url = f"{self.base}/premises/{premises}/inspect/"
        n = 0
        while not self._stop.is_set():
            photos = [self.photos[(index + n) % 8] for _ in range(1 + (index + n) % 2)]
            self._file(session, url, photos)
            n += 1

    def _file(self, session: requests.Session, url: str, photos: list[bytes]) -> None:
        key = str(uuid.uuid4())
        data, files = filing(self.items, photos, key)
        started = time.perf_counter()
        attempt = 0
        while time.perf_counter() - started < self.patience:
            if attempt:
                with self.stats.lock:
                    self.stats.retries += 1
                time.sleep(min(0.5 * attempt, 3))
            attempt += 1
            sent = time.perf_counter()
            try:
                response = session.post(
                    url, data=data, files=files, allow_redirects=False, timeout=REQUEST_TIMEOUT
                )
            except requests.Timeout:
                self.stats.error("timeout")
                continue
            except requests.ConnectionError:
                self.stats.error("connection refused or reset")
                continue
            with self.stats.lock:
                self.stats.latencies.append(time.perf_counter() - sent)
            if response.status_code == 302 and "/inspections/" in response.headers["Location"]:
                with self.stats.lock:
                    self.stats.filed[key] = len(photos)
                    self.stats.filing_times.append(time.perf_counter() - started)
                return
            self.stats.error(f"HTTP {response.status_code}")
            if response.status_code < 500:
                break  # refused for good: a bug in the load script or the app
        with self.stats.lock:
            self.stats.gave_up.append(key)


def seed(env: dict, officers: int) -> dict:
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    manage(env, "collectstatic", "--noinput")
    script = SEED.format(officers=officers, password=PASSWORD)
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def fresh_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


@dataclass
class Counted:
    inspections: int
    duplicated_keys: int
    lost: list[str]
    unconfirmed: int  # filed on the server, but the officer never heard back
    wrong_photos: int  # inspections whose photos differ from what was sent with them
    wrong_hazards: int
    orphan_drafts: int


def count(database_url: str, stats: Stats, usernames: list[str]) -> Counted:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            """
            SELECT i.idempotency_key::text, count(DISTINCT h.id), count(p.id)
              FROM hazards_inspection i
              JOIN accounts_user u ON u.id = i.inspector_id
              LEFT JOIN hazards_hazard h ON h.inspection_id = i.id
              LEFT JOIN hazards_hazardphoto p ON p.hazard_id = h.id
             WHERE u.username = ANY(%s)
             GROUP BY i.idempotency_key
            """,
            (usernames,),
        ).fetchall()
        duplicated = connection.execute(
            "SELECT count(*) FROM (SELECT idempotency_key FROM hazards_inspection"
            " GROUP BY idempotency_key HAVING count(*) > 1) d"
        ).fetchone()[0]
        drafts = connection.execute(
            "SELECT count(*) FROM hazards_hazardphoto WHERE hazard_id IS NULL"
        ).fetchone()[0]
    in_db = {key: (hazards, photos) for key, hazards, photos in rows}
    lost = [key for key in stats.filed if key not in in_db]
    return Counted(
        inspections=len(in_db),
        duplicated_keys=duplicated,
        lost=lost,
        unconfirmed=len(set(in_db) - set(stats.filed)),
        wrong_photos=sum(
            1 for key, sent in stats.filed.items() if key in in_db and in_db[key][1] != sent
        ),
        wrong_hazards=sum(1 for hazards, _photos in in_db.values() if hazards != 1),
        orphan_drafts=drafts,
    )


def summary_rows(stats: Stats, counted: Counted, seconds: float) -> str:
    latencies, filings = stats.latencies or [0.0], stats.filing_times or [0.0]
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(stats.errors.items())) or "none"
    return f"""
| figure | value |
|---|---|
| filings confirmed to the officers | {len(stats.filed)} ({len(stats.filed) / seconds:.1f}/s) |
| inspections in the database | {counted.inspections} |
| lost (confirmed, not in the database) | {len(counted.lost)} |
| duplicated (one key, several inspections) | {counted.duplicated_keys} |
| filed but never confirmed (officer gave up) | {counted.unconfirmed} |
| inspections whose photos differ from those sent | {counted.wrong_photos} |
| inspections without exactly one hazard | {counted.wrong_hazards} |
| draft photos left unattached | {counted.orphan_drafts} |
| filings given up by the officers | {len(stats.gave_up)} |
| retries (same idempotency key) | {stats.retries} |
| request errors | {errors} |
| request time p50 / p95 / max | {percentile(latencies, 0.5) * 1000:.0f} / {percentile(latencies, 0.95) * 1000:.0f} / {max(latencies) * 1000:.0f} ms |
| filing time (with retries) p95 | {percentile(filings, 0.95) * 1000:.0f} ms |
"""  # noqa: E501


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="gw_load")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    database_url = fresh_database(args.server.rstrip("/"), args.database)
    env = bench_env(database_url)
    env["MEDIA_ROOT"] = str(OUT / "load-media")
    env.pop("REDIS_URL", None)
    ids = seed(env, args.officers)
    workers = 2 * (os.cpu_count() or 1) + 1
    server = start_gunicorn(env, PORT, workers=workers)
    try:
        base = f"http://127.0.0.1:{PORT}"
        fleet = Fleet(base, ids["officers"], ids["items"])
        fleet.start()
        time.sleep(args.seconds)
        fleet.stop()
    finally:
        server.terminate()
        server.wait(timeout=30)
    counted = count(database_url, fleet.stats, [o["username"] for o in ids["officers"]])
    clean = not (
        fleet.stats.errors
        or counted.lost
        or counted.duplicated_keys
        or counted.wrong_photos
        or counted.wrong_hazards
        or fleet.stats.gave_up
    )
    body = f"""
Command: `.venv/bin/python bench/load_officers.py --officers {args.officers} --seconds {args.seconds:.0f}`
(gunicorn with {workers} sync workers, DEBUG off, a fresh PostgreSQL database on 127.0.0.1;
the officers run on the same machine).

{args.officers} officers (threads, each its own session, premises and grid; ten to a grid) file
inspections back to back for {args.seconds:.0f} s: one failed checklist item with one or two real
1280 × 960 JPEG photos (~150 KB) each. A timeout, a refused connection or a 5xx is retried with
the same idempotency key. Counted in the database afterwards:
{summary_rows(fleet.stats, counted, args.seconds)}
Verdict: {"zero errors, nothing lost, nothing duplicated" if clean else "NOT clean: see the rows above"}.
"""  # noqa: E501
    write_section("Load: 50 officers filing with photos", body)
    print(body)
    subprocess.run(["rm", "-rf", str(OUT / "load-media")], check=False)
    sys.exit(0 if clean else 1)


if __name__ == "__main__":
    main()
