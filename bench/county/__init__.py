"""A county for the benchmarks (docs/decisions.md, Targets).

At --scale 1: 15 towns, 300 villages, 1,500 grids, ~2,000 users, 100,000 premises, 1,000,000
inspections and 300,000 hazards over 3 years, each hazard with its whole event trail, photos,
notices and enforcement, and 60 days of inbox digests. `scale` multiplies every count (at least
one of each place); `years` sets the length of the history at the same yearly rates.

Everything is drawn from random.Random(seed) and planned in Python (bench.county.history), then
written in one transaction: the organisation through the ORM, the big tables with COPY
(bench.county.load). Then VACUUM ANALYZE, as autovacuum would have done on a real database.

For a benchmark database only: PostgreSQL, and empty of premises unless `force`.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from accidents.models import Accident
from bench.county import load
from bench.county.history import Planner
from bench.county.people import build_org
from grids.models import Town
from inspections.reference import load_reference
from premises.models import Premises

PHOTO_COLOURS = ["#8d6e63", "#607d8b", "#9e9e9e", "#a1887f", "#78909c", "#5d4037"]


class CountyError(Exception):
    """The generator refused to run; the message says why."""


@dataclass(frozen=True)
class Size:
    towns: int
    villages: int
    grids: int
    premises: int
    inspections: int
    hazards: int

    @classmethod
    def of(cls, scale: float, years: float) -> "Size":
        per_year = scale * years / 3
        towns = max(1, round(15 * scale))
        villages = max(towns, round(300 * scale))
        return cls(
            towns=towns,
            villages=villages,
            grids=max(villages, round(1500 * scale)),
            premises=max(1, round(100_000 * scale)),
            inspections=round(1_000_000 * per_year),
            hazards=round(300_000 * per_year),
        )


def _check_database(force: bool) -> None:
    if connection.vendor != "postgresql":
        raise CountyError(
            f"The county generator needs PostgreSQL (COPY); this database is {connection.vendor}. "
            "Set DATABASE_URL to a benchmark database."
        )
    if Premises.objects.exists() and not force:
        raise CountyError(
            "This database already has premises: the generator is for an empty benchmark "
            "database, never a real one. Pass --force to add a county anyway."
        )


def _tag() -> str:
    """ "C" for the first county in a database, "C2", "C3"… for the next (codes stay unique)."""
    n = 1
    while Town.objects.filter(code__startswith=f"{'C' if n == 1 else f'C{n}'}T").exists():
        n += 1
    return "C" if n == 1 else f"C{n}"


def write_photo_files() -> None:
    """The few image files every generated photo row points at, in MEDIA_ROOT."""
    from demo.cast import photo_files

    for n, colour in enumerate(PHOTO_COLOURS[: load.PHOTO_FILES]):
        image, thumbnail = photo_files(colour)
        for name, data in ((f"county-{n}.jpg", image), (f"county-{n}_t.jpg", thumbnail)):
            path = f"hazards/co/{name}"
            if not default_storage.exists(path):
                default_storage.save(path, BytesIO(data))


def _accidents(rng: random.Random, org, history, *, years: float) -> int:
    """A few accidents per village and year, for the dashboards' year-on-year figures."""
    sites_by_village: dict[int, list] = {}
    for site in history.sites:
        sites_by_village.setdefault(site.grid.village_id, []).append(site)
    rows = []
    today = timezone.localdate()
    for village in org.villages:
        for _ in range(sum(rng.random() < 0.3 for _ in range(round(years)))):
            sites = sites_by_village.get(village.pk)
            rows.append(
                Accident(
                    occurred_on=today - timedelta(days=rng.randint(1, round(365 * years))),
                    village=village,
                    premises_id=rng.choice(sites).id if sites and rng.random() < 0.7 else None,
                    kind=rng.choice(Accident.Kind.values),
                    injuries=rng.choice([0, 0, 0, 1, 2]),
                    direct_loss=rng.choice([0, 1, 2, 5, 12]),
                    description="生成的事故记录",
                )
            )
    Accident.objects.bulk_create(rows)
    return len(rows)


def generate_county(
    *,
    scale: float = 1.0,
    seed: int = 2026,
    years: float = 3,
    force: bool = False,
    now: datetime | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Generate and load a county; returns the row counts and the seconds each phase took."""
    _check_database(force)
    started = time.monotonic()
    rng = random.Random(seed)
    now = now or timezone.now()
    size = Size.of(scale, years)

    def stage(message: str) -> None:
        log(f"[{time.monotonic() - started:6.1f}s] {message}")

    with transaction.atomic():
        load_reference()
        tag = _tag()
        org = build_org(
            rng, tag=tag, scale=scale, towns=size.towns, villages=size.villages, grids=size.grids
        )
        stage(
            f"county {tag}: {size.towns} towns, {size.villages} villages, {size.grids} grids, "
            f"{org.users} users"
        )
        planner = Planner(org, rng=rng, now=now, years=years)
        planner.plan_premises(size.premises)
        planner.plan_history(size.inspections, size.hazards)
        history = planner.history
        stage(
            f"planned {len(history.sites):,} premises, {len(history.visits):,} inspections, "
            f"{len(history.lives):,} hazards"
        )
        inbox_users = [ids[0] for ids in org.officers.values()] + list(org.leader.values())
        counts = load.write(
            history, rng=rng, inbox_users=inbox_users, today=planner.today, log=stage
        )
        counts["accidents"] = _accidents(rng, org, history, years=years)
        stage("committing (the deferred foreign-key checks run now)")
    loaded = time.monotonic() - started
    # VACUUM cannot run inside a transaction (a test's): then ANALYZE alone.
    statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    stage(f"committed; {statement}")
    with connection.cursor() as cursor:
        cursor.execute(statement)
    write_photo_files()
    total = time.monotonic() - started
    stage("done")
    return {
        "tag": tag,
        "size": size,
        "users": org.users,
        "counts": counts,
        "statuses": _statuses(history),
        "load_seconds": loaded,
        "total_seconds": total,
    }


def _statuses(history) -> dict[str, int]:
    mix: dict[str, int] = {}
    for life in history.lives:
        mix[str(life.status)] = mix.get(str(life.status), 0) + 1
    mix["major"] = sum(life.severity == "major" for life in history.lives)
    return mix
