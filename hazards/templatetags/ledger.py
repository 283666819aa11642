"""`{% ledger_rows page.object_list today %}`: the ledger's rows, rendered in Python.

A county's ledger page shows 50 rows of ~30 values each. Through a template include per row they
took 9.1 ms of a 37 ms page, mostly in the template engine's variable lookups and escapes; built
here with plain string formatting, 1.6 ms (in-process, county data). Every value is escaped
(tests/hazards/test_ledger.py); each row needs `phone` set by the view
(hazards/views/ledger.py), hazards.ledger.ROW_RELATIONS selected and ROW_NAMES annotated.
"""

from collections.abc import Iterable
from datetime import date

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from accounts.base import in_language
from config.html_rows import address_of, day, escaped
from hazards.models import Hazard, Severity

register = template.Library()


class _Words:
    """The row's fixed words in the active language, looked up once per page."""

    def __init__(self):
        self.closed = escaped(gettext("Closed"))
        self.fix_by = escaped(gettext("Fix by"))
        self.overdue = escaped(gettext("Overdue"))
        self.found = escaped(gettext("found"))
        self.recurrence = escaped(gettext("Recurrence"))
        self.came_back = escaped(gettext("Came back within 180 days of being closed"))


def _badges(hazard: Hazard, words: _Words) -> str:
    severity = "text-bg-danger" if hazard.severity == Severity.MAJOR else "text-bg-secondary"
    badges = (
        f'<span class="badge status-badge status-{escaped(hazard.status)}">'
        f"{escaped(hazard.get_status_display())}</span>"
        f'<span class="badge {severity}">{escaped(hazard.get_severity_display())}</span>'
    )
    if hazard.recurrence_of_id:
        badges += (
            f'<span class="badge text-bg-warning" data-recurrence title="{words.came_back}">'
            f'<i class="bi bi-arrow-repeat" aria-hidden="true"></i> {words.recurrence}</span>'
        )
    return badges


def _state(hazard: Hazard, today: date, words: _Words) -> str:
    """Closed (when, by whom), dismissed (when), or the deadline and whether it has passed."""
    if hazard.status == Hazard.Status.CLOSED:
        reviewer = f"<br>{escaped(hazard.reviewed_by)}" if hazard.reviewed_by else ""
        return f'{words.closed} <span class="text-nowrap">{day(hazard.closed_at)}</span>{reviewer}'
    if hazard.status == Hazard.Status.DISMISSED:
        return f'<span class="text-nowrap">{day(hazard.dismissed_at)}</span>'
    late = (
        f' <span class="badge text-bg-danger">{words.overdue}</span>'
        if hazard.rectify_by < today
        else ""
    )
    return f'{words.fix_by} <span class="text-nowrap">{day(hazard.rectify_by)}</span>{late}'


def _row(hazard: Hazard, today: date, words: _Words, url: str) -> str:
    premises = hazard.premises
    overdue = " hazard-overdue" if hazard.is_overdue(today) else ""
    contact = ""
    if premises.operator_name or hazard.phone:
        contact = (
            '<div class="item-meta text-body-secondary" data-phone>'
            f"{escaped(premises.operator_name)} {escaped(hazard.phone)}</div>"
        )
    department = f" · {escaped(hazard.department_name)}" if hazard.department_name else ""
    kind = in_language(hazard.business_type_zh, hazard.business_type_en)
    return (
        f'<li class="list-group-item list-group-item-action p-0 hazard-row{overdue}" '
        f'data-ledger-number="{escaped(hazard.ledger_number)}">'
        f'<a class="d-block p-2 p-sm-3 text-reset text-decoration-none" href="{url}">'
        '<div class="row g-1 align-items-start">'
        '<div class="col-7 col-md-4 order-1">'
        f'<div class="font-monospace small">{escaped(hazard.ledger_number)}</div>'
        f'<div class="item-title">{escaped(premises.name)}</div>'
        '<div class="item-meta text-body-secondary">'
        f"{escaped(hazard.village_name)} · {escaped(hazard.grid_name)} · {escaped(kind)}</div>"
        f"{contact}</div>"
        '<div class="col-5 col-md-3 order-2 order-md-3 text-end">'
        '<div class="d-flex flex-wrap justify-content-end gap-1">'
        f"{_badges(hazard, words)}</div>"
        f'<div class="item-meta mt-1">{_state(hazard, today, words)}</div></div>'
        '<div class="col-12 col-md-5 order-3 order-md-2">'
        f'<div class="hazard-description">{escaped(hazard.description)}</div>'
        '<div class="item-meta text-body-secondary">'
        f"{escaped(hazard.get_category_display())} · {words.found} {day(hazard.reported_at)} "
        f"{escaped(hazard.reported_by)}{department}</div></div>"
        "</div></a></li>\n"
    )


@register.simple_tag
def ledger_rows(hazards: Iterable[Hazard], today: date) -> SafeString:
    words, url = _Words(), address_of("hazards:hazard_detail")
    rows = "".join(_row(hazard, today, words, url(hazard.pk)) for hazard in hazards)
    return mark_safe(rows)  # noqa: S308 -- every value escaped in _row
