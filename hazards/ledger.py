"""台账: the hazard ledger's filters, sort keys and Excel columns.

The page and the Excel export share one queryset (`ledger_rows`), so the export holds exactly
the rows the page lists, in the same order.
"""

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

import django_filters
import xlsxwriter
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from accounts.base import choice_labels, english_active, in_language
from accounts.widgets import LongSelect
from config import kept
from config.inputs import parse_int
from grids.models import Department, Grid, Town, Village, grids_of, villages_of
from hazards.models import OPEN_STATUSES, Category, Hazard, HazardQuerySet, Severity
from hazards.rights import member_ids, phone_visibility, sees_phone
from premises.models import BusinessType, Premises
from premises.validators import mask_phone

LEDGER_NUMBER = re.compile(r"[A-Z]{2}-\d{4}-\d{6}")
OPEN = "open"
FOUND = "found"  # the dashboard's "found" (发现隐患): every status but dismissed

# Sort key → order_by; the last term makes the order total, so pages never overlap.
SORTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "-found": (_("Newest first"), ("-reported_at", "-pk")),
    "found": (_("Oldest first"), ("reported_at", "pk")),
    "deadline": (_("Deadline, soonest first"), ("rectify_by", "pk")),
    "-deadline": (_("Deadline, latest first"), ("-rectify_by", "-pk")),
    "severity": (_("Major first"), ("-severity", "-reported_at", "-pk")),
    "status": (_("By status"), ("status", "-reported_at", "-pk")),
    "premises": (_("By premises"), ("premises__name", "premises_id", "-reported_at", "-pk")),
    "number": (_("By ledger number"), ("ledger_number",)),
}
DEFAULT_SORT = "-found"
# What a row shows of its premises (their place, business type and operator) and of its
# department and people, by the path of each value: the page's rows and the export's read them
# as dicts (`rows.values()`), not as model objects. A county's page built its 50 hazards with
# their premises and people, 200 objects, in more time than their values (docs/decisions.md).
_USER = ("full_name", "first_name", "last_name", "username")  # str(User): person()
_PEOPLE = tuple(f"{who}__{name}" for who in ("reported_by", "reviewed_by") for name in _USER)
_PLACE = (
    *("premises__name", "premises__operator_name", "premises__operator_phone"),
    *("premises__grid", "premises__grid__village"),  # whether the phone is shown: phone_of()
    *("premises__grid__name", "premises__grid__village__name"),
    *("premises__business_type__name_zh", "premises__business_type__name_en"),
    "department__name",
)
_SORT_PATHS = tuple(dict.fromkeys(t.lstrip("-") for _label, order in SORTS.values() for t in order))
# A ledger row (hazards/templatetags/ledger.py), and its sort values for the pager's cursor.
# A value left out here is a KeyError, not a query per row.
ROW_VALUES = tuple(
    dict.fromkeys(
        (
            *("pk", "ledger_number", "status", "severity", "category", "description"),
            *("recurrence_of_id", "reported_at", "rectify_by", "closed_at", "dismissed_at"),
            *_PLACE,
            *_PEOPLE,
            *_SORT_PATHS,
        )
    )
)


def _sees_all_villages(user) -> bool:
    # Department officers' hazards lie anywhere in the town.
    return user.sees_whole_town or bool(member_ids(user, "departments"))


def villages_for(user):
    if _sees_all_villages(user):
        return Village.objects.all()
    return Village.objects.filter(
        Q(pk__in=villages_of(user)) | Q(pk__in=Grid.objects.filter(officers=user).values("village"))
    )


def grids_for(user):
    grids = Grid.objects.select_related("village").order_by("village__code", "code")
    if _sees_all_villages(user):
        return grids
    return grids.filter(Q(pk__in=grids_of(user)) | Q(village__in=villages_of(user)))


class LedgerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (OPEN, _("Open (not closed)")),
            (FOUND, _("Found (all but dismissed)")),
            *Hazard.Status.choices,
        ],
        empty_label=_("All statuses"),
        method="by_status",
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"),
        choices=Severity.choices,
        empty_label=_("All severities"),
        widget=LongSelect,
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="only_overdue", widget=forms.CheckboxInput
    )
    recurrence = django_filters.BooleanFilter(
        label=_("Recurrences only"), method="only_recurrences", widget=forms.CheckboxInput
    )
    # The places and the business type: the hazard's copies of its premises' (Hazard.grid).
    # The dashboard's town scope in a county (the town picker); hidden on the ledger page.
    town = django_filters.ModelChoiceFilter(
        label=_("Town"),
        field_name="grid__village__town",
        queryset=Town.objects.all(),
        empty_label=_("All towns"),
    )
    village = django_filters.ModelChoiceFilter(
        label=_("Village"),
        widget=LongSelect,
        field_name="grid__village",
        queryset=Village.objects.none(),
        empty_label=_("All villages"),
    )
    grid = django_filters.ModelChoiceFilter(
        label=_("Grid"),
        widget=LongSelect,
        field_name="grid",
        queryset=Grid.objects.none(),
        empty_label=_("All grids"),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=Category.choices,
        empty_label=_("All categories"),
        widget=LongSelect,
    )
    business_type = django_filters.ModelChoiceFilter(
        label=_("Business type"),
        field_name="business_type",
        queryset=BusinessType.objects.all(),
        empty_label=_("All types"),
        widget=LongSelect,
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        empty_label=_("All departments"),
        null_label=_("No department"),
        widget=LongSelect,
    )
    reported = django_filters.DateFromToRangeFilter(
        label=_("Found between"),
        field_name="reported_at",
        widget=DateRangeWidget(attrs={"type": "date", "class": "form-control"}),
    )
    # The dashboard's drill-downs: hazards closed in a period (mean days to close) and open
    # major hazards lacking interim safety measures (动态清零).
    closed = django_filters.DateFromToRangeFilter(
        label=_("Closed between"),
        field_name="closed_at",
        widget=DateRangeWidget(attrs={"type": "date", "class": "form-control"}),
    )
    interim_missing = django_filters.BooleanFilter(
        label=_("Without interim safety measures"),
        method="only_interim_missing",
        widget=forms.CheckboxInput,
    )
    premises = django_filters.NumberFilter(field_name="premises", widget=forms.HiddenInput)
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        empty_label=None,
        method="sort_rows",
        widget=LongSelect,
    )

    class Meta:
        model = Hazard
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, today: date, **kwargs):
        self.user, self.today = user, today
        super().__init__(data, queryset, **kwargs)
        # The select shows names: a county's 300 villages without their other columns.
        self.filters["village"].queryset = villages_for(user).only("name")
        self.filters["grid"].queryset = grids_for(user)

    @property
    def form(self):
        form = super().form
        if not getattr(form, "grids_narrowed", False):
            _narrow_grid_choices(form)
            form.grids_narrowed = True
        return form

    @property
    def qs(self) -> HazardQuerySet:
        rows = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("sort"):
            rows = rows.order_by(*SORTS[DEFAULT_SORT][1])
        return rows

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if LEDGER_NUMBER.fullmatch(value.upper()):
            return queryset.filter(ledger_number=value.upper())
        return queryset.filter(
            Q(description__icontains=value)
            | Q(premises__name__icontains=value)
            | Q(premises__address__icontains=value)
            | Q(ledger_number__icontains=value)
        )

    def by_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == FOUND:
            return queryset.exclude(status=Hazard.Status.DISMISSED)
        return queryset.filter(status=value)

    def only_overdue(self, queryset, name, value):
        return queryset.overdue(self.today) if value else queryset

    def only_interim_missing(self, queryset, name, value):
        return queryset.filter(interim_measures="") if value else queryset

    def only_recurrences(self, queryset, name, value):
        return queryset.filter(recurrence_of__isnull=False) if value else queryset

    def sort_rows(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS[DEFAULT_SORT])[1])


# Counts of rows, kept while the rows stand still (config/kept.py).
_counts = kept.Kept(size=200)


def kept_count(rows: QuerySet) -> int:
    """How many rows there are: the ledger's (counting a county's year of closed hazards reads
    ~100,000 index entries on every page of it) or the grids in a user's scope."""
    rows = rows.order_by()
    return kept.read_kept(_counts, rows, rows.count)


# A county has 1,500 grids: listing them all took longer to render than the whole page's
# queries (bench/RESULTS.md). Past this many, the select offers the chosen village's grids.
GRID_CHOICES_MAX = 200


def _narrow_grid_choices(form) -> None:
    """Show at most GRID_CHOICES_MAX grids; validation still accepts any grid in scope."""
    field = form.fields["grid"]
    if kept_count(field.queryset) <= GRID_CHOICES_MAX:
        return
    village, grid = parse_int(form["village"].value()), parse_int(form["grid"].value())
    if village is None and grid is None:
        field.widget.choices = [("", field.empty_label)]
        return
    shown = field.queryset.filter(Q(village_id=village) | Q(pk=grid))
    field.widget.choices = [("", field.empty_label), *((g.pk, str(g)) for g in shown)]


def ledger_rows(user, data, *, today: date) -> LedgerFilter:
    """The ledger's filter over the hazards this user may see."""
    return LedgerFilter(data, queryset=Hazard.objects.visible_to(user), user=user, today=today)


def operator_phone(user, premises: Premises) -> str:
    return shown_phone(premises.operator_phone, visible=sees_phone(user, premises))


def shown_phone(phone: str, *, visible: bool) -> str:
    """The operator's phone as this user may see it: whole, or masked (138****5678)."""
    return phone if visible or not phone else mask_phone(phone)


# --- Excel export --------------------------------------------------------------------------------


class Reader:
    """What a row's shown values need besides the row (ROW_VALUES, EXPORT_VALUES), settled once
    per page or workbook: the active language (asked once, not per cell: get_language() per
    cell was ~5% of a county export), the labels of every choice field in it, and whether the
    user sees a premises' phone."""

    def __init__(self, user):
        self.shows_phone = phone_visibility(user)
        self.english = english_active()
        self.labels = {f.name: choice_labels(f) for f in Hazard._meta.fields if f.choices}


