"""Reporting periods: [start, end] in local dates (Asia/Shanghai), both days included.

Datetime fields are compared with the period's local midnights: `since` is the start day's
00:00 and `until` the day after the end day's 00:00, exclusive. The ledger's date range filter
(django-filter) reads `reported_before=<end>` as "up to the end day's 23:59:59.999999 local",
which selects exactly the same rows (timestamps have microsecond resolution).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config import inputs

MONTH = "month"
QUARTER = "quarter"
YEAR_TO_DATE = "ytd"
LAST_YEAR = "last_year"
CUSTOM = "custom"
DEFAULT = YEAR_TO_DATE
CHOICES = [
    (MONTH, _("This month")),
    (QUARTER, _("This quarter")),
    (YEAR_TO_DATE, _("Year to date")),
    (LAST_YEAR, _("Last year")),
    (CUSTOM, _("Custom")),
]
MAX_DAYS = 3 * 366  # the trend chart has a bar per month: keep it readable


def local_midnight(day: date) -> datetime:
    """The aware datetime of `day` 00:00 in the default time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def same_day_a_year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def month_end(day: date) -> date:
    first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str = CUSTOM

    @property
    def since(self) -> datetime:
        return local_midnight(self.start)

    @property
    def until(self) -> datetime:
        """Exclusive upper bound: midnight at the start of the day after `end`."""
        return local_midnight(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def year_earlier(self) -> "Period":
        """The same dates one year earlier (29 February becomes the 28th)."""
        return Period(
            same_day_a_year_earlier(self.start), same_day_a_year_earlier(self.end), CUSTOM
        )

    def months(self) -> list["Period"]:
        """The period cut at month boundaries, one piece per calendar month."""
        pieces, day = [], self.start
        while day <= self.end:
            last = min(month_end(day), self.end)
            pieces.append(Period(day, last, CUSTOM))
            day = last + timedelta(days=1)
        return pieces

    def as_query(self) -> dict[str, str]:
        """GET parameters that select this period on the dashboard pages."""
        if self.kind == CUSTOM:
            return {"period": CUSTOM, "start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"period": self.kind}


def preset(kind: str, *, today: date) -> Period:
    """A named period ending today (or, for last year, the whole previous calendar year)."""
    if kind == MONTH:
        return Period(today.replace(day=1), today, MONTH)
    if kind == QUARTER:
        first_month = 3 * ((today.month - 1) // 3) + 1
        return Period(today.replace(month=first_month, day=1), today, QUARTER)
    if kind == LAST_YEAR:
        year = today.year - 1
        return Period(date(year, 1, 1), date(year, 12, 31), LAST_YEAR)
    return Period(today.replace(month=1, day=1), today, YEAR_TO_DATE)


def month_to_date(year: int, month: int, *, today: date) -> Period:
    """January to the end of `month` (not past today): the cumulative monthly report period."""
    return Period(date(year, 1, 1), min(month_end(date(year, month, 1)), today), CUSTOM)


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=CHOICES, required=False)
    start = inputs.DateField(label=_("From"), required=False)
    end = inputs.DateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("period") != CUSTOM:
            return data
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            raise forms.ValidationError(_("A custom period needs a start and an end date."))
        if start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("A period may span at most three years."))
        return data


def period_from(params, *, today: date) -> tuple[Period, PeriodForm]:
    """The period the GET parameters ask for; year to date when they are missing or invalid."""
    form = PeriodForm(params)
    if not form.is_valid():
        return preset(DEFAULT, today=today), form
    kind = form.cleaned_data.get("period") or DEFAULT
    if kind == CUSTOM:
        return Period(form.cleaned_data["start"], form.cleaned_data["end"], CUSTOM), form
    return preset(kind, today=today), form
