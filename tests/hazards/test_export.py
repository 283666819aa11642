"""台账 Excel export: exactly the filtered rows of the page, Chinese headers, opens anywhere."""

import csv
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.roles import Role
from hazards.ledger_export import COLUMNS
from hazards.rights import phone_visibility, sees_phone
from tests.factories import (
    BusinessTypeFactory,
    DepartmentFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)

LIST = reverse("hazards:ledger")
EXPORT = reverse("hazards:ledger_export")
ENGLISH_HEADERS = [
    "Ledger number",
    "Village",
    "Grid",
    "Premises",
    "Address",
    "Operator",
    "Operator phone",
    "Business type",
    "Category",
    "Description",
    "Severity",
    "Found on",
    "Found by",
    "Deadline",
    "Status",
    "Fixed on",
    "Reviewed by",
    "Closed on",
    "Department",
]


@pytest.fixture
def town(db):
    office = UserFactory(role=Role.SAFETY_OFFICE)
    member = UserFactory(role=Role.DEPARTMENT_OFFICER)
    fire = DepartmentFactory(name="消防大队", members=[member])
    grid = GridFactory(village=VillageFactory(name="东岭村"), name="第一网格")
    premises = PremisesFactory(
        grid=grid, name="老王面馆", business_type=BusinessTypeFactory(department=fire)
    )
    other = PremisesFactory(grid=GridFactory(), name="西塘五金店")
    return {"office": office, "member": member, "premises": premises, "other": other}


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def page_numbers(client, params) -> list[str]:
    numbers, page = [], 1
    while True:
        response = client.get(LIST, {**params, "page": page})
        numbers += [h["ledger_number"] for h in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return numbers
        page += 1


def test_export_holds_exactly_the_filtered_rows_of_the_page(client, town):
    premises = town["premises"]
    HazardFactory.create_batch(60, premises=premises, rectifying=True)
    HazardFactory.create_batch(3, premises=premises, closed=True)
    HazardFactory.create_batch(4, premises=town["other"], rectifying=True)
    client.force_login(town["office"])
    params = {"status": "rectifying", "village": premises.grid.village_id, "sort": "deadline"}
    sheet = workbook(client.get(EXPORT, params)).active
    exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(exported) == 60
    assert exported == page_numbers(client, params)


def test_headers_and_cells(client, town):
    today = timezone.localdate()
    hazard = HazardFactory(
        premises=town["premises"],
        closed=True,
        reviewed_by=town["office"],
        department=DepartmentFactory(name="住建办"),
        rectify_by=today + timedelta(days=3),
    )
    client.force_login(town["office"])
    sheet = workbook(client.get(EXPORT, headers={"accept-language": "en"})).active
    rows = list(sheet.iter_rows(values_only=True))
    with translation.override("en"):
        assert list(rows[0]) == ENGLISH_HEADERS == [str(c.header) for c in COLUMNS]
    row = dict(zip(ENGLISH_HEADERS, rows[1], strict=True))
    assert row["Ledger number"] == hazard.ledger_number
    assert (row["Village"], row["Grid"], row["Premises"]) == ("东岭村", "第一网格", "老王面馆")
    assert row["Operator phone"] == "13812345678"
    assert row["Status"] == "Closed"
    assert row["Department"] == "住建办"
    assert row["Reviewed by"] == str(town["office"])
    assert row["Deadline"].date() == today + timedelta(days=3)
    assert row["Closed on"].date() == timezone.localdate(hazard.closed_at)
    assert row["Found on"].date() == timezone.localdate(hazard.reported_at)


def test_dates_are_the_local_day_and_missing_steps_are_empty(client, town):
    # 17:30 UTC is 01:30 the next morning in the town (Asia/Shanghai): the ledger shows that day.
    evening = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    HazardFactory(premises=town["premises"], rectifying=True, reported_at=evening)
    client.force_login(town["office"])
    sheet = workbook(client.get(EXPORT, headers={"accept-language": "en"})).active
    row = dict(zip(ENGLISH_HEADERS, list(sheet.iter_rows(values_only=True))[1], strict=True))
    assert row["Found on"].date() == date(2026, 3, 2)
    assert row["Status"] == "Being rectified"
    assert (row["Fixed on"], row["Reviewed by"], row["Closed on"]) == (None, None, None)


def test_the_header_stays_in_view_in_bold_and_dates_read_as_dates(client, town):
    HazardFactory(premises=town["premises"])
    client.force_login(town["office"])
    sheet = workbook(client.get(EXPORT)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    found_on = sheet.cell(row=2, column=ENGLISH_HEADERS.index("Found on") + 1)
    assert (found_on.is_date, found_on.number_format) == (True, "yyyy-mm-dd")


def test_text_that_looks_like_a_formula_or_an_address_stays_text(client, town):
    """Typed by an officer, opened by the office in Excel: never run, never a link."""
    typed = ['=HYPERLINK("http://example.com","点这里")', "http://example.com/整改"]
    for text in typed:
        HazardFactory(premises=town["premises"], description=text)
    client.force_login(town["office"])
    sheet = workbook(client.get(EXPORT)).active
    column = ENGLISH_HEADERS.index("Description") + 1
    cells = [sheet.cell(row=row, column=column) for row in (2, 3)]
    assert sorted(cell.value for cell in cells) == sorted(typed)
    assert [cell.data_type for cell in cells] == ["s", "s"]
    assert not any(cell.hyperlink for cell in cells)


def test_headers_are_chinese_by_default(client, town):
    HazardFactory(premises=town["premises"])
    client.force_login(town["office"])
    header = next(workbook(client.get(EXPORT)).active.iter_rows(values_only=True))
    with translation.override("zh-hans"):
        expected = [str(c.header) for c in COLUMNS]
    assert list(header) == expected


def test_phone_masked_for_a_department_officer(client, town):
    HazardFactory(premises=town["premises"])
    client.force_login(town["member"])
    sheet = workbook(client.get(EXPORT)).active
    phone_column = ENGLISH_HEADERS.index("Operator phone")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[phone_column] for row in rows] == ["138****5678"]


def test_export_is_scoped(client, town):
    HazardFactory(premises=town["premises"])
    HazardFactory(premises=town["other"])
    officer = UserFactory(role=Role.GRID_OFFICER)
    town["premises"].grid.officers.add(officer)
    client.force_login(officer)
    rows = list(workbook(client.get(EXPORT)).active.iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in rows] == ["老王面馆"]


def test_export_query_count_does_not_grow_with_rows(client, town, django_assert_max_num_queries):
    HazardFactory.create_batch(30, premises=town["premises"], reviewed_by=town["office"])
    client.force_login(town["office"])
    with django_assert_max_num_queries(10):
        workbook(client.get(EXPORT))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_export_opens_in_libreoffice(client, town, tmp_path: Path):
    HazardFactory(premises=town["premises"], description="电线私拉乱接,插线板串接")
    client.force_login(town["office"])
    response = client.get(EXPORT)
    source = tmp_path / "ledger.xlsx"
    source.write_bytes(b"".join(response.streaming_content))
    subprocess.run(  # noqa: S603
        [
            shutil.which("soffice"),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    with (tmp_path / "ledger.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 2
    assert "电线私拉乱接,插线板串接" in rows[1]
    assert date.fromisoformat(rows[1][ENGLISH_HEADERS.index("Found on")])


def test_the_export_shows_a_phone_to_whoever_the_pages_show_it(town):
    """The export decides per row from the premises' grid and village (phone_visibility); the
    pages decide per premises (sees_phone): the same answer for every role, in and out."""
    premises = town["premises"]
    officer, other_officer = UserFactory.create_batch(2, role=Role.GRID_OFFICER)
    leader, other_leader = UserFactory.create_batch(2, role=Role.VILLAGE_LEADER)
    premises.grid.officers.add(officer)
    premises.grid.village.leaders.add(leader)
    GridFactory(officers=[other_officer], village=VillageFactory(leaders=[other_leader]))
    people = [town["office"], town["member"], UserFactory(role=Role.REGISTRY_ADMIN)]
    people += [officer, other_officer, leader, other_leader]
    answers = [
        phone_visibility(user)(premises.grid_id, premises.grid.village_id) for user in people
    ]
    assert answers == [sees_phone(user, premises) for user in people]
    assert answers == [True, False, True, True, False, True, False]
