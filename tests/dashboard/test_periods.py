"""Reporting periods: presets, the same period a year earlier, local midnights as bounds."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from dashboard.periods import (
    CUSTOM,
    Period,
    month_to_date,
    period_from,
    preset,
    same_day_a_year_earlier,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
TODAY = date(2026, 8, 10)


@pytest.mark.parametrize(
    ("kind", "start", "end"),
    [
        ("month", date(2026, 8, 1), TODAY),
        ("quarter", date(2026, 7, 1), TODAY),
        ("ytd", date(2026, 1, 1), TODAY),
        ("last_year", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_presets_end_today_except_last_year(kind, start, end):
    period = preset(kind, today=TODAY)

    assert (period.start, period.end, period.kind) == (start, end, kind)


@pytest.mark.parametrize(
    ("today", "start"),
    [(date(2026, 1, 1), date(2026, 1, 1)), (date(2026, 3, 31), date(2026, 1, 1)),
     (date(2026, 4, 1), date(2026, 4, 1)), (date(2026, 12, 31), date(2026, 10, 1))],
)  # fmt: skip
def test_quarter_starts_on_its_first_day(today, start):
    assert preset("quarter", today=today).start == start


def test_bounds_are_local_midnights_end_exclusive():
    period = Period(date(2026, 1, 1), date(2026, 7, 31))

    assert period.since == datetime(2026, 1, 1, tzinfo=SHANGHAI)
    assert period.since.astimezone(UTC) == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert period.until == datetime(2026, 8, 1, tzinfo=SHANGHAI)
    assert period.days == 212


def test_year_earlier_shifts_both_ends_and_keeps_29_february_in_february():
    assert Period(date(2026, 1, 1), date(2026, 7, 31)).year_earlier() == Period(
        date(2025, 1, 1), date(2025, 7, 31)
    )
    assert same_day_a_year_earlier(date(2028, 2, 29)) == date(2027, 2, 28)
    leap_month = preset("month", today=date(2028, 2, 29)).year_earlier()
    assert (leap_month.start, leap_month.end) == (date(2027, 2, 1), date(2027, 2, 28))


def test_months_cut_the_period_at_month_ends():
    months = Period(date(2025, 12, 15), date(2026, 2, 3)).months()

    assert [(m.start, m.end) for m in months] == [
        (date(2025, 12, 15), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 3)),
    ]


def test_period_from_reads_a_custom_period():
    period, form = period_from(
        {"period": "custom", "start": "2026-01-01", "end": "2026-07-31"}, today=TODAY
    )

    assert form.is_valid()
    assert period == Period(date(2026, 1, 1), date(2026, 7, 31), CUSTOM)
    assert period.as_query() == {"period": "custom", "start": "2026-01-01", "end": "2026-07-31"}


def test_period_from_defaults_to_the_year_to_date():
    period, _form = period_from({}, today=TODAY)

    assert (period.start, period.end, period.kind) == (date(2026, 1, 1), TODAY, "ytd")
    assert period.as_query() == {"period": "ytd"}


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"start": "2026-07-31"}, "A custom period needs a start and an end date."),
        ({"start": "2026-08-01", "end": "2026-07-31"}, "The start date is after the end date."),
        ({"start": "2020-01-01", "end": "2026-07-31"}, "A period may span at most three years."),
        ({"period": "fortnight"}, "Select a valid choice. fortnight is not one of the"),
    ],
)
def test_an_invalid_period_falls_back_to_the_year_to_date_and_says_why(params, error):
    with translation.override("en"):
        period, form = period_from({"period": "custom", **params}, today=TODAY)
        errors = " ".join(str(e) for field_errors in form.errors.values() for e in field_errors)

    assert period.kind == "ytd"
    assert error in errors


def test_month_to_date_runs_from_january_and_stops_today():
    assert month_to_date(2026, 7, today=TODAY) == Period(date(2026, 1, 1), date(2026, 7, 31))
    assert month_to_date(2026, 8, today=TODAY) == Period(date(2026, 1, 1), TODAY)
    assert month_to_date(2024, 2, today=TODAY).end == date(2024, 2, 29)
