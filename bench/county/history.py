"""The county's premises and their years of visits and hazards, planned in Python before any of
it is written. Each premises is walked through time: visits at its risk colour's pace, hazards
found on some of them, each hazard's life (bench.county.life), recurrences of items closed within
180 days; at the end its derived fields (last visit, risk colour, next patrol) are computed from
that history exactly as premises.services.refresh_premises_state would."""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from bench.county.life import CST, Cast, Life, during_work, is_open, live
from bench.county.names import ROADS
from bench.county.people import Org
from demo.cast import person
from demo.registry import draw_credit_code, draw_premises_name, draw_tags
from demo.words import (
    COMPANIES,
    DEFAULT_SHAPE,
    INSURERS,
    LOCATIONS,
    NO_LICENCE,
    SHAPES,
    TYPE_WEIGHTS,
)
from hazards.calendar import add_working_days
from hazards.models import Severity
from inspections.models import ChecklistItem, Inspection
from premises.models import BusinessType, Premises, Tag
from premises.risk import compute_risk, patrol_due_on

RECURRENCE_DAYS = 180
P_MAJOR = 0.03
FINDINGS = ((1, 0.65), (2, 0.25), (3, 0.10))  # hazards per visit that finds something
MEAN_FINDINGS = sum(n * p for n, p in FINDINGS)
VISIT_WEIGHT = {"blue": 1.0, "yellow": 1.8, "orange": 3.0, "red": 5.0}
CENSUS_DAYS = 90  # the county's first months: the registry is entered
P_CLOSED, P_SUSPENDED = 0.05, 0.02
NOTICE_TEXT = (
    "整改完成前，应采取临时安全措施，保持疏散通道畅通。",
    "逾期未整改的，有关部门将依法责令停产停业并予以处罚。",
)


class Site:
    """One premises being planned."""

    __slots__ = (
        "address",
        "area",
        "btype",
        "cast",
        "commitment",
        "created_at",
        "created_by",
        "credit_code",
        "floors",
        "grid",
        "id",
        "insurance",
        "insurer",
        "items",
        "last_visit",
        "lat",
        "lon",
        "name",
        "operator",
        "over",
        "patrol_due",
        "phone",
        "policy",
        "qr",
        "raising",
        "risk",
        "staff",
        "static_risk",
        "status",
        "tags",
        "until",
    )  # fmt: skip


class Visit:
    __slots__ = ("at", "id", "inspector", "kind", "lives", "notice", "site")

    def __init__(self, site: Site, moment: datetime, inspector: int, kind: str) -> None:
        self.site, self.at, self.inspector, self.kind = site, moment, inspector, kind
        self.lives: list[Life] = []
        self.id = self.notice = None


@dataclass
class Notice:
    visit: Visit
    deadline: date
    id: int = 0
    number: str = ""


@dataclass
class History:
    sites: list[Site] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    lives: list[Life] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    tag_ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    id: int
    category: str
    text: str
    days: int
    on_spot: bool
    general: bool  # may be filed as a general hazard
    major: bool  # may be filed as a major one


@lru_cache(maxsize=4096)
def review_date(deadline: date) -> date:
    return add_working_days(deadline, 3)


