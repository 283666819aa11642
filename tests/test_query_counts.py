"""Every list page runs the same number of queries at a few rows and at a full page
(docs/decisions.md, Targets): a query per row would show up as a different count. The numbers are
pinned, so a change that adds a query to a list page says so here."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import (
    DepartmentFactory,
    GridFactory,
    HazardFactory,
    NotificationFactory,
    PremisesFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 60  # MANY fills every page below (25, 50 or 20 rows a page)
# Every count below includes the session, the user, the user's roles and the unread count in the
# navigation bar. The session is saved at most once a minute (accounts.middleware): the warm-up
# request saves it, the counted one does not.


@pytest.fixture
def place():
    officer = UserFactory(role=Role.GRID_OFFICER)
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    grid = GridFactory(village=VillageFactory(leaders=[leader]), officers=[officer])
    return {"officer": officer, "leader": leader, "grid": grid}


def count_queries(client, url, user, django_assert_num_queries, expected, params=None):
    client.force_login(user)
    client.get(url, params)  # the session and the content-type cache, as on any later page
    with django_assert_num_queries(expected):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


def premises_with_everything(grid, n: int) -> list:
    """Premises carrying the relations a row shows: tags, an open and an overdue hazard."""
    today = timezone.localdate()
    rows = []
    for k in range(n):
        premises = PremisesFactory(grid=grid, tags=[TagFactory(code="LPG"), TagFactory(code="BIG")])
        HazardFactory(premises=premises, rectifying=True, rectify_by=today - timedelta(days=k))
        rows.append(premises)
    return rows


# + memberships, the business-type choices (COUNT and rows), COUNT, the page (open hazards as a
# subquery).
MY_PREMISES = 9


@pytest.mark.parametrize("rows", [FEW, MANY])
def test_my_premises(client, place, django_assert_num_queries, rows):
    premises_with_everything(place["grid"], rows)
    response = count_queries(
        client, reverse("inspections:premises_list"), place["officer"], django_assert_num_queries,
        MY_PREMISES,
    )  # fmt: skip
    assert len(response.context["page"].object_list) == min(rows, 25)


# + memberships, departments and led villages (scope of the choices, masked phones), the grids'
# count (a county's are narrowed), COUNT, the page, the people who found and reviewed its rows
# (by key: docs/decisions.md), the choice lists (villages, grids, business types, departments).
LEDGER = 15


@pytest.mark.parametrize("rows", [FEW, MANY])
def test_ledger(client, place, django_assert_num_queries, rows):
    department = DepartmentFactory()
    first = HazardFactory(premises=PremisesFactory(grid=place["grid"]), closed=True)
    for n in range(rows):
        HazardFactory(
            premises=PremisesFactory(grid=place["grid"]),
            recurrence_of=first if n % 3 == 0 else None,
            reviewed_by=place["leader"] if n % 2 else None,
            department=department if n % 4 == 0 else None,
        )
    response = count_queries(
        client, reverse("hazards:ledger"), place["leader"], django_assert_num_queries,
        LEDGER,
    )  # fmt: skip
    assert len(response.context["page"].object_list) == min(rows + 1, 50)


@pytest.mark.parametrize("rows", [FEW, MANY])
def test_ledger_deep_page_by_cursor(client, place, django_assert_num_queries, rows):
    """The pager's "next" link (a keyset cursor) costs what page 1 costs."""
    for _n in range(rows + 50):
        HazardFactory(premises=PremisesFactory(grid=place["grid"]))
    client.force_login(place["leader"])
    first = client.get(reverse("hazards:ledger"))
    cursor = first.context["page"].next_cursor
    assert cursor
    count_queries(
        client, reverse("hazards:ledger"), place["leader"], django_assert_num_queries,
        LEDGER, params={"page": 2, "after": cursor},
    )  # fmt: skip


# + COUNT, the filter's four choice lists, the page, its tags.
REGISTRY = 11


@pytest.mark.parametrize("rows", [FEW, MANY])
def test_registry_list(client, place, django_assert_num_queries, rows):
    premises_with_everything(place["grid"], rows)
    admin = UserFactory(role=Role.REGISTRY_ADMIN)
    response = count_queries(
        client, reverse("premises:list"), admin, django_assert_num_queries, REGISTRY
    )
    assert len(response.context["page"].object_list) == min(rows, 50)


# + COUNT, the page.
INBOX = 6


@pytest.mark.parametrize("rows", [FEW, MANY])
def test_inbox(client, place, django_assert_num_queries, rows):
    for _n in range(rows):
        NotificationFactory(recipient=place["officer"])
    response = count_queries(
        client, reverse("notifications:inbox"), place["officer"], django_assert_num_queries, INBOX
    )
    assert len(response.context["page"].object_list) == min(rows, 20)


# + memberships, COUNT, the page (each rule an EXISTS column).
OFFENDERS = 7


@pytest.mark.parametrize("rows", [FEW, MANY])
def test_persistent_offenders(client, place, django_assert_num_queries, rows):
    today = timezone.localdate()
    for premises in premises_with_everything(place["grid"], rows):
        HazardFactory(premises=premises, rectifying=True, rectify_by=today - timedelta(days=40))
    response = count_queries(
        client, reverse("enforcement:offender_list"), place["leader"], django_assert_num_queries,
        OFFENDERS,
    )  # fmt: skip
    assert len(response.context["page"].object_list) == min(rows, 50)


# + the officer's grids with their counts, memberships, the patrol list, its count, the hazard
# counts.
OFFICER_HOME = 9


@pytest.mark.parametrize("rows", [FEW, MANY])
def test_officer_home(client, place, django_assert_num_queries, rows):
    premises_with_everything(place["grid"], rows)
    count_queries(
        client, reverse("home"), place["officer"], django_assert_num_queries, OFFICER_HOME
    )


# The dashboard (a whole town, year to date, for the safety office): + memberships, the towns
# (picker and count), the hazard figures (open; open major; the period's days or rows; on
# PostgreSQL the tallies), the visits and premises visited (three), the accidents, the places
# ranked, the premises figures, the trend, the breakdowns (overdue; the period's rows; with
# tallies the sector tallies; the names of their business types and departments), the five
# lists (offenders: per grid, then the first ten).
# Each list shows its ten rows with what they need selected: a deferred field would add a query
# per row here.
DASHBOARD = 29  # the same on both databases: one counting path
# The default period's months and days, and so which of them come from the tallies, follow the
# date: the count is pinned on a day in the middle of a month (on a month's last day, the month
# is tallied whole and its days are not read).
MID_MONTH = datetime(2026, 8, 12, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("rows", [FEW, MANY])
@time_machine.travel(MID_MONTH)
def test_dashboard(client, place, django_assert_num_queries, rows):
    office = UserFactory(role=Role.SAFETY_OFFICE)
    today = timezone.localdate()
    for premises in premises_with_everything(place["grid"], rows):
        HazardFactory(premises=premises, major_rectifying=True, rectify_by=today)
        HazardFactory(premises=premises, rectifying=True, rectify_by=today - timedelta(days=40))
    response = count_queries(
        client, reverse("dashboard:index"), office, django_assert_num_queries, DASHBOARD
    )  # fmt: skip
    lists = response.context["board"].lists
    if rows == MANY:  # every list full
        assert {key: len(short.items) for key, short in lists.items()} == dict.fromkeys(
            ("open_major", "overdue", "offenders", "patrol_due", "never_inspected"), 10
        )
