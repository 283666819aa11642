"""事故: the accident register's form and list filters."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from accidents.models import Accident
from config.inputs import PastDateField, parse_int
from grids.models import Grid, Town, Village, villages_of
from premises.models import Premises

MAX_CANDIDATES = 20


def villages_for(user):
    """The villages whose accidents the user records or filters by."""
    if user.sees_whole_town:
        return Village.objects.all()
    return Village.objects.filter(pk__in=villages_of(user))


class AccidentForm(forms.ModelForm):
    """An accident, optionally at a premises found by name or address within its village.

    The premises is looked up rather than picked from a list (a town has thousands): one match
    is taken; several are offered in `premises` to pick from."""

    premises_query = forms.CharField(
        label=_("Premises (name or address)"),
        required=False,
        max_length=100,
        help_text=_("Optional. Leave empty when the accident was not at a registered premises."),
    )

    class Meta:
        model = Accident
        fields = [
            "occurred_on",
            "village",
            "premises_query",
            "premises",
            "kind",
            "deaths",
            "injuries",
            "direct_loss",
            "description",
        ]
        field_classes = {"occurred_on": PastDateField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"].queryset = villages_for(user)
        premises = self.fields["premises"]
        premises.required = False
        premises.label = _("Pick the premises")
        premises.queryset = self._candidates()
        if self.instance.premises_id and not self.is_bound:
            self.initial["premises_query"] = self.instance.premises.name

    def _matches(self) -> list[int]:
        """Ids of premises of the posted village whose name or address contains the query."""
        village = parse_int(self.data.get("village"))
        query = self.data.get("premises_query", "").strip()
        if village is None or not query:
            return []
        return list(
            Premises.objects.visible_to(self.user)
            .filter(grid__village=village)
            .filter(Q(name__icontains=query) | Q(address__icontains=query))
            .order_by("name", "pk")
            .values_list("pk", flat=True)[:MAX_CANDIDATES]
        )

    def _candidates(self):
        """What `premises` may hold: the query's matches and the premises already recorded."""
        self.matches = self._matches() if self.is_bound else []
        ids = [*self.matches, *([self.instance.premises_id] if self.instance.premises_id else [])]
        return Premises.objects.filter(pk__in=ids).order_by("name", "pk")

    def clean(self):
        """The picked premises when it fits the query; else the query's single match."""
        data = super().clean()
        picked, query = data.get("premises"), data.get("premises_query", "").strip()
        if not query or data.get("village") is None:
            return data
        if picked is not None and (picked.name == query or picked.pk in self.matches):
            return data
        if not self.matches:
            self.add_error("premises_query", _("No premises of this village matches."))
        elif len(self.matches) == 1:
            data["premises"] = self.instance.premises = Premises.objects.get(pk=self.matches[0])
        else:
            data["premises"] = None
            self.add_error("premises", _("Several premises match: pick one."))
        return data

    def clean_premises(self):
        premises = self.cleaned_data.get("premises")
        village_id = self.data.get("village", "")
        if premises is not None and str(premises.grid.village_id) != str(village_id):
            raise forms.ValidationError(_("This premises is not in the village chosen."))
        return premises


class AccidentFilter(django_filters.FilterSet):
    """The register's filters; the dashboard links here with its period and scope."""

    occurred = django_filters.DateFromToRangeFilter(
        label=_("Occurred between"),
        field_name="occurred_on",
        widget=DateRangeWidget(attrs={"type": "date", "class": "form-control"}),
    )
    town = django_filters.ModelChoiceFilter(
        label=_("Town"),
        field_name="village__town",
        queryset=Town.objects.all(),
        empty_label=_("All towns"),
    )
    village = django_filters.ModelChoiceFilter(
        label=_("Village"), queryset=Village.objects.none(), empty_label=_("All villages")
    )
    grid = django_filters.ModelChoiceFilter(
        label=_("Grid"),
        field_name="premises__grid",
        queryset=Grid.objects.none(),
        empty_label=_("All grids"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Accident.Kind.choices, empty_label=_("All kinds")
    )

    class Meta:
        model = Accident
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        villages = villages_for(user)
        if user.has_role("department_officer") and not user.sees_whole_town:
            villages = Village.objects.all()  # their sector spans the town
        self.filters["village"].queryset = villages
        self.filters["grid"].queryset = Grid.objects.filter(village__in=villages).select_related(
            "village"
        )
