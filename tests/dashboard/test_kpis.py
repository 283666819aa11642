"""Every KPI of docs/figures.md on a hand-built town with known answers (known_town.py): for the
town, a village and a grid, for each role's scope, and at a fixed query cost."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from dashboard import breakdowns, kpis
from dashboard.board import build
from dashboard.periods import Period
from dashboard.scopes import scope_from
from dashboard.sources import Sources, sources
from tests.dashboard import known_town
from tests.dashboard.known_town import EXPECTED_TOWN, NOW, PERIOD, TIME_TO_CLOSE_TOWN, TODAY
from tests.factories import HazardFactory, InspectionFactory, PremisesFactory, UserFactory

pytestmark = pytest.mark.django_db
CUSTOM = {"period": "custom", "start": "2026-01-01", "end": "2026-07-31"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def town():
    return known_town.build()


def board_for(user, params=None):
    scope = scope_from(params or {}, user)
    return build(user, scope, PERIOD, today=TODAY, now=NOW)


def values(board) -> dict:
    figures = {key: figure.value for key, figure in board.figures.items()}
    figures.update(
        {f"{key}_prev": figure.previous for key, figure in board.figures.items() if figure.compares}
    )
    return figures


def assert_figures(board, expected: dict) -> None:
    got = values(board)
    assert {key: got[key] for key in expected} == expected


# --- the town ------------------------------------------------------------------------------------


def test_town_figures_match_the_hand_count(town):
    board = board_for(town.office)

    assert_figures(board, {k: v for k, v in EXPECTED_TOWN.items() if k != "open"})
    assert board.figures["time_to_close"].value == pytest.approx(TIME_TO_CLOSE_TOWN, abs=1e-6)
    assert board.figures["time_to_close"].previous == pytest.approx(3.0)


def test_rates_and_year_on_year_changes(town):
    f = board_for(town.office).figures

    assert f["rate"].value == pytest.approx(100 * 5 / 7)
    assert f["rate"].previous == pytest.approx(50.0)
    assert f["rate"].change == pytest.approx(100 * 5 / 7 - 50)  # percentage points
    assert f["coverage"].value == pytest.approx(50.0)
    assert f["coverage"].change is None  # a snapshot of now
    assert f["found"].change == pytest.approx(250.0)  # 2 → 7
    assert f["accidents"].change == pytest.approx(0.0)
    assert f["deaths"].change == pytest.approx(-50.0)
    assert f["injuries"].change == pytest.approx(-25.0)
    assert f["casualties"].value == 4
    assert f["casualties"].change == pytest.approx(-100 / 3)
    assert f["direct_loss"].value == pytest.approx(12.5)


def test_dynamic_zeroing_fails_with_an_overdue_major_or_one_without_interim_measures(town):
    board = board_for(town.office)
    assert not board.zeroing_holds

    town.h["h6"].rectify_by = TODAY  # due today: not past its deadline yet
    town.h["h6"].save()
    assert not board_for(town.office).zeroing_holds  # h7 still lacks interim measures

    town.h["h7"].interim_measures = "设置警示标志"
    town.h["h7"].save()
    assert board_for(town.office).zeroing_holds


def test_period_edges_are_local_midnights(town):
    """A day earlier or later in UTC would move h1 and the edge inspections out or in."""
    new_year = Period(date(2026, 1, 1), date(2026, 1, 1))
    one_day = build(town.office, scope_from({}, town.office), new_year, today=TODAY, now=NOW)

    assert one_day.figures["inspections"].value == 1  # 00:00 local, not 2025-12-31 23:59:59
    assert one_day.figures["found"].value == 1  # h1
    assert one_day.figures["accidents"].value == 1


def test_carried_over_hazards_count_where_they_were_closed_and_while_they_are_open(town):
    board = board_for(town.office)

    # h5, found in December, is not found in the period but closed in it (52 of the mean days).
    assert "YH-2026-000005" not in ledger_numbers(town.office, board.figures["found"].url)
    assert "YH-2026-000005" in ledger_numbers(town.office, board.figures["closed_in"].url)
    # h6, found in November 2025 and still open, is overdue and an open major hazard now.
    assert "YH-2026-000006" in ledger_numbers(town.office, board.figures["overdue"].url)
    assert "YH-2026-000006" in ledger_numbers(town.office, board.figures["open_major"].url)


def ledger_numbers(user, url: str) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    return {row["ledger_number"] for row in response.context["page"].object_list}


def test_trend_counts_found_and_closed_per_local_month(town):
    trend = board_for(town.office).trend

    assert [m["month"] for m in trend] == [date(2026, month, 1) for month in range(1, 8)]
    assert [m["found"].value for m in trend] == [1, 0, 0, 1, 1, 1, 3]
    assert [m["closed"].value for m in trend] == [1, 1, 0, 1, 0, 0, 1]


def test_breakdowns_by_category_business_type_and_department(town):
    breakdowns = board_for(town.office).breakdowns

    def table(by):
        return {
            row.label: (row.found.value, row.closed.value, row.overdue.value)
            for row in breakdowns[by]
        }

    assert table("category") == {
        "Electrical": (3, 3, 2),
        "Gas": (2, 1, 1),
        "Fire-fighting equipment": (1, 0, 0),
        "Evacuation": (1, 1, 0),
    }
    assert table("business_type") == {"Small shop": (5, 4, 2), "Small restaurant": (2, 1, 1)}
    assert table("department") == {"No department": (5, 5, 2), "Fire station": (2, 0, 1)}


# --- a village, a grid, the ranking ---------------------------------------------------------------


def test_village_figures(town):
    board = board_for(town.office, {"village": town.v1.pk})

    assert_figures(
        board,
        {
            "inspections": 3,
            "premises_inspected": 2,
            "found": 4,  # h1 h2 h12 h13
            "closed": 3,
            "closed_in": 2,  # h1 h13
            "overdue": 3,  # h2 h6 h10
            "open_major": 1,  # h6
            "operating": 3,
            "covered": 1,
            "never_inspected": 1,
            "accidents": 1,
            "accidents_prev": 1,
        },
    )
    assert board.figures["time_to_close"].value == pytest.approx(8.25, abs=1e-6)


def test_premises_inspected_up_to_today_reads_the_last_visit(town):
    """For a period that runs up to now the figure comes from premises.last_inspected_at; it
    agrees with the distinct premises of the visits (record_inspection keeps it at the latest)."""
    august = build(
        town.office, scope_from({}, town.office), Period(date(2026, 8, 1), TODAY),
        today=TODAY, now=NOW,
    )  # fmt: skip

    assert august.figures["inspections"].value == 4  # p2 at 00:00 on the 1st, p1 p2 p4 on the 5th
    assert august.figures["premises_inspected"].value == 3


def test_grid_figures_count_accidents_at_its_premises_only(town):
    board = board_for(town.office, {"grid": town.g3.pk})

    assert_figures(
        board,
        {"inspections": 1, "found": 3, "closed": 2, "closed_in": 2, "open_major": 1,
         "operating": 1, "accidents": 1, "accidents_prev": 0},
    )  # fmt: skip
    assert board.figures["time_to_close"].value == pytest.approx(27.0)
    assert board.ranking == []


def test_town_ranks_villages_worst_rate_first(town):
    ranking = board_for(town.office).ranking

    rows = {
        row.title: (
            row.found.value, row.closed.value, row.overdue.value, row.open_major.value,
            row.covered.value, row.operating.value, row.closed_in.value,
        )
        for row in ranking
    }  # fmt: skip
    assert rows == {"东村": (4, 3, 3, 1, 1, 3, 2), "西村": (3, 2, 0, 1, 1, 1, 2)}
    assert [row.title for row in ranking] == ["西村", "东村"]  # 66.7% < 75%
    assert ranking[0].time_to_close == pytest.approx(27.0)


def test_ranking_orders(town):
    scope = scope_from({}, town.office)

    def order(rank):
        board = build(town.office, scope, PERIOD, today=TODAY, now=NOW, rank=rank)
        return [row.title for row in board.ranking]

    assert order("overdue") == ["东村", "西村"]
    assert order("coverage") == ["东村", "西村"]  # 33% < 100%
    assert order("days") == ["西村", "东村"]  # slowest first


def test_village_ranks_its_grids(town):
    ranking = board_for(town.office, {"village": town.v1.pk}).ranking

    assert {row.title: row.found.value for row in ranking} == {"东一网格": 4, "东二网格": 0}


# --- who sees what ------------------------------------------------------------------------------


def test_leader_sees_own_village(client, town):
    client.force_login(town.leader)

    response = client.get(reverse("dashboard:index"), CUSTOM)

    board = response.context["board"]
    assert board.scope.title == "东村"
    assert board.figures["found"].value == 4
    assert [row.title for row in board.ranking] == ["东一网格", "东二网格"]  # 75%, then none
    assert client.get(reverse("dashboard:index"), {"village": town.v2.pk}).status_code == 404
    assert client.get(reverse("dashboard:index"), {"grid": town.g3.pk}).status_code == 404
    assert client.get(reverse("dashboard:index"), {"grid": town.g2.pk}).status_code == 200


def test_department_officer_sees_its_sector(client, town):
    """Hazards handed to the fire station or at restaurants; restaurants; their accidents."""
    client.force_login(town.department)

    response = client.get(reverse("dashboard:index"), CUSTOM, HTTP_ACCEPT_LANGUAGE="en")

    assert "Counting only: Fire station" in response.text
    board = response.context["board"]

    assert_figures(
        board,
        {"found": 3, "closed": 1, "overdue": 2, "open_major": 2, "operating": 2, "covered": 1,
         "never_inspected": 1, "inspections": 1, "accidents": 1},
    )  # fmt: skip


def test_grid_officer_and_user_without_role_get_403(client, town):
    client.force_login(town.officer)
    assert client.get(reverse("dashboard:index")).status_code == 403

    client.force_login(UserFactory())
    assert client.get(reverse("dashboard:index")).status_code == 403


def test_county_with_two_towns_ranks_towns_and_opens_each(client, town):
    other = known_town.TownFactory(name="河口镇", code="HK")
    known_town.VillageFactory(town=other, name="南村", code="V9")
    client.force_login(town.office)

    county = client.get(reverse("dashboard:index"), CUSTOM).context["board"]
    one_town = client.get(reverse("dashboard:index"), {**CUSTOM, "town": town.town.pk})

    assert county.scope.kind == "county"
    assert [row.title for row in county.ranking] == ["平安镇", "河口镇"]
    assert county.figures["found"].value == 7
    board = one_town.context["board"]
    assert board.scope.params == {"town": town.town.pk}
    assert board.figures["found"].value == 7
    assert [row.title for row in board.ranking] == ["西村", "东村"]


# --- cost ---------------------------------------------------------------------------------------


def grow(town, n: int) -> None:
    """n more premises, each with an inspection and an open overdue hazard."""
    for i in range(n):
        premises = PremisesFactory(grid=town.g1 if i % 2 else town.g3)
        InspectionFactory(premises=premises, visited_at=known_town.at(2026, 5, 1 + i % 28))
        HazardFactory(premises=premises, reported_at=known_town.at(2026, 5, 2),
                      rectify_by=date(2026, 6, 1))  # fmt: skip


MAX_QUERIES = 30


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard:index"), CUSTOM)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("user", ["office", "leader", "department"])
def test_dashboard_query_count_does_not_grow_with_the_data(client, town, user):
    client.force_login(getattr(town, user))
    client.get(reverse("dashboard:index"))  # the session and the user's groups, once
    small = page_queries(client)
    grow(town, 30)
    large = page_queries(client)

    assert small == large <= MAX_QUERIES


def test_kpi_functions_run_a_fixed_number_of_queries(town, django_assert_num_queries):
    """A fixed number of queries each (open hazards, and the open major ones, apart from the
    period's). On PostgreSQL the
    whole months come from the tallies instead of the rows: one query for the hazard figures,
    the visits and the trend of a page together (the breakdowns read the sector tallies and
    name their business types and departments)."""
    scope = scope_from({}, town.office)

    def fresh() -> Sources:
        return sources(town.office, scope)

    tally = 1 if fresh().tallied else 0
    with django_assert_num_queries(3):  # open, open major; the period's rows or its tallies
        kpis.hazard_figures(fresh(), PERIOD, today=TODAY)
    # Visits (the rows, or each year's tallies); premises visited this year and the last.
    with django_assert_num_queries(3 + tally):
        kpis.inspection_figures(fresh(), PERIOD, now=NOW)
    with django_assert_num_queries(1):
        kpis.accident_figures(fresh().accidents, PERIOD)
    with django_assert_num_queries(1):
        kpis.premises_figures(fresh().premises, today=TODAY)
    with django_assert_num_queries(1):
        breakdowns.trend(fresh(), PERIOD)
    src = fresh()
    with django_assert_num_queries(3):
        groups = kpis.hazard_groups(src, PERIOD, today=TODAY, by="village")
    with django_assert_num_queries(3 - tally):  # the tallies were read with the hazard figures
        kpis.inspection_figures(src, PERIOD, now=NOW)
    with django_assert_num_queries(1 - tally):
        breakdowns.trend(src, PERIOD)
    with django_assert_num_queries(1):
        kpis.premises_groups(src.premises, today=TODAY, by="village")
    with django_assert_num_queries(2 + 2 * tally):
        breakdowns.breakdowns(src, PERIOD, today=TODAY)
    # The town's figures are the sum of its villages'.
    whole = kpis.hazard_figures(src, PERIOD, today=TODAY)
    assert {key: value for key, value in kpis.summed(groups).items() if key in whole} == whole
