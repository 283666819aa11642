"""The registry list's filters; the export and the label sheet take the same ones."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Grid, Village
from premises.models import BusinessType, Premises, Tag
from premises.risk import RiskLevel

INSURANCE_WARNING_DAYS = 30  # insurance expiring within 30 days (docs/workflow.md, Reminders)


class RegistryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    village = django_filters.ModelChoiceFilter(
        label=_("Village / community"),
        field_name="grid__village",
        queryset=Village.objects.all(),
        empty_label=_("All villages"),
    )
    grid = django_filters.ModelChoiceFilter(
        label=_("Grid"),
        queryset=Grid.objects.select_related("village"),
        empty_label=_("All grids"),
    )
    business_type = django_filters.ModelChoiceFilter(
        label=_("Business type"), queryset=BusinessType.objects.all(), empty_label=_("All types")
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), field_name="tags", queryset=Tag.objects.all(), empty_label=_("All tags")
    )
    risk_level = django_filters.ChoiceFilter(
        label=_("Risk colour"), choices=RiskLevel.choices, empty_label=_("All colours")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Premises.Status.choices, empty_label=_("All statuses")
    )
    commitment_missing = django_filters.BooleanFilter(
        label=_("No commitment letter"), method="commitment", widget=forms.CheckboxInput
    )
    insurance_expiring = django_filters.BooleanFilter(
        label=_("Insurance expired or expiring within 30 days"),
        method="insurance",
        widget=forms.CheckboxInput,
    )
    never_inspected = django_filters.BooleanFilter(
        label=_("Never inspected"), method="uninspected", widget=forms.CheckboxInput
    )

    class Meta:
        model = Premises
        fields = []

    def __init__(self, *args, today, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(address__icontains=value)
            | Q(credit_code=value.upper())
            | Q(operator_name__icontains=value)
            | Q(operator_phone__contains=value)
        )

    def commitment(self, queryset, name, value):
        return queryset.filter(commitment_signed_on__isnull=True) if value else queryset

    def insurance(self, queryset, name, value):
        if not value:
            return queryset
        limit = self.today + timedelta(days=INSURANCE_WARNING_DAYS)
        return queryset.filter(insurance_expires_on__lte=limit)

    def uninspected(self, queryset, name, value):
        return queryset.filter(last_inspected_at__isnull=True) if value else queryset

    @property
    def is_filtered(self) -> bool:
        return any(value not in (None, "", False) for value in self.form.cleaned_data.values())
