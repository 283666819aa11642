"""Registry import files: GBK and UTF-8 CSV and XLSX are read, anything else is refused with a
message, and rows keep the numbers Excel shows."""

import io
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from premises.models import Premises
from tests.premises.registry_lists import (
    HEADERS,
    KEYS,
    apply,
    csv_bytes,
    dry_run,
    errors_of,
    row,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def test_gbk_csv_is_detected_and_imported_with_history(import_client, import_town):
    data = csv_bytes(
        [row(), row(name="李记便利店", address="振兴路2号", business_type="SHOP")], encoding="gbk"
    )

    preview = dry_run(import_client, data)

    assert preview.status_code == 200
    assert preview.context["report"].sheet.encoding == "gb18030"
    assert preview.context["report"].counts["create"] == 2
    assert "GBK" in preview.content.decode()
    assert Premises.objects.count() == 0  # a dry run writes nothing

    response = apply(import_client, preview)

    assert response.status_code == 302
    premises = Premises.objects.get(name="李记便利店")
    assert (premises.grid, premises.business_type) == (import_town.grid, import_town.shop)
    assert Premises.history.count() == 2  # one history row per premises created
    assert premises.created_by == import_client.user
    record = premises.history.get()
    assert record.history_user == import_client.user
    assert "premises.csv" in record.history_change_reason


def test_utf8_csv_with_english_headers_is_accepted(import_client, import_town):
    data = csv_bytes([row()], headers=KEYS, encoding="utf-8")

    preview = dry_run(import_client, data)

    assert preview.context["report"].sheet.encoding == "utf-8"
    assert preview.context["report"].counts["create"] == 1


def test_xlsx_with_dates_and_numeric_phone_is_imported(import_client, import_town):
    cells = row(floor_area=85.5, floors=2.0, commitment_signed_on=datetime(2026, 1, 15))
    cells[KEYS.index("operator_phone")] = 13812345678

    preview = dry_run(import_client, xlsx_bytes([cells]), name="premises.xlsx")
    apply(import_client, preview)

    premises = Premises.objects.get()
    assert premises.operator_phone == "13812345678"
    assert premises.commitment_signed_on == date(2026, 1, 15)
    assert (str(premises.floor_area), premises.floors) == ("85.5", 2)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(200)),
        ("letter.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200)),
        ("archive.zip", b"PK\x03\x04" + bytes(200)),
        ("binary.csv", bytes(range(256)) * 4),
    ],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(
    import_client, import_town, import_folder, name, data
):
    response = dry_run(import_client, data, name=name)

    assert response.status_code == 400
    assert response.context["error"]
    assert not import_folder.exists() or not any(import_folder.iterdir())


def test_a_csv_in_neither_utf8_nor_gbk_is_refused_with_a_message(import_client, import_folder):
    data = "名称,地址,村(社区),网格,业态\n".encode() + b"\xff\xfe\xff\x80,\xff\n"

    response = dry_run(import_client, data)

    assert response.status_code == 400
    assert "neither a CSV nor an XLSX file" in response.context["error"]
    assert not import_folder.exists() or not any(import_folder.iterdir())


def test_the_apostrophe_the_export_puts_before_a_formula_is_dropped(import_client, import_town):
    apply(import_client, dry_run(import_client, csv_bytes([row(name="'=1+2", insurer="'@保险")])))

    assert Premises.objects.values_list("name", "insurer").get() == ("=1+2", "@保险")


def test_xlsx_with_wrong_headers_is_refused_naming_the_missing_columns(import_client, import_town):
    data = xlsx_bytes([["老王小吃", "振兴路1号"]], headers=["店名", "位置", "电话"])

    response = dry_run(import_client, data, name="premises.xlsx")

    assert response.status_code == 400
    error = response.context["error"]
    for header in ("名称", "地址", "村(社区)", "网格", "业态"):
        assert header in error


def test_header_row_under_a_title_row_is_found_and_rows_keep_their_excel_numbers(
    import_client, import_town
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["东岭村小场所台账(2026年)"])
    sheet.append(HEADERS)
    sheet.append(row())
    sheet.append(row(name="坏电话", address="振兴路9号", operator_phone="12345"))
    buffer = io.BytesIO()
    book.save(buffer)

    preview = dry_run(import_client, buffer.getvalue(), name="premises.xlsx")

    assert [number for number, _column, _message in errors_of(preview)] == [4]


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(import_client, import_town):
    data = csv_bytes(
        [
            row(),
            [""] * len(KEYS),
            ["", " "],
            row(name="第二家", address="振兴路2号", operator_phone="1"),
        ]
    )

    preview = dry_run(import_client, data)

    report = preview.context["report"]
    assert report.sheet.blank_rows == 2
    assert report.counts["create"] == 1
    assert [(number, column) for number, column, _m in errors_of(preview)] == [(5, "联系电话")]
    assert "2 blank rows skipped" in preview.content.decode()


def test_a_file_over_50_mb_is_refused_before_parsing(
    import_client, import_town, monkeypatch, import_folder
):
    def must_not_parse(data):
        raise AssertionError("a file over the cap was parsed")

    monkeypatch.setattr("premises.views.transfer.read_sheet", must_not_parse)
    big = SimpleUploadedFile("big.csv", b"a" * (50 * 1024 * 1024 + 1), content_type="text/csv")

    response = import_client.post(reverse("premises:import"), {"file": big})

    assert response.status_code == 400
    assert "50 MB" in response.context["error"]
    assert not import_folder.exists() or not any(import_folder.iterdir())
