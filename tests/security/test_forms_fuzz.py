"""No input yields a 500: every form class and every filter set of the project, fed arbitrary
data by hypothesis (docs/inputs.md).

Forms and filter sets are found by importing the project's modules and collecting the
subclasses defined there, so a new one is covered without being listed here. Those whose
constructor needs arguments get them from FORM_KWARGS / FILTER_KWARGS; one missing there
fails `test_every_form_can_be_built`, naming it.

Every page of the URL configuration, as every role, is sent hostile values through its own
forms by tests/security/test_every_input.py.
"""

import importlib
import pkgutil
from datetime import date
from functools import cache

import django_filters
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from enforcement.models import EnforcementAction
from inspections.models import ChecklistItem
from premises.models import Premises
from tests import test_scope_matrix as matrix
from tests.factories import (
    ChecklistItemFactory,
    DepartmentFactory,
    EnforcementActionFactory,
    HazardFactory,
    UserFactory,
)
from tests.test_scope_matrix import world as world  # the scope matrix's data, reused

PROJECT_APPS = (
    "accounts",
    "grids",
    "premises",
    "inspections",
    "hazards",
    "enforcement",
    "accidents",
    "notifications",
    "dashboard",
)
pytestmark = pytest.mark.django_db  # `world` needs the test database even when run alone

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: CI does not flake on a new one
)


# --- what to send ---------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "99999999999999999999999999",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "Infinity",
    "0x1F",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "10000-01-01",
    "2026-13-01",
    "2026-07",
    "on",
    "null",
    "[]",
    "{}",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE premises_premises; --",
    "１２３",
    "٣٤",
    "𝟙𝟚",
    "😀" * 50,
    "x" * 5000,
    "%(name)s {0} %s",
]


def values() -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.integers().map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
        st.uuids().map(str),
    )


def field_data(names: list[str]) -> st.SearchStrategy:
    """A MultiValueDict: some of the form's names (and a stranger), one to three values each."""
    keys = st.sampled_from([*names, "unexpected", "csrfmiddlewaretoken"]) if names else st.text()
    return st.dictionaries(keys, st.lists(values(), min_size=1, max_size=3), max_size=12).map(
        MultiValueDict
    )


def file_data(names: list[str]) -> st.SearchStrategy:
    if not names:
        return st.just(MultiValueDict())
    upload = st.builds(
        lambda name, body: SimpleUploadedFile(name, body),
        st.sampled_from(["photo.jpg", "scan.pdf", "list.csv", "x", "../../evil.svg"]),
        st.binary(max_size=300),
    )
    return st.dictionaries(st.sampled_from(names), st.lists(upload, max_size=2), max_size=2).map(
        MultiValueDict
    )


# --- the forms and filter sets of the project -----------------------------------------------------


@cache
def project_modules() -> list:
    modules = []
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in info.name:
                modules.append(importlib.import_module(info.name))
    return modules


