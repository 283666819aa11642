"""The legal clocks (docs/workflow.md, Deadlines) that the hazard page keeps visible.

- the rectification notice is due within 3 working days of the finding;
- the review is due within 3 working days after the fix is submitted (or, while no fix is
  waiting, after the deadline);
- a major hazard is accepted on site within 10 days of its deadline.

Pure functions of the hazard and `today`: no queries, so a page can show them for free.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazards.calendar import add_working_days
from hazards.models import Hazard, Severity

NOTICE_WORKING_DAYS = 3
REVIEW_WORKING_DAYS = 3
MAJOR_ACCEPT_DAYS = 10


@dataclass(frozen=True)
class Clock:
    label: str
    rule: str
    due: date
    done_on: date | None
    today: date

    @property
    def is_late(self) -> bool:
        return (self.done_on or self.today) > self.due

    @property
    def days_late(self) -> int:
        return max(((self.done_on or self.today) - self.due).days, 0)

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


def _local(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def notice_clock(hazard: Hazard, *, today: date) -> Clock | None:
    if hazard.fixed_on_spot or (hazard.status == Hazard.Status.DISMISSED and not hazard.notice_id):
        return None
    found_on = _local(hazard.reported_at)
    return Clock(
        label=_("Rectification notice"),
        rule=_("within 3 working days of the finding"),
        due=add_working_days(found_on, NOTICE_WORKING_DAYS),
        done_on=hazard.notice.issued_on if hazard.notice_id else None,
        today=today,
    )


def review_clock(hazard: Hazard, *, today: date) -> Clock | None:
    S = Hazard.Status
    if hazard.fixed_on_spot or hazard.status == S.DISMISSED:
        return None
    if hazard.status in (S.SUBMITTED, S.CLOSED) and hazard.submitted_at:
        base, rule = _local(hazard.submitted_at), _("within 3 working days of the fix")
    else:
        base, rule = hazard.rectify_by, _("within 3 working days after the deadline")
    return Clock(
        label=_("Review"),
        rule=rule,
        due=add_working_days(base, REVIEW_WORKING_DAYS),
        done_on=_local(hazard.closed_at) if hazard.status == S.CLOSED else None,
        today=today,
    )


def major_clock(hazard: Hazard, *, today: date) -> Clock | None:
    if hazard.severity != Severity.MAJOR or hazard.status == Hazard.Status.DISMISSED:
        return None
    return Clock(
        label=_("Major hazard accepted on site"),
        rule=_("within 10 days of the deadline"),
        due=hazard.rectify_by + timedelta(days=MAJOR_ACCEPT_DAYS),
        done_on=_local(hazard.closed_at) if hazard.status == Hazard.Status.CLOSED else None,
        today=today,
    )


def legal_clocks(hazard: Hazard, *, today: date) -> list[Clock]:
    """The clocks that apply to this hazard now; `hazard.notice` should be selected."""
    clocks = (
        notice_clock(hazard, today=today),
        review_clock(hazard, today=today),
        major_clock(hazard, today=today),
    )
    return [clock for clock in clocks if clock is not None]
