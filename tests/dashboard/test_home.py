"""The home page of each role: true numbers, in scope only, at a fixed query cost."""

import html
import itertools
import re
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import Role
from grids.models import Department, Grid, Town, Village
from hazards.models import Category, Hazard, Severity
from premises.models import BusinessType, Premises

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 01:00 in Shanghai is still the previous day in UTC: "today" must be the local date.
NOW = datetime(2026, 3, 10, 1, 0, tzinfo=SHANGHAI)
TODAY = date(2026, 3, 10)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make_user(username: str, *roles: str):
    user = get_user_model().objects.create_user(username=username, password="x-unused-x")
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def make_premises(grid: Grid, business_type: BusinessType, name: str, **fields) -> Premises:
    fields.setdefault("address", f"{grid.name} {name} 1号")
    return Premises.objects.create(grid=grid, business_type=business_type, name=name, **fields)


def make_hazard(premises: Premises, *, by, overdue_days: int = -5, **fields) -> Hazard:
    """An open general hazard due `-overdue_days` days from today unless told otherwise."""
    number = next(_numbers)
    values = {
        "ledger_number": f"YH-2026-{number:06d}",
        "category": Category.ELEC,
        "description": f"私拉乱接电线 {number}",
        "severity": Severity.GENERAL,
        "status": Hazard.Status.REPORTED,
        "rectify_by": TODAY - timedelta(days=overdue_days),
        "reported_by": by,
        "reported_at": NOW - timedelta(days=20),
    }
    values.update(fields)
    if values["status"] == Hazard.Status.CLOSED:
        values.setdefault("closed_at", NOW)
    if values["status"] == Hazard.Status.DISMISSED:
        values.setdefault("dismissed_at", NOW)
    if values["severity"] == Severity.MAJOR:
        values.setdefault("interim_measures", "设置警示标志,停止使用")
    return Hazard.objects.create(premises=premises, **values)


@pytest.fixture
def town():
    """Two villages; village 1 has grids A and A2, village 2 has grid B.

    The fire brigade supervises restaurants (one of them is in village 2).
    """
    t = Town.objects.create(name="平安镇", code="T1")
    v1 = Village.objects.create(town=t, name="东村", code="V1")
    v2 = Village.objects.create(town=t, name="西村", code="V2")
    fire = Department.objects.create(name="消防救援所", code="FIRE", name_en="Fire station")
    shop = BusinessType.objects.create(
        code="SHOP", group="nine_small", name_zh="小商店", name_en="Small shop"
    )
    food = BusinessType.objects.create(
        code="FOOD",
        group="nine_small",
        name_zh="小餐饮",
        name_en="Small restaurant",
        department=fire,
    )
    grids = {
        "A": Grid.objects.create(village=v1, name="东一网格", code="A"),
        "A2": Grid.objects.create(village=v1, name="东二网格", code="A2"),
        "B": Grid.objects.create(village=v2, name="西一网格", code="B"),
    }
    reporter = make_user("reporter", Role.SAFETY_OFFICE)
    return {"v1": v1, "v2": v2, "fire": fire, "shop": shop, "food": food, **grids, "by": reporter}


@pytest.fixture
def premises(town):
    """Patrol state per grid, relative to TODAY."""
    a, a2, b, shop = town["A"], town["A2"], town["B"], town["shop"]
    visited = NOW - timedelta(days=40)
    return {
        "a_never": make_premises(a, shop, "东一从未检查"),
        "a_due": make_premises(
            a, shop, "东一到期", last_inspected_at=visited, patrol_due_on=TODAY - timedelta(days=2)
        ),
        "a_due_today": make_premises(
            a, shop, "东一今日到期", last_inspected_at=NOW - timedelta(days=7), patrol_due_on=TODAY
        ),
        "a_fine": make_premises(
            a, shop, "东一未到期", last_inspected_at=NOW, patrol_due_on=TODAY + timedelta(days=30)
        ),
        "a_closed": make_premises(a, shop, "东一已关停", status=Premises.Status.CLOSED),
        "a2_never": make_premises(a2, shop, "东二从未检查"),
        "b_never": make_premises(b, town["food"], "西一小餐馆", risk_level="red"),
    }


