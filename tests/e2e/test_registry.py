"""A registry admin brings a town's list into Gridwatch and prints the labels of one grid
(docs/architecture.md, The premises registry): template, a GBK CSV of 200 premises with 5 bad
rows, the dry run naming them, the corrected file imported, the QR sheet of a grid printed on
A4."""

import csv
import io
import math
import re

import openpyxl
import pytest
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role, sync_role_groups
from grids.models import Grid
from inspections.reference import load_reference
from premises.models import Premises
from premises.validators import credit_code_check_char
from tests.e2e.conftest import ARTIFACTS
from tests.factories import DEMO_PASSWORD, GridFactory, UserFactory, VillageFactory

ROWS = 200
VILLAGES = ("东岭村", "西塘村")
TYPES = ("小餐饮", "SHOP", "小旅馆", "WORKSHOP", "民宿")
TAGS = ("", "USES_LPG", "三合一", "使用管道燃气、EBIKE_CHARGING")
# Row (as Excel numbers it: the header is row 1) → (column, the mistake in it).
BAD_ROWS = {
    12: ("统一社会信用代码", "913301060000000012"),  # wrong check character
    47: ("联系电话", "1381234"),
    88: ("网格", "第九网格"),
    131: ("业态", "棋牌室"),
    170: ("名称", "第167家小店"),  # a second row for the premises of row 169
}


@pytest.fixture
def town(transactional_db, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    sync_role_groups(apps)  # a flushed transactional database has lost the role groups
    load_reference()
    UserFactory(username="registry", full_name="刘美华", role=Role.REGISTRY_ADMIN)
    for village_code, name in enumerate(VILLAGES):
        village = VillageFactory(name=name, code=f"V{village_code}")
        for n in (1, 2):
            GridFactory(village=village, name=f"第{n}网格", code=f"V{village_code}-{n}")


def credit_code(n: int) -> str:
    first17 = f"91330106MA2H{n:05d}"
    return first17 + credit_code_check_char(first17)


def town_list(headers: list[str], *, fixed: bool) -> bytes:
    """The town's list as Chinese Excel saves a CSV: GBK. Unfixed, it has the five BAD_ROWS."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for number in range(2, ROWS + 2):
        n = number - 2
        values = {
            "名称": f"第{n}家小店",
            "地址": f"振兴路{n}号",
            "村(社区)": VILLAGES[n % 2],
            "网格": f"第{n % 4 // 2 + 1}网格",
            "业态": TYPES[n % len(TYPES)],
            "标签": TAGS[n % len(TAGS)],
            "统一社会信用代码": credit_code(n) if n % 3 == 0 else "",
            "经营者": "王五",
            "联系电话": f"138{n:08d}",
            "建筑面积": f"{50 + n}",
            "承诺书签订日期": "2026/1/15" if n % 2 else "",
        }
        if number in BAD_ROWS and not fixed:
            column, mistake = BAD_ROWS[number]
            values[column] = mistake
            if column == "名称":
                values.update(
                    {
                        "地址": f"振兴路{n - 1}号",
                        "村(社区)": VILLAGES[(n - 1) % 2],
                        "网格": f"第{(n - 1) % 4 // 2 + 1}网格",
                        "统一社会信用代码": "",
                    }
                )
        writer.writerow([values.get(header, "") for header in headers])
    return out.getvalue().encode("gbk")


def upload(page, path) -> None:
    page.set_input_files("#id_file", str(path))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("导入")


def test_registry_admin_imports_a_town_list_and_prints_a_grid_of_labels(
    live_server, town, desktop_page, shot, tmp_path
):
    page = desktop_page
    page.goto(f"{live_server.url}{reverse('premises:import')}")
    page.fill("input[name=username]", "registry")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("h1")).to_contain_text("导入")
    shot(page, "registry-1-import")

    with page.expect_download() as download:
        page.locator("[data-template=xlsx]").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    headers = [cell.value for cell in openpyxl.load_workbook(template).active[1]]
    assert headers[:5] == ["名称", "地址", "村(社区)", "网格", "业态"]

    broken = tmp_path / "town-list.csv"
    broken.write_bytes(town_list(headers, fixed=False))
    upload(page, broken)
    expect(page.locator("[data-count=refused]")).to_have_text("5")
    expect(page.locator("[data-count=create]")).to_have_text(str(ROWS - 5))
    for number in BAD_ROWS:
        expect(page.locator(f"tr[data-error-row='{number}']").first).to_be_visible()
    expect(page.locator("[data-import-apply]")).to_be_disabled()
    shot(page, "registry-2-dry-run-errors")
    assert Premises.objects.count() == 0

    fixed = tmp_path / "town-list-fixed.csv"
    fixed.write_bytes(town_list(headers, fixed=True))
    page.locator(f"a[href='{reverse('premises:import')}']").last.click()
    upload(page, fixed)
    expect(page.locator("[data-count=refused]")).to_have_text("0")
    expect(page.locator("[data-count=create]")).to_have_text(str(ROWS))
    shot(page, "registry-3-dry-run-clean")
    page.locator("[data-import-apply]").click()
    expect(page.locator(".alert-success")).to_contain_text("town-list-fixed.csv")
    assert Premises.objects.count() == ROWS
    assert Premises.history.filter(history_user__username="registry").count() == ROWS

    grid = Grid.objects.get(code="V0-1")
    page.goto(f"{live_server.url}{reverse('premises:grids:index')}")
    page.locator(f"[data-grid-labels='{grid.pk}']").click()
    in_grid = Premises.objects.filter(grid=grid).count()
    expect(page.locator(".qr-sheet-label")).to_have_count(in_grid)
    expect(page.locator(".qr-sheet-label svg").first).to_be_visible()
    shot(page, "registry-4-labels")
    page.emulate_media(media="print")
    shot(page, "registry-5-labels-print")
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "registry-labels.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == math.ceil(in_grid / 24)
