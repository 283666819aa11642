"""`{% ledger_rows page.object_list today reader %}`: the ledger's rows, rendered in Python.

A county's ledger page shows 50 rows of ~30 values each. Through a template include per row they
took a quarter of the page, mostly in the template engine's variable lookups and escapes; built
here with plain string formatting, a sixth of that (in-process, county data; docs/decisions.md,
HTML built in Python). Every value is escaped (tests/hazards/test_ledger.py). A row is a dict
of hazards.ledger.ROW_VALUES with `phone` set by the view (hazards/views/ledger.py); the reader
is its hazards.ledger_export.Reader.
"""

from collections.abc import Iterable
from datetime import date

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from accounts.base import in_language
from config.html_rows import address_of, day, escaped
from hazards.ledger_export import Reader, person
from hazards.models import Hazard, Severity, is_overdue

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


def _label(row: dict, name: str, reader: Reader) -> str:
    return escaped(reader.labels[name].get(row[name], row[name]))


def _badges(row: dict, words: _Words, reader: Reader) -> str:
    severity = "text-bg-danger" if row["severity"] == Severity.MAJOR else "text-bg-secondary"
    badges = (
        f'<span class="badge status-badge status-{escaped(row["status"])}">'
        f"{_label(row, 'status', reader)}</span>"
        f'<span class="badge {severity}">{_label(row, "severity", reader)}</span>'
    )
    if row["recurrence_of_id"]:
        badges += (
            f'<span class="badge text-bg-warning" data-recurrence title="{words.came_back}">'
            f'<i class="bi bi-arrow-repeat" aria-hidden="true"></i> {words.recurrence}</span>'
        )
    return badges


def _state(row: dict, overdue: bool, words: _Words) -> str:
    """Closed (when, by whom), dismissed (when), or the deadline and whether it has passed."""
    if row["status"] == Hazard.Status.CLOSED:
        reviewer = person(row, "reviewed_by")
        reviewer = f"<br>{escaped(reviewer)}" if reviewer else ""
        return f'{words.closed} <span class="text-nowrap">{day(row["closed_at"])}</span>{reviewer}'
    if row["status"] == Hazard.Status.DISMISSED:
        return f'<span class="text-nowrap">{day(row["dismissed_at"])}</span>'
    late = f' <span class="badge text-bg-danger">{words.overdue}</span>' if overdue else ""
    return f'{words.fix_by} <span class="text-nowrap">{day(row["rectify_by"])}</span>{late}'


def _row(row: dict, today: date, words: _Words, reader: Reader, url: str) -> str:
    overdue = is_overdue(row["status"], row["rectify_by"], today)
    contact = ""
    if row["premises__operator_name"] or row["phone"]:
        contact = (
            '<div class="item-meta text-body-secondary" data-phone>'
            f"{escaped(row['premises__operator_name'])} {escaped(row['phone'])}</div>"
        )
    department = row["department__name"]
    department = f" · {escaped(department)}" if department else ""
    kind = in_language(
        row["premises__business_type__name_zh"],
        row["premises__business_type__name_en"],
        reader.english,
    )
    number = escaped(row["ledger_number"])
    return (
        f'<li class="list-group-item list-group-item-action p-0 hazard-row'
        f'{" hazard-overdue" if overdue else ""}" data-ledger-number="{number}">'
        f'<a class="d-block p-2 p-sm-3 text-reset text-decoration-none" href="{url}">'
        '<div class="row g-1 align-items-start">'
        '<div class="col-7 col-md-4 order-1">'
        f'<div class="font-monospace small">{number}</div>'
        f'<div class="item-title">{escaped(row["premises__name"])}</div>'
        '<div class="item-meta text-body-secondary">'
        f"{escaped(row['premises__grid__village__name'])} · "
        f"{escaped(row['premises__grid__name'])} · {escaped(kind)}</div>"
        f"{contact}</div>"
        '<div class="col-5 col-md-3 order-2 order-md-3 text-end">'
        '<div class="d-flex flex-wrap justify-content-end gap-1">'
        f"{_badges(row, words, reader)}</div>"
        f'<div class="item-meta mt-1">{_state(row, overdue, words)}</div></div>'
        '<div class="col-12 col-md-5 order-3 order-md-2">'
        f'<div class="hazard-description">{escaped(row["description"])}</div>'
        '<div class="item-meta text-body-secondary">'
        f"{_label(row, 'category', reader)} · {words.found} {day(row['reported_at'])} "
        f"{escaped(person(row, 'reported_by'))}{department}</div></div>"
        "</div></a></li>\n"
    )


@register.simple_tag
def ledger_rows(rows: Iterable[dict], today: date, reader: Reader) -> SafeString:
    words, url = _Words(), address_of("hazards:hazard_detail")
    html = "".join(_row(row, today, words, reader, url(row["pk"])) for row in rows)
    return mark_safe(html)  # noqa: S308 -- every value escaped in _row
