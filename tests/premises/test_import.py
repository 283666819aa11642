"""Registry import (PremisesResource, django-import-export): the dry run says row by row what
would happen; applying is all or nothing."""

import csv
import io
from datetime import date, datetime
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from premises.import_sheet import read_sheet
from premises.models import Premises
from premises.resources import PremisesResource
from premises.validators import credit_code_check_char
from tests.factories import (
    BusinessTypeFactory,
    GridFactory,
    PremisesFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

HEADERS = [
    "名称",
    "地址",
    "村(社区)",
    "网格",
    "业态",
    "标签",
    "统一社会信用代码",
    "经营者",
    "联系电话",
    "建筑面积",
    "层数",
    "从业人数",
    "承诺书签订日期",
    "保险公司",
    "保单号",
    "保险到期日",
]
KEYS = [
    "name",
    "address",
    "village",
    "grid",
    "business_type",
    "tags",
    "credit_code",
    "operator_name",
    "operator_phone",
    "floor_area",
    "floors",
    "staff_count",
    "commitment_signed_on",
    "insurer",
    "insurance_policy_no",
    "insurance_expires_on",
]


def credit_code(n: int) -> str:
    first17 = f"91330106MA2H{n:05d}"
    return first17 + credit_code_check_char(first17)


def row(**values) -> list[str]:
    defaults = {
        "name": "老王小吃",
        "address": "振兴路1号",
        "village": "东岭村",
        "grid": "第一网格",
        "business_type": "小餐饮",
        "operator_name": "王五",
        "operator_phone": "13812345678",
    }
    defaults.update(values)
    return [defaults.get(key, "") for key in KEYS]


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    """As Excel saves it: quoted where needed, CRLF line ends."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def private_folder(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR / "imports"


@pytest.fixture
def town():
    village = VillageFactory(name="东岭村")
    return SimpleNamespace(
        village=village,
        grid=GridFactory(village=village, name="第一网格", code="DL-1"),
        other_grid=GridFactory(village=village, name="第二网格", code="DL-2"),
        food=BusinessTypeFactory(code="FOOD", name_zh="小餐饮", base_risk="yellow"),
        shop=BusinessTypeFactory(code="SHOP", name_zh="小商店/小商场(市场)", base_risk="blue"),
        lpg=TagFactory(code="USES_LPG", name_zh="使用瓶装液化气", raises_risk=True),
        sanheyi=TagFactory(
            code="SANHEYI", name_zh="三合一/多合一(住宿与生产、储存、经营合用)", raises_risk=True
        ),
        gas=TagFactory(code="USES_PIPED_GAS", name_zh="使用管道燃气", raises_risk=False),
    )


@pytest.fixture
def admin_client(client):
    admin = UserFactory(role=Role.REGISTRY_ADMIN)
    client.force_login(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages are compared in English
    client.user = admin
    return client


def dry_run(client, data: bytes, name: str = "premises.csv"):
    """Upload and follow to the dry run page."""
    response = client.post(reverse("premises:import"), {"file": SimpleUploadedFile(name, data)})
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def apply(client, preview):
    return client.post(reverse("premises:import_apply", args=[preview.context["token"]]))


def errors_of(preview) -> list[tuple[int, str, str]]:
    return [
        (row.number, column, message)
        for row in preview.context["report"].refused
        for column, message in row.problems
    ]


def test_gbk_csv_is_detected_and_imported_with_history(admin_client, town):
    data = csv_bytes(
        [row(), row(name="李记便利店", address="振兴路2号", business_type="SHOP")], encoding="gbk"
    )

    preview = dry_run(admin_client, data)

    assert preview.status_code == 200
    assert preview.context["report"].sheet.encoding == "gb18030"
    assert preview.context["report"].counts["create"] == 2
    assert "GBK" in preview.content.decode()
    assert Premises.objects.count() == 0  # a dry run writes nothing

    response = apply(admin_client, preview)

    assert response.status_code == 302
    premises = Premises.objects.get(name="李记便利店")
    assert (premises.grid, premises.business_type) == (town.grid, town.shop)
    assert Premises.history.count() == 2  # one history row per premises created
    assert premises.created_by == admin_client.user
    record = premises.history.get()
    assert record.history_user == admin_client.user
    assert "premises.csv" in record.history_change_reason


def test_utf8_csv_with_english_headers_is_accepted(admin_client, town):
    data = csv_bytes([row()], headers=KEYS, encoding="utf-8")

    preview = dry_run(admin_client, data)

    assert preview.context["report"].sheet.encoding == "utf-8"
    assert preview.context["report"].counts["create"] == 1


def test_xlsx_with_dates_and_numeric_phone_is_imported(admin_client, town):
    cells = row(floor_area=85.5, floors=2.0, commitment_signed_on=datetime(2026, 1, 15))
    cells[KEYS.index("operator_phone")] = 13812345678

    preview = dry_run(admin_client, xlsx_bytes([cells]), name="premises.xlsx")
    apply(admin_client, preview)

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
    admin_client, town, private_folder, name, data
):
    response = dry_run(admin_client, data, name=name)

    assert response.status_code == 400
    assert response.context["error"]
    assert not private_folder.exists() or not any(private_folder.iterdir())


def test_a_csv_in_neither_utf8_nor_gbk_is_refused_with_a_message(admin_client, private_folder):
    data = "名称,地址,村(社区),网格,业态\n".encode() + b"\xff\xfe\xff\x80,\xff\n"

    response = dry_run(admin_client, data)

    assert response.status_code == 400
    assert "neither a CSV nor an XLSX file" in response.context["error"]
    assert not private_folder.exists() or not any(private_folder.iterdir())


def test_row_errors_are_shown_in_chinese(admin_client, town):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"

    preview = dry_run(admin_client, csv_bytes([row(operator_phone="12345", grid="第九网格")]))

    assert errors_of(preview) == [
        (2, "网格", "村(社区)“东岭村”下没有网格“第九网格”。"),
        (2, "联系电话", "请输入 11 位手机号(如 13812345678)或固定电话(如 0571-12345678)。"),
    ]
    assert "1 行需要修改" in preview.content.decode()


def test_the_apostrophe_the_export_puts_before_a_formula_is_dropped(admin_client, town):
    apply(admin_client, dry_run(admin_client, csv_bytes([row(name="'=1+2", insurer="'@保险")])))

    assert Premises.objects.values_list("name", "insurer").get() == ("=1+2", "@保险")


def test_xlsx_with_wrong_headers_is_refused_naming_the_missing_columns(admin_client, town):
    data = xlsx_bytes([["老王小吃", "振兴路1号"]], headers=["店名", "位置", "电话"])

    response = dry_run(admin_client, data, name="premises.xlsx")

    assert response.status_code == 400
    error = response.context["error"]
    for header in ("名称", "地址", "村(社区)", "网格", "业态"):
        assert header in error


def test_header_row_under_a_title_row_is_found_and_rows_keep_their_excel_numbers(
    admin_client, town
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["东岭村小场所台账(2026年)"])
    sheet.append(HEADERS)
    sheet.append(row())
    sheet.append(row(name="坏电话", address="振兴路9号", operator_phone="12345"))
    buffer = io.BytesIO()
    book.save(buffer)

    preview = dry_run(admin_client, buffer.getvalue(), name="premises.xlsx")

    assert [number for number, _column, _message in errors_of(preview)] == [4]


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(admin_client, town):
    data = csv_bytes(
        [
            row(),
            [""] * len(KEYS),
            ["", " "],
            row(name="第二家", address="振兴路2号", operator_phone="1"),
        ]
    )

    preview = dry_run(admin_client, data)

    report = preview.context["report"]
    assert report.sheet.blank_rows == 2
    assert report.counts["create"] == 1
    assert [(number, column) for number, column, _m in errors_of(preview)] == [(5, "联系电话")]
    assert "2 blank rows skipped" in preview.content.decode()


def test_a_file_over_50_mb_is_refused_before_parsing(
    admin_client, town, monkeypatch, private_folder
):
    def must_not_parse(data):
        raise AssertionError("a file over the cap was parsed")

    monkeypatch.setattr("premises.views.transfer.read_sheet", must_not_parse)
    big = SimpleUploadedFile("big.csv", b"a" * (50 * 1024 * 1024 + 1), content_type="text/csv")

    response = admin_client.post(reverse("premises:import"), {"file": big})

    assert response.status_code == 400
    assert "50 MB" in response.context["error"]
    assert not private_folder.exists() or not any(private_folder.iterdir())


def test_bad_credit_code_and_phone_are_reported_with_row_and_column(admin_client, town):
    bad_code = credit_code(1)[:17] + ("0" if credit_code(1)[17] != "0" else "1")
    data = csv_bytes(
        [
            row(),
            row(name="坏代码", address="振兴路2号", credit_code=bad_code, operator_phone="2385"),
        ]
    )

    preview = dry_run(admin_client, data)

    errors = errors_of(preview)
    assert {(number, column) for number, column, _m in errors} == {
        (3, "统一社会信用代码"),
        (3, "联系电话"),
    }
    # The same messages as the web form's.
    assert any("check character" in message for _n, _c, message in errors)
    assert any("11-digit mobile" in message for _n, _c, message in errors)
    assert not preview.context["report"].can_apply
    assert b"data-import-apply disabled" in preview.content


def test_a_grid_that_does_not_exist_is_reported_on_its_column(admin_client, town):
    data = csv_bytes([row(grid="第九网格"), row(name="B", address="2号", village="西塘村")])

    preview = dry_run(admin_client, data)

    errors = errors_of(preview)
    assert [(n, c) for n, c, _m in errors] == [(2, "网格"), (3, "村(社区)")]
    assert "第九网格" in errors[0][2]


def test_two_rows_for_the_same_premises_refuse_the_later_one(admin_client, town):
    code = credit_code(7)
    data = csv_bytes(
        [
            row(name="甲", address="1号", credit_code=code),
            row(name="甲分店", address="3号", credit_code=code),
            row(name="乙", address="2号"),
            row(name=" 乙 ", address="2号"),
        ]
    )

    preview = dry_run(admin_client, data)

    errors = errors_of(preview)
    assert [(n, c) for n, c, _m in errors] == [(3, "统一社会信用代码"), (5, "名称")]
    assert "Row 2" in errors[0][2]
    assert "Row 4" in errors[1][2]


def test_nothing_is_imported_while_a_row_is_refused(admin_client, town):
    data = csv_bytes([row(), row(name="B", address="2号"), row(name="C", address="3号", grid="无")])
    preview = dry_run(admin_client, data)

    response = apply(admin_client, preview)

    assert response.status_code == 200
    assert Premises.objects.count() == 0
    assert "Nothing was imported" in response.content.decode()


def test_a_database_error_midway_rolls_the_whole_file_back(admin_client, town, monkeypatch):
    registered = PremisesFactory(
        name="老店", address="振兴路9号", grid=town.grid, operator_name="甲"
    )
    data = csv_bytes(
        [row(name="新店", address="1号"), row(name="老店", address="振兴路9号", operator_name="乙")]
    )
    preview = dry_run(admin_client, data)

    def fail(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr("premises.resources.write_columns", fail)  # the update, after the create
    response = apply(admin_client, preview)

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "premises:import_preview", args=[preview.context["token"]]
    )
    assert not Premises.objects.filter(name="新店").exists()
    registered.refresh_from_db()
    assert registered.operator_name == "甲"


def test_a_registered_credit_code_updates_that_premises_and_blank_cells_keep_values(
    admin_client, town
):
    code = credit_code(3)
    premises = PremisesFactory(
        name="旧名",
        address="旧址",
        grid=town.grid,
        business_type=town.food,
        credit_code=code,
        insurer="人保财险",
        floors=3,
    )
    data = csv_bytes(
        [row(name="新名", address="旧址", credit_code=code.lower(), operator_phone="")]
    )

    preview = dry_run(admin_client, data)
    row_result = preview.context["report"].rows[0]
    assert (row_result.action, row_result.object_id) == ("update", premises.pk)
    assert "名称" in row_result.changed
    assert premises.history.count() == 1  # the dry run wrote nothing
    apply(admin_client, preview)

    premises.refresh_from_db()
    assert premises.name == "新名"
    assert (premises.insurer, premises.floors, premises.operator_phone) == (
        "人保财险",
        3,
        "13812345678",
    )
    latest = premises.history.latest("history_date")
    assert latest.history_user == admin_client.user
    assert latest.history_type == "~"
    assert Premises.objects.count() == 1


def test_a_row_without_credit_code_matches_name_and_address_in_the_same_village(admin_client, town):
    same_village = PremisesFactory(name="老王小吃", address="振兴路1号", grid=town.other_grid)
    PremisesFactory(name="老王小吃", address="振兴路1号", grid=GridFactory(name="第一网格"))

    preview = dry_run(admin_client, csv_bytes([row(operator_name="王六")]))

    row_result = preview.context["report"].rows[0]
    assert (row_result.action, row_result.object_id) == ("update", same_village.pk)
    apply(admin_client, preview)
    same_village.refresh_from_db()
    assert (same_village.grid, same_village.operator_name) == (town.grid, "王六")  # moved


def test_unchanged_rows_are_counted_and_not_saved(admin_client, town):
    premises = PremisesFactory(
        name="老王小吃",
        address="振兴路1号",
        grid=town.grid,
        business_type=town.food,
        operator_name="王五",
    )
    before = premises.history.count()

    preview = dry_run(admin_client, csv_bytes([row()]))

    assert preview.context["report"].counts == {"unchanged": 1}
    assert not preview.context["report"].can_apply
    assert premises.history.count() == before


def test_tags_by_code_name_and_short_name_set_the_risk_colour(admin_client, town):
    data = csv_bytes(
        [
            row(tags="USES_LPG、三合一"),
            row(
                name="B",
                address="2号",
                tags="使用管道燃气|三合一/多合一(住宿与生产、储存、经营合用)",
            ),
            row(name="C", address="3号", tags="使用瓶装液化气,烧烤"),
        ]
    )

    preview = dry_run(admin_client, data)
    errors = errors_of(preview)
    assert [(n, c) for n, c, _m in errors] == [(4, "标签")]
    assert "烧烤" in errors[0][2]

    preview = dry_run(admin_client, csv_bytes([row(tags="USES_LPG、三合一")]))
    apply(admin_client, preview)

    premises = Premises.objects.get()
    assert set(premises.tags.values_list("code", flat=True)) == {"USES_LPG", "SANHEYI"}
    assert premises.risk_level == "red"  # yellow + LPG + sleeping on site


def test_an_update_that_changes_tags_recomputes_the_risk_colour(admin_client, town):
    premises = PremisesFactory(
        name="老王小吃", address="振兴路1号", grid=town.grid, business_type=town.food
    )
    premises.risk_level = "yellow"
    premises.save()

    apply(admin_client, dry_run(admin_client, csv_bytes([row(tags="USES_LPG")])))

    premises.refresh_from_db()
    assert premises.risk_level == "orange"


@pytest.mark.parametrize(
    "text", ["2026/1/15", "2026.1.15", "2026年1月15日", "20260115", "2026-01-15"]
)
def test_dates_in_the_usual_chinese_forms_are_read(admin_client, town, text):
    apply(admin_client, dry_run(admin_client, csv_bytes([row(commitment_signed_on=text)])))

    assert Premises.objects.get().commitment_signed_on == date(2026, 1, 15)


def test_a_dry_run_is_visible_only_to_the_session_that_uploaded_it(admin_client, client, town):
    preview = dry_run(admin_client, csv_bytes([row()]))
    other = UserFactory(role=Role.REGISTRY_ADMIN)
    client.logout()
    client.force_login(other)

    token = preview.context["token"]
    assert client.get(reverse("premises:import_preview", args=[token])).status_code == 404
    assert client.post(reverse("premises:import_apply", args=[token])).status_code == 404


def test_only_registry_admins_import(client, town):
    client.force_login(UserFactory(role=Role.SAFETY_OFFICE))

    response = client.post(
        reverse("premises:import"), {"file": SimpleUploadedFile("a.csv", csv_bytes([row()]))}
    )

    assert response.status_code == 403


def test_a_dry_run_costs_the_same_number_of_queries_for_many_rows(town):
    def dry_run_of(rows: int) -> CaptureQueriesContext:
        dataset = read_sheet(
            csv_bytes([row(name=f"店{i}", address=f"{i}号") for i in range(rows)])
        ).dataset
        with CaptureQueriesContext(connection) as queries:
            result = PremisesResource().import_data(dataset, dry_run=True)
        assert result.totals["new"] == rows
        return queries

    few, many = dry_run_of(5), dry_run_of(300)

    assert len(many.captured_queries) == len(few.captured_queries)
    reads = [query for query in many.captured_queries if query["sql"].startswith("SELECT")]
    assert len(reads) <= 8, [query["sql"][:60] for query in many.captured_queries]