class Planner:
    def __init__(self, org: Org, *, rng: random.Random, now: datetime, years: float) -> None:
        self.org, self.rng, self.now = org, rng, now.astimezone(CST)
        self.today = self.now.date()
        self.start = self.today - timedelta(days=round(365 * years))
        self.types = list(BusinessType.objects.order_by("code"))
        self.type_weights = [TYPE_WEIGHTS.get(t.code, 2) for t in self.types]
        self.tags = list(Tag.objects.order_by("code"))
        self.history = History(tag_ids={t.code: t.pk for t in self.tags})
        self.credit_codes: set[str] = set()
        self._load_items()
        self._applicable: dict[tuple, tuple[list[Item], list[Item]]] = {}

    def _load_items(self) -> None:
        self.items = []
        self.items_for_type: dict[int, set[int]] = {}
        self.items_for_tag: dict[str, set[int]] = {}
        for item in ChecklistItem.objects.filter(active=True).prefetch_related(
            "business_types", "tags"
        ):
            sev = item.severity
            self.items.append(
                (
                    Item(
                        item.pk,
                        item.category,
                        item.text_zh,
                        item.default_days,
                        item.fix_on_spot,
                        general=sev != "major",
                        major=sev != "general",
                    ),
                    item.applies_to_all,
                    {t.pk for t in item.business_types.all()},
                    {t.code for t in item.tags.all()},
                )
            )

    def applicable(self, site: Site) -> tuple[list[Item], list[Item]]:
        """(items a general hazard may cite, items a major one may cite) at this premises."""
        key = (site.btype.pk, frozenset(site.tags))
        if key not in self._applicable:
            items = [
                item
                for item, everyone, types, tags in self.items
                if everyone or site.btype.pk in types or tags & site.tags
            ]
            self._applicable[key] = (
                [i for i in items if i.general],
                [i for i in items if i.major],
            )
        return self._applicable[key]

    # --- the registry ---------------------------------------------------------------------------

    def plan_premises(self, total: int) -> None:
        rng, grids = self.rng, self.org.grids
        weights = [rng.lognormvariate(0, 0.35) for _ in grids]
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        by_fraction = sorted(range(len(grids)), key=lambda n: weights[n] * scale - counts[n])
        for n in by_fraction[len(grids) - (total - sum(counts)) :]:
            counts[n] += 1
        for grid, count in zip(grids, counts, strict=True):
            for _ in range(count):
                self.history.sites.append(self._site(grid))

    def _site(self, grid) -> Site:
        rng, today = self.rng, self.today
        town = self.org.town_of_village[grid.village_id]
        village = grid.village
        btype = rng.choices(self.types, self.type_weights)[0]
        code = btype.code
        site = Site()
        site.grid, site.btype = grid, btype
        site.tags = draw_tags(rng, code, self.tags)
        site.raising = {t.code for t in self.tags if t.raises_risk and t.code in site.tags}
        road, number = rng.choice(ROADS.split()), rng.randint(1, 388)
        site.name = draw_premises_name(rng, code, road, number)
        site.address = f"{town.town.name}{village.name}{road}{number}号"
        site.credit_code = ""
        if code not in NO_LICENCE and rng.random() < 0.7:
            while not site.credit_code or site.credit_code in self.credit_codes:
                site.credit_code = draw_credit_code(rng, code in COMPANIES)
            self.credit_codes.add(site.credit_code)
        site.operator, site.phone = person(rng)
        low, high, most_floors, most_staff = SHAPES.get(code, DEFAULT_SHAPE)
        site.area = Decimal(f"{rng.uniform(low, high):.1f}")
        site.floors, site.staff = rng.randint(1, most_floors), rng.randint(1, most_staff)
        site.over = bool(btype.size_limit) and rng.random() < 0.05
        lat, lon = town.centre
        site.lat = Decimal(f"{lat + rng.uniform(-0.05, 0.05):.6f}")
        site.lon = Decimal(f"{lon + rng.uniform(-0.05, 0.05):.6f}")
        census = rng.random() < 0.85
        first, last = (0, CENSUS_DAYS) if census else (CENSUS_DAYS, (today - self.start).days - 1)
        created = self.start + timedelta(days=rng.randint(first, max(first, last)))
        site.created_at = during_work(rng, created)
        site.status, site.until = Premises.Status.OPERATING, None
        draw, latest = rng.random(), today - timedelta(days=15)
        if draw < P_CLOSED + P_SUSPENDED and created + timedelta(days=60) < latest:
            site.status = Premises.Status.CLOSED if draw < P_CLOSED else Premises.Status.SUSPENDED
            site.until = created + timedelta(days=rng.randint(60, (latest - created).days))
        site.commitment = (
            min(created + timedelta(days=rng.randint(0, 60)), today)
            if rng.random() < 0.85
            else None
        )
        insured = rng.random() < (0.7 if code in COMPANIES | {"HOTEL", "ENT", "FOOD"} else 0.3)
        site.insurer = rng.choice(INSURERS) if insured else ""
        site.policy = f"PZAB{today.year}3311{rng.randrange(10**9):09d}" if insured else ""
        expires = today + timedelta(days=rng.randint(-60, 365))
        site.insurance = expires if insured else None
        site.qr = _token(rng)
        site.created_by = rng.choice(town.registry)
        site.static_risk = compute_risk(
            base=btype.base_risk,
            raising_tags=site.raising,
            over_size_limit=site.over,
            has_overdue_hazard=False,
            has_open_major_hazard=False,
        )
        department = btype.department_id
        site.cast = Cast(
            officers=tuple(self.org.officers[grid.pk]),
            leader=self.org.leader[village.pk],
            office=tuple(town.office + self.org.county_office),
            department=department,
            members=tuple(self.org.members.get(department, ())),
        )
        site.items = self.applicable(site)
        return site

    # --- visits and hazards ---------------------------------------------------------------------

    def plan_history(self, inspections: int, hazards: int) -> None:
        sites = self.history.sites
        spans = [self._span(site) for site in sites]
        weights = [
            VISIT_WEIGHT[s.static_risk] * max(span, 0) for s, span in zip(sites, spans, strict=True)
        ]
        per_weight = inspections / sum(weights)
        p_find = hazards / inspections / MEAN_FINDINGS
        for site, span, weight in zip(sites, spans, weights, strict=True):
            expected = weight * per_weight
            count = int(expected) + (self.rng.random() < expected - int(expected))
            self._walk(site, span, count, p_find)

    def _span(self, site: Site) -> int:
        end = site.until or self.today
        return (end - site.created_at.date()).days

    def _walk(self, site: Site, span: int, count: int, p_find: float) -> None:
        rng, start = self.rng, site.created_at.date()
        closed_items: dict[int, list[Life]] = {}
        site.last_visit = None
        lives = []
        for k in range(count):
            day = start + timedelta(days=int((k + rng.random()) * span / count))
            moment = max(during_work(rng, day), site.created_at + timedelta(minutes=10))
            if moment >= self.now:
                continue
            visit = Visit(site, moment, *self._inspector(site))
            self.history.visits.append(visit)
            site.last_visit = moment
            if rng.random() < p_find:
                self._find(visit, closed_items)
                lives += visit.lives
        self._settle_site(site, [life for life in lives if is_open(life)])

    def _inspector(self, site: Site) -> tuple[int, str]:
        draw, cast, kind = self.rng.random(), site.cast, Inspection.Kind
        if draw < 0.85:
            return cast.officers[0], kind.ROUTINE
        if draw < 0.92:
            return cast.officers[-1], kind.REVIEW if self.rng.random() < 0.3 else kind.ROUTINE
        if draw < 0.97:
            return cast.leader, kind.JOINT
        return self.rng.choice(cast.office), kind.CAMPAIGN

    def _find(self, visit: Visit, closed_items: dict[int, list[Life]]) -> None:
        rng, site = self.rng, visit.site
        generals, majors = site.items
        count = rng.choices([n for n, _ in FINDINGS], [p for _, p in FINDINGS])[0]
        for _ in range(count):
            major = bool(majors) and rng.random() < P_MAJOR
            item = rng.choice(majors if major else generals)
            on_spot = not major and item.on_spot and rng.random() < 0.6
            days = item.days
            if major:
                days = days if days >= 7 else 30
            elif not on_spot and days == 0:
                days = rng.choice((1, 3, 7))
            life = Life(
                premises=site,
                visit=visit,
                item=item,
                category=item.category,
                severity=Severity.MAJOR if major else Severity.GENERAL,
                description=item.text,
                location=rng.choice(LOCATIONS.get(item.category, "店内 门口").split()),
                found_at=visit.at,
                reporter=visit.inspector,
                deadline=visit.at.date() + timedelta(days=0 if on_spot else days),
                department=site.btype.department_id,
                on_spot=on_spot,
                recurrence_of=_recurrence(closed_items.get(item.id, ()), visit.at),
            )
            life.photos.append((visit.at, "finding", visit.inspector))
            live(life, rng=rng, cast=site.cast, now=self.now, today=self.today)
            visit.lives.append(life)
            self.history.lives.append(life)
            if life.closed_at is not None:
                closed_items.setdefault(item.id, []).append(life)
        waiting = [life for life in visit.lives if not life.on_spot]
        if waiting:
            visit.notice = Notice(visit, max(life.deadline for life in waiting))
            self.history.notices.append(visit.notice)

    def _settle_site(self, site: Site, open_lives: list[Life]) -> None:
        """The derived fields, as refresh_premises_state computes them today."""
        site.risk = compute_risk(
            base=site.btype.base_risk,
            raising_tags=site.raising,
            over_size_limit=site.over,
            has_overdue_hazard=any(life.rectify_by < self.today for life in open_lives),
            has_open_major_hazard=any(life.severity == Severity.MAJOR for life in open_lives),
        )
        last = site.last_visit.date() if site.last_visit else None
        site.patrol_due = patrol_due_on(last, site.risk, site.grid.patrol_interval_days)


def _recurrence(closed: list[Life], moment: datetime) -> Life | None:
    """死灰复燃: the latest hazard of the same item here closed within the last 180 days."""
    since = moment - timedelta(days=RECURRENCE_DAYS)
    matches = [life for life in closed if since <= life.closed_at <= moment]
    return max(matches, key=lambda life: life.closed_at) if matches else None


def _token(rng: random.Random) -> str:
    """A QR token like new_qr_token(), drawn from the seeded source (the same seed, the same
    county)."""
    return uuid.UUID(int=rng.getrandbits(128)).hex[:22]
