"""The printable monthly report: the dashboard's figures from January to the month, written as the
sentences the town safety office sends upward ("1–7月累计排查各类小场所2800余家次 …").

Every sentence is a translatable template with named placeholders; numbers and dates are
formatted for the active language (2,800 in English, 2800 in Chinese).
"""

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _

from dashboard import kpis, sources
from dashboard.figures import RECTIFICATION_TARGET, Board, Figure
from dashboard.periods import Period, month_end, month_to_date
from dashboard.scopes import Scope

MONTH = re.compile(r"(\d{4})-(\d{2})")
PUSH_NEXT = 3  # places named in "where to push next"
# The figures in the report's table, in its order.
TABLE_FIGURES = (
    "inspections",
    "premises_inspected",
    "found",
    "closed",
    "rate",
    "time_to_close",
    "open_major",
    "overdue",
    "coverage",
    "never_inspected",
    "accidents",
    "deaths",
    "injuries",
    "casualties",
    "direct_loss",
)


# --- the month ------------------------------------------------------------------------------------


def previous_month(today: date) -> date:
    return (today.replace(day=1) - date.resolution).replace(day=1)


class MonthForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
    )

    def __init__(self, *args, today: date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_month(self) -> date | None:
        value = self.cleaned_data["month"]
        if not value:
            return None
        match = MONTH.fullmatch(value)
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            raise forms.ValidationError(gettext_lazy("Give a month as YYYY-MM."))
        month = date(int(match[1]), int(match[2]), 1)
        if month > self.today:
            raise forms.ValidationError(gettext_lazy("That month has not begun yet."))
        return month


def month_from(params, *, today: date) -> tuple[date, MonthForm]:
    """The report's month (its first day): the one asked for, else the last complete month."""
    form = MonthForm(params, today=today)
    month = form.cleaned_data.get("month") if form.is_valid() else None
    return month or previous_month(today), form


def cumulative_period(month: date, *, today: date) -> Period:
    return month_to_date(month.year, month.month, today=today)


def month_figures(user, scope: Scope, month: date, *, today: date) -> dict[str, Any]:
    """Inspections, hazards found and closed in the month alone. Two queries."""
    period = Period(month, min(month_end(month), today))
    src = sources.sources(user, scope)
    return {
        "inspections": src.inspections.filter(sources.within("visited_at", period)).count(),
        **kpis.found_and_closed(src.hazards, period),
    }


# --- formatting -----------------------------------------------------------------------------------


def number(value) -> str:
    return formats.number_format(value, force_grouping=True)


def pct(value: float | None) -> str:
    """95.4% — or 20% when the decimal is 0."""
    if value is None:
        return "—"
    rounded = round(value, 1)
    if rounded == int(rounded):
        return f"{formats.number_format(int(rounded))}%"
    return f"{formats.number_format(rounded, decimal_pos=1)}%"


def day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def change(figure: Figure) -> str:
    """How the figure moved against the same period a year earlier, as a verb phrase."""
    if figure.change is None:
        if figure.value and not figure.previous:
            return _("rose from none in the same period last year")
        return _("stayed at zero")
    if abs(figure.change) < 0.05:
        return _("were unchanged")
    if figure.change < 0:
        return _("fell by %(percent)s") % {"percent": pct(-figure.change)}
    return _("rose by %(percent)s") % {"percent": pct(figure.change)}


# --- the sentences --------------------------------------------------------------------------------


def _work(board: Board) -> list[str]:
    f, period = board.figures, board.period
    values = {
        "start": day(period.start),
        "end": day(period.end),
        "inspections": number(f["inspections"].value),
        "premises": number(f["premises_inspected"].value),
        "found": number(f["found"].value),
        "closed": number(f["closed"].value),
        "rate": pct(board.rate),
        "target": pct(RECTIFICATION_TARGET),
        "open": number(f["found"].value - f["closed"].value),
    }
    if not f["found"].value:
        return [
            _(
                "From %(start)s to %(end)s, %(inspections)s inspections of small premises were "
                "carried out, covering %(premises)s premises; no safety hazard was found."
            )
            % values
        ]
    sentences = [
        _(
            "From %(start)s to %(end)s, %(inspections)s inspections of small premises were "
            "carried out, covering %(premises)s premises; %(found)s safety hazards were found "
            "and %(closed)s of them have been rectified and struck off the ledger, a "
            "rectification rate of %(rate)s."
        )
        % values
    ]
    if board.rate is not None and board.rate > RECTIFICATION_TARGET:
        sentences.append(_("The rectification rate is above the target of %(target)s.") % values)
    else:
        sentences.append(
            _(
                "The rectification rate is below the target of %(target)s: %(open)s hazards "
                "found in the period are not closed yet."
            )
            % values
        )
    sentences.append(
        _("Year on year, inspections %(inspections)s and hazards found %(found)s.")
        % {"inspections": change(f["inspections"]), "found": change(f["found"])}
    )
    return sentences


def _majors(board: Board) -> str:
    f = board.figures
    values = {
        "open_major": number(f["open_major"].value),
        "overdue": number(f["open_major_overdue"].value),
        "no_interim": number(f["open_major_no_interim"].value),
    }
    if not f["open_major"].value:
        return _(
            "No major hazard remains open: every major hazard has been rectified and struck off "
            "the ledger (dynamic zeroing achieved)."
        )
    if board.zeroing_holds:
        return (
            ngettext(
                "%(open_major)s major hazard is being rectified, within its deadline and under "
                "interim safety measures: dynamic zeroing holds.",
                "%(open_major)s major hazards are being rectified, all within their deadlines and "
                "under interim safety measures: dynamic zeroing holds.",
                f["open_major"].value,
            )
            % values
        )
    return (
        ngettext(
            "%(open_major)s major hazard remains open (%(overdue)s past its deadline, "
            "%(no_interim)s without interim safety measures): dynamic zeroing is not achieved.",
            "%(open_major)s major hazards remain open, %(overdue)s of them past their deadline and "
            "%(no_interim)s without interim safety measures: dynamic zeroing is not achieved.",
            f["open_major"].value,
        )
        % values
    )


def _overdue_and_coverage(board: Board) -> list[str]:
    f = board.figures
    overdue = f["overdue"].value
    sentences = [
        ngettext(
            "%(overdue)s hazard is past its rectification deadline.",
            "%(overdue)s hazards are past their rectification deadline.",
            overdue,
        )
        % {"overdue": number(overdue)}
        if overdue
        else _("No hazard is past its rectification deadline.")
    ]
    if f["operating"].value:
        sentences.append(
            _(
                "%(coverage)s of the %(operating)s operating premises have been patrolled "
                "within their interval; %(never)s have never been inspected."
            )
            % {
                "coverage": pct(board.coverage),
                "operating": number(f["operating"].value),
                "never": number(f["never_inspected"].value),
            }
        )
    return sentences


def _accidents(board: Board) -> list[str]:
    f = board.figures
    if not f["accidents"].value and not f["accidents"].previous:
        return [_("No accident happened, as in the same period last year.")]
    return [
        _("%(accidents)s accidents happened, with %(deaths)s deaths and %(injuries)s injuries.")
        % {
            "accidents": number(f["accidents"].value),
            "deaths": number(f["deaths"].value),
            "injuries": number(f["injuries"].value),
        },
        _(
            "Year on year, the number of accidents %(accidents)s and the number of casualties "
            "%(casualties)s."
        )
        % {"accidents": change(f["accidents"]), "casualties": change(f["casualties"])},
    ]


def _this_month(figures: dict[str, Any], month: date) -> str:
    return _(
        "In %(month)s alone, %(inspections)s inspections were carried out and %(found)s hazards "
        "were found, %(closed)s of which are closed."
    ) % {
        "month": formats.date_format(month, "YEAR_MONTH_FORMAT"),
        "inspections": number(figures["inspections"]),
        "found": number(figures["found"]),
        "closed": number(figures["closed"]),
    }


def _push_next(board: Board) -> str | None:
    """The places furthest behind: below the target rate, or with overdue hazards."""
    behind = [
        row
        for row in board.ranking
        if row.overdue.value or (row.rate is not None and row.rate <= RECTIFICATION_TARGET)
    ]
    behind.sort(key=lambda row: (row.rate if row.rate is not None else 101, -row.overdue.value))
    if not behind:
        return None
    places = pgettext("list separator", ", ").join(
        _("%(name)s (rectification rate %(rate)s, %(overdue)s overdue)")
        % {"name": row.title, "rate": pct(row.rate), "overdue": number(row.overdue.value)}
        for row in behind[:PUSH_NEXT]
    )
    return _("Where to push next: %(places)s.") % {"places": places}


def paragraphs(board: Board, this_month: dict[str, Any], *, month: date) -> list[str]:
    """The report's paragraphs, in the order the office writes them."""
    # Chinese sentences follow each other without a space.
    join = ("" if (get_language() or "").startswith("zh") else " ").join
    work = join([*_work(board), _this_month(this_month, month)])
    risks = join([_majors(board), *_overdue_and_coverage(board)])
    result = [work, risks, join(_accidents(board))]
    if (push := _push_next(board)) is not None:
        result.append(push)
    return result
