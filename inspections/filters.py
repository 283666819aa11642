import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from premises.models import BusinessType, Premises
from premises.risk import RiskLevel

DUE = "due"


class MyPremisesFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or address"), method="search")
    business_type = django_filters.ModelChoiceFilter(
        label=_("Business type"), queryset=BusinessType.objects.all(), empty_label=_("All types")
    )
    risk_level = django_filters.ChoiceFilter(
        label=_("Risk colour"), choices=RiskLevel.choices, empty_label=_("All colours")
    )
    patrol = django_filters.ChoiceFilter(
        label=_("Patrol"),
        choices=[(DUE, _("Due for patrol"))],
        empty_label=_("All premises"),
        method="due_for_patrol",
    )

    class Meta:
        model = Premises
        fields = ["q", "business_type", "risk_level", "patrol"]

    def due_for_patrol(self, queryset, name, value):
        return queryset.patrol_due(timezone.localdate()) if value == DUE else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))
