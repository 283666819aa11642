"""QR label sheets: A4 pages of 24 labels, each with the premises' /q/<token> code inline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from premises.models import Premises
from premises.views.labels import qr_svg
from tests.factories import GridFactory, PremisesFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.REGISTRY_ADMIN))
    return client


@pytest.fixture
def village():
    return VillageFactory(name="东岭村")


def labels(client, **query):
    response = client.get(reverse("premises:labels"), query)
    assert response.status_code == 200
    return response


def labelled(response) -> set[int]:
    return {label.premises.pk for sheet in response.context["sheets"] for label in sheet}


def test_grid_sheet_labels_each_premises_with_name_address_grid_and_its_scan_code(
    admin_client, village
):
    grid = GridFactory(village=village, name="第一网格")
    premises = PremisesFactory(grid=grid, name="老王小吃", address="振兴路1号")
    PremisesFactory()  # another grid

    response = labels(admin_client, grid=grid.pk)

    assert labelled(response) == {premises.pk}
    html = response.content.decode()
    assert "老王小吃" in html and "振兴路1号" in html and "东岭村 · 第一网格" in html
    # The inline QR code is exactly the code of the premises' scan link.
    assert str(qr_svg(f"http://testserver/q/{premises.qr_token}")) in html
    assert "print.css" in html
    assert "<img" not in html.split('class="label-sheet"', 1)[1]  # no request per label


def test_village_sheet_covers_its_grids_and_leaves_out_closed_premises(admin_client, village):
    first, second = GridFactory(village=village), GridFactory(village=village)
    kept = {PremisesFactory(grid=first).pk, PremisesFactory(grid=second).pk}
    kept.add(PremisesFactory(grid=second, status=Premises.Status.SUSPENDED).pk)
    PremisesFactory(grid=first, status=Premises.Status.CLOSED)
    PremisesFactory()

    response = labels(admin_client, village=village.pk)

    assert labelled(response) == kept
    assert "东岭村" in response.context["scope"]


def test_selected_premises_get_labels(admin_client):
    chosen = [PremisesFactory().pk, PremisesFactory().pk]
    PremisesFactory()

    response = admin_client.get(reverse("premises:labels") + f"?ids={chosen[0]}&ids={chosen[1]}")

    assert labelled(response) == set(chosen)


def test_a_sheet_holds_24_labels_and_queries_do_not_grow_with_them(admin_client, village):
    grid = GridFactory(village=village)
    for _n in range(3):
        PremisesFactory(grid=grid)
    labels(admin_client, grid=grid.pk)  # the session's first save (then once a minute)
    with CaptureQueriesContext(connection) as few:
        labels(admin_client, grid=grid.pk)
    for _n in range(27):
        PremisesFactory(grid=grid)

    with CaptureQueriesContext(connection) as many:
        response = labels(admin_client, grid=grid.pk)

    assert [len(sheet) for sheet in response.context["sheets"]] == [24, 6]
    assert response.content.decode().count('class="label-sheet"') == 2
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("role", [Role.GRID_OFFICER, Role.SAFETY_OFFICE])
def test_only_registry_admins_print_label_sheets(client, role):
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("premises:labels")).status_code == 403
