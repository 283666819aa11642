"""台账: the hazard ledger page — filters, scope, sorting, pages, count and query count."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from hazards.ledger import SORTS
from hazards.models import Category, Hazard
from tests.factories import (
    BusinessTypeFactory,
    ChecklistItemFactory,
    DepartmentFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)

URL = reverse("hazards:ledger")


@pytest.fixture
def town(db):
    officer = UserFactory(role=Role.GRID_OFFICER)
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    office = UserFactory(role=Role.SAFETY_OFFICE)
    member = UserFactory(role=Role.DEPARTMENT_OFFICER)
    fire = DepartmentFactory(name="消防", members=[member])
    east = VillageFactory(name="东岭村", leaders=[leader])
    west = VillageFactory(name="西塘村")
    home = GridFactory(village=east, officers=[officer])
    east_two = GridFactory(village=east)
    far = GridFactory(village=west)
    food = BusinessTypeFactory(name_zh="餐饮", department=fire)
    shop = BusinessTypeFactory(name_zh="商店")
    places = {
        "noodles": PremisesFactory(grid=home, business_type=food, name="老王面馆"),
        "shop": PremisesFactory(grid=east_two, business_type=shop, name="鑫鑫便利店"),
        "far": PremisesFactory(grid=far, business_type=shop, name="西塘五金店"),
    }
    return {
        "users": {"officer": officer, "leader": leader, "office": office, "department": member},
        "places": places,
        "fire": fire,
        "villages": (east, west),
        "grids": (home, east_two, far),
        "types": (food, shop),
    }


def numbers(response) -> list[str]:
    return [row["ledger_number"] for row in response.context["page"].object_list]


def get(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_each_role_sees_only_its_scope(client, town):
    places = town["places"]
    noodles = HazardFactory(premises=places["noodles"])
    shop = HazardFactory(premises=places["shop"])
    far = HazardFactory(premises=places["far"])
    users = town["users"]
    assert set(numbers(get(client, users["officer"]))) == {noodles.ledger_number}
    assert set(numbers(get(client, users["leader"]))) == {
        noodles.ledger_number,
        shop.ledger_number,
    }
    # The department supervises the food premises' type.
    assert set(numbers(get(client, users["department"]))) == {noodles.ledger_number}
    assert len(numbers(get(client, users["office"]))) == 3
    assert far.ledger_number in numbers(get(client, users["office"]))


def test_filters(client, town):
    places, users = town["places"], town["users"]
    today = timezone.localdate()
    now = timezone.now()
    item = ChecklistItemFactory()
    rows = {
        "overdue": HazardFactory(
            premises=places["noodles"], rectifying=True, rectify_by=today - timedelta(days=3)
        ),
        "major": HazardFactory(premises=places["shop"], major_rectifying=True),
        "closed": HazardFactory(premises=places["far"], closed=True, category=Category.GAS),
        "old": HazardFactory(
            premises=places["far"], reported_at=now - timedelta(days=60), description="楼道堆放杂物"
        ),
        "dismissed": HazardFactory(premises=places["far"], dismissed=True, department=town["fire"]),
    }
    rows["again"] = HazardFactory(
        premises=places["far"], recurrence_of=rows["closed"], checklist_item=item
    )
    east, west = town["villages"]
    home, _east_two, far = town["grids"]
    food, _shop = town["types"]

    def only(**params) -> set[str]:
        found = set(numbers(get(client, users["office"], **params)))
        return {name for name, hazard in rows.items() if hazard.ledger_number in found}

    assert only() == set(rows)
    assert only(status="closed") == {"closed"}
    assert only(status="open") == {"overdue", "major", "old", "again"}
    assert only(severity="major") == {"major"}
    assert only(overdue="true") == {"overdue"}
    assert only(village=east.pk) == {"overdue", "major"}
    assert only(village=west.pk, grid=far.pk) == {"closed", "old", "dismissed", "again"}
    assert only(grid=home.pk) == {"overdue"}
    assert only(category=Category.GAS) == {"closed"}
    assert only(business_type=food.pk) == {"overdue"}
    assert only(department=town["fire"].pk) == {"dismissed"}
    assert only(department="null") == set(rows) - {"dismissed"}  # 未指定部门
    assert only(recurrence="true") == {"again"}
    assert only(q="杂物") == {"old"}
    assert only(q="西塘五金") == {"closed", "old", "dismissed", "again"}
    assert only(q=rows["major"].ledger_number.lower()) == {"major"}
    assert only(premises=places["shop"].pk) == {"major"}
    week_ago = (today - timedelta(days=7)).isoformat()
    assert only(reported_after=week_ago) == set(rows) - {"old"}
    two_months = (today - timedelta(days=61)).isoformat()
    assert only(reported_after=two_months, reported_before=week_ago) == {"old"}


def test_filter_choices_are_narrowed_to_scope(client, town):
    response = get(client, town["users"]["officer"])
    form = response.context["filters"].form
    assert list(form.fields["village"].queryset) == [town["villages"][0]]
    assert list(form.fields["grid"].queryset) == [town["grids"][0]]
    other_village = town["villages"][1]
    response = get(client, town["users"]["officer"], village=other_village.pk)
    assert "village" in response.context["filters"].form.errors


def test_past_so_many_grids_the_grid_choices_are_the_chosen_villages(client, town, monkeypatch):
    monkeypatch.setattr("hazards.ledger.GRID_CHOICES_MAX", 2)  # the town has three grids
    east, west = town["villages"]
    home, east_two, far = town["grids"]

    def grids_offered(**params) -> list[str]:
        body = get(client, town["users"]["office"], **params).content.decode()
        select = re.search(r'<select[^>]*name="grid".*?</select>', body, re.S).group(0)
        return re.findall(r'<option value="(\d*)"', select)

    assert grids_offered() == [""]
    assert grids_offered(village=east.pk) == ["", str(home.pk), str(east_two.pk)]
    assert grids_offered(village=west.pk, grid=home.pk) == ["", str(home.pk), str(far.pk)]
    monkeypatch.setattr("hazards.ledger.GRID_CHOICES_MAX", 3)
    assert grids_offered() == ["", str(home.pk), str(east_two.pk), str(far.pk)]


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_key_orders_the_rows(client, town, sort):
    places = town["places"]
    today = timezone.localdate()
    for days in (3, 1, 2):
        HazardFactory(premises=places["noodles"], rectify_by=today + timedelta(days=days))
    response = get(client, town["users"]["office"], sort=sort)
    assert len(numbers(response)) == 3
    rows = list(response.context["page"].object_list)
    if sort == "deadline":
        assert [h["rectify_by"] for h in rows] == sorted(h["rectify_by"] for h in rows)
    if sort == "-found":
        assert rows == sorted(rows, key=lambda h: (h["reported_at"], h["pk"]), reverse=True)


def test_unknown_sort_key_falls_back_to_newest_first(client, town):
    first = HazardFactory(premises=town["places"]["noodles"])
    second = HazardFactory(premises=town["places"]["noodles"])
    response = get(client, town["users"]["office"], sort="password; DROP TABLE")
    assert numbers(response) == [second.ledger_number, first.ledger_number]


def test_count_and_pages(client, town):
    HazardFactory.create_batch(55, premises=town["places"]["noodles"])
    response = get(client, town["users"]["office"], status="reported")
    page = response.context["page"]
    assert page.paginator.count == 55
    assert len(page.object_list) == 50
    body = response.content.decode()
    assert 'data-ledger-count="55"' in body
    assert "status=reported&amp;page=2" in body
    second = get(client, town["users"]["office"], status="reported", page=2)
    assert len(second.context["page"].object_list) == 5
    assert not set(numbers(second)) & set(numbers(response))


def test_phone_is_masked_for_roles_that_do_not_need_it(client, town):
    noodles = town["places"]["noodles"]
    HazardFactory(premises=noodles)
    users = town["users"]
    for role in ("officer", "leader", "office"):
        body = get(client, users[role]).content.decode()
        assert noodles.operator_phone in body, role
    body = get(client, users["department"]).content.decode()
    assert noodles.masked_phone in body
    assert noodles.operator_phone not in body


def test_rows_link_to_the_hazard_page_and_flag_recurrences(client, town):
    first = HazardFactory(premises=town["places"]["noodles"], closed=True)
    again = HazardFactory(premises=town["places"]["noodles"], recurrence_of=first)
    body = get(client, town["users"]["officer"]).content.decode()
    assert reverse("hazards:hazard_detail", args=[again.pk]) in body
    assert body.count("data-recurrence") == 1


def _row(body: str, number: str) -> str:
    start = body.index(f'data-ledger-number="{number}"')
    return body[start : body.index("</li>", start)]


def test_each_row_shows_its_state_and_escapes_what_was_typed(client, town):
    today = timezone.localdate()
    reviewer = UserFactory(full_name="李审核")
    typed = HazardFactory(
        premises=PremisesFactory(grid=town["grids"][0], name="<b>阿强</b>烧烤"),
        description='<script>alert("x")</script>灭火器过期',
    )
    late = HazardFactory(premises=town["places"]["noodles"], rectify_by=today - timedelta(1))
    due_today = HazardFactory(premises=town["places"]["noodles"], rectify_by=today)
    closed = HazardFactory(premises=town["places"]["shop"], closed=True, reviewed_by=reviewer)
    dismissed = HazardFactory(premises=town["places"]["far"], dismissed=True)

    body = get(client, town["users"]["office"]).content.decode()

    row = _row(body, typed.ledger_number)
    assert "&lt;b&gt;阿强&lt;/b&gt;烧烤" in row
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;灭火器过期" in row
    assert "<script>alert" not in body
    assert f'整改期限 <span class="text-nowrap">{typed.rectify_by:%Y-%m-%d}</span>' in row
    assert "逾期" not in row
    assert "hazard-overdue" in _row_start(body, late.ledger_number)
    assert "逾期" in _row(body, late.ledger_number)
    assert "逾期" not in _row(body, due_today.ledger_number)
    closed_row = _row(body, closed.ledger_number)
    assert f"{timezone.localtime(closed.closed_at):%Y-%m-%d}</span><br>李审核" in closed_row
    assert "hazard-overdue" not in _row_start(body, closed.ledger_number)
    dismissed_on = f"{timezone.localtime(dismissed.dismissed_at):%Y-%m-%d}"
    assert dismissed_on in _row(body, dismissed.ledger_number)
    assert f"{town['villages'][1].name} · {town['grids'][2].name} · 商店" in _row(
        body, dismissed.ledger_number
    )


def _row_start(body: str, number: str) -> str:
    """The <li> tag of a row (its classes)."""
    end = body.index(f'data-ledger-number="{number}"')
    return body[body.rindex("<li", 0, end) : end]


def _ledger_queries(client, user, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["office", "officer", "department"])
def test_query_count_is_the_same_for_10_and_100_rows(client, town, role):
    """A per-row query would show up as 90 more queries at 100 rows."""
    places = town["places"]
    user = town["users"][role]
    client.force_login(user)
    params = {"status": "reported", "sort": "deadline"}
    first = HazardFactory(premises=places["noodles"], closed=True)

    def add(count: int) -> None:
        for n in range(count):
            HazardFactory(
                premises=places["noodles"],
                recurrence_of=first if n % 3 == 0 else None,
                reviewed_by=user if n % 2 else None,
                department=town["fire"] if n % 4 == 0 else None,
            )

    add(10)
    client.get(URL)  # warm the session and the content-type cache
    ten = _ledger_queries(client, user, params)
    assert len(client.get(URL, params).context["page"].object_list) == 10
    add(90)
    hundred = _ledger_queries(client, user, params)
    assert client.get(URL, params).context["page"].paginator.count == 100
    assert ten == hundred
    assert hundred <= 20  # session, user, roles, memberships, count, rows, filter choices


def test_count_query_is_narrow(client, town):
    """The COUNT carries no DISTINCT and none of the joins the rows need for display."""
    HazardFactory(premises=town["places"]["noodles"])
    client.force_login(town["users"]["office"])
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    counts = [
        q["sql"] for q in queries if 'COUNT(*) AS "__count" FROM "hazards_hazard"' in q["sql"]
    ]
    assert len(counts) == 1
    assert "DISTINCT" not in counts[0].upper()
    assert "accounts_user" not in counts[0]
    assert Hazard.objects.count() == 1


def test_a_row_names_its_village_grid_kind_and_department(client, town):
    hazard = HazardFactory(premises=town["places"]["noodles"], department=town["fire"])
    row = _row(get(client, town["users"]["office"]).content.decode(), hazard.ledger_number)
    grid = hazard.premises.grid
    assert f"{grid.village.name} · {grid.name} · 餐饮</div>" in row
    assert f" · {town['fire'].name}</div>" in row
