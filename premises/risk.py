"""Risk colour of a premises (docs/workflow.md, Risk colour and patrol), as a pure function of
its facts."""

from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    BLUE = "blue", _("Blue (low)")
    YELLOW = "yellow", _("Yellow (moderate)")
    ORANGE = "orange", _("Orange (high)")
    RED = "red", _("Red (major)")


LADDER = [RiskLevel.BLUE, RiskLevel.YELLOW, RiskLevel.ORANGE, RiskLevel.RED]
PATROL_INTERVAL_DAYS = {
    RiskLevel.RED: 7,
    RiskLevel.ORANGE: 14,
    RiskLevel.YELLOW: 30,
    RiskLevel.BLUE: 90,
}
# 三合一 and "people sleep there" are one step together: the danger is the same sleeping people.
SLEEPING_TAGS = frozenset({"SANHEYI", "HAS_ACCOMMODATION"})


def compute_risk(
    *,
    base: str,
    raising_tags: set[str],
    over_size_limit: bool,
    has_overdue_hazard: bool,
    has_open_major_hazard: bool,
) -> str:
    """One level up per aggravating fact, capped at red; red while a major hazard is open."""
    if has_open_major_hazard:
        return RiskLevel.RED
    steps = int(bool(raising_tags & SLEEPING_TAGS)) + len(raising_tags - SLEEPING_TAGS)
    steps += int(over_size_limit) + int(has_overdue_hazard)
    index = min(LADDER.index(RiskLevel(base)) + steps, len(LADDER) - 1)
    return LADDER[index]


def patrol_interval(risk_level: str, grid_interval_days: int | None) -> int:
    """The colour's default interval; a grid may only make it shorter."""
    default = PATROL_INTERVAL_DAYS[RiskLevel(risk_level)]
    return min(default, grid_interval_days) if grid_interval_days else default


def patrol_due_on(last_visit: date | None, risk_level: str, grid_interval_days: int | None):
    if last_visit is None:
        return None
    return last_visit + timedelta(days=patrol_interval(risk_level, grid_interval_days))
