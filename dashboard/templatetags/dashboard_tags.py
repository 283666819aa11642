"""Formatting of dashboard figures in templates: counts, rates, days, year-on-year changes."""

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dashboard.figures import COUNT, DAYS, MONEY, RATE, SUM, Figure
from dashboard.report import number, pct

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return pct(value)


@register.filter
def one_decimal(value) -> str:
    return "—" if value is None else formats.number_format(round(value, 1), decimal_pos=1)


@register.filter
def figure_value(figure: Figure) -> str:
    """The figure as the card shows it: 2,800 · 95.4% · 6.2 · 12.50."""
    if figure.value is None:
        return "—"
    if figure.kind in (COUNT, SUM):
        return number(figure.value)
    if figure.kind == RATE:
        return pct(figure.value)
    if figure.kind == DAYS:
        return one_decimal(figure.value)
    if figure.kind == MONEY:
        return formats.number_format(figure.value, decimal_pos=2, force_grouping=True)
    return str(figure.value)


@register.filter
def previous_value(figure: Figure) -> str:
    return figure_value(Figure(figure.key, figure.label, figure.previous, kind=figure.kind))


@register.filter
def change_text(figure: Figure) -> str:
    """+12.5% (per cent) or +2.1 pts (percentage points, for rates); "—" when not comparable."""
    change = figure.change
    if change is None:
        return "—"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    if figure.kind == RATE:
        return _("%(sign)s%(points)s pts") % {"sign": sign, "points": one_decimal(abs(change))}
    return f"{sign}{pct(abs(change))}"


@register.filter
def change_tone(figure: Figure) -> str:
    """A Bootstrap text colour: green when the change goes the good way, red the other."""
    change = figure.change
    if not change or not figure.better:
        return "text-body-secondary"
    good = (change > 0) == (figure.better == "up")
    return "text-success-emphasis" if good else "text-danger-emphasis"


@register.filter
def rate_tone(value: float | None) -> str:
    if value is None:
        return "text-body-secondary"
    return "" if value > 95 else "text-danger-emphasis fw-semibold"


@register.simple_tag
def count_link(figure: Figure, tone: str = "") -> SafeString:
    """A count linked to the rows behind it; `tone`: "alert" (red when not zero) or a link
    class. A tag, not an include: a board has a few hundred of them (docs/decisions.md, HTML in
    templates)."""
    if tone == "alert":
        tone = "link-danger fw-semibold" if figure.value else "link-secondary"
    css = format_html(' class="{}"', tone) if tone else ""
    return format_html('<a{} href="{}">{}</a>', css, figure.url, figure_value(figure))
