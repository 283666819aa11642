"""The dashboard's Excel export: one sheet per table, the page's figures, headers translated."""

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from hazards.models import Hazard
from tests.dashboard import known_town
from tests.dashboard.known_town import NOW

pytestmark = pytest.mark.django_db
CUSTOM = {"period": "custom", "start": "2026-01-01", "end": "2026-07-31"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def town():
    return known_town.build()


def workbook(client, params=None, language="en"):
    response = client.get(
        reverse("dashboard:export"), {**CUSTOM, **(params or {})}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_export_has_one_sheet_per_table(client, town):
    client.force_login(town.office)

    book = workbook(client)

    assert book.sheetnames == [
        "Figures",
        "Ranking",
        "Monthly trend",
        "By category",
        "By business type",
        "By responsible department",
        "Open major hazards",
        "Overdue hazards",
    ]


def test_figures_sheet_holds_the_dashboards_figures(client, town):
    client.force_login(town.office)

    figures = {row[0]: row[1:] for row in rows(workbook(client)["Figures"])}

    assert figures["Scope"][0] == "平安镇"
    assert figures["Inspections (visits)"] == (4, 1, 3.0)  # +300%
    assert figures["Hazards found"] == (7, 2, 2.5)
    assert figures["Rectified and closed"] == (5, 1, 4.0)
    assert figures["Rectification rate"][0] == pytest.approx(5 / 7)
    assert figures["Rectification rate"][1] == pytest.approx(0.5)
    assert figures["Rectification rate"][2] == pytest.approx(100 * 5 / 7 - 50)  # points
    assert figures["Overdue hazards"] == (3, None, None)
    assert figures["Open major hazards"] == (2, None, None)
    assert figures["Mean days to close"][0] == pytest.approx(17.625, abs=1e-6)
    assert figures["Deaths"] == (1, 2, -0.5)


def test_ranking_trend_and_breakdown_sheets(client, town):
    client.force_login(town.office)

    book = workbook(client)

    ranking = rows(book["Ranking"])
    assert ranking[0][:4] == ("Village", "Hazards found", "Closed", "Rectification rate")
    assert [row[:3] for row in ranking[1:]] == [("西村", 3, 2), ("东村", 4, 3)]
    trend = rows(book["Monthly trend"])
    assert trend[1:] == [
        ("2026-01", 1, 1), ("2026-02", 0, 1), ("2026-03", 0, 0), ("2026-04", 1, 1),
        ("2026-05", 1, 0), ("2026-06", 1, 0), ("2026-07", 3, 1),
    ]  # fmt: skip
    assert rows(book["By responsible department"])[1:] == [
        ("No department", 5, 5, 1.0, 2),
        ("Fire station", 2, 0, 0.0, 1),
    ]


def test_hazard_sheets_list_every_open_major_and_overdue_hazard(client, town):
    client.force_login(town.office)

    book = workbook(client)

    majors = rows(book["Open major hazards"])
    assert [row[0] for row in majors[1:]] == ["YH-2026-000006", "YH-2026-000007"]
    assert majors[1][10] == 10  # days overdue
    assert majors[1][8] == date(2025, 11, 1) or majors[1][8].date() == date(2025, 11, 1)
    overdue = rows(book["Overdue hazards"])
    assert [row[0] for row in overdue[1:]] == ["YH-2026-000010", "YH-2026-000006", "YH-2026-000002"]


def test_a_description_that_looks_like_a_formula_stays_text(client, town):
    Hazard.objects.filter(pk=town.h["h6"].pk).update(description="=1+1 电线私拉乱接")
    client.force_login(town.office)

    sheet = workbook(client)["Open major hazards"]

    description = sheet.cell(row=2, column=6)
    assert (description.value, description.data_type) == ("=1+1 电线私拉乱接", "s")


def test_leaders_export_covers_their_village_with_chinese_headers(client, town):
    client.force_login(town.leader)

    book = workbook(client, language="zh-hans")

    sheet = book.worksheets[0]
    assert rows(sheet)[1][1] == "东村"
    assert [row[0] for row in rows(book.worksheets[-1])[1:]] == [
        "YH-2026-000010",
        "YH-2026-000006",
        "YH-2026-000002",
    ]
    assert all(ord(ch) > 127 for ch in rows(sheet)[0][0])  # the header is not English


def test_grid_officer_cannot_export(client, town):
    client.force_login(town.officer)

    assert client.get(reverse("dashboard:export")).status_code == 403