def person(row: dict, who: str) -> str | None:
    """A user's name as User.__str__ gives it, from the row's values; None: nobody (an empty
    cell)."""
    if row[f"{who}__username"] is None:
        return None
    full_name = row[f"{who}__full_name"]
    if full_name:
        return full_name
    first_last = f"{row[f'{who}__first_name']} {row[f'{who}__last_name']}".strip()
    return first_last or row[f"{who}__username"]


def choice_label(name: str) -> Callable[[dict, Reader], str]:
    """A column showing a choice field's label: one lookup a row in the Reader's labels."""

    def label(row: dict, reader: Reader) -> str:
        return reader.labels[name].get(row[name], row[name])

    return label


def phone_of(row: dict, reader: Reader) -> str:
    """The operator's phone of a row's premises, as the reader may see it."""
    visible = reader.shows_phone(row["premises__grid"], row["premises__grid__village"])
    return shown_phone(row["premises__operator_phone"], visible=visible)


@dataclass(frozen=True)
class Column:
    """A column of the export: its header and its value from a row's values (EXPORT_VALUES and
    export_dates()) and the export's Reader."""

    header: Any  # a lazy msgid, translated when the workbook is written
    value: Callable[[dict, Reader], Any]
    width: int = 12


COLUMNS = [
    Column(_("Ledger number"), lambda r, reader: r["ledger_number"], 16),
    Column(_("Village"), lambda r, reader: r["premises__grid__village__name"]),
    Column(_("Grid"), lambda r, reader: r["premises__grid__name"]),
    Column(_("Premises"), lambda r, reader: r["premises__name"], 20),
    Column(_("Address"), lambda r, reader: r["premises__address"], 24),
    Column(_("Operator"), lambda r, reader: r["premises__operator_name"], 10),
    Column(_("Operator phone"), phone_of, 14),
    Column(
        _("Business type"),
        lambda r, reader: in_language(
            r["premises__business_type__name_zh"],
            r["premises__business_type__name_en"],
            reader.english,
        ),
        14,
    ),
    Column(_("Category"), choice_label("category")),
    Column(_("Description"), lambda r, reader: r["description"], 40),
    Column(_("Severity"), choice_label("severity"), 8),
    Column(_("Found on"), lambda r, reader: r["found_on"]),
    Column(_("Found by"), lambda r, reader: person(r, "reported_by"), 10),
    Column(_("Deadline"), lambda r, reader: r["rectify_by"]),
    Column(_("Status"), choice_label("status"), 10),
    Column(_("Fixed on"), lambda r, reader: r["fixed_on"]),
    Column(_("Reviewed by"), lambda r, reader: person(r, "reviewed_by"), 10),
    Column(_("Closed on"), lambda r, reader: r["closed_on"]),
    Column(_("Department"), lambda r, reader: r["department__name"], 14),
]
EXPORT_CHUNK = 2000
# The values COLUMNS reads, as dicts: no model instances. The seven models of a joined hazard,
# even with only these columns, took four times as long to build as their values in a county's
# 10,000-row export (docs/decisions.md, Reading less).
EXPORT_VALUES = (
    *("ledger_number", "category", "description", "severity", "status", "rectify_by"),
    "premises__address",
    *_PLACE,
    *_PEOPLE,
)


def export_dates() -> dict[str, TruncDate]:
    """The moments shown as local dates, cut to the date by the database in the active time
    zone (what timezone.localdate gives): a timestamp with its zone and its conversion in
    Python per cell was ~7% of a county export."""
    return {
        "found_on": TruncDate("reported_at"),
        "fixed_on": TruncDate("submitted_at"),
        "closed_on": TruncDate("closed_at"),
    }


def write_workbook(rows: HazardQuerySet, *, user, title: str) -> IO[bytes]:
    """The rows as an .xlsx in a temporary file (deleted when closed), positioned at its start.

    Constant memory: XlsxWriter's constant_memory mode writes each row out as it comes, and the
    queryset is read in chunks of EXPORT_CHUNK. XlsxWriter, not openpyxl, for this one big
    workbook: it wrote a county's 10,000 rows in a third less time (bench/RESULTS.md). Text is
    text: a description that starts with "=" or reads like a web address stays as typed."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 -- FileResponse closes it
    book = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "default_date_format": "yyyy-mm-dd",
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(title[:31])
    for index, column in enumerate(COLUMNS):
        sheet.set_column(index, index, column.width)
    sheet.freeze_panes(1, 0)
    header = book.add_format({"bold": True, "valign": "vcenter"})
    sheet.write_row(0, 0, [str(column.header) for column in COLUMNS], header)
    reader = Reader(user)
    values = rows.values(*EXPORT_VALUES, **export_dates())
    for number, row in enumerate(values.iterator(chunk_size=EXPORT_CHUNK), start=1):
        sheet.write_row(number, 0, [column.value(row, reader) for column in COLUMNS])
    book.close()
    handle.seek(0)
    return handle
