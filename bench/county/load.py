"""Writing the planned county with PostgreSQL COPY (psycopg 3), one table at a time, in time
order: ids grow with time as they do in real use, so the tables' physical order (and what the
planner knows of it) is the one a county that used Gridwatch for years would have."""

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Max

from bench.county.history import NOTICE_TEXT, History, Life, Site, review_date
from bench.county.life import at
from dashboard import tallies
from demo.words import QUIET_NOTES, REQUIREMENTS
from enforcement.models import EnforcementAction
from hazards.models import (
    Hazard,
    HazardEvent,
    HazardPhoto,
    LedgerSequence,
    RectificationNotice,
    Severity,
)
from inspections.models import Inspection
from notifications.models import Notification
from premises.models import Premises

HistoricalPremises = Premises.history.model

PHOTO_FILES = 6  # photos point at a few shared files (bench.county.media writes them)
PLAN = {
    "plan_measures": "制定专项整改方案，限期整改到位，整改期间落实专人管控",
    "plan_responsible": "经营者",
    "interim_measures": "停止使用相关区域，设置警戒线，安排专人值守",
    "emergency_plan": "发现险情立即疏散人员、切断电源气源并报警",
}


def columns(model) -> list[str]:
    """Every concrete column of the model's table: the row builders below must fill them all,
    so a field added to a model makes the generator fail loudly rather than load half a row."""
    return [f.column for f in model._meta.concrete_fields]


def next_id(model, field: str = "id") -> int:
    return (model.objects.aggregate(top=Max(field))["top"] or 0) + 1


def copy(table: str, cols: list[str], rows: Iterable[tuple]) -> int:
    count = 0
    statement = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(statement) as out:
        for row in rows:
            if len(row) != len(cols):
                raise ValueError(f"{table}: {len(row)} values for {len(cols)} columns")
            out.write_row(row)
            count += 1
    return count


def copy_model(model, rows: Iterable[tuple]) -> int:
    return copy(model._meta.db_table, columns(model), rows)


def number_by_year(items: list, *, prefix: str, when: Callable, assign: Callable) -> None:
    """Ledger / notice numbers per year in time order, after what LedgerSequence has issued;
    the sequence is moved on so the app's next number follows the generated ones."""
    counters: dict[int, int] = {}
    for item in items:
        year = when(item).year
        if year not in counters:
            row = LedgerSequence.objects.filter(prefix=prefix, year=year).first()
            counters[year] = row.last if row else 0
        counters[year] += 1
        assign(item, f"{prefix}-{year}-{counters[year]:06d}")
    for year, last in counters.items():
        LedgerSequence.objects.update_or_create(prefix=prefix, year=year, defaults={"last": last})


def assign_ids(history: History) -> None:
    history.sites.sort(key=lambda s: s.created_at)
    for n, site in enumerate(history.sites, start=next_id(Premises)):
        site.id = n
    history.visits.sort(key=lambda v: v.at)
    for n, visit in enumerate(history.visits, start=next_id(Inspection)):
        visit.id = n
    history.notices.sort(key=lambda notice: notice.visit.id)
    for n, notice in enumerate(history.notices, start=next_id(RectificationNotice)):
        notice.id = n
    number_by_year(
        history.notices,
        prefix="ZG",
        when=lambda notice: notice.visit.at,
        assign=lambda notice, number: setattr(notice, "number", number),
    )
    history.lives.sort(key=lambda life: (life.found_at, life.visit.id))
    for n, life in enumerate(history.lives, start=next_id(Hazard)):
        life.id = n
    number_by_year(
        history.lives,
        prefix="YH",
        when=lambda life: life.found_at,
        assign=lambda life, number: setattr(life, "ledger_number", number),
    )


# --- rows ---------------------------------------------------------------------------------------


def premises_rows(sites: list[Site]) -> Iterator[tuple]:
    for s in sites:
        updated = max(filter(None, (s.created_at, s.last_visit)))
        yield (
            s.id, s.created_at, updated, s.name, s.address, s.grid.pk, s.btype.pk,
            s.credit_code, s.operator, s.phone, s.area, s.floors, s.staff, s.over, s.lat,
            s.lon, s.status, s.risk, s.commitment, "", s.insurer, s.policy, s.insurance,
            s.qr, s.last_visit, s.patrol_due, s.created_by,
        )  # fmt: skip


