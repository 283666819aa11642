"""Registry import (PremisesResource, django-import-export): the dry run says row by row what
would happen; applying is all or nothing, with a history row per premises written."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from premises.import_sheet import read_sheet
from premises.models import Premises
from premises.resources import PremisesResource
from tests.factories import GridFactory, PremisesFactory, UserFactory
from tests.premises.registry_lists import apply, credit_code, csv_bytes, dry_run, errors_of, row

pytestmark = pytest.mark.django_db


def test_row_errors_are_shown_in_chinese(import_client, import_town):
    import_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"

    preview = dry_run(import_client, csv_bytes([row(operator_phone="12345", grid="第九网格")]))

    assert errors_of(preview) == [
        (2, "网格", "村(社区)“东岭村”下没有网格“第九网格”。"),
        (2, "联系电话", "请输入 11 位手机号(如 13812345678)或固定电话(如 0571-12345678)。"),
    ]
    assert "1 行需要修改" in preview.content.decode()


def test_bad_credit_code_and_phone_are_reported_with_row_and_column(import_client, import_town):
    bad_code = credit_code(1)[:17] + ("0" if credit_code(1)[17] != "0" else "1")
    data = csv_bytes(
        [
            row(),
            row(name="坏代码", address="振兴路2号", credit_code=bad_code, operator_phone="2385"),
        ]
    )

    preview = dry_run(import_client, data)

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


def test_a_grid_that_does_not_exist_is_reported_on_its_column(import_client, import_town):
    data = csv_bytes([row(grid="第九网格"), row(name="B", address="2号", village="西塘村")])

    preview = dry_run(import_client, data)

    errors = errors_of(preview)
    assert [(n, c) for n, c, _m in errors] == [(2, "网格"), (3, "村(社区)")]
    assert "第九网格" in errors[0][2]


def test_two_rows_for_the_same_premises_refuse_the_later_one(import_client, import_town):
    code = credit_code(7)
    data = csv_bytes(
        [
            row(name="甲", address="1号", credit_code=code),
            row(name="甲分店", address="3号", credit_code=code),
            row(name="乙", address="2号"),
            row(name=" 乙 ", address="2号"),
        ]
    )

    preview = dry_run(import_client, data)

    errors = errors_of(preview)
    assert [(n, c) for n, c, _m in errors] == [(3, "统一社会信用代码"), (5, "名称")]
    assert "Row 2" in errors[0][2]
    assert "Row 4" in errors[1][2]


def test_nothing_is_imported_while_a_row_is_refused(import_client, import_town):
    data = csv_bytes([row(), row(name="B", address="2号"), row(name="C", address="3号", grid="无")])
    preview = dry_run(import_client, data)

    response = apply(import_client, preview)

    assert response.status_code == 200
    assert Premises.objects.count() == 0
    assert "Nothing was imported" in response.content.decode()


def test_a_database_error_midway_rolls_the_whole_file_back(import_client, import_town, monkeypatch):
    registered = PremisesFactory(
        name="老店", address="振兴路9号", grid=import_town.grid, operator_name="甲"
    )
    data = csv_bytes(
        [row(name="新店", address="1号"), row(name="老店", address="振兴路9号", operator_name="乙")]
    )
    preview = dry_run(import_client, data)

    def fail(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr("premises.resources.write_columns", fail)  # the update, after the create
    response = apply(import_client, preview)

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "premises:import_preview", args=[preview.context["token"]]
    )
    assert not Premises.objects.filter(name="新店").exists()
    registered.refresh_from_db()
    assert registered.operator_name == "甲"


def test_a_registered_credit_code_updates_that_premises_and_blank_cells_keep_values(
    import_client, import_town
):
    code = credit_code(3)
    premises = PremisesFactory(
        name="旧名",
        address="旧址",
        grid=import_town.grid,
        business_type=import_town.food,
        credit_code=code,
        insurer="人保财险",
        floors=3,
    )
    data = csv_bytes(
        [row(name="新名", address="旧址", credit_code=code.lower(), operator_phone="")]
    )

    preview = dry_run(import_client, data)
    row_result = preview.context["report"].rows[0]
    assert (row_result.action, row_result.object_id) == ("update", premises.pk)
    assert "名称" in row_result.changed
    assert premises.history.count() == 1  # the dry run wrote nothing
    apply(import_client, preview)

    premises.refresh_from_db()
    assert premises.name == "新名"
    assert (premises.insurer, premises.floors, premises.operator_phone) == (
        "人保财险",
        3,
        "13812345678",
    )
    latest = premises.history.latest("history_date")
    assert latest.history_user == import_client.user
    assert latest.history_type == "~"
    assert Premises.objects.count() == 1


def test_a_row_without_credit_code_matches_name_and_address_in_the_same_village(
    import_client, import_town
):
    same_village = PremisesFactory(
        name="老王小吃", address="振兴路1号", grid=import_town.other_grid
    )
    PremisesFactory(name="老王小吃", address="振兴路1号", grid=GridFactory(name="第一网格"))

    preview = dry_run(import_client, csv_bytes([row(operator_name="王六")]))

    row_result = preview.context["report"].rows[0]
    assert (row_result.action, row_result.object_id) == ("update", same_village.pk)
    apply(import_client, preview)
    same_village.refresh_from_db()
    assert (same_village.grid, same_village.operator_name) == (import_town.grid, "王六")  # moved


def test_unchanged_rows_are_counted_and_not_saved(import_client, import_town):
    premises = PremisesFactory(
        name="老王小吃",
        address="振兴路1号",
        grid=import_town.grid,
        business_type=import_town.food,
        operator_name="王五",
    )
    before = premises.history.count()

    preview = dry_run(import_client, csv_bytes([row()]))

    assert preview.context["report"].counts == {"unchanged": 1}
    assert not preview.context["report"].can_apply
    assert premises.history.count() == before


def test_tags_by_code_name_and_short_name_set_the_risk_colour(import_client, import_town):
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

    preview = dry_run(import_client, data)
    errors = errors_of(preview)
    assert [(n, c) for n, c, _m in errors] == [(4, "标签")]
    assert "烧烤" in errors[0][2]

    preview = dry_run(import_client, csv_bytes([row(tags="USES_LPG、三合一")]))
    apply(import_client, preview)

    premises = Premises.objects.get()
    assert set(premises.tags.values_list("code", flat=True)) == {"USES_LPG", "SANHEYI"}
    assert premises.risk_level == "red"  # yellow + LPG + sleeping on site


def test_an_update_that_changes_tags_recomputes_the_risk_colour(import_client, import_town):
    premises = PremisesFactory(
        name="老王小吃", address="振兴路1号", grid=import_town.grid, business_type=import_town.food
    )
    premises.risk_level = "yellow"
    premises.save()

    apply(import_client, dry_run(import_client, csv_bytes([row(tags="USES_LPG")])))

    premises.refresh_from_db()
    assert premises.risk_level == "orange"


@pytest.mark.parametrize(
    "text", ["2026/1/15", "2026.1.15", "2026年1月15日", "20260115", "2026-01-15"]
)
def test_dates_in_the_usual_chinese_forms_are_read(import_client, import_town, text):
    apply(import_client, dry_run(import_client, csv_bytes([row(commitment_signed_on=text)])))

    assert Premises.objects.get().commitment_signed_on == date(2026, 1, 15)


def test_a_dry_run_is_visible_only_to_the_session_that_uploaded_it(
    import_client, client, import_town
):
    preview = dry_run(import_client, csv_bytes([row()]))
    other = UserFactory(role=Role.REGISTRY_ADMIN)
    client.logout()
    client.force_login(other)

    token = preview.context["token"]
    assert client.get(reverse("premises:import_preview", args=[token])).status_code == 404
    assert client.post(reverse("premises:import_apply", args=[token])).status_code == 404


def test_only_registry_admins_import(client, import_town):
    client.force_login(UserFactory(role=Role.SAFETY_OFFICE))

    response = client.post(
        reverse("premises:import"), {"file": SimpleUploadedFile("a.csv", csv_bytes([row()]))}
    )

    assert response.status_code == 403


def test_a_dry_run_costs_the_same_number_of_queries_for_many_rows(import_town):
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
