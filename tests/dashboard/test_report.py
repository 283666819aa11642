"""The printable monthly report: the sentences the safety office sends upward, from the figures.

The headline test builds the town of the report's example (docs/figures.md, Monthly report):
from January to July, 2,800 inspections, 1,086 hazards found, 1,036 of them closed, no open
major hazard; accidents down 20% and casualties down 18% on the same months a year earlier."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from dashboard.figures import Figure
from dashboard.report import change, pct, previous_month
from hazards.models import Category, Hazard, Severity
from inspections.models import Inspection
from premises.models import Premises
from tests.dashboard import known_town
from tests.factories import (
    AccidentFactory,
    BusinessTypeFactory,
    GridFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 8, 10, 10, 0, tzinfo=SHANGHAI)
S = Hazard.Status


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def spread(n: int, year: int, months: int = 7) -> list[datetime]:
    """n moments spread over January to `months` of `year`, local time."""
    start = datetime(year, 1, 1, 8, tzinfo=SHANGHAI)
    span = datetime(year, months + 1, 1, tzinfo=SHANGHAI) - start - timedelta(hours=9)
    return [start + span * i / n for i in range(n)]


def build_issue_town():
    """The town of the report's example, made with bulk_create (thousands of rows at once)."""
    office = UserFactory(username="office", role=Role.SAFETY_OFFICE)
    town = TownFactory(name="青山镇", code="QS")
    villages = [VillageFactory(town=town, name=name) for name in ("东岭村", "西塘村")]
    grids = [GridFactory(village=village) for village in villages for _ in range(2)]
    shop = BusinessTypeFactory()
    premises = Premises.objects.bulk_create(
        Premises(name=f"场所{i}", address=f"青山路{i}号", grid=grids[i % 4], business_type=shop)
        for i in range(400)
    )

    def inspect(moments):
        Inspection.objects.bulk_create(
            Inspection(
                premises=premises[i % 400],
                inspector=office,
                visited_at=at,
                outcome=Inspection.Outcome.NO_HAZARD,
                idempotency_key=uuid.uuid4(),
            )
            for i, at in enumerate(moments)
        )

    inspect(spread(2800, 2026))
    inspect(spread(2500, 2025))
    inspect([datetime(2026, 8, 1, tzinfo=SHANGHAI)] * 30)  # after the period
    numbers = iter(range(1, 10_000))

    def hazards(moments, *, status=S.CLOSED, severity=Severity.GENERAL):
        rows = []
        for i, at in enumerate(moments):
            row = Hazard(
                ledger_number=f"YH-2026-{next(numbers):06d}",
                premises=premises[(7 * i) % 400],
                category=Category.ELEC,
                description="电线私拉乱接",
                severity=severity,
                status=status,
                rectify_by=(at + timedelta(days=7)).date(),
                reported_by=office,
                reported_at=at,
            )
            if status == S.CLOSED:
                row.closed_at = at + timedelta(days=5)
            if status == S.DISMISSED:
                row.dismissed_at = at + timedelta(days=1)
            rows.append(row)
        Hazard.objects.bulk_create(rows)

    found = spread(1086, 2026)
    hazards(found[:1016])
    hazards(found[1016:1036], severity=Severity.MAJOR)  # 20 major, all closed
    late_july = [datetime(2026, 7, 28, 9, tzinfo=SHANGHAI)] * 50
    hazards(late_july, status=S.RECTIFYING)  # open, due 4 August: overdue now
    hazards(spread(14, 2026), status=S.DISMISSED)  # never counted
    hazards(spread(1000, 2025))
    # 5 accidents with 50 casualties a year earlier; 4 with 41 this year.
    accidents = [(date(2025, 2, 1), 2, 8)] * 5 + [(date(2026, 3, 1), 2, 8)] * 3
    for day, deaths, injuries in [*accidents, (date(2026, 6, 1), 2, 9)]:
        AccidentFactory(occurred_on=day, village=villages[0], deaths=deaths, injuries=injuries)
    return office


@pytest.fixture
def issue_town():
    return build_issue_town()