def names(items) -> list[str]:
    return [item.name for item in items]


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_officer_sees_own_grids_patrol_due_premises_in_patrol_order(client, town, premises):
    officer = make_user("officer", Role.GRID_OFFICER)
    town["A"].officers.add(officer)
    client.force_login(officer)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert names(response.context["due_premises"]) == ["东一从未检查", "东一到期", "东一今日到期"]
    assert response.context["patrol_due_count"] == 3
    [grid] = response.context["grids"]
    assert (grid.code, grid.operating, grid.patrol_due) == ("A", 4, 3)
    assert "西一小餐馆" not in response.text
    assert "东二从未检查" not in response.text
    assert "Never inspected" in response.text
    assert "Last inspected 2026-01-29" in response.text
    assert "Small shop" in response.text
    assert "东村" in response.text


def test_officer_patrol_list_is_limited_to_twenty(client, town):
    officer = make_user("officer", Role.GRID_OFFICER)
    town["A"].officers.add(officer)
    for n in range(23):
        make_premises(town["A"], town["shop"], f"店{n:02d}")
    client.force_login(officer)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert len(response.context["due_premises"]) == 20
    assert response.context["patrol_due_count"] == 23
    assert "Showing the 20 longest without a visit, of 23 due." in response.text


def test_officer_counts_open_and_overdue_hazards_of_own_grid_only(client, town, premises):
    officer = make_user("officer", Role.GRID_OFFICER)
    town["A"].officers.add(officer)
    by = town["by"]
    make_hazard(premises["a_due"], by=by, overdue_days=3)
    make_hazard(premises["a_due"], by=by, overdue_days=-10)
    make_hazard(premises["a_fine"], by=by, status=Hazard.Status.CLOSED)
    make_hazard(premises["a2_never"], by=by, overdue_days=3)  # another grid of the same village
    make_hazard(premises["b_never"], by=by, overdue_days=3)
    client.force_login(officer)

    response = client.get("/")

    counts = response.context["hazard_counts"]
    assert (counts["open"], counts["overdue"]) == (2, 1)


def test_leader_sees_counts_for_own_village_only(client, town, premises):
    leader = make_user("leader", Role.VILLAGE_LEADER)
    town["v1"].leaders.add(leader)
    by = town["by"]
    late = make_hazard(premises["a_due"], by=by, overdue_days=4)
    later = make_hazard(
        premises["a2_never"],
        by=by,
        overdue_days=12,
        severity=Severity.MAJOR,
        status=Hazard.Status.RECTIFYING,
    )
    make_hazard(premises["a_fine"], by=by, overdue_days=-3, severity=Severity.MAJOR)
    make_hazard(premises["a_fine"], by=by, overdue_days=0)  # due today: not overdue yet
    make_hazard(premises["a_fine"], by=by, status=Hazard.Status.CLOSED, overdue_days=9)
    make_hazard(premises["a_fine"], by=by, status=Hazard.Status.DISMISSED, overdue_days=9)
    make_hazard(premises["b_never"], by=by, overdue_days=30, severity=Severity.MAJOR)
    client.force_login(leader)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["hazard_counts"] == {"open": 4, "overdue": 2, "open_major": 2}
    assert response.context["premises_counts"] == {"operating": 5, "patrol_due": 4}
    assert response.context["overdue_hazards"] == [later, late]
    assert [h.days_overdue for h in response.context["overdue_hazards"]] == [12, 4]
    assert "12 days overdue" in response.text
    assert later.ledger_number in response.text
    assert "西一小餐馆" not in response.text
    assert "Scope: 东村" in response.text


def test_overdue_is_counted_in_the_local_time_zone(client, town, premises):
    """At 01:00 on 10 March in Shanghai it is still 9 March in UTC; a 9 March deadline is past."""
    leader = make_user("leader", Role.VILLAGE_LEADER)
    town["v1"].leaders.add(leader)
    make_hazard(premises["a_due"], by=town["by"], overdue_days=1)
    client.force_login(leader)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["hazard_counts"]["overdue"] == 1
    assert "1 day overdue" in response.text


def test_safety_office_sees_the_whole_town(client, town, premises):
    office = make_user("office", Role.SAFETY_OFFICE)
    by = town["by"]
    make_hazard(premises["a_due"], by=by, overdue_days=4)
    make_hazard(premises["b_never"], by=by, overdue_days=30, severity=Severity.MAJOR)
    make_hazard(premises["b_never"], by=by, status=Hazard.Status.CLOSED)
    client.force_login(office)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["hazard_counts"] == {"open": 2, "overdue": 2, "open_major": 1}
    assert response.context["premises_counts"] == {"operating": 6, "patrol_due": 5}
    assert "Scope: the whole town" in response.text


def test_department_officer_sees_the_sector_it_supervises(client, town, premises):
    inspector = make_user("fire", Role.DEPARTMENT_OFFICER)
    town["fire"].members.add(inspector)
    by = town["by"]
    make_hazard(premises["b_never"], by=by, overdue_days=2)  # a restaurant: fire's sector
    handed_over = make_hazard(premises["a_due"], by=by, overdue_days=5, department=town["fire"])
    make_hazard(premises["a_due"], by=by, overdue_days=5)  # a shop, not handed over
    client.force_login(inspector)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["hazard_counts"] == {"open": 2, "overdue": 2, "open_major": 0}
    assert response.context["overdue_hazards"][0] == handed_over
    assert response.context["premises_counts"] == {"operating": 1, "patrol_due": 1}
    assert "Scope: Fire station" in response.text


def test_overdue_list_shows_the_ten_most_overdue(client, town, premises):
    office = make_user("office", Role.SAFETY_OFFICE)
    for days in range(1, 13):
        make_hazard(premises["a_due"], by=town["by"], overdue_days=days)
    client.force_login(office)

    response = client.get("/")

    shown = [h.days_overdue for h in response.context["overdue_hazards"]]
    assert shown == list(range(12, 2, -1))
    assert response.context["hazard_counts"]["overdue"] == 12


def test_user_without_a_role_is_asked_to_get_one(client):
    client.force_login(make_user("newcomer"))

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Your account has no role yet" in response.text
    assert "hazard_counts" not in response.context


def _queries_for_home(client, assert_max_queries, *, hazards: int, premises, by) -> int:
    """Replace all hazards with `hazards` overdue ones, then count the home page's queries."""
    Hazard.objects.all().delete()
    for days in range(hazards):
        make_hazard(premises, by=by, overdue_days=days + 1)
    with assert_max_queries(HOME_MAX_QUERIES) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured)


# Session, user and groups (3); the user's memberships, read once for every scope filter
# (grids.models.membership_of) (1); the overview's scope names (2), premises counts (2), hazard
# counts (1) and overdue list (1) - the officer's page needs 4; the inbox's unread count (1);
# saving the session (at most once a minute, accounts.middleware) adds an UPDATE inside a
# savepoint (3).
HOME_MAX_QUERIES = 14


@pytest.mark.parametrize("role", [Role.GRID_OFFICER, Role.VILLAGE_LEADER, Role.SAFETY_OFFICE])
def test_home_query_count_does_not_grow_with_hazards(
    client, town, premises, role, django_assert_max_num_queries
):
    user = make_user("someone", role)
    town["A"].officers.add(user)
    town["v1"].leaders.add(user)
    client.force_login(user)
    client.get("/")  # the session's first save (then at most once a minute)
    measure = partial(
        _queries_for_home,
        client,
        django_assert_max_num_queries,
        premises=premises["a_due"],
        by=town["by"],
    )

    assert measure(hazards=3) == measure(hazards=30)


def test_every_figure_of_every_home_page_opens_the_rows_it_counts(client, town, premises):
    """Each count tile links to a list (the ledger, a premises list) holding exactly the rows
    it counts, for each role and its scope."""
    by = town["by"]
    for site, status, overdue_days, severity in (
        (premises["a_due"], Hazard.Status.RECTIFYING, 3, Severity.GENERAL),
        (premises["a_fine"], Hazard.Status.REPORTED, -4, Severity.MAJOR),
        (premises["a2_never"], Hazard.Status.REPORTED, 1, Severity.GENERAL),
        (premises["b_never"], Hazard.Status.RECTIFYING, 6, Severity.MAJOR),
        (premises["b_never"], Hazard.Status.CLOSED, 9, Severity.GENERAL),
    ):
        make_hazard(site, by=by, status=status, overdue_days=overdue_days, severity=severity)
    officer = make_user("officer", Role.GRID_OFFICER)
    town["A"].officers.add(officer)
    leader = make_user("leader", Role.VILLAGE_LEADER)
    town["v1"].leaders.add(leader)
    department = make_user("department", Role.DEPARTMENT_OFFICER)
    town["fire"].members.add(department)
    people = [officer, leader, department, by, make_user("registry", Role.REGISTRY_ADMIN)]

    for user in people:
        client.force_login(user)
        home = client.get("/").content.decode()
        tiles = re.findall(r'href="([^"]+)" data-count-tile="(\d+)"', home)
        assert len(tiles) in (3, 5), user.username
        for url, shown in tiles:
            listed = client.get(html.unescape(url)).context["page"].paginator.count
            assert listed == int(shown), (user.username, url)
