"""The dashboard's repeated rows, rendered in Python: the items of its lists ("where to push
next", `{% list_items short %}`), the rows of its ranking (`{% ranking_rows board.ranking %}`),
of its breakdowns (`{% breakdown_rows rows %}`) and its sixteen figure cards
(`{% figure_card f.found %}`).

A board is rendered again after every change a dashboard counts. Through the template engine,
its fifty list items, the ranking and the breakdowns took most of the time of a town's board
(in-process, on a slow machine; docs/decisions.md, HTML built in Python): its variable lookups,
filters and escapes, row by row. The HTML is the templates' as it was
(tests/dashboard/test_board_html.py); every value is escaped.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from config.html_rows import address_of, day, escaped, last_visit, risk_badge
from dashboard.figures import DAYS, BreakdownRow, Figure, RankRow, ShortList
from dashboard.templatetags.dashboard_tags import (
    change_text,
    change_tone,
    figure_value,
    one_decimal,
    percent,
    previous_value,
    rate_tone,
)
from hazards.models import Hazard, Severity
from premises.models import Premises

register = template.Library()

HAZARD_LISTS = ("open_major", "overdue")


def _item(link: str, title: str, badge: str, meta: str, last: str) -> str:
    return (
        '<li class="list-group-item px-2 py-2">'
        '<div class="d-flex justify-content-between align-items-start gap-2">'
        f'<a class="item-title text-reset" href="{link}">{title}</a>{badge}</div>'
        f'<div class="item-meta text-body-secondary text-truncate">{meta}</div>{last}</li>\n'
    )


def _hazard(hazard: Hazard, link: str) -> str:
    """Needs the premises, its grid and village selected and `days_overdue` set
    (dashboard/lists.py)."""
    if hazard.days_overdue:
        days = hazard.days_overdue
        late = ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}
        badge = f'<span class="badge text-bg-danger flex-shrink-0">{escaped(late)}</span>'
    else:
        badge = (
            '<span class="badge text-bg-light border flex-shrink-0">'
            f"{escaped(gettext('Fix by'))} {day(hazard.rectify_by)}</span>"
        )
    premises = hazard.premises
    grid = premises.grid
    meta = (
        f"{escaped(grid.village.name)} · {escaped(grid.name)} · "
        f'<span class="font-monospace">{escaped(hazard.ledger_number)}</span>'
    )
    major = ""
    if hazard.severity == Severity.MAJOR:
        major = (
            f'<span class="badge text-bg-danger">{escaped(hazard.get_severity_display())}</span> '
        )
    last = f'<div class="item-meta text-truncate">{major}{escaped(hazard.description)}</div>'
    return _item(link, escaped(premises.name), badge, meta, last)


def _premises(premises: Premises, link: str) -> str:
    """Needs the grid, its village and the business type selected."""
    badge = risk_badge(premises)
    grid = premises.grid
    meta = (
        f"{escaped(grid.village.name)} · {escaped(grid.name)} · "
        f"{escaped(premises.business_type.name)}"
    )
    visited = last_visit(
        premises, escaped(gettext("Last inspected")), escaped(gettext("Never inspected"))
    )
    return _item(
        link, escaped(premises.name), badge, meta, f'<div class="item-meta">{visited}</div>'
    )


@register.simple_tag
def list_items(short: ShortList) -> SafeString:
    if short.key in HAZARD_LISTS:
        link = address_of("hazards:hazard_detail")
        items = "".join(_hazard(hazard, link(hazard.pk)) for hazard in short.items)
    else:
        link = address_of("hazards:premises_detail")
        items = "".join(_premises(premises, link(premises.pk)) for premises in short.items)
    return mark_safe(items)  # noqa: S308 -- every value escaped above


def _count(figure: Figure, tone: str = "") -> str:
    """A count linked to the rows behind it; `tone`: "alert" for red when not zero."""
    css = ""
    if tone == "alert":
        css = ' class="link-danger fw-semibold"' if figure.value else ' class="link-secondary"'
    elif tone:
        css = f' class="{tone}"'
    return f'<a{css} href="{escaped(figure.url)}">{escaped(figure_value(figure))}</a>'


def _rate(value: float | None) -> str:
    return f'<td class="text-end {rate_tone(value)}">{escaped(percent(value))}</td>'


@register.simple_tag
def ranking_rows(rows: list[RankRow]) -> SafeString:
    html = []
    for row in rows:
        closed_in = escaped(gettext("%(n)s closed in the period") % {"n": row.closed_in.value})
        html.append(
            f'<tr data-place="{escaped(row.place.pk)}">'
            f'<th scope="row"><a href="{escaped(row.board_url)}">{escaped(row.title)}</a></th>'
            f'<td class="text-end">{_count(row.found)}</td>'
            f'<td class="text-end">{_count(row.closed)}</td>'
            f"{_rate(row.rate)}"
            f'<td class="text-end">{_count(row.overdue, "alert")}</td>'
            f'<td class="text-end">{_count(row.open_major, "alert")}</td>'
            f'<td class="text-end text-nowrap">{escaped(percent(row.coverage))} '
            f'<span class="small text-body-secondary">({_count(row.covered, "link-secondary")}'
            f"/{_count(row.operating, 'link-secondary')})</span></td>"
            f'<td class="text-end"><a class="link-secondary" href="{escaped(row.closed_in.url)}" '
            f'title="{closed_in}">{escaped(one_decimal(row.time_to_close))}</a></td>'
            "</tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 -- every value escaped above


@register.simple_tag
def breakdown_rows(rows: list[BreakdownRow]) -> SafeString:
    html = [
        f'<tr><th scope="row" class="fw-normal">{escaped(row.label)}</th>'
        f'<td class="text-end">{_count(row.found)}</td>'
        f'<td class="text-end">{_count(row.closed)}</td>'
        f"{_rate(row.rate)}"
        f'<td class="text-end">{_count(row.overdue, "alert")}</td></tr>\n'
        for row in rows
    ]
    return mark_safe("".join(html))  # noqa: S308 -- every value escaped above


@register.simple_tag
def figure_card(figure: Figure) -> SafeString:
    """One KPI card: the figure, the same period a year earlier and the change, its parts."""
    key = escaped(figure.key)
    alert = " kpi-alert" if figure.bad_when_positive and figure.value else ""
    count = f' data-count="{escaped(figure.value)}"' if figure.is_count else ""
    unit = ""
    if figure.kind == DAYS and figure.value is not None:
        days = escaped(gettext("days"))
        unit = f'<small class="fs-6 fw-normal"> {days}</small>'
    value = (
        f'<a class="kpi-value text-reset text-decoration-none" href="{escaped(figure.url)}" '
        f'data-kpi="{key}"{count}>{escaped(figure_value(figure))}{unit}</a>'
    )
    return mark_safe(  # noqa: S308 -- every value escaped
        '<div class="col">'
        f'<div class="card h-100 kpi-card{alert}" data-figure="{key}">'
        '<div class="card-body p-2 p-sm-3">'
        f'<div class="kpi-label text-body-secondary">{escaped(figure.label)}</div>'
        f"{value}{_year_before(figure)}{_parts(figure.parts)}</div></div></div>\n"
    )


def _year_before(figure: Figure) -> str:
    if not figure.compares:
        return ""
    key, previous = escaped(figure.key), escaped(previous_value(figure))
    if figure.previous_url:
        previous = (
            f'<a class="link-secondary" href="{escaped(figure.previous_url)}" '
            f'data-previous="{key}">{previous}</a>'
        )
    change = ""
    if figure.change is not None:
        change = (
            f'<span class="{change_tone(figure)} fw-semibold text-nowrap" data-change="{key}">'
            f"{escaped(change_text(figure))}</span>"
        )
    last_year = escaped(gettext("Same period last year"))
    return (
        '<div class="kpi-yoy small"><span class="text-body-secondary">'
        f"{last_year} {previous}</span> {change}</div>"
    )


def _parts(parts: list[Figure]) -> str:
    if not parts:
        return ""
    items = []
    for part in parts:
        css = (
            "link-danger fw-semibold" if part.bad_when_positive and part.value else "link-secondary"
        )
        count = f' data-count="{escaped(part.value)}"' if part.is_count else ""
        items.append(
            f'<li><a class="{css}" href="{escaped(part.url)}" data-part="{escaped(part.key)}"'
            f"{count}>{escaped(figure_value(part))}</a> "
            f'<span class="text-body-secondary">{escaped(part.label)}</span></li>'
        )
    return f'<ul class="kpi-parts list-unstyled small mb-0 mt-1">{"".join(items)}</ul>'
