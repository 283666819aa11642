"""Every number on the dashboard opens exactly the rows it counts: the ledger, the inspection
list, the premises list or the accident register, for every scope and role."""

import html
from datetime import date, datetime, time
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django_filters.fields import DateRangeField
from openpyxl import load_workbook

from dashboard.links import found
from dashboard.periods import Period
from tests.dashboard import known_town
from tests.dashboard.known_town import NOW, SHANGHAI

pytestmark = pytest.mark.django_db
CUSTOM = {"period": "custom", "start": "2026-01-01", "end": "2026-07-31"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def town():
    return known_town.build()


def rows_behind(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def sums_behind(client, url: str) -> dict:
    return client.get(url).context["totals"]


def check_every_link(client, params: dict) -> int:
    """Open the dashboard, then every count's link; return how many links were followed."""
    response = client.get(reverse("dashboard:index"), {**CUSTOM, **params})
    assert response.status_code == 200
    board, page = response.context["board"], response.content.decode()
    checked = 0
    for figure in board.links():
        assert html.escape(figure.url) in page, f"{figure.key} link not on the page"
        assert rows_behind(client, figure.url) == figure.value, (figure.key, figure.url)
        checked += 1
    for figure in board.figures.values():
        if figure.is_count and figure.previous_url:
            assert rows_behind(client, figure.previous_url) == figure.previous, figure.key
            checked += 1
        if figure.kind == "sum":
            totals = sums_behind(client, figure.url)
            expected = (
                totals["deaths"] + totals["injuries"]
                if figure.key == "casualties"
                else totals[figure.key]
            )
            assert expected == figure.value, figure.key
    return checked


def test_every_count_of_the_town_opens_its_rows(client, town):
    client.force_login(town.office)

    assert check_every_link(client, {}) > 40


@pytest.mark.parametrize("place", ["v1", "g3"])
def test_every_count_of_a_village_or_grid_opens_its_rows(client, town, place):
    client.force_login(town.office)
    kind = "village" if place.startswith("v") else "grid"

    assert check_every_link(client, {kind: getattr(town, place).pk}) > 20


@pytest.mark.parametrize("user", ["leader", "department"])
def test_every_count_of_a_leader_or_department_opens_its_rows(client, town, user):
    client.force_login(getattr(town, user))

    assert check_every_link(client, {}) > 30


def test_every_count_of_a_town_in_a_county_opens_its_rows(client, town):
    other = known_town.TownFactory(name="河口镇", code="HK")
    grid = known_town.GridFactory(village=known_town.VillageFactory(town=other, code="V9"))
    known_town.hazard(
        known_town.PremisesFactory(grid=grid), "000099", reported_at=known_town.at(2026, 5, 1)
    )
    client.force_login(town.office)

    assert check_every_link(client, {"town": town.town.pk}) > 40
    assert check_every_link(client, {}) > 40  # the county, ranking both towns


def test_the_period_picker_presets_link_their_own_rows(client, town):
    client.force_login(town.office)

    for preset in ("month", "quarter", "ytd", "last_year"):
        response = client.get(reverse("dashboard:index"), {"period": preset})
        board = response.context["board"]
        assert board.period.kind == preset
        for key in ("found", "closed", "inspections", "accidents"):
            figure = board.figures[key]
            assert rows_behind(client, figure.url) == figure.value, (preset, key)


def test_ledger_end_date_covers_the_whole_local_day(client, town):
    """django-filter reads reported_before=D as D 23:59:59.999999 in Asia/Shanghai, inclusive:
    the same rows as the dashboard's [D 00:00, D+1 00:00) local."""
    end = DateRangeField().compress([date(2026, 7, 31), date(2026, 7, 31)]).stop
    assert end == datetime.combine(date(2026, 7, 31), time.max, tzinfo=SHANGHAI)
    assert timezone.is_aware(end)
    client.force_login(town.office)

    url = found({}, Period(date(2026, 7, 31), date(2026, 7, 31)))
    numbers = {h["ledger_number"] for h in client.get(url).context["page"].object_list}

    # h2 at 23:59:59.999999 is in; h3 at 08-01 00:00 and h13 (07-25) are out.
    assert numbers == {"YH-2026-000002"}


def test_found_status_leaves_out_dismissed_hazards_only(client, town):
    client.force_login(town.office)

    response = client.get(reverse("hazards:ledger"), {"status": "found"})

    numbers = {h["ledger_number"] for h in response.context["page"].object_list}
    assert "YH-2026-000004" not in numbers  # dismissed
    assert len(numbers) == 12


def test_ledger_export_of_a_drilldown_holds_the_same_rows(client, town):
    client.force_login(town.office)
    board = client.get(reverse("dashboard:index"), CUSTOM).context["board"]
    query = board.figures["found"].url.split("?", 1)[1]

    response = client.get(f"{reverse('hazards:ledger_export')}?{query}")

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row - 1 == board.figures["found"].value


def test_drilldown_lists_are_for_dashboard_users_and_stay_in_scope(client, town):
    client.force_login(town.officer)
    for name in ("dashboard:inspection_list", "dashboard:premises_list"):
        assert client.get(reverse(name)).status_code == 403

    client.force_login(town.leader)
    other_village = {"village": town.v2.pk}
    premises = client.get(reverse("dashboard:premises_list"), other_village).context["page"]
    visits = client.get(reverse("dashboard:inspection_list"), other_village).context["page"]

    assert {p.grid.village for p in premises.object_list} == {town.v1}
    assert {i.premises.grid.village for i in visits.object_list} == {town.v1}