def history_rows(sites: list[Site], first_id: int) -> Iterator[tuple]:
    """One "+" row per premises as registered, and a "~" row when it was closed or suspended."""
    history_id = first_id
    for s in sites:
        base = (
            s.id, s.created_at, s.name, s.address, s.credit_code, s.operator, s.phone, s.area,
            s.floors, s.staff, s.over, s.lat, s.lon,
        )  # fmt: skip
        rest = (
            s.commitment,
            "",
            s.insurer,
            s.policy,
            s.insurance,
            s.qr,
            s.grid.pk,
            s.btype.pk,
            s.created_by,
        )
        yield (
            *base,
            "operating",
            s.static_risk,
            *rest,
            history_id,
            s.created_at,
            None,
            "+",
            s.created_by,
        )
        history_id += 1
        if s.until is not None:
            moment = s.created_at.replace(year=s.until.year, month=s.until.month, day=s.until.day)
            yield (
                *base,
                s.status,
                s.static_risk,
                *rest,
                history_id,
                moment,
                "停业/注销",
                "~",
                s.created_by,
            )
            history_id += 1


def tag_rows(history: History, first_id: int) -> Iterator[tuple]:
    n = first_id
    for s in history.sites:
        for code in sorted(s.tags):
            yield (n, s.id, history.tag_ids[code])
            n += 1


def inspection_rows(history: History, rng) -> Iterator[tuple]:
    found = Inspection.Outcome.HAZARDS_FOUND
    for v in history.visits:
        lat = lon = None
        if rng.random() < 0.7:  # the phone gave a position
            lat = v.site.lat + Decimal(f"{rng.uniform(-0.0003, 0.0003):.6f}")
            lon = v.site.lon + Decimal(f"{rng.uniform(-0.0003, 0.0003):.6f}")
        if v.lives:
            outcome, notes = found, f"发现隐患{len(v.lives)}处"
        else:
            outcome, notes = Inspection.Outcome.NO_HAZARD, rng.choice(QUIET_NOTES + ["", ""])
        key = f"{rng.getrandbits(128):032x}"
        yield (
            v.id,
            v.at,
            v.at,
            v.site.id,
            v.inspector,
            v.at,
            v.kind,
            outcome,
            notes,
            lat,
            lon,
            key,
        )


def notice_rows(history: History, rng) -> Iterator[tuple]:
    interim, consequence = NOTICE_TEXT
    for notice in history.notices:
        v = notice.visit
        day = v.at.date()
        signed = day if rng.random() < 0.9 else None
        yield (
            notice.id,
            v.at,
            v.at,
            notice.number,
            v.site.id,
            v.id,
            v.inspector,
            day,
            notice.deadline,
            interim,
            review_date(notice.deadline),
            consequence,
            signed,
        )


def hazard_rows(lives: list[Life]) -> Iterator[tuple]:
    for h in lives:
        verified_major = h.severity == Severity.MAJOR and h.verified_at is not None
        plan = PLAN if verified_major else dict.fromkeys(PLAN, "")
        funds = Decimal(5000 + (h.id % 20) * 1000) if verified_major else None
        notice = h.visit.notice.id if h.visit.notice and not h.on_spot else None
        recurrence = h.recurrence_of.id if h.recurrence_of else None
        on_spot = bool(h.on_spot) and h.status == Hazard.Status.CLOSED
        yield (
            h.id, h.found_at, h.updated_at, h.ledger_number, h.premises.id, h.premises.grid.pk,
            h.premises.btype.pk, h.visit.id, notice,
            h.item.id, h.category, h.description, h.location, REQUIREMENTS[h.category],
            h.severity, h.status, h.rectify_by, h.department, h.escalation_level, recurrence,
            on_spot, h.reject_count, plan["plan_measures"], funds, plan["plan_responsible"],
            h.deadline if verified_major else None, plan["interim_measures"],
            plan["emergency_plan"], h.reporter, h.found_at, h.verified_at, h.submitted_at,
            h.submitted_by, h.closed_at, h.reviewed_by, h.dismissed_at, h.escalated_at,
        )  # fmt: skip


def event_rows(lives: list[Life], first_id: int) -> Iterator[tuple]:
    events = [(e[0], h.id, e) for h in lives for e in h.events]
    events.sort(key=lambda row: (row[0], row[1]))
    for n, (_at, hazard_id, (moment, action, before, after, actor, note)) in enumerate(
        events, start=first_id
    ):
        yield (n, hazard_id, actor, action, before, after, note, moment)


