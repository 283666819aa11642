"""Filters of the dashboard's drill-down lists: inspections and premises.

Their date ranges read like the ledger's (django-filter's DateFromToRangeFilter): `*_before`
includes the whole end day, local time. Scope parameters (town, village, grid) are the same as
the ledger's, so one set of link parameters works on every list.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from dashboard.lists import is_offender
from dashboard.scopes import allowed_grids, allowed_villages
from grids.models import Grid, Town, Village
from inspections.models import Inspection
from premises.models import BusinessType, Premises

COVERED, DUE, NEVER = "covered", "due", "never"
DATE_WIDGET = DateRangeWidget(attrs={"type": "date", "class": "form-control"})


class ScopeFilters(django_filters.FilterSet):
    """Town, village and grid, narrowed to what the user may open; `prefix` reaches premises."""

    prefix = ""
    town = django_filters.ModelChoiceFilter(
        label=_("Town"), queryset=Town.objects.all(), empty_label=_("All towns"), method="by_place"
    )
    village = django_filters.ModelChoiceFilter(
        label=_("Village"),
        queryset=Village.objects.none(),
        empty_label=_("All villages"),
        method="by_place",
    )
    grid = django_filters.ModelChoiceFilter(
        label=_("Grid"), queryset=Grid.objects.none(), empty_label=_("All grids"), method="by_place"
    )

    def __init__(self, data=None, queryset=None, *, user, today, now, **kwargs):
        self.user, self.today, self.now = user, today, now
        super().__init__(data, queryset, **kwargs)
        self.filters["village"].queryset = allowed_villages(user)
        self.filters["grid"].queryset = allowed_grids(user).select_related("village")

    def by_place(self, queryset, name, value):
        if value is None:
            return queryset
        lookup = {"town": "grid__village__town", "village": "grid__village", "grid": "grid"}[name]
        return queryset.filter(**{f"{self.prefix}{lookup}": value})


class InspectionFilter(ScopeFilters):
    prefix = "premises__"
    visited = django_filters.DateFromToRangeFilter(
        label=_("Visited between"), field_name="visited_at", widget=DATE_WIDGET
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Inspection.Kind.choices, empty_label=_("All kinds")
    )

    class Meta:
        model = Inspection
        fields: list[str] = []


class PremisesFilter(ScopeFilters):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Premises.Status.choices, empty_label=_("All statuses")
    )
    business_type = django_filters.ModelChoiceFilter(
        label=_("Business type"), queryset=BusinessType.objects.all(), empty_label=_("All types")
    )
    patrol = django_filters.ChoiceFilter(
        label=_("Patrol"),
        choices=[
            (COVERED, _("Patrolled within their interval")),
            (DUE, _("Due for patrol")),
            (NEVER, _("Never inspected")),
        ],
        empty_label=_("Any"),
        method="by_patrol",
    )
    inspected = django_filters.DateFromToRangeFilter(
        label=_("Inspected between"), method="inspected_between", widget=DATE_WIDGET
    )
    offender = django_filters.BooleanFilter(
        label=_("Persistent offenders only"), method="only_offenders", widget=forms.CheckboxInput
    )

    class Meta:
        model = Premises
        fields: list[str] = []

    def by_patrol(self, queryset, name, value):
        """Operating premises only, as the coverage figures count them (docs/figures.md)."""
        operating = queryset.filter(status=Premises.Status.OPERATING)
        if value == COVERED:
            return operating.filter(patrol_due_on__gt=self.today)
        if value == DUE:
            return operating.patrol_due(self.today)
        if value == NEVER:
            return operating.filter(last_inspected_at__isnull=True)
        return queryset

    def inspected_between(self, queryset, name, value):
        if not value or (value.start is None and value.stop is None):
            return queryset
        visits = Q()
        if value.start is not None:
            visits &= Q(visited_at__gte=value.start)
        if value.stop is not None:
            visits &= Q(visited_at__lte=value.stop)
        visited = Inspection.objects.filter(visits).order_by().values("premises_id")
        return queryset.filter(pk__in=visited)

    def only_offenders(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(is_offender(today=self.today, now=self.now))
