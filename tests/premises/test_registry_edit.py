"""Registering, editing, moving, suspending, closing and reopening premises; their history."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from premises.models import Premises
from tests.factories import (
    BusinessTypeFactory,
    GridFactory,
    InspectionFactory,
    PremisesFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.REGISTRY_ADMIN, full_name="刘美华")
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return user


def form_data(premises=None, **overrides) -> dict:
    data = {
        "name": "老王小吃",
        "address": "振兴路1号",
        "business_type": (premises.business_type if premises else BusinessTypeFactory()).pk,
        "operator_name": "王五",
        "operator_phone": "13812345678",
        "credit_code": "",
    }
    if premises is None:
        data["grid"] = GridFactory().pk
    data.update(overrides)
    return data


def test_registering_a_premises_records_who_and_sets_its_risk_colour(client, admin):
    food = BusinessTypeFactory(base_risk="yellow")
    lpg = TagFactory(raises_risk=True)

    response = client.post(
        reverse("premises:create"), form_data(business_type=food.pk, tags=[lpg.pk])
    )

    premises = Premises.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("premises:detail", args=[premises.pk])
    assert premises.created_by == admin
    assert premises.risk_level == "orange"
    record = premises.history.get()
    assert (record.history_type, record.history_user) == ("+", admin)


def test_invalid_input_is_shown_as_field_errors_and_saves_nothing(client, admin):
    response = client.post(
        reverse("premises:create"), form_data(operator_phone="12345", credit_code="123")
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("operator_phone", code="phone")
    assert form.has_error("credit_code", code="credit_code_format")
    assert not Premises.objects.exists()


def test_editing_changes_the_facts_and_the_history_names_the_editor(client, admin):
    premises = PremisesFactory(name="老王小吃", business_type=BusinessTypeFactory(base_risk="blue"))
    hotel = BusinessTypeFactory(base_risk="orange")
    lpg = TagFactory(raises_risk=True, name_zh="使用瓶装液化气")

    client.post(
        reverse("premises:edit", args=[premises.pk]),
        form_data(premises, name="王记小吃", business_type=hotel.pk, tags=[lpg.pk]),
    )

    premises.refresh_from_db()
    assert premises.name == "王记小吃"
    assert premises.risk_level == "red"  # orange type + LPG: recomputed on the edit
    latest = premises.history.latest("history_date")
    assert latest.history_user == admin
    assert "使用瓶装液化气" in latest.history_change_reason


def test_the_edit_form_leaves_the_grid_to_the_move_page(client, admin):
    premises = PremisesFactory()
    other = GridFactory()

    response = client.get(reverse("premises:edit", args=[premises.pk]))
    assert "grid" not in response.context["form"].fields

    client.post(reverse("premises:edit", args=[premises.pk]), form_data(premises, grid=other.pk))
    premises.refresh_from_db()
    assert premises.grid != other


def test_moving_to_another_grid_records_the_reason_and_the_new_patrol_date(client, admin):
    premises = PremisesFactory()
    InspectionFactory(premises=premises)
    premises.refresh_from_db()
    premises.last_inspected_at = timezone.now()
    premises.save()
    strict = GridFactory(patrol_interval_days=3)

    response = client.post(
        reverse("premises:move", args=[premises.pk]), {"grid": strict.pk, "reason": "划片调整"}
    )

    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.grid == strict
    assert premises.patrol_due_on == timezone.localdate() + timezone.timedelta(days=3)
    latest = premises.history.latest("history_date")
    assert (latest.history_change_reason, latest.history_user) == ("划片调整", admin)


def test_moving_to_the_same_grid_is_refused(client, admin):
    premises = PremisesFactory()

    response = client.post(reverse("premises:move", args=[premises.pk]), {"grid": premises.grid_id})

    assert response.status_code == 200
    assert response.context["form"].has_error("grid")


def test_suspend_close_and_reopen_keep_the_premises_and_its_records(client, admin):
    premises = PremisesFactory()
    InspectionFactory(premises=premises)
    status_url = reverse("premises:status", args=[premises.pk])

    client.post(status_url, {"status": "suspended", "reason": "停业整顿"})
    premises.refresh_from_db()
    assert premises.status == "suspended"

    client.post(status_url, {"status": "closed", "reason": "已搬离"})
    client.post(status_url, {"status": "suspended", "reason": "试试"})  # closed → suspended: no
    premises.refresh_from_db()
    assert premises.status == "closed"

    client.post(status_url, {"status": "operating"})
    premises.refresh_from_db()
    assert premises.status == "operating"
    assert premises.inspections.count() == 1
    reasons = list(premises.history.values_list("history_change_reason", flat=True))
    assert "停业整顿" in reasons and "已搬离" in reasons


def test_suspending_or_closing_needs_a_reason(client, admin):
    premises = PremisesFactory()

    response = client.post(
        reverse("premises:status", args=[premises.pk]), {"status": "closed"}, follow=True
    )

    premises.refresh_from_db()
    assert premises.status == "operating"
    assert "Say why" in response.content.decode()


def test_there_is_no_way_to_delete_a_premises(client, admin):
    premises = PremisesFactory()

    for name in ("detail", "edit"):
        client.delete(reverse(f"premises:{name}", args=[premises.pk]))

    assert Premises.objects.filter(pk=premises.pk).exists()


def test_history_page_shows_who_changed_what_and_when(client, admin):
    old_grid = GridFactory(name="第一网格")
    premises = PremisesFactory(name="老王小吃", grid=old_grid, operator_phone="13812345678")
    client.post(
        reverse("premises:edit", args=[premises.pk]),
        form_data(
            premises,
            name="王记小吃",
            address=premises.address,
            operator_name=premises.operator_name,
            operator_phone="13900001111",
        ),
    )
    new_grid = GridFactory(name="第二网格")
    client.post(
        reverse("premises:move", args=[premises.pk]), {"grid": new_grid.pk, "reason": "划片调整"}
    )

    response = client.get(reverse("premises:history", args=[premises.pk]))

    html = response.content.decode()
    entries = response.context["entries"]
    assert [entry.created for entry in entries] == [False, False, True]
    moved, edited = entries[0], entries[1]
    assert [(c.label, c.old, c.new) for c in moved.changes] == [
        ("grid", str(old_grid), str(new_grid))
    ]
    assert {(c.label, c.old, c.new) for c in edited.changes} == {
        ("name", "老王小吃", "王记小吃"),
        ("operator phone", "13812345678", "13900001111"),
    }
    assert "刘美华" in html and "划片调整" in html


def test_history_page_queries_do_not_grow_with_the_changes(
    client, admin, django_assert_max_num_queries
):
    premises = PremisesFactory()
    for n in range(25):
        premises.name = f"名{n}"
        premises.save()

    with django_assert_max_num_queries(12):
        response = client.get(reverse("premises:history", args=[premises.pk]))

    assert len(response.context["entries"]) == 20