def photo_rows(lives: list[Life], first_id: int) -> Iterator[tuple]:
    photos = [(p[0], h.id, p) for h in lives for p in h.photos]
    photos.sort(key=lambda row: (row[0], row[1]))
    for n, (_at, hazard_id, (moment, stage, by)) in enumerate(photos, start=first_id):
        name = f"hazards/co/county-{n % PHOTO_FILES}"
        yield (n, moment, moment, hazard_id, None, "", stage, f"{name}.jpg", f"{name}_t.jpg", by)


def enforcement_rows(lives: list[Life], first_id: int) -> Iterator[tuple]:
    n = first_id
    for h in lives:
        if h.enforcement is None:
            continue
        moment, kind, department, fine, actor = h.enforcement
        note = "逾期未整改"
        fine = Decimal(fine) if fine else None
        yield (
            n,
            moment,
            moment,
            h.id,
            h.premises.id,
            kind,
            department,
            moment.date(),
            None,
            fine,
            note,
            actor,
        )
        n += 1


def inbox_rows(rng, *, users: list[int], today, first_id: int) -> Iterator[tuple]:
    """Sixty days of the daily digests officers and leaders got; most of them read."""
    kinds = [Notification.Kind.OVERDUE, Notification.Kind.PATROL_DUE, Notification.Kind.DUE_SOON]
    titles = {
        Notification.Kind.OVERDUE: "{n} 项隐患逾期",
        Notification.Kind.PATROL_DUE: "待巡查的场所",
        Notification.Kind.DUE_SOON: "{n} 项隐患将在2个工作日内到期",
    }
    rows = []
    for user in users:
        for back in range(60, 0, -1):
            if rng.random() > 0.35:
                continue
            day = today - timedelta(days=back)
            kind = rng.choice(kinds)
            created = at(day, 8, 30)
            read = created + timedelta(hours=rng.uniform(0.5, 30)) if rng.random() < 0.85 else None
            rows.append((created, user, kind, day, titles[kind].format(n=rng.randint(1, 9)), read))
    rows.sort(key=lambda r: (r[0], r[1]))
    for n, (created, user, kind, day, title, read) in enumerate(rows, start=first_id):
        yield (n, user, kind, "digest", 0, day, title, "", "", "[]", created, read)


# --- the load -----------------------------------------------------------------------------------


def write(history: History, *, rng, inbox_users: list[int], today, log: Callable) -> dict:
    """COPY every planned row, parents before children; returns the row count per table."""
    assign_ids(history)
    log("ids and ledger numbers assigned")
    through = Premises.tags.through
    counts = {}
    steps = [
        ("premises", Premises, lambda: premises_rows(history.sites)),
        (
            "premises history",
            HistoricalPremises,
            lambda: history_rows(history.sites, next_id(HistoricalPremises, "history_id")),
        ),
        ("premises tags", through, lambda: tag_rows(history, next_id(through))),
        ("inspections", Inspection, lambda: inspection_rows(history, rng)),
        ("notices", RectificationNotice, lambda: notice_rows(history, rng)),
        ("hazards", Hazard, lambda: hazard_rows(history.lives)),
        ("hazard events", HazardEvent, lambda: event_rows(history.lives, next_id(HazardEvent))),
        ("hazard photos", HazardPhoto, lambda: photo_rows(history.lives, next_id(HazardPhoto))),
        (
            "enforcement actions",
            EnforcementAction,
            lambda: enforcement_rows(history.lives, next_id(EnforcementAction)),
        ),
        (
            "notifications",
            Notification,
            lambda: inbox_rows(rng, users=inbox_users, today=today, first_id=next_id(Notification)),
        ),
    ]
    with tallies.paused():
        for label, model, rows in steps:
            counts[label] = copy_model(model, rows())
            log(f"{label}: {counts[label]:,} rows")
        log("dashboard tallies: counting")
    reset_sequences([model for _label, model, _rows in steps])
    return counts


def reset_sequences(models) -> None:
    """Rows came with their ids: move each id sequence past them."""
    with connection.cursor() as cursor:
        for model in models:
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "  # noqa: S608
                f"(SELECT coalesce(max({pk}), 1) FROM {table}))"
            )
