"""PremisesForm: normalises what people type and reports every mistake as a field error."""

import pytest
from django.utils import translation

from premises.forms import PremisesForm
from premises.models import Premises
from premises.validators import CREDIT_CODE_ALPHABET, credit_code_check_char
from tests.factories import BusinessTypeFactory, GridFactory, PremisesFactory, TagFactory

pytestmark = pytest.mark.django_db

FIRST17 = "91330106MA2H12345"
VALID_CODE = FIRST17 + credit_code_check_char(FIRST17)
WRONG_CHECK_CODE = FIRST17 + next(c for c in CREDIT_CODE_ALPHABET if c != VALID_CODE[17])


@pytest.fixture
def data():
    return {
        "name": "老王小吃",
        "address": "人民路1号",
        "grid": GridFactory().pk,
        "business_type": BusinessTypeFactory().pk,
        "tags": [TagFactory().pk],
        "credit_code": "",
        "operator_name": "王五",
        "operator_phone": "13812345678",
        "floor_area": "85.5",
        "floors": "2",
        "staff_count": "4",
        "latitude": "30.274150",
        "longitude": "120.155070",
        "commitment_signed_on": "2026-01-15",
        "insurer": "人保财险",
        "insurance_policy_no": "PZAA202601",
        "insurance_expires_on": "2027-01-14",
    }


def test_valid_form_saves_the_premises(data):
    form = PremisesForm(data={**data, "credit_code": VALID_CODE})

    assert form.is_valid(), form.errors
    premises = form.save()

    assert Premises.objects.get(pk=premises.pk).credit_code == VALID_CODE
    assert premises.tags.count() == 1


def test_credit_code_is_stripped_and_upper_cased(data):
    form = PremisesForm(data={**data, "credit_code": f"  {VALID_CODE.lower()} "})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["credit_code"] == VALID_CODE


def test_credit_code_with_a_bad_check_character_is_a_field_error_in_chinese(data):
    with translation.override("zh-hans"):
        form = PremisesForm(data={**data, "credit_code": WRONG_CHECK_CODE})

        assert not form.is_valid()
        assert form.has_error("credit_code", code="credit_code_checksum")
        # The zh-hans catalogue is filled in later; the message must at least be there.
        assert str(form.errors["credit_code"][0])


def test_credit_code_of_the_wrong_length_is_a_field_error(data):
    form = PremisesForm(data={**data, "credit_code": VALID_CODE[:17]})

    assert not form.is_valid()
    assert form.has_error("credit_code", code="credit_code_format")


def test_operator_phone_spaces_are_removed(data):
    form = PremisesForm(data={**data, "operator_phone": " 138 1234 5678 "})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["operator_phone"] == "13812345678"


@pytest.mark.parametrize("phone", ["1381234567", "23812345678"])
def test_malformed_mobile_is_a_field_error(data, phone):
    form = PremisesForm(data={**data, "operator_phone": phone})

    assert not form.is_valid()
    assert form.has_error("operator_phone", code="phone")


def test_landline_is_accepted(data):
    form = PremisesForm(data={**data, "operator_phone": "0571-12345678"})

    assert form.is_valid(), form.errors


def test_negative_floor_area_is_a_field_error(data):
    form = PremisesForm(data={**data, "floor_area": "-1"})

    assert not form.is_valid()
    assert form.has_error("floor_area")


def test_duplicate_credit_code_is_a_field_error_not_a_crash(data):
    PremisesFactory(credit_code=VALID_CODE)

    form = PremisesForm(data={**data, "credit_code": VALID_CODE.lower()})

    assert not form.is_valid()
    assert form.has_error("credit_code", code="unique")
    assert not form.non_field_errors()
    assert Premises.objects.filter(credit_code=VALID_CODE).count() == 1


def test_premises_keeps_its_own_credit_code_when_edited(data):
    premises = PremisesFactory(credit_code=VALID_CODE)

    form = PremisesForm(data={**data, "credit_code": VALID_CODE}, instance=premises)

    assert form.is_valid(), form.errors


def test_two_premises_may_leave_the_credit_code_empty(data):
    PremisesFactory(credit_code="")

    form = PremisesForm(data=data)

    assert form.is_valid(), form.errors