def _subclasses(base) -> list[type]:
    project_modules()
    found, todo = set(), [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(
        (c for c in found if c.__module__.split(".")[0] in PROJECT_APPS),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def project_forms() -> list[type]:
    return _subclasses(forms.BaseForm)


def project_filtersets() -> list[type]:
    return _subclasses(django_filters.FilterSet)


@pytest.fixture
def town(db):
    """What the forms' constructors need: a hazard, an enforcement action, checklist items."""
    office = UserFactory(username="fuzz-office", role=Role.SAFETY_OFFICE)
    hazard = HazardFactory(department=DepartmentFactory())
    return {
        "user": office,
        "hazard": hazard,
        "action": EnforcementActionFactory(hazard=hazard, kind=EnforcementAction.Kind.SUSPEND),
        "item": ChecklistItemFactory(
            severity=ChecklistItem.ItemSeverity.CONDITIONAL, major_when_zh="软管老化"
        ),
        "today": timezone.localdate(),
    }


def _loop(t):
    return {"hazard": t["hazard"], "today": t["today"]}


FORM_KWARGS = {
    "accounts.forms.RegistryUserForm": lambda t: {},
    "premises.forms.PremisesRowForm": lambda t: {"codes_in_use": {}},
    "accidents.forms.AccidentForm": lambda t: {"user": t["user"]},
    "hazards.loop_forms.LoopForm": _loop,
    "hazards.loop_forms.PhotoLoopForm": _loop,
    "hazards.loop_forms.VerifyForm": _loop,
    "hazards.loop_forms.DismissForm": _loop,
    "hazards.loop_forms.SubmitFixForm": _loop,
    "hazards.loop_forms.AcceptForm": _loop,
    "hazards.loop_forms.RejectForm": _loop,
    "hazards.loop_forms.ExtendForm": _loop,
    "hazards.loop_forms.EscalateForm": _loop,
    "enforcement.forms.EnforcementForm": lambda t: {
        "departments": t["hazard"].department.__class__.objects.all(),
        "today": t["today"],
    },
    "enforcement.forms.LiftForm": lambda t: {"action": t["action"], "today": t["today"]},
    "inspections.forms.FindingFields": lambda t: {"today": t["today"]},
    "inspections.forms.AnswerForm": lambda t: {"item": t["item"], "today": t["today"]},
    "inspections.forms.ExtraHazardForm": lambda t: {"today": t["today"]},
    "dashboard.report.MonthForm": lambda t: {"today": t["today"]},
}
FILTER_KWARGS = {
    "premises.filters.RegistryFilter": lambda t: {"today": t["today"]},
    "accidents.forms.AccidentFilter": lambda t: {"user": t["user"]},
    "hazards.ledger.LedgerFilter": lambda t: {"user": t["user"], "today": t["today"]},
    "dashboard.filters.ScopeFilters": lambda t: {
        "user": t["user"],
        "today": t["today"],
        "now": timezone.now(),
    },
}
for _name in ("InspectionFilter", "PremisesFilter"):
    FILTER_KWARGS[f"dashboard.filters.{_name}"] = FILTER_KWARGS["dashboard.filters.ScopeFilters"]
# What each filter set filters, where its Meta names no model (the dashboard's shared base).
FILTER_MODELS = {"dashboard.filters.ScopeFilters": Premises}


def dotted(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def build_filters(cls, town, data):
    model = FILTER_MODELS.get(dotted(cls), cls._meta.model)
    queryset = model.objects.all() if model is not None else None
    return cls(data, queryset, **FILTER_KWARGS.get(dotted(cls), lambda t: {})(town))


def build_form(cls, town, data=None, files=None):
    kwargs = FORM_KWARGS.get(dotted(cls), lambda t: {})(town)
    return cls(data, files, **kwargs) if data is not None else cls(**kwargs)


def test_every_form_can_be_built(town):
    """A form whose constructor needs arguments not in FORM_KWARGS fails here, by name."""
    unbuildable = []
    for cls in project_forms():
        try:
            build_form(cls, town)
        except TypeError as error:
            unbuildable.append(f"{dotted(cls)}: {error}")

    assert not unbuildable, f"add these to FORM_KWARGS: {unbuildable}"
    assert len(project_forms()) >= 20


def test_every_filter_set_can_be_built(town):
    unbuildable = []
    for cls in project_filtersets():
        try:
            build_filters(cls, town, {})
        except (TypeError, AttributeError) as error:
            unbuildable.append(f"{dotted(cls)}: {error}")

    assert not unbuildable, f"add these to FILTER_KWARGS: {unbuildable}"


def _names(form) -> tuple[list[str], list[str]]:
    fields = [form.add_prefix(name) for name in form.fields]
    files = [form.add_prefix(n) for n, f in form.fields.items() if isinstance(f, forms.FileField)]
    return fields, files


@pytest.mark.parametrize("cls", project_forms(), ids=dotted)
def test_form_survives_arbitrary_input(town, cls):
    fields, file_fields = _names(build_form(cls, town))

    @FUZZ
    @given(data=field_data(fields), files=file_data(file_fields))
    def check(data, files):
        form = build_form(cls, town, data, files)
        form.is_valid()  # raises nothing: every problem is a form error
        assert isinstance(form.errors, dict)

    check()


@pytest.mark.parametrize("cls", project_filtersets(), ids=dotted)
def test_filter_set_survives_arbitrary_input(town, cls):
    names = list(build_filters(cls, town, None).form.fields)

    @FUZZ
    @given(data=field_data(names))
    def check(data):
        filters = build_filters(cls, town, data)
        filters.form.is_valid()
        list(filters.qs[:3])  # the query runs

    check()


@pytest.mark.parametrize("target", ["a b", "a\x00b", "home", "//evil.example/", "javascript:x"])
def test_inbox_link_that_is_not_a_local_path_is_no_500(client, world, target):
    """Found by the fuzz: a bare word in `next` was taken for a URL name (NoReverseMatch)."""
    client.force_login(world.users[matrix.OFFICER])
    note = world.notifications[matrix.OFFICER]

    response = client.post(reverse("notifications:mark_read", args=[note.pk]), {"next": target})

    assert response.status_code == 302
    assert not response["Location"].startswith(("//", "javascript:", "http"))
