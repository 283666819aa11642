"""事故: the accident register. The safety office records and corrects accidents; leaders list
their village's; the dashboard's accident figures link here with their period and scope."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accidents.models import Accident
from accounts.roles import Role
from tests.factories import (
    AccidentFactory,
    BusinessTypeFactory,
    DepartmentFactory,
    GridFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    leader = UserFactory(username="leader", role=Role.VILLAGE_LEADER)
    officer = UserFactory(username="officer", role=Role.GRID_OFFICER)
    east = VillageFactory(name="东村", leaders=[leader])
    west = VillageFactory(name="西村", town=east.town)
    grid = GridFactory(village=east, officers=[officer])
    fire = DepartmentFactory(members=[UserFactory(username="dept", role=Role.DEPARTMENT_OFFICER)])
    food = BusinessTypeFactory(department=fire)
    return {
        "office": UserFactory(username="office", role=Role.SAFETY_OFFICE),
        "leader": leader,
        "dept": fire.members.get(),
        "officer": officer,
        "east": east,
        "west": west,
        "grid": grid,
        "noodles": PremisesFactory(grid=grid, name="老王面馆", address="东村路1号",
                                   business_type=food),
        "noodles2": PremisesFactory(grid=grid, name="小李面馆", address="东村路2号"),
        "west_shop": PremisesFactory(grid=GridFactory(village=west), name="西村面馆"),
    }  # fmt: skip


def post(client, user, data, path=None):
    client.force_login(user)
    return client.post(path or reverse("accidents:accident_new"), data, HTTP_ACCEPT_LANGUAGE="en")


def form_data(village, **fields):
    return {
        "occurred_on": "2026-03-01",
        "village": village.pk,
        "kind": Accident.Kind.FIRE,
        "deaths": 0,
        "injuries": 2,
        "direct_loss": "3.50",
        "description": "厨房油锅起火",
        **fields,
    }


def test_office_records_an_accident_at_the_one_matching_premises(client, town):
    response = post(client, town["office"], form_data(town["east"], premises_query="老王"))

    assert response.status_code == 302
    accident = Accident.objects.get()
    assert (accident.village, accident.premises, accident.injuries) == (
        town["east"], town["noodles"], 2,
    )  # fmt: skip
    assert accident.direct_loss == Decimal("3.50")


def test_an_accident_needs_no_premises(client, town):
    post(client, town["office"], form_data(town["west"]))

    assert Accident.objects.get().premises is None


def test_several_matches_are_offered_to_pick_from(client, town):
    response = post(client, town["office"], form_data(town["east"], premises_query="面馆"))

    assert response.status_code == 200
    assert "Several premises match: pick one." in response.text
    choices = [p.name for p in response.context["form"].fields["premises"].queryset]
    assert choices == ["小李面馆", "老王面馆"]  # not 西村面馆: another village

    picked = form_data(town["east"], premises_query="面馆", premises=town["noodles2"].pk)
    assert post(client, town["office"], picked).status_code == 302
    assert Accident.objects.get().premises == town["noodles2"]


def test_no_match_and_future_days_are_refused(client, town):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = post(
        client, town["office"], form_data(town["west"], premises_query="老王", occurred_on=tomorrow)
    )

    assert "No premises of this village matches." in response.text
    assert "The date cannot be in the future." in response.text
    assert not Accident.objects.exists()


def test_office_corrects_an_accident(client, town):
    accident = AccidentFactory(village=town["east"], premises=town["noodles"], deaths=0)
    path = reverse("accidents:accident_edit", args=[accident.pk])
    client.force_login(town["office"])
    assert "老王面馆" in client.get(path).text

    data = form_data(town["east"], premises_query="老王面馆", premises=town["noodles"].pk, deaths=1)
    response = post(client, town["office"], data, path)

    assert response.status_code == 302
    accident.refresh_from_db()
    assert (accident.deaths, accident.premises) == (1, town["noodles"])


@pytest.mark.parametrize("user", ["leader", "dept", "officer"])
def test_only_the_safety_office_records_or_edits(client, town, user):
    accident = AccidentFactory(village=town["east"])
    client.force_login(town[user])

    assert client.get(reverse("accidents:accident_new")).status_code == 403
    assert client.get(reverse("accidents:accident_edit", args=[accident.pk])).status_code == 403
    assert post(client, town[user], form_data(town["east"])).status_code == 403
    assert not Accident.objects.exclude(pk=accident.pk).exists()


def test_leader_lists_own_village_department_its_sector(client, town):
    AccidentFactory(village=town["east"], description="东村事故")
    AccidentFactory(village=town["east"], premises=town["noodles"], description="面馆事故")
    AccidentFactory(village=town["west"], description="西村事故")

    def listed(user):
        client.force_login(town[user])
        page = client.get(reverse("accidents:accident_list")).context["page"]
        return sorted(a.description for a in page.object_list)

    assert listed("office") == ["东村事故", "西村事故", "面馆事故"]
    assert listed("leader") == ["东村事故", "面馆事故"]
    assert listed("dept") == ["面馆事故"]  # at a premises of a type the department supervises
    assert listed("officer") == ["面馆事故"]  # at a premises of the officer's grid


def test_list_filters_by_period_and_village_and_totals_the_rows(client, town):
    AccidentFactory(village=town["east"], occurred_on=date(2026, 1, 1), deaths=1, injuries=2)
    AccidentFactory(village=town["east"], occurred_on=date(2026, 7, 31), injuries=1,
                    direct_loss=Decimal("2.25"))  # fmt: skip
    AccidentFactory(village=town["east"], occurred_on=date(2026, 8, 1), deaths=5)
    AccidentFactory(village=town["west"], occurred_on=date(2026, 3, 1), deaths=7)
    client.force_login(town["office"])

    response = client.get(
        reverse("accidents:accident_list"),
        {"occurred_after": "2026-01-01", "occurred_before": "2026-07-31",
         "village": town["east"].pk},
    )  # fmt: skip

    assert response.context["page"].paginator.count == 2
    totals = response.context["totals"]
    assert (totals["deaths"], totals["injuries"], totals["direct_loss"]) == (1, 3, Decimal("2.25"))
