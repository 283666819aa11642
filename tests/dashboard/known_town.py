"""A small town whose every dashboard figure is known by hand, for the KPI and drill-down tests.

The clock stands at NOW (2026-08-10 10:00, Asia/Shanghai); the period is January–July 2026,
compared with January–July 2025. Rows sit on the period's edges at local midnight (which is
16:00 UTC the day before), and some hazards were found before the period and closed in it or
are still open ("carried over").

    village V1 (东村): grid G1 — p1 (shop, covered), p2 (shop, due today)
                       grid G2 — p3 (restaurant, never inspected)
    village V2 (西村): grid G3 — p4 (restaurant, covered), p5 (shop, closed down)

The fire station (FIRE) supervises restaurants. The expected figures are in EXPECTED below and
in the tests; the comments at each row say what it counts for.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.roles import Role
from dashboard.periods import Period
from hazards.models import Category, Hazard, Severity
from premises.models import Premises
from tests.factories import (
    AccidentFactory,
    BusinessTypeFactory,
    DepartmentFactory,
    GridFactory,
    HazardFactory,
    InspectionFactory,
    PremisesFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 8, 10, 10, 0, tzinfo=SHANGHAI)
TODAY = date(2026, 8, 10)
PERIOD = Period(date(2026, 1, 1), date(2026, 7, 31))
LAST_MICROSECOND = (23, 59, 59, 999999)
S = Hazard.Status


def at(year: int, month: int, day: int, *hms: int) -> datetime:
    """A local (Asia/Shanghai) moment."""
    return datetime(year, month, day, *hms, tzinfo=SHANGHAI)


@dataclass
class KnownTown:
    town: object
    v1: object
    v2: object
    g1: object
    g2: object
    g3: object
    fire: object
    p: dict
    h: dict
    office: object
    leader: object
    department: object
    officer: object


def hazard(premises, number: str, *, reported_at, status=S.REPORTED, **fields) -> Hazard:
    fields.setdefault("rectify_by", TODAY + timedelta(days=7))
    if status == S.CLOSED:
        fields.setdefault("verified_at", reported_at)
        fields.setdefault("submitted_at", fields["closed_at"])
    if status == S.DISMISSED:
        fields.setdefault("dismissed_at", reported_at + timedelta(days=1))
    return HazardFactory(
        premises=premises,
        ledger_number=f"YH-2026-{number}",
        reported_at=reported_at,
        status=status,
        **fields,
    )


def build() -> KnownTown:
    town = TownFactory(name="平安镇", code="PA")
    office = UserFactory(username="office", role=Role.SAFETY_OFFICE)
    leader = UserFactory(username="leader", role=Role.VILLAGE_LEADER)
    department = UserFactory(username="department", role=Role.DEPARTMENT_OFFICER)
    officer = UserFactory(username="officer", role=Role.GRID_OFFICER)
    fire = DepartmentFactory(name="消防救援所", code="FIRE", name_en="Fire station",
                             members=[department])  # fmt: skip
    shop = BusinessTypeFactory(code="SHOP", name_zh="小商店", name_en="Small shop")
    food = BusinessTypeFactory(
        code="FOOD", name_zh="小餐饮", name_en="Small restaurant", department=fire
    )
    v1 = VillageFactory(town=town, name="东村", code="V1", leaders=[leader])
    v2 = VillageFactory(town=town, name="西村", code="V2")
    g1 = GridFactory(village=v1, name="东一网格", code="G1", officers=[officer])
    g2 = GridFactory(village=v1, name="东二网格", code="G2")
    g3 = GridFactory(village=v2, name="西一网格", code="G3")
    seen = at(2026, 8, 5, 9)
    p = {
        "p1": PremisesFactory(grid=g1, business_type=shop, name="p1 covered",
                              last_inspected_at=seen, patrol_due_on=TODAY + timedelta(days=5)),
        "p2": PremisesFactory(grid=g1, business_type=shop, name="p2 due today",
                              last_inspected_at=seen, patrol_due_on=TODAY),
        "p3": PremisesFactory(grid=g2, business_type=food, name="p3 never inspected"),
        "p4": PremisesFactory(grid=g3, business_type=food, name="p4 covered",
                              last_inspected_at=seen, patrol_due_on=TODAY + timedelta(days=1)),
        "p5": PremisesFactory(grid=g3, business_type=shop, name="p5 closed down",
                              status=Premises.Status.CLOSED),
    }  # fmt: skip
    _inspections(p, officer)
    h = _hazards(p, fire)
    _accidents(v1, v2, p)
    return KnownTown(town, v1, v2, g1, g2, g3, fire, p, h, office, leader, department, officer)


def _inspections(p: dict, inspector) -> None:
    visits = [
        (p["p1"], at(2026, 1, 1)),  # in: the period's first microsecond (2025-12-31 16:00 UTC)
        (p["p1"], at(2025, 12, 31, *LAST_MICROSECOND)),  # out: the day before
        (p["p2"], at(2026, 7, 31, *LAST_MICROSECOND)),  # in: the period's last microsecond
        (p["p2"], at(2026, 8, 1)),  # out: the day after
        (p["p1"], at(2026, 3, 15, 10)),  # in
        (p["p4"], at(2026, 3, 16, 10)),  # in
        (p["p4"], at(2025, 7, 31, 23)),  # a year earlier: in
        (p["p4"], at(2025, 8, 1)),  # a year earlier: out
        # The latest visits, which premises.last_inspected_at records: after the period.
        (p["p1"], at(2026, 8, 5, 9)),
        (p["p2"], at(2026, 8, 5, 9)),
        (p["p4"], at(2026, 8, 5, 9)),
    ]
    for premises, visited_at in visits:
        InspectionFactory(premises=premises, inspector=inspector, visited_at=visited_at)


def _hazards(p: dict, fire) -> dict:
    major = {"severity": Severity.MAJOR}
    return {
        # found, closed, closed in the period after 10 days
        "h1": hazard(p["p1"], "000001", reported_at=at(2026, 1, 1), status=S.CLOSED,
                     closed_at=at(2026, 1, 11), category=Category.ELEC),
        # found on the last microsecond; open, overdue (deadline yesterday)
        "h2": hazard(p["p1"], "000002", reported_at=at(2026, 7, 31, *LAST_MICROSECOND),
                     status=S.RECTIFYING, verified_at=at(2026, 8, 1),
                     rectify_by=TODAY - timedelta(days=1), category=Category.GAS, department=fire),
        # found the day after the period: not found; open, not overdue
        "h3": hazard(p["p2"], "000003", reported_at=at(2026, 8, 1),
                     rectify_by=TODAY + timedelta(days=3), category=Category.ELEC),
        # dismissed: never counted as found
        "h4": hazard(p["p2"], "000004", reported_at=at(2026, 3, 1), status=S.DISMISSED,
                     category=Category.ELEC),
        # carried over: found before the period, closed in it after 52 days
        "h5": hazard(p["p4"], "000005", reported_at=at(2025, 12, 20), status=S.CLOSED,
                     closed_at=at(2026, 2, 10), category=Category.FLAM),
        # carried over: open major, overdue, with interim measures
        "h6": hazard(p["p3"], "000006", reported_at=at(2025, 11, 1), status=S.RECTIFYING,
                     verified_at=at(2025, 11, 2), rectify_by=TODAY - timedelta(days=10),
                     interim_measures="停止使用并设置警戒", category=Category.ELEC, **major),
        # found; open major without interim measures (not verified yet)
        "h7": hazard(p["p4"], "000007", reported_at=at(2026, 5, 5),
                     rectify_by=TODAY + timedelta(days=20), category=Category.FIRE_FAC,
                     department=fire, **major),
        # found; closed after the period (closed by now, not closed in the period)
        "h8": hazard(p["p4"], "000008", reported_at=at(2026, 6, 1), status=S.CLOSED,
                     closed_at=at(2026, 8, 5), category=Category.ELEC),
        # a year earlier: found, closed after 3 days
        "h9": hazard(p["p1"], "000009", reported_at=at(2025, 3, 1), status=S.CLOSED,
                     closed_at=at(2025, 3, 4), category=Category.ELEC),
        # a year earlier: found, still open and overdue
        "h10": hazard(p["p2"], "000010", reported_at=at(2025, 6, 1),
                      rectify_by=date(2025, 6, 10), category=Category.ELEC),
        # at premises closed down since: found, closed in the period after 2 days
        "h11": hazard(p["p5"], "000011", reported_at=at(2026, 4, 1), status=S.CLOSED,
                      closed_at=at(2026, 4, 3), category=Category.ELEC),
        # found; closed at the first microsecond after the period
        "h12": hazard(p["p1"], "000012", reported_at=at(2026, 7, 20), status=S.CLOSED,
                      closed_at=at(2026, 8, 1), category=Category.GAS),
        # found; closed on the period's last microsecond after 6.5 days
        "h13": hazard(p["p1"], "000013", reported_at=at(2026, 7, 25, 12), status=S.CLOSED,
                      closed_at=at(2026, 7, 31, *LAST_MICROSECOND), category=Category.EVAC),
    }  # fmt: skip


def _accidents(v1, v2, p: dict) -> None:
    AccidentFactory(occurred_on=date(2026, 1, 1), village=v1, deaths=1, injuries=2,
                    direct_loss=Decimal("10.50"))  # fmt: skip
    AccidentFactory(occurred_on=date(2026, 7, 31), village=v2, premises=p["p4"], injuries=1,
                    direct_loss=Decimal("2.00"))  # fmt: skip
    AccidentFactory(occurred_on=date(2026, 8, 1), village=v1, deaths=3)  # after the period
    AccidentFactory(occurred_on=date(2025, 12, 31), village=v1, injuries=3)  # before it
    AccidentFactory(occurred_on=date(2025, 3, 3), village=v1, deaths=1, injuries=4,
                    direct_loss=Decimal("5.00"))  # fmt: skip
    AccidentFactory(occurred_on=date(2025, 7, 31), village=v2, deaths=1)


# Hand-counted figures of the whole town for PERIOD at NOW (see each row's comment).
EXPECTED_TOWN = {
    "inspections": 4,  # p1 ×2, p2, p4
    "inspections_prev": 1,
    "premises_inspected": 3,
    "premises_inspected_prev": 1,
    "found": 7,  # h1 h2 h7 h8 h11 h12 h13
    "found_prev": 2,  # h9 h10
    "closed": 5,  # h1 h8 h11 h12 h13
    "closed_prev": 1,  # h9
    "closed_in": 4,  # h1 h5 h11 h13
    "closed_in_prev": 1,  # h9
    "open": 5,  # h2 h3 h6 h7 h10
    "overdue": 3,  # h2 h6 h10
    "open_major": 2,  # h6 h7
    "open_major_overdue": 1,  # h6
    "open_major_no_interim": 1,  # h7
    "operating": 4,  # p1 p2 p3 p4
    "covered": 2,  # p1 p4
    "patrol_due": 2,  # p2 (due today) p3 (never)
    "never_inspected": 1,  # p3
    "accidents": 2,
    "accidents_prev": 2,
    "deaths": 1,
    "deaths_prev": 2,
    "injuries": 3,
    "injuries_prev": 4,
}
# (10 + 52 + 2 + 6.5) / 4 days, less a microsecond from h13
TIME_TO_CLOSE_TOWN = 17.625
