"""Who changed what in a premises' registry entry, and when (django-simple-history's rows)."""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.views_registry import registry_admin_required
from grids.models import Grid
from premises.access import get_premises_for
from premises.models import BusinessType, Premises

PAGE_SIZE = 20
# The registry's own facts, in the order of the edit form. The risk colour is left out: it
# changes by recomputation (an update without a history row), so a diff between two saves would
# pin a colour change on whoever saved next.
SHOWN_FIELDS = [
    "name",
    "address",
    "grid",
    "business_type",
    "status",
    "credit_code",
    "operator_name",
    "operator_phone",
    "floor_area",
    "floors",
    "staff_count",
    "over_size_limit",
    "latitude",
    "longitude",
    "commitment_signed_on",
    "commitment_scan",
    "insurer",
    "insurance_policy_no",
    "insurance_expires_on",
]


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    record: object  # a HistoricalPremises row
    changes: list[Change]

    @property
    def created(self) -> bool:
        return self.record.history_type == "+"


@registry_admin_required
def premises_history(request, pk: int):
    premises = get_premises_for(request.user, pk)
    history = premises.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("page"))
    start = (page.number - 1) * PAGE_SIZE
    # One row more than the page: the oldest change shown is a diff against it.
    records = list(history[start : start + PAGE_SIZE + 1])
    names = _names(records)
    entries = [
        Entry(record, _changes(record, records[i + 1], names) if i + 1 < len(records) else [])
        for i, record in enumerate(records[:PAGE_SIZE])
    ]
    return render(
        request,
        "premises/premises_history.html",
        {"premises": premises, "entries": entries, "page": page, "query": ""},
    )


def _names(records) -> dict[str, dict]:
    """Names of the grids and business types the records point to: two queries a page."""
    grid_ids = {record.grid_id for record in records}
    type_ids = {record.business_type_id for record in records}
    return {
        "grid": {
            g.pk: str(g) for g in Grid.objects.select_related("village").filter(pk__in=grid_ids)
        },
        "business_type": {b.pk: str(b) for b in BusinessType.objects.filter(pk__in=type_ids)},
    }


def _changes(record, older, names) -> list[Change]:
    if record.history_type == "+":
        return []
    delta = record.diff_against(older, included_fields=SHOWN_FIELDS)
    by_field = {change.field: change for change in delta.changes}
    changes = []
    for name in SHOWN_FIELDS:
        if name in by_field:
            field = Premises._meta.get_field(name)
            change = by_field[name]
            changes.append(
                Change(
                    label=str(field.verbose_name),
                    old=_display(field, change.old, names),
                    new=_display(field, change.new, names),
                )
            )
    return changes


def _display(field, value, names) -> str:
    if value in (None, ""):
        return "—"
    if field.name in names:
        return names[field.name].get(value, f"#{value}")
    if field.name == "commitment_scan":
        return _("a scan")  # the stored file name means nothing to a person
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
