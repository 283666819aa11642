"""Database constraints of the registry and small behaviours of Premises."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from premises.models import Premises
from premises.validators import credit_code_check_char
from tests.factories import PremisesFactory

pytestmark = pytest.mark.django_db

FIRST17 = "91330106MA2H12345"
VALID_CODE = FIRST17 + credit_code_check_char(FIRST17)


@pytest.mark.parametrize(
    ("constraint", "changes"),
    [
        ("premises_premises_floor_area_not_negative", {"floor_area": -1}),
        ("premises_premises_floors_positive", {"floors": 0}),
        ("premises_premises_latitude_range", {"latitude": 90.5}),
        ("premises_premises_latitude_range", {"latitude": -91}),
        ("premises_premises_longitude_range", {"longitude": 180.5}),
        ("premises_premises_longitude_range", {"longitude": -181}),
        ("premises_premises_status_valid", {"status": "demolished"}),
        ("premises_premises_risk_level_valid", {"risk_level": "purple"}),
    ],
)
def test_database_refuses_premises_breaking_a_check_constraint(constraint, changes):
    premises = PremisesFactory()

    # update() skips every Python-side check: only the database stands in the way.
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Premises.objects.filter(pk=premises.pk).update(**changes)


def test_database_refuses_a_second_premises_with_the_same_credit_code():
    PremisesFactory(credit_code=VALID_CODE)

    with (
        pytest.raises(
            IntegrityError,
            match=r"premises_premises_unique_credit_code|premises_premises\.credit_code",
        ),
        transaction.atomic(),
    ):
        PremisesFactory(credit_code=VALID_CODE)


def test_many_premises_may_have_no_credit_code():
    PremisesFactory(credit_code="")
    PremisesFactory(credit_code="")

    assert Premises.objects.filter(credit_code="").count() == 2


def test_premises_boundaries_are_accepted():
    premises = PremisesFactory(floor_area=0, floors=1, latitude=-90, longitude=180)

    assert premises.pk


def test_each_premises_gets_its_own_unguessable_qr_token():
    first, second = PremisesFactory(), PremisesFactory()

    assert first.qr_token != second.qr_token
    assert len(first.qr_token) >= 20


def test_operator_phone_is_masked():
    assert PremisesFactory(operator_phone="13812345678").masked_phone == "138****5678"
    assert PremisesFactory(operator_phone="").masked_phone == ""


@pytest.mark.parametrize(
    ("expires_in_days", "expiring"), [(None, False), (31, False), (30, True), (-1, True)]
)
def test_insurance_expiring_within_thirty_days(expires_in_days, expiring):
    today = date(2026, 3, 1)
    expires = None if expires_in_days is None else today + timedelta(days=expires_in_days)

    premises = PremisesFactory(insurance_expires_on=expires)

    assert premises.insurance_expiring(today) is expiring


def test_registry_edits_are_kept_in_the_history():
    premises = PremisesFactory(name="老王小吃")
    premises.name = "王记小吃"
    premises.save()

    assert [h.name for h in premises.history.order_by("history_date", "history_id")] == [
        "老王小吃",
        "王记小吃",
    ]
