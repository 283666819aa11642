import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from premises.models import BusinessType, Premises
from premises.risk import RiskLevel


class MyPremisesFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or address"), method="search")
    business_type = django_filters.ModelChoiceFilter(
        label=_("Business type"), queryset=BusinessType.objects.all(), empty_label=_("All types")
    )
    risk_level = django_filters.ChoiceFilter(
        label=_("Risk colour"), choices=RiskLevel.choices, empty_label=_("All colours")
    )

    class Meta:
        model = Premises
        fields = ["q", "business_type", "risk_level"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))
