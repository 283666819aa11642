"""The enforcement forms: recording a measure on a hazard's page, lifting a suspension or seal.

They validate and normalise only; enforcement.measures records and lifts."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from config.inputs import PastDateField, text_field
from enforcement.models import EnforcementAction
from grids.models import Department

Kind = EnforcementAction.Kind


class EnforcementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=Kind.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    decided_on = PastDateField(label=_("Decided on"))
    fine_amount = forms.DecimalField(
        label=_("Fine (yuan)"), required=False, min_value=0.01, max_digits=12, decimal_places=2
    )
    note = text_field(_("Note"), rows=3)

    def __init__(self, *args, departments, today: date, initial_department=None, **kwargs):
        self.today = today
        kwargs.setdefault("initial", {"decided_on": today, "department": initial_department})
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Kind.FINE and cleaned.get("fine_amount") is None:
            self.add_error("fine_amount", _("Enter the amount of the fine."))
        if cleaned.get("kind") != Kind.FINE:
            cleaned["fine_amount"] = None
        return cleaned


class LiftForm(forms.Form):
    lifted_on = PastDateField(label=_("Lifted on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, action: EnforcementAction, today: date, **kwargs):
        self.action, self.today = action, today
        kwargs.setdefault("initial", {"lifted_on": today})
        kwargs.setdefault("prefix", f"lift-{action.pk}")
        super().__init__(*args, **kwargs)

    def clean_lifted_on(self):
        value = self.cleaned_data["lifted_on"]
        if value < self.action.decided_on:
            raise forms.ValidationError(_("It cannot be lifted before it was decided."))
        return value
