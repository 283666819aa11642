"""One dashboard page's content: the figures of dashboard/kpis.py and dashboard/lists.py, each
with the link to the rows behind it. The page, the Excel export and the monthly report all read
a `Board`, so they can never disagree."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from accounts.base import in_language
from accounts.roles import Role
from dashboard import breakdowns, kpis, links
from dashboard import lists as short_lists
from dashboard.figures import (
    COUNT,
    DAYS,
    DEFAULT_RANK,
    MONEY,
    RANK_ORDERS,
    RATE,
    SUM,
    Board,
    BreakdownRow,
    Figure,
    RankRow,
    ShortList,
    percent,
)
from dashboard.periods import Period
from dashboard.scopes import GRID, TOWN, VILLAGE, Scope, children
from dashboard.sources import Sources, sources
from hazards.models import Category
from hazards.rights import is_office
from premises.models import Premises

# --- headline figures --------------------------------------------------------------------------

LABELS = {
    "inspections": _("Inspections (visits)"),
    "premises_inspected": _("Premises inspected"),
    "found": _("Hazards found"),
    "closed": _("Rectified and closed"),
    "rate": _("Rectification rate"),
    "time_to_close": _("Mean days to close"),
    "closed_in": _("Closed in the period"),
    "open_major": _("Open major hazards"),
    "open_major_overdue": _("Major hazards past their deadline"),
    "open_major_no_interim": _("Major hazards without interim measures"),
    "overdue": _("Overdue hazards"),
    "coverage": _("Patrol coverage"),
    "covered": _("Patrolled within their interval"),
    "operating": _("Operating premises"),
    "patrol_due": _("Due for patrol"),
    "never_inspected": _("Never inspected"),
    "offenders": _("Persistent offenders"),
    "accidents": _("Accidents"),
    "deaths": _("Deaths"),
    "injuries": _("Injuries"),
    "casualties": _("Casualties (deaths and injuries)"),
    "direct_loss": _("Direct loss (10k yuan)"),
}

# Which way a change is good news, for its colour; "found" is neither (more found can mean
# better inspections or worse premises).
BETTER = {
    "inspections": "up",
    "premises_inspected": "up",
    "closed": "up",
    "rate": "up",
    "closed_in": "up",
    "time_to_close": "down",
    "accidents": "down",
    "deaths": "down",
    "injuries": "down",
    "casualties": "down",
    "direct_loss": "down",
}

CARD_PARTS = {
    "rate": ("closed", "found"),
    "time_to_close": ("closed_in",),
    "open_major": ("open_major_overdue", "open_major_no_interim"),
    "coverage": ("covered", "operating"),
}


def _figures(where: dict, period: Period, h: dict, p: dict, i: dict, a: dict) -> dict:
    """The headline figures from the hazard and premises figures (summed), the inspection and
    the accident figures."""
    before = period.year_earlier()
    a["casualties"] = a["deaths"] + a["injuries"]
    a["casualties_prev"] = a["deaths_prev"] + a["injuries_prev"]
    figures: dict[str, Figure] = {}

    def counted(key: str, data: dict, link) -> None:
        """A count of the period, compared with the same period a year earlier."""
        url, previous_url = link(where, period), link(where, before)
        previous = data[f"{key}_prev"]
        figures[key] = Figure(
            key, LABELS[key], data[key], url, previous=previous, previous_url=previous_url
        )

    def compared(key: str, value, previous, url: str, kind: str) -> None:
        figures[key] = Figure(key, LABELS[key], value, url, kind=kind, previous=previous)

    def snapshot(key: str, value, url: str, kind: str = COUNT, bad: bool = True) -> None:
        """A figure of now: no year-on-year change (the past state is not kept)."""
        figures[key] = Figure(
            key, LABELS[key], value, url, kind=kind, compares=False, bad_when_positive=bad
        )

    counted("inspections", i, links.inspections)
    counted("premises_inspected", i, links.premises_inspected)
    counted("found", h, links.found)
    counted("closed", h, links.closed)
    rate, rate_before = percent(h["closed"], h["found"]), percent(h["closed_prev"], h["found_prev"])
    compared("rate", rate, rate_before, links.closed(where, period), RATE)
    closed_in = links.closed_in(where, period)
    compared("time_to_close", h["time_to_close"], h["time_to_close_prev"], closed_in, DAYS)
    counted("closed_in", h, links.closed_in)
    snapshot("open_major", h["open_major"], links.open_major(where))
    overdue_major = links.open_major(where, overdue="true")
    snapshot("open_major_overdue", h["open_major_overdue"], overdue_major)
    no_interim = links.open_major(where, interim_missing="true")
    snapshot("open_major_no_interim", h["open_major_no_interim"], no_interim)
    snapshot("overdue", h["overdue"], links.overdue(where))
    covered = links.premises(where, patrol="covered")
    snapshot("coverage", percent(p["covered"], p["operating"]), covered, RATE, bad=False)
    snapshot("covered", p["covered"], covered, bad=False)
    operating = links.premises(where, status=Premises.Status.OPERATING)
    snapshot("operating", p["operating"], operating, bad=False)
    snapshot("patrol_due", p["patrol_due"], links.premises(where, patrol="due"))
    snapshot("never_inspected", p["never_inspected"], links.premises(where, patrol="never"))
    counted("accidents", a, links.accidents)
    accidents = links.accidents(where, period)
    for key in ("deaths", "injuries", "casualties"):
        compared(key, a[key], a[f"{key}_prev"], accidents, SUM)
    compared(
        "direct_loss", Decimal(a["direct_loss"]), Decimal(a["direct_loss_prev"]), accidents, MONEY
    )
    for key, figure in figures.items():
        figure.better = BETTER.get(key, "")
    for key, parts in CARD_PARTS.items():
        figures[key].parts = [figures[part] for part in parts]
    return figures


# --- ranking ------------------------------------------------------------------------------------

CHILD_LABELS = {TOWN: _("Town"), VILLAGE: _("Village"), GRID: _("Grid")}


def count(key: str, value: int, url: str) -> Figure:
    """A count in a table (its label is the column's header)."""
    return Figure(key, LABELS.get(key, key), value, url, compares=False)


def _rank_row(place: Model, kind: str, data: dict, period: Period) -> RankRow:
    where = {kind: place.pk}
    get = data.get
    found, closed = get("found", 0), get("closed", 0)
    covered, operating = get("covered", 0), get("operating", 0)
    return RankRow(
        place=place,
        title=place.name,
        board_url=links.board("dashboard:index", where, period),
        found=count("found", found, links.found(where, period)),
        closed=count("closed", closed, links.closed(where, period)),
        rate=percent(closed, found),
        overdue=count("overdue", get("overdue", 0), links.overdue(where)),
        open_major=count("open_major", get("open_major", 0), links.open_major(where)),
        covered=count("covered", covered, links.premises(where, patrol="covered")),
        operating=count("operating", operating, links.premises(where, status="operating")),
        coverage=percent(covered, operating),
        time_to_close=get("time_to_close"),
        closed_in=count("closed_in", get("closed_in", 0), links.closed_in(where, period)),
    )


def _rank_key(order: str):
    """Worst first: lowest rate or coverage, most overdue, slowest; places with no figure last."""
    if order == "overdue":
        return lambda row: (-row.overdue.value, row.title)
    if order == "name":
        return lambda row: (0, row.title)
    attribute = {"rate": "rate", "coverage": "coverage", "days": "time_to_close"}[order]
    sign = -1 if order == "days" else 1

    def key(row: RankRow):
        value = getattr(row, attribute)
        return (value is None, sign * (value or 0), row.title)

    return key


def _ranking(scope: Scope, places: list, period: Period, groups: dict, order: str) -> list[RankRow]:
    if scope.child_kind is None:
        return []
    rows = []
    for place in places:
        data = {name: group.get(place.pk, {}) for name, group in groups.items()}
        figures = kpis.with_mean_days({**data["hazards"], **data["premises"]})
        rows.append(_rank_row(place, scope.child_kind, figures, period))
    return sorted(rows, key=_rank_key(order if order in RANK_ORDERS else DEFAULT_RANK))


# --- trend, breakdowns, lists ---------------------------------------------------------------------


def _trend(counts: dict, where: dict, period: Period) -> list[dict]:
    months = []
    for piece in period.months():
        month = piece.start.replace(day=1)
        n = counts.get(month, {"found": 0, "closed": 0})
        months.append(
            {
                "month": month,
                "found": count("found", n["found"], links.found(where, piece)),
                "closed": count("closed_in", n["closed"], links.closed_in(where, piece)),
            }
        )
    return months


def _breakdown_label(by: str, row: dict) -> tuple[str, object]:
    """The row's name and the value of the ledger parameter that selects it."""
    if by == "category":
        return str(Category(row["category"]).label), row["category"]
    if by == "business_type":
        names = row["business_type__name_zh"], row["business_type__name_en"]
        return in_language(*names), row["business_type"]
    if row["department"] is None:
        return str(_("No department")), "null"
    return in_language(row["department__name"], row["department__name_en"]), row["department"]


def _breakdown_rows(table: list[dict], where: dict, period: Period, by: str) -> list[BreakdownRow]:
    rows = []
    for row in table:
        label, param = _breakdown_label(by, row)
        extra = {by: param}
        rows.append(
            BreakdownRow(
                label=label,
                found=count("found", row["found"], links.found(where, period, **extra)),
                closed=count("closed", row["closed"], links.closed(where, period, **extra)),
                rate=percent(row["closed"], row["found"]),
                overdue=count("overdue", row["overdue"], links.overdue(where, **extra)),
            )
        )
    return rows


def _lists(read: dict, scope: Scope, offender_page: bool, figures: dict[str, Figure]) -> dict:
    offenders, offender_count = read["offenders"]
    offender_total = count(
        "offenders", offender_count, links.premises(scope.params, offender="true")
    )
    offender_url = links.offender_page() if offender_page else ""
    lists = [
        ("open_major", read["open_major"], figures["open_major"]),
        ("overdue", read["overdue"], figures["overdue"]),
        ("offenders", offenders, offender_total),
        ("patrol_due", read["patrol_due"], figures["patrol_due"]),
        ("never_inspected", read["never_inspected"], figures["never_inspected"]),
    ]
    return {
        key: ShortList(
            key,
            LABELS[key],
            items,
            total,
            extra_url=offender_url if key == "offenders" else "",
        )
        for key, items, total in lists
    }


# --- the board ----------------------------------------------------------------------------------


def build(
    user,
    scope: Scope,
    period: Period,
    *,
    today: date,
    now: datetime,
    rank: str = DEFAULT_RANK,
    with_lists: bool = True,
) -> Board:
    """Everything one dashboard page shows, read in a fixed number of queries whatever the
    data size. One read of the hazards and of the premises serves both the headline and the
    ranking."""
    src = sources(user, scope)
    src.expect(period, period.year_earlier())
    by = scope.child_kind
    read = {
        "hazards": kpis.hazard_groups(src, period, today=today, by=by),
        "premises": kpis.premises_groups(src.premises, today=today, by=by),
        "visits": kpis.inspection_figures(src, period, now=now),
        "accidents": kpis.accident_figures(src.accidents, period),
        "trend": breakdowns.trend(src, period),
        "breakdowns": breakdowns.breakdowns(src, period, today=today),
        "places": children(scope, user),
    }
    if with_lists:
        read |= {
            "offenders": short_lists.offenders(src, today=today, now=now),
            "open_major": short_lists.open_major_hazards(src, today=today),
            "overdue": short_lists.overdue_hazards(src, today=today),
            "patrol_due": short_lists.patrol_due_premises(src, today=today),
            "never_inspected": short_lists.never_inspected_premises(src),
        }
    return _made(read, scope, period, today, rank, can_open_offenders(user))


def can_open_offenders(user) -> bool:
    """The offenders page (with each premises' rules) is for leaders and the office only."""
    return is_office(user) or user.has_role(Role.VILLAGE_LEADER)


def _made(
    read: dict, scope: Scope, period: Period, today: date, rank: str, offender_page: bool
) -> Board:
    """The board of its reads' values."""
    where, by = scope.params, scope.child_kind
    groups = {"hazards": read["hazards"], "premises": read["premises"]}
    h = kpis.summed(groups["hazards"])
    p = kpis.with_patrol_due(kpis.summed(groups["premises"]))
    figures = _figures(where, period, h, p, read["visits"], read["accidents"])
    board = Board(scope, period, period.year_earlier(), today, figures)
    board.ranking = _ranking(scope, read["places"], period, groups, rank)
    board.child_label = CHILD_LABELS.get(by or "", "")
    board.trend = _trend(read["trend"], where, period)
    tables = read["breakdowns"]
    board.breakdowns = {by: _breakdown_rows(tables[by], where, period, by) for by in tables}
    if "offenders" in read:  # with the lists
        board.lists = _lists(read, scope, offender_page, figures)
    return board


def full_list(src: Sources, key: str, *, today: date):
    """Every open major (key "open_major") or overdue hazard, for the Excel export: iterate it."""
    rows = src.hazards.open().major() if key == "open_major" else src.hazards.overdue(today)
    return rows.select_related(*short_lists.HAZARD_RELATIONS).order_by("rectify_by", "pk")
