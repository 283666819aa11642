"""`{% premises_rows page.object_list today %}`: the rows of an officer's "My premises", and
`{% due_premises_rows due_premises %}`: the patrol list of the officer's home, rendered in Python.

A page shows 25 premises (PAGE_SIZE in hazards/views/field.py). Through the template's loop,
with an include for the risk badge and a `{% url %}` per row, they took over a third of the page
(in-process, county data), mostly the template engine's variable lookups, translations and
escapes, row by row; the officer pages are
the ones an officer waits for on a phone. Every value is escaped; each row needs its business type
selected and `open_hazards` annotated (hazards/views/field.py). The home's 20 premises due for a
patrol, through an include per row, took several times what they take here. Figures:
docs/decisions.md, HTML built in Python.
"""

from collections.abc import Iterable
from datetime import date

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from config.html_rows import address_of, escaped, last_visit, risk_badge
from premises.models import Premises

register = template.Library()


def _words() -> dict[str, str]:
    """The rows' fixed words in the active language, looked up once per list."""
    return {
        "last": escaped(gettext("Last inspected")),
        "never": escaped(gettext("Never inspected")),
        "due": escaped(gettext("Patrol due")),
    }


def _visited(premises: Premises, today: date, words: dict[str, str]) -> str:
    visited = last_visit(premises, words["last"], words["never"])
    if premises.patrol_due_on and premises.patrol_due_on <= today:
        visited += f' <span class="badge text-bg-warning ms-1">{words["due"]}</span>'
    return visited


def _open(premises: Premises) -> str:
    if not premises.open_hazards:
        return ""
    n = premises.open_hazards
    label = ngettext("%(counter)s open hazard", "%(counter)s open hazards", n) % {"counter": n}
    return f'<span class="badge text-bg-danger">{escaped(label)}</span>'


def _row(premises: Premises, today: date, words: dict[str, str], url: str) -> str:
    return (
        '<li class="list-group-item list-group-item-action p-0">'
        f'<a class="d-block p-2 p-sm-3 text-reset text-decoration-none" href="{url}">'
        '<div class="d-flex justify-content-between align-items-start gap-2">'
        f'<div class="item-title">{escaped(premises.name)}</div>{risk_badge(premises)}</div>'
        '<div class="item-meta text-body-secondary">'
        f"{escaped(premises.business_type.name)} · {escaped(premises.address)}</div>"
        '<div class="item-meta d-flex justify-content-between gap-2">'
        f"<span>{_visited(premises, today, words)}</span> {_open(premises)}</div>"
        "</a></li>\n"
    )


@register.simple_tag
def premises_rows(rows: Iterable[Premises], today: date) -> SafeString:
    words, url = _words(), address_of("hazards:premises_detail")
    html = "".join(_row(premises, today, words, url(premises.pk)) for premises in rows)
    return mark_safe(html)  # noqa: S308 -- every value escaped in _row


def _due_row(premises: Premises, words: dict[str, str], url: str) -> str:
    return (
        '<li class="list-group-item position-relative">'
        '<div class="d-flex justify-content-between align-items-start gap-2">'
        f'<a class="item-title stretched-link text-reset" href="{url}">{escaped(premises.name)}</a>'
        f"{risk_badge(premises)}</div>"
        '<div class="item-meta text-body-secondary">'
        f"{escaped(premises.business_type.name)} · {escaped(premises.address)}</div>"
        f'<div class="item-meta">{last_visit(premises, words["last"], words["never"])}</div>'
        "</li>\n"
    )


@register.simple_tag
def due_premises_rows(rows: Iterable[Premises]) -> SafeString:
    """Each premises needs its business type selected (dashboard.selectors)."""
    words, url = _words(), address_of("hazards:premises_detail")
    html = "".join(_due_row(premises, words, url(premises.pk)) for premises in rows)
    return mark_safe(html)  # noqa: S308 -- every value escaped in _due_row
