"""Villages, grids and departments as registry admins edit them, with who is assigned where."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from grids.models import Department, Grid, Town, Village

CHECKBOXES = {"class": "form-check-input"}


def people(role: str, instance, relation: str) -> QuerySet:
    """Active users holding `role`, plus whoever is assigned now (so saving never drops an
    assignment the list would not show, such as a deactivated officer's)."""
    current = getattr(instance, relation).all() if instance.pk else User.objects.none()
    return (
        User.objects.filter(Q(is_active=True, groups__name=role) | Q(pk__in=current.values("pk")))
        .distinct()
        .order_by("username")
    )


class VillageForm(forms.ModelForm):
    wecom_webhook_url = forms.URLField(
        label=_("WeCom group robot webhook"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Village
        fields = ["town", "name", "code", "kind", "leaders", "wecom_webhook_url"]
        widgets = {"leaders": forms.CheckboxSelectMultiple(attrs=CHECKBOXES)}
        help_texts = {"leaders": _("Users with the village leader role.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leaders"].queryset = people(Role.VILLAGE_LEADER, self.instance, "leaders")
        towns = list(Town.objects.all()[:2])
        if self.instance.pk is None and len(towns) == 1:
            self.fields["town"].initial = towns[0].pk


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["village", "name", "code", "officers", "patrol_interval_days"]
        widgets = {"officers": forms.CheckboxSelectMultiple(attrs=CHECKBOXES)}
        help_texts = {"officers": _("Users with the grid officer role.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = people(Role.GRID_OFFICER, self.instance, "officers")
        self.fields["village"].queryset = Village.objects.select_related("town")


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "name_en", "duty", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple(attrs=CHECKBOXES)}
        help_texts = {"members": _("Users with the department officer role.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people(Role.DEPARTMENT_OFFICER, self.instance, "members")


class AssignmentForm(forms.Form):
    """Where one user works: the grids they patrol, the villages they lead, their departments."""

    grids = forms.ModelMultipleChoiceField(
        label=_("Grids patrolled"),
        queryset=Grid.objects.select_related("village"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages led"),
        queryset=Village.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )
