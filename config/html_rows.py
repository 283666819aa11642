"""Helpers of the dashboard's HTML built in Python (dashboard/templatetags/board_html.py), its
one user: the rest of the site renders its pages through templates (docs/architecture.md,
Speed machinery). Every value goes through `escaped`."""

import html
from collections.abc import Callable
from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeData

_UNUSED_PK = 2_147_483_647


def escaped(value) -> str:
    """What conditional_escape() gives, without its lazy wrapper: safe text as it is; None as
    nothing, as a template shows it."""
    if value is None:
        return ""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


def day(value: date | datetime | None) -> str:
    """The `date:"Y-m-d"` filter: an aware datetime in the current time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d")


def risk_badge(premises) -> str:
    """A premises' risk colour as a badge (the template's _risk_badge.html)."""
    return (
        f'<span class="badge risk-badge risk-{escaped(premises.risk_level)}">'
        f"{escaped(premises.get_risk_level_display())}</span>"
    )


def last_visit(premises, last: str, never: str) -> str:
    """When a premises was last inspected, or a red "never"; `last`, `never`: those words in
    the active language, escaped (looked up once per list)."""
    if premises.last_inspected_at:
        return f"{last} {day(premises.last_inspected_at)}"
    return f'<span class="text-danger-emphasis fw-semibold">{never}</span>'


def address_of(view_name: str) -> Callable[[int], str]:
    """The address of an object's page by its key, reversed once (reverse() per row cost a tenth
    of the ledger's rows)."""
    head, _marker, tail = reverse(view_name, args=[_UNUSED_PK]).rpartition(str(_UNUSED_PK))
    return lambda pk: escaped(f"{head}{pk}{tail}")
