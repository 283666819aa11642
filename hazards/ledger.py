"""台账: the hazard ledger's filters, sort keys and the values of the rows it lists; the Excel
export is hazards/ledger_export.py.

The page and the Excel export share one queryset (`ledger_rows`), so the export holds exactly
the rows the page lists, in the same order.
"""

import re
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

import django_filters
from django import forms
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.db import connection
from django.db.models import Func, Q, TextField, Value
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from config.inputs import parse_int
from grids.models import Department, Grid, Town, Village, grids_of, villages_of
from hazards.models import OPEN_STATUSES, Category, Hazard, HazardQuerySet, Severity
from hazards.rights import member_ids, sees_phone
from premises.models import BusinessType, Premises
from premises.validators import mask_phone

TRIGRAM = 3  # pg_trgm's unit: a shorter term has none to look up
BIGRAM = 2
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
PERSON_FIELDS = ("full_name", "first_name", "last_name", "username")  # what str(User) reads
PEOPLE_VALUES = tuple(
    f"{who}__{name}" for who in ("reported_by", "reviewed_by") for name in PERSON_FIELDS
)
PLACE_VALUES = (
    *("premises__name", "premises__operator_name", "premises__operator_phone"),
    *("premises__grid", "premises__grid__village"),  # whether the phone is shown: phone_of()
    *("premises__grid__name", "premises__grid__village__name"),
    *("premises__business_type__name_zh", "premises__business_type__name_en"),
    "department__name",
)
_SORT_PATHS = tuple(dict.fromkeys(t.lstrip("-") for _label, order in SORTS.values() for t in order))
# A ledger row (templates/hazards/_hazard_row.html), and its sort values for the pager's
# cursor. A value left out here is a KeyError, not a query per row. Its people come by key in
# one more query (hazards.ledger_export.people_on): joined twice to the users, the rows' query
# took PostgreSQL several times longer to plan than to run (docs/decisions.md).
ROW_VALUES = tuple(
    dict.fromkeys(
        (
            *("pk", "ledger_number", "status", "severity", "category", "description"),
            *("recurrence_of_id", "reported_at", "rectify_by", "closed_at", "dismissed_at"),
            *("reported_by_id", "reviewed_by_id"),
            *PLACE_VALUES,
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
        field_name="grid__village",
        queryset=Village.objects.none(),
        empty_label=_("All villages"),
    )
    grid = django_filters.ModelChoiceFilter(
        label=_("Grid"),
        field_name="grid",
        queryset=Grid.objects.none(),
        empty_label=_("All grids"),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=Category.choices,
        empty_label=_("All categories"),
    )
    business_type = django_filters.ModelChoiceFilter(
        label=_("Business type"),
        field_name="business_type",
        queryset=BusinessType.objects.only("name_zh", "name_en"),
        empty_label=_("All types"),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.only("name"),
        empty_label=_("All departments"),
        null_label=_("No department"),
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
        if not getattr(form, "prepared", False):
            _narrow_grid_choices(form)
            _style_selects(form)
            form.prepared = True
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
        return queryset.filter(text_matches(value))

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


# A search's premises are read first and given to the hazards' query as a list of keys, so
# PostgreSQL reads the matching hazards in one bitmap scan of their trigram indexes and their
# premises index; a subquery inside the OR would have it read every hazard. Past this many
# (a town's name matches thousands of addresses) the list gives way to that subquery.
PREMISES_MATCHED_MAX = 5000


def text_matches(value: str) -> Q:
    """The hazards whose description, premises' name or address, or ledger number hold
    `value`, in any case (docs/decisions.md, Ledger text search on a trigram index)."""

    def holding(*fields: str) -> Q:
        return reduce(or_, (_holds(field, value) for field in fields))

    premises = (
        Premises.objects.filter(holding("name", "address")).order_by().values_list("pk", flat=True)
    )
    keys = list(premises[: PREMISES_MATCHED_MAX + 1])
    found = holding("description") | Q(
        premises__in=premises if len(keys) > PREMISES_MATCHED_MAX else keys
    )
    if value.isascii() and len(value) >= TRIGRAM:  # ledger numbers are; a pair matches them all
        found |= holding("ledger_number")
    return found


class Bigrams(Func):
    """A text's distinct pairs of adjacent characters, as the bigram indexes hold them
    (premises migration 0005, `gw_bigrams`)."""

    function = "gw_bigrams"
    output_field = ArrayField(TextField())


def _holds(field: str, value: str) -> Q:
    """`field` holds `value` in any case, as an index serves it: `icontains`, whose UPPER() the
    trigram indexes hold; on PostgreSQL a pair of characters, too short for a trigram, from
    the bigram indexes. Elsewhere a short term is compared by reading the rows, without
    UPPER() on each when it has no case."""
    if len(value) == BIGRAM and connection.vendor == "postgresql":
        pair = Value([value.upper()], output_field=ArrayField(TextField()))
        return Q(DataContains(Bigrams(Upper(field)), pair))
    if len(value) < TRIGRAM and value.upper() == value.lower():
        return Q(**{f"{field}__contains": value})
    return Q(**{f"{field}__icontains": value})


# A county has 1,500 grids: listing them all took longer to render than the whole page's
# queries (bench/RESULTS.md). Past this many, the select offers the chosen village's grids.
GRID_CHOICES_MAX = 200


def _narrow_grid_choices(form) -> None:
    """Show at most GRID_CHOICES_MAX grids; validation still accepts any grid in scope."""
    field = form.fields["grid"]
    if field.queryset.count() <= GRID_CHOICES_MAX:
        return
    village, grid = parse_int(form["village"].value()), parse_int(form["grid"].value())
    if village is None and grid is None:
        field.widget.choices = [("", field.empty_label)]
        return
    shown = field.queryset.filter(Q(village_id=village) | Q(pk=grid))
    field.widget.choices = [("", field.empty_label), *((g.pk, str(g)) for g in shown)]


def _style_selects(form) -> None:
    """Bootstrap's classes on the selects, for templates/_select_field.html."""
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.Select):
            invalid = " is-invalid" if name in form.errors else ""
            field.widget.attrs["class"] = f"form-select{invalid}"


def ledger_rows(user, data, *, today: date) -> LedgerFilter:
    """The ledger's filter over the hazards this user may see."""
    return LedgerFilter(data, queryset=Hazard.objects.visible_to(user), user=user, today=today)


def operator_phone(user, premises: Premises) -> str:
    return shown_phone(premises.operator_phone, visible=sees_phone(user, premises))


def shown_phone(phone: str, *, visible: bool) -> str:
    """The operator's phone as this user may see it: whole, or masked (138****5678)."""
    return phone if visible or not phone else mask_phone(phone)
