"""accounts.widgets.LongSelect: the HTML of Django's own <select>, from one plain query."""

import re
from datetime import date

import pytest
from django import forms
from django.db import connection
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from accounts.roles import Role
from accounts.widgets import LongSelect, ModelOptions
from grids.models import Department, Village
from hazards.ledger import LedgerFilter
from tests.factories import DepartmentFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


class VillageForm(forms.Form):
    village = forms.ModelChoiceField(Village.objects.order_by("code"), empty_label="全部村")
    sort = forms.ChoiceField(choices=[("new", "最新在前"), ("old", "<最早>在前")])


def rendered(widget_class, data) -> dict[str, str]:
    class Form(VillageForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                field.widget = widget_class(choices=field.widget.choices)

    form = Form(data)
    return {name: str(form[name]) for name in form.fields}


def test_same_html_as_django_select_with_the_choice_kept():
    villages = [VillageFactory(name=f"村{n}") for n in range(3)]
    data = {"village": str(villages[1].pk), "sort": "old"}
    ours, django = rendered(LongSelect, data), rendered(forms.Select, data)
    for name in ours:  # the same elements, attributes and text; whitespace aside
        assert parse_html(ours[name]) == parse_html(django[name])
    assert f'<option value="{villages[1].pk}" selected>村1</option>' in ours["village"]
    assert '<option value="">全部村</option>' in ours["village"]
    assert "&lt;最早&gt;在前" in ours["sort"]  # labels escaped


def test_a_model_choice_list_is_one_plain_query():
    for n in range(5):
        VillageFactory(name=f"村{n}")
    form = VillageForm()
    form.fields["village"].widget = LongSelect(choices=form.fields["village"].widget.choices)
    with CaptureQueriesContext(connection) as captured:
        html = str(form["village"])
    assert html.count("<option") == 6
    assert len(captured) == 1
    assert "DECLARE" not in captured[0]["sql"]  # no server-side cursor on PostgreSQL


def test_a_filter_offering_none_keeps_its_none_option():
    """django-filter's null_label: the ledger's "No department" choice, after "All"."""
    DepartmentFactory(name="应急办")
    DepartmentFactory(name="<消防站>")
    office = UserFactory(role=Role.SAFETY_OFFICE)
    form = LedgerFilter({"department": "null"}, user=office, today=date.today()).form
    field = form.fields["department"]
    ours = str(form["department"])
    field.widget = forms.Select(choices=field.widget.choices)
    assert parse_html(ours) == parse_html(str(form["department"]))
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", ours)
    names = Department.objects.values_list("name", flat=True)
    assert labels == ["全部部门", "未指定部门", *(escape(name) for name in names)]
    assert '<option value="null" selected>' in ours


def test_each_choice_of_a_kept_list_shows_itself_selected():
    options = ModelOptions([("1", "村一"), ("2", "村二")])
    for chosen in ({"2"}, set(), {"1"}, {"2"}):
        html = options.html(frozenset(chosen))
        assert re.findall(r'value="(\d)" selected', html) == sorted(chosen)
