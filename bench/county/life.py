"""A hazard's whole life, lived the way the loop and the daily sweep (docs/workflow.md) would
have lived it, then cut at `now`: the row stores the state its events lead to.

Times are aware datetimes in China Standard Time (Asia/Shanghai has had no daylight saving since
1991), so `moment.date()` is the local day the app computes "today" and "overdue" with.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from demo.words import DISMISS_REASONS, REJECT_REASONS, SUBMIT_NOTES
from hazards.models import Hazard, HazardEvent, Severity
from hazards.reminders import LADDER

CST = timezone(timedelta(hours=8), "CST")
S, A = Hazard.Status, HazardEvent.Action
OPEN = frozenset(("reported", "rectifying", "submitted"))

# How lives go (tuned so a county lands near 92% closed, 3% dismissed, 5% open).
P_DISMISS = 0.03
P_ON_SPOT = 0.6  # of findings whose checklist item is usually fixed on the spot
P_EXTEND = 0.06
FIX_ON_TIME, FIX_LATE, FIX_VERY_LATE = 0.76, 0.13, 0.095  # the rest is never fixed
P_REJECT = (0.10, 0.15)  # first and second review
P_ENFORCE = 0.35  # of hazards escalated twice

with translation.override(settings.LANGUAGE_CODE):
    ESCALATION_NOTE = gettext("Overdue by %(days)d days: escalated to level %(level)d.")
    ON_SPOT_NOTE = gettext("Fixed on the spot")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)


def during_work(rng: random.Random, day: date) -> datetime:
    return at(day, rng.randint(8, 17), rng.randrange(60))


@dataclass(frozen=True)
class Cast:
    """Who acts on a premises' hazards: its grid's officers, village leader, town office and
    the department supervising its business type."""

    officers: tuple[int, ...]
    leader: int
    office: tuple[int, ...]
    department: int | None
    members: tuple[int, ...]


class Life:
    """One hazard: what was found, and every step of its loop (events) until `now`."""

    __slots__ = (
        "category",
        "closed_at",
        "deadline",
        "department",
        "description",
        "dismissed_at",
        "enforcement",
        "escalated_at",
        "escalation_level",
        "events",
        "found_at",
        "id",
        "item",
        "ledger_number",
        "location",
        "notice",
        "on_spot",
        "photos",
        "premises",
        "rectify_by",
        "recurrence_of",
        "reject_count",
        "reporter",
        "reviewed_by",
        "severity",
        "status",
        "submitted_at",
        "submitted_by",
        "updated_at",
        "verified_at",
        "visit",
    )  # fmt: skip

    def __init__(self, **values) -> None:
        for name in self.__slots__:
            setattr(self, name, values.get(name))
        self.events, self.photos = [], []


def _review_at(rng: random.Random, submitted: datetime) -> datetime:
    hours = rng.uniform(72, 288) if rng.random() < 0.1 else rng.uniform(1, 96)
    return submitted + timedelta(hours=hours)


def _reviewer(rng: random.Random, life: Life, cast: Cast, submitter: int) -> int:
    if life.severity == Severity.MAJOR:
        pool = list(cast.members) + list(cast.office) if rng.random() < 0.5 else cast.office
        return rng.choice(pool or cast.office)
    if cast.leader != submitter and rng.random() < 0.85:
        return cast.leader
    return rng.choice(cast.office)


def _climb(life, *, level, start, end, verified_at, deadline, today) -> int:
    """The daily sweep's escalations while the hazard waited for a fix between `start` and
    `end` (None: still waiting), up to yesterday: today's sweep is left to the benchmark."""
    thresholds = LADDER[life.severity]
    day = start.date() + timedelta(days=1) if start > at(start.date(), 8, 30) else start.date()
    while level < len(thresholds):
        day = max(day, deadline + timedelta(days=thresholds[level]))
        moment = at(day, 8, 30)  # the beat schedule's daily sweep
        if day >= today or (end is not None and moment >= end):
            break
        late = (day - deadline).days
        status = S.RECTIFYING if verified_at is not None and moment >= verified_at else S.REPORTED
        while level < sum(late >= t for t in thresholds):
            level += 1
            note = ESCALATION_NOTE % {"days": late, "level": level}
            life.events.append((moment, A.ESCALATE, status, status, None, note))
        day += timedelta(days=1)
    return level


def _submit_time(rng: random.Random, after: datetime, deadline: date) -> datetime | None:
    """When the fix is submitted: on time mostly, some late, some very late, a few never."""
    draw = rng.random()
    if draw < FIX_ON_TIME:
        span = max((deadline - after.date()).days, 0)
        moment = during_work(rng, after.date() + timedelta(days=rng.randint(0, span)))
        return max(moment, after + timedelta(hours=1))
    if draw < FIX_ON_TIME + FIX_LATE:
        return during_work(rng, deadline + timedelta(days=rng.randint(1, 25)))
    if draw < FIX_ON_TIME + FIX_LATE + FIX_VERY_LATE:
        return during_work(rng, deadline + timedelta(days=rng.randint(25, 700)))
    return None


def live(life: Life, *, rng: random.Random, cast: Cast, now: datetime, today: date) -> None:
    """Fill `life.events` with the hazard's whole loop, then its fields with the state at
    `now`. The caller has set what was found, by whom, when, and the first deadline."""
    found = life.found_at
    events = life.events
    events.append((found, A.REPORT, "", S.REPORTED, life.reporter, ""))
    if rng.random() < P_DISMISS:
        moment = found + timedelta(hours=rng.uniform(2, 72))
        reason = rng.choice(DISMISS_REASONS)
        events.append((moment, A.DISMISS, S.REPORTED, S.DISMISSED, cast.leader, reason))
        return _settle(life, now=now)
    if life.on_spot:
        moment = found + timedelta(minutes=rng.randint(5, 40))
        events.append((moment, A.ACCEPT, S.REPORTED, S.CLOSED, life.reporter, ON_SPOT_NOTE))
        life.photos.append((moment, "rectification", life.reporter))
        return _settle(life, now=now)
    major = life.severity == Severity.MAJOR
    verified = found + timedelta(hours=rng.uniform(2, 60))
    verifier = rng.choice(cast.office) if major and rng.random() < 0.5 else cast.leader
    events.append((verified, A.VERIFY, S.REPORTED, S.RECTIFYING, verifier, ""))
    deadline, since = life.deadline, verified
    deadlines = [(found, deadline)]
    if rng.random() < P_EXTEND and deadline > verified.date():
        days = rng.randint(0, (deadline - verified.date()).days - 1)
        moment = during_work(rng, verified.date() + timedelta(days=days))
        if moment > verified:
            later = deadline + timedelta(days=rng.randint(7, 30))
            note = f"{deadline:%Y-%m-%d} → {later:%Y-%m-%d}: 经营者申请，确有困难"
            events.append((moment, A.EXTEND, S.RECTIFYING, S.RECTIFYING, cast.leader, note))
            deadline, since = later, moment
            deadlines.append((moment, later))
    submitted = _submit_time(rng, since, deadline)
    level = _climb(
        life,
        level=0,
        start=found,
        end=submitted,
        verified_at=verified,
        deadline=deadline,
        today=today,
    )
    rejects = 0
    while submitted is not None:
        submitter = cast.leader if rng.random() < 0.1 else rng.choice(cast.officers)
        events.append(
            (
                submitted,
                A.SUBMIT_FIX,
                S.RECTIFYING,
                S.SUBMITTED,
                submitter,
                rng.choice(SUBMIT_NOTES),
            )
        )
        life.photos.append((submitted, "rectification", submitter))
        reviewed = _review_at(rng, submitted)
        reviewer = _reviewer(rng, life, cast, submitter)
        if rejects < len(P_REJECT) and rng.random() < P_REJECT[rejects]:
            rejects += 1
            events.append(
                (
                    reviewed,
                    A.REJECT,
                    S.SUBMITTED,
                    S.RECTIFYING,
                    reviewer,
                    rng.choice(REJECT_REASONS),
                )
            )
            if rng.random() < 0.5:
                deadline = reviewed.date() + timedelta(days=7)
                deadlines.append((reviewed, deadline))
            again = during_work(rng, reviewed.date() + timedelta(days=rng.randint(2, 12)))
            submitted = max(again, reviewed + timedelta(hours=1)) if rng.random() > 0.02 else None
            level = _climb(
                life,
                level=level,
                start=reviewed,
                end=submitted,
                verified_at=verified,
                deadline=deadline,
                today=today,
            )
            continue
        events.append((reviewed, A.ACCEPT, S.SUBMITTED, S.CLOSED, reviewer, ""))
        break
    _settle(life, now=now, deadlines=deadlines)
    if life.escalation_level >= 2 and rng.random() < P_ENFORCE:
        _enforce(life, rng=rng, cast=cast, now=now)


def _enforce(life: Life, *, rng: random.Random, cast: Cast, now: datetime) -> None:
    second = [e for e in life.events if e[1] == A.ESCALATE][1][0]
    moment = during_work(rng, second.date() + timedelta(days=rng.randint(1, 10)))
    if moment >= now or cast.department is None:
        return
    status = S.REPORTED
    for event in life.events:
        if event[0] <= moment and event[3]:
            status = event[3]
    if status not in OPEN:
        return
    kind = "fine" if rng.random() < 0.3 else "interview"
    fine = rng.choice([500, 1000, 2000, 5000]) if kind == "fine" else None
    actor = rng.choice(cast.members or cast.office)
    label = "罚款" if kind == "fine" else "约谈"
    life.enforcement = (moment, kind, cast.department, fine, actor)
    life.events.append((moment, A.ENFORCE, status, status, actor, f"{label}: 逾期未整改"))
    life.events.sort(key=lambda e: e[0])
    life.updated_at = max(life.updated_at, moment)


def _settle(life: Life, *, now: datetime, deadlines=None) -> None:
    """Keep the events up to `now` and set the fields they lead to."""
    life.events.sort(key=lambda e: e[0])  # stable: same-instant escalations keep their order
    kept = [e for e in life.events if e[0] <= now]
    life.events = kept
    life.photos = [p for p in life.photos if p[0] <= now]
    life.status, life.escalation_level, life.reject_count = S.REPORTED, 0, 0
    for moment, action, _from, to, actor, _note in kept:
        if to:
            life.status = to
        if action == A.VERIFY:
            life.verified_at = moment
        elif action == A.SUBMIT_FIX:
            life.submitted_at, life.submitted_by = moment, actor
        elif action == A.ACCEPT:
            life.closed_at, life.reviewed_by = moment, actor
            if life.on_spot:
                life.submitted_at, life.submitted_by = moment, actor
        elif action == A.REJECT:
            life.reviewed_by, life.reject_count = actor, life.reject_count + 1
        elif action == A.DISMISS:
            life.dismissed_at = moment
        elif action == A.ESCALATE:
            life.escalated_at, life.escalation_level = moment, life.escalation_level + 1
    life.rectify_by = life.deadline
    for moment, deadline in deadlines or ():
        if moment <= now:
            life.rectify_by = deadline
    life.updated_at = kept[-1][0]


def is_open(life: Life) -> bool:
    return life.status in OPEN
