"""Risk colour and patrol interval (docs/workflow.md, Risk colour and patrol) as pure
functions."""

from datetime import date

import pytest

from premises.risk import RiskLevel, compute_risk, patrol_due_on, patrol_interval


def risk(base=RiskLevel.BLUE, tags=(), over=False, overdue=False, major=False) -> str:
    return compute_risk(
        base=base,
        raising_tags=set(tags),
        over_size_limit=over,
        has_overdue_hazard=overdue,
        has_open_major_hazard=major,
    )


@pytest.mark.parametrize("base", list(RiskLevel))
def test_without_aggravating_facts_the_colour_is_the_business_types(base):
    assert risk(base=base) == base


@pytest.mark.parametrize(
    "facts",
    [
        {"tags": {"SANHEYI"}},
        {"tags": {"HAS_ACCOMMODATION"}},
        {"tags": {"USES_LPG"}},
        {"tags": {"BASEMENT_OR_HIGH"}},
        {"over": True},
        {"overdue": True},
    ],
)
def test_each_aggravating_fact_raises_the_colour_one_step(facts):
    assert risk(base=RiskLevel.BLUE, **facts) == RiskLevel.YELLOW
    assert risk(base=RiskLevel.YELLOW, **facts) == RiskLevel.ORANGE


def test_aggravating_facts_add_up():
    assert risk(tags={"USES_LPG"}, over=True) == RiskLevel.ORANGE
    assert risk(tags={"USES_LPG", "BASEMENT_OR_HIGH"}, overdue=True) == RiskLevel.RED


def test_mixed_use_and_people_sleeping_there_count_as_one_step():
    assert risk(tags={"SANHEYI", "HAS_ACCOMMODATION"}) == RiskLevel.YELLOW
    assert risk(tags={"SANHEYI", "HAS_ACCOMMODATION", "USES_LPG"}) == RiskLevel.ORANGE


def test_colour_is_capped_at_red():
    every_fact = {"tags": {"SANHEYI", "USES_LPG", "BASEMENT_OR_HIGH"}, "over": True}

    assert risk(base=RiskLevel.ORANGE, overdue=True, **every_fact) == RiskLevel.RED
    assert risk(base=RiskLevel.RED, **every_fact) == RiskLevel.RED


def test_an_open_major_hazard_makes_any_premises_red():
    assert risk(base=RiskLevel.BLUE, major=True) == RiskLevel.RED


@pytest.mark.parametrize(
    ("level", "days"),
    [(RiskLevel.RED, 7), (RiskLevel.ORANGE, 14), (RiskLevel.YELLOW, 30), (RiskLevel.BLUE, 90)],
)
def test_patrol_interval_defaults_by_colour(level, days):
    assert patrol_interval(level, None) == days


def test_grid_interval_shortens_the_default():
    assert patrol_interval(RiskLevel.BLUE, 10) == 10


def test_grid_interval_never_lengthens_the_default():
    assert patrol_interval(RiskLevel.RED, 30) == 7


def test_next_patrol_is_due_one_interval_after_the_last_visit():
    assert patrol_due_on(date(2026, 3, 1), RiskLevel.ORANGE, None) == date(2026, 3, 15)
    assert patrol_due_on(date(2026, 3, 1), RiskLevel.BLUE, 20) == date(2026, 3, 21)


def test_a_premises_never_visited_has_no_due_date():
    assert patrol_due_on(None, RiskLevel.RED, None) is None
