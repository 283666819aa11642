"""Registry export: exactly the filtered rows, with the columns of the import's resource
(PremisesResource), so an export imports again."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from premises.exporter import EXPORT_HEADERS, HEADERS
from tests.factories import (
    BusinessTypeFactory,
    GridFactory,
    PremisesFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))
    return client


@pytest.fixture
def registry():
    village = VillageFactory(name="东岭村")
    grid, other = GridFactory(village=village, name="第一网格"), GridFactory(name="第二网格")
    food = BusinessTypeFactory(code="FOOD", name_zh="小餐饮")
    lpg = TagFactory(code="USES_LPG", name_zh="使用瓶装液化气")
    gas = TagFactory(code="USES_PIPED_GAS", name_zh="使用管道燃气")
    return {
        "grid": grid,
        "wang": PremisesFactory(
            name="老王小吃",
            address="振兴路1号",
            grid=grid,
            business_type=food,
            tags=[lpg, gas],
            operator_phone="13812345678",
            floor_area="85.5",
            commitment_signed_on=date(2026, 1, 15),
        ),
        "formula": PremisesFactory(name="=HYPERLINK(1)", address="振兴路2号", grid=grid),
        "elsewhere": PremisesFactory(name="别处", grid=other),
    }


def export_csv(client, **query) -> list[list[str]]:
    response = client.get(reverse("premises:export", args=["csv"]), query)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_export_has_the_template_columns_and_only_the_filtered_rows(admin_client, registry):
    rows = export_csv(admin_client, grid=registry["grid"].pk)

    assert rows[0] == EXPORT_HEADERS
    assert rows[0][: len(HEADERS)] == HEADERS
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"老王小吃", "'=HYPERLINK(1)"}  # Excel will not run the formula
    wang = dict(zip(EXPORT_HEADERS, by_name["老王小吃"], strict=True))
    assert wang["村(社区)"] == "东岭村"
    assert wang["网格"] == "第一网格"
    assert wang["业态"] == "小餐饮"
    assert wang["标签"] == "使用瓶装液化气、使用管道燃气"
    assert wang["联系电话"] == "13812345678"  # unmasked: registry admins need it
    assert wang["建筑面积"] == "85.5"
    assert wang["承诺书签订日期"] == "2026-01-15"


def test_xlsx_export_opens_in_excel_with_the_same_rows(admin_client, registry):
    response = admin_client.get(reverse("premises:export", args=["xlsx"]), {"q": "老王"})

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADERS
    assert [row[0] for row in rows[1:]] == ["老王小吃"]
    wang = dict(zip(EXPORT_HEADERS, rows[1], strict=True))
    assert wang["联系电话"] == "13812345678"  # text: Excel would show a long number otherwise
    assert wang["建筑面积"] == 85.5  # numbers and dates as Excel's own, not as text
    assert wang["承诺书签订日期"] == datetime(2026, 1, 15)
    assert wang["标签"] == "使用瓶装液化气、使用管道燃气"


def test_an_export_imports_again_as_unchanged(admin_client, registry):
    for fmt in ("csv", "xlsx"):
        response = admin_client.get(reverse("premises:export", args=[fmt]))
        data = b"".join(response.streaming_content)

        upload = admin_client.post(
            reverse("premises:import"), {"file": SimpleUploadedFile(f"export.{fmt}", data)}
        )
        preview = admin_client.get(upload["Location"])

        assert preview.context["report"].counts == {"unchanged": 3}, fmt


def test_export_queries_do_not_grow_with_the_rows(admin_client, registry):
    export_csv(admin_client)  # the session's first save (then once a minute)
    with CaptureQueriesContext(connection) as few:
        export_csv(admin_client)
    grid = GridFactory()
    for n in range(30):
        PremisesFactory(grid=grid, tags=[TagFactory()], name=f"店{n}")
    with CaptureQueriesContext(connection) as many:
        export_csv(admin_client)

    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("role", [Role.SAFETY_OFFICE, Role.GRID_OFFICER, Role.VILLAGE_LEADER])
def test_only_registry_admins_export(client, registry, role):
    client.force_login(UserFactory(role=role))

    for fmt in ("csv", "xlsx"):
        assert client.get(reverse("premises:export", args=[fmt])).status_code == 403
