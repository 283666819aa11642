"""钉子户: persistent offenders (docs/figures.md), scoped, in SQL, each row saying why."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from enforcement.offenders import persistent_offenders
from tests.factories import GridFactory, HazardFactory, PremisesFactory, UserFactory, VillageFactory

URL = reverse("enforcement:offender_list")


@pytest.fixture
def town(db):
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    office = UserFactory(role=Role.SAFETY_OFFICE)
    officer = UserFactory(role=Role.GRID_OFFICER)
    home = GridFactory(village=VillageFactory(leaders=[leader]), officers=[officer])
    far = GridFactory()
    return {
        "leader": leader,
        "office": office,
        "officer": officer,
        "home": home,
        "far": far,
    }


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def make_cases(grid):
    today = timezone.localdate()
    cases = {
        name: PremisesFactory(grid=grid, name=name)
        for name in (
            "overdue_31",
            "overdue_30",
            "rejected_twice",
            "rejected_once",
            "recurred",
            "old_recurrence",
            "all_three",
            "clean",
        )
    }
    HazardFactory(
        premises=cases["overdue_31"], rectifying=True, rectify_by=today - timedelta(days=31)
    )
    HazardFactory(
        premises=cases["overdue_30"], rectifying=True, rectify_by=today - timedelta(days=30)
    )
    HazardFactory(premises=cases["rejected_twice"], rectifying=True, reject_count=2)
    HazardFactory(premises=cases["rejected_once"], rectifying=True, reject_count=1)
    first = HazardFactory(premises=cases["recurred"], closed=True, reported_at=days_ago(100))
    HazardFactory(premises=cases["recurred"], recurrence_of=first)
    old = HazardFactory(premises=cases["old_recurrence"], closed=True, reported_at=days_ago(400))
    HazardFactory(
        premises=cases["old_recurrence"], recurrence_of=old, closed=True, reported_at=days_ago(200)
    )
    worst = cases["all_three"]
    HazardFactory(premises=worst, rectifying=True, rectify_by=today - timedelta(days=60))
    earlier = HazardFactory(premises=worst, closed=True, reported_at=days_ago(50))
    HazardFactory(premises=worst, recurrence_of=earlier, rectifying=True, reject_count=3)
    HazardFactory(premises=cases["clean"], closed=True)
    return cases


def rules(premises) -> set[str]:
    names = {"is_long_overdue": "overdue", "is_rejected_twice": "rejected"}
    names["is_recurrence"] = "recurrence"
    return {label for field, label in names.items() if getattr(premises, field)}


def test_each_rule_and_which_rules_a_row_meets(town):
    make_cases(town["home"])
    now = timezone.now()
    rows = list(persistent_offenders(town["office"], today=timezone.localdate(now), now=now))
    found = {p.name: rules(p) for p in rows}
    assert found == {
        "overdue_31": {"overdue"},
        "rejected_twice": {"rejected"},
        "recurred": {"recurrence"},
        "all_three": {"overdue", "rejected", "recurrence"},
    }
    assert rows[0].name == "all_three" and rows[0].rules_met == 3


def test_a_rejected_twice_hazard_closed_long_ago_no_longer_counts(town):
    premises = PremisesFactory(grid=town["home"])
    HazardFactory(premises=premises, closed=True, reject_count=2, reported_at=days_ago(200))
    now = timezone.now()
    assert not persistent_offenders(town["office"], today=timezone.localdate(now), now=now)


def test_page_for_a_leader_is_scoped_and_says_why(client, town):
    make_cases(town["home"])
    make_cases(town["far"])
    client.force_login(town["leader"])
    response = client.get(URL)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 4
    assert {p.grid_id for p in page.object_list} == {town["home"].pk}
    body = response.content.decode()
    assert body.count('data-rule="overdue"') == 2
    assert body.count('data-rule="rejected"') == 2
    assert body.count('data-rule="recurrence"') == 2
    client.force_login(town["office"])
    assert client.get(URL).context["page"].paginator.count == 8


@pytest.mark.parametrize("role", ["officer"])
def test_other_roles_are_refused(client, town, role):
    client.force_login(town[role])
    assert client.get(URL).status_code == 403


def test_department_officer_and_registry_are_refused(client, db):
    for role in (Role.DEPARTMENT_OFFICER, Role.REGISTRY_ADMIN):
        client.force_login(UserFactory(role=role))
        assert client.get(URL).status_code == 403


def test_query_count_does_not_grow_with_offenders(client, town):
    client.force_login(town["office"])
    make_cases(town["home"])
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(5):
        make_cases(GridFactory())
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.context["page"].paginator.count == 24
    assert len(few) == len(many)


def test_no_loop_over_premises_one_select_for_the_rows(client, town):
    make_cases(town["home"])
    client.force_login(town["office"])
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    premises_selects = [q for q in queries if 'FROM "premises_premises"' in q["sql"]]
    assert len(premises_selects) == 2  # the count and the page
    assert all(
        "EXISTS" in q["sql"].upper() or "IN (SELECT" in q["sql"].upper() for q in premises_selects
    )