def test_dashboard_and_report_say_what_the_issue_town_did(client, issue_town):
    client.force_login(issue_town)
    period = {"period": "custom", "start": "2026-01-01", "end": "2026-07-31"}

    page = client.get(reverse("dashboard:index"), period, HTTP_ACCEPT_LANGUAGE="en")
    july = {"month": "2026-07"}
    report = client.get(reverse("dashboard:report"), july, HTTP_ACCEPT_LANGUAGE="en")

    f = page.context["board"].figures
    assert (f["inspections"].value, f["found"].value, f["closed"].value) == (2800, 1086, 1036)
    assert f["open_major"].value == 0
    assert f["premises_inspected"].value == 400
    for shown in ("2,800", "1,086", "1,036", "95.4%"):
        assert shown in page.text
    text = " ".join(report.context["paragraphs"])
    assert report.context["board"].period.start == date(2026, 1, 1)
    assert report.context["board"].period.end == date(2026, 7, 31)
    assert (
        "From Jan. 1, 2026 to July 31, 2026, 2,800 inspections of small premises were carried "
        "out, covering 400 premises; 1,086 safety hazards were found and 1,036 of them have been "
        "rectified and struck off the ledger, a rectification rate of 95.4%."
    ) in text
    assert "The rectification rate is above the target of 95%." in text
    assert "No major hazard remains open" in text
    assert "dynamic zeroing achieved" in text
    assert (
        "Year on year, the number of accidents fell by 20% and the number of casualties fell "
        "by 18%."
    ) in text
    assert "Year on year, inspections rose by 12% and hazards found rose by 8.6%." in text
    assert "50 hazards are past their rectification deadline." in text
    assert "In July 2026 alone" in text
    for paragraph in report.context["paragraphs"]:
        assert paragraph in report.text or paragraph.replace("'", "&#x27;") in report.text


def test_report_in_chinese_writes_numbers_without_separators(client, issue_town):
    client.force_login(issue_town)

    report = client.get(reverse("dashboard:report"), {"month": "2026-07"})

    text = " ".join(report.context["paragraphs"])
    assert "2800" in text and "2,800" not in text
    assert "2026年1月1日" in text


# --- the sentences, one case at a time -----------------------------------------------------------


@pytest.fixture
def town():
    return known_town.build()


def report_text(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(
        reverse("dashboard:report"), {"month": "2026-07", **params}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    return " ".join(response.context["paragraphs"])


def test_report_says_when_dynamic_zeroing_fails_and_where_to_push(client, town):
    text = report_text(client, town.office)

    assert (
        "2 major hazards remain open, 1 of them past their deadline and 1 without interim "
        "safety measures: dynamic zeroing is not achieved."
    ) in text
    assert "The rectification rate is below the target of 95%: 2 hazards found" in text
    assert "3 hazards are past their rectification deadline." in text
    assert (
        "Where to push next: 西村 (rectification rate 66.7%, 0 overdue), "
        "东村 (rectification rate 75%, 3 overdue)."
    ) in text


def test_report_says_when_dynamic_zeroing_holds(client, town):
    town.h["h6"].rectify_by = date(2026, 9, 1)
    town.h["h6"].save()
    town.h["h7"].interim_measures = "设置警示标志"
    town.h["h7"].save()

    text = report_text(client, town.office)

    assert (
        "2 major hazards are being rectified, all within their deadlines and under interim "
        "safety measures: dynamic zeroing holds."
    ) in text


def test_leaders_report_covers_their_village(client, town):
    text = report_text(client, town.leader)

    assert "4 safety hazards were found and 3 of them" in text
    assert "1 major hazard remains open (1 past its deadline" in text


def test_report_month_defaults_to_the_last_complete_month_and_rejects_the_future(client, town):
    client.force_login(town.office)

    default = client.get(reverse("dashboard:report"), HTTP_ACCEPT_LANGUAGE="en")
    september = {"month": "2026-09"}
    future = client.get(reverse("dashboard:report"), september, HTTP_ACCEPT_LANGUAGE="en")

    assert default.context["month"] == date(2026, 7, 1)
    assert future.context["month"] == date(2026, 7, 1)
    assert "That month has not begun yet." in future.text
    assert previous_month(date(2026, 1, 15)) == date(2025, 12, 1)


def test_report_of_a_quiet_month(client, town):
    text = report_text(client, town.office, month="2025-02")

    assert "no safety hazard was found" in text
    assert "In February 2025 alone" in text


def test_grid_officer_gets_no_report(client, town):
    client.force_login(town.officer)

    assert client.get(reverse("dashboard:report")).status_code == 403


@pytest.mark.parametrize(
    ("value", "previous", "phrase"),
    [(8, 10, "fell by 20%"), (12, 10, "rose by 20%"), (10, 10, "were unchanged"),
     (3, 0, "rose from none in the same period last year"), (0, 0, "stayed at zero")],
)  # fmt: skip
def test_change_phrases(value, previous, phrase):
    with translation.override("en"):
        assert change(Figure("x", "x", value, previous=previous)) == phrase


def test_percentages_drop_a_zero_decimal():
    with translation.override("en"):
        assert [pct(95.0), pct(95.4), pct(95.44), pct(None)] == ["95%", "95.4%", "95.4%", "—"]
