"""Identifier validators (premises/validators.py) as plain functions."""

import pytest
from django.core.exceptions import ValidationError

from premises.validators import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    mask_phone,
    validate_credit_code,
    validate_phone,
)

FIRST17 = "91330106MA2H12345"
VALID_CODE = FIRST17 + credit_code_check_char(FIRST17)


def wrong_check_char(code: str) -> str:
    return code[:17] + next(c for c in CREDIT_CODE_ALPHABET if c != code[17])


def test_valid_credit_code_passes():
    validate_credit_code(VALID_CODE)
    validate_credit_code(f" {VALID_CODE.lower()} ")


def test_check_char_is_one_of_the_alphabet():
    assert credit_code_check_char(FIRST17) in CREDIT_CODE_ALPHABET


def test_credit_code_with_a_wrong_check_character_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(wrong_check_char(VALID_CODE))

    assert excinfo.value.code == "credit_code_checksum"


@pytest.mark.parametrize(
    "code",
    [VALID_CODE[:17], VALID_CODE + "1", VALID_CODE[:16] + "I" + VALID_CODE[17]],
)
def test_credit_code_of_the_wrong_shape_is_refused(code):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)

    assert excinfo.value.code == "credit_code_format"


@pytest.mark.parametrize("number", ["13812345678", "19912345678", "0571-12345678", "02112345678"])
def test_mobile_and_landline_numbers_pass(number):
    validate_phone(number)


@pytest.mark.parametrize("number", ["1381234567", "23812345678", "12812345678", "138123456789"])
def test_malformed_phone_numbers_are_refused(number):
    with pytest.raises(ValidationError) as excinfo:
        validate_phone(number)

    assert excinfo.value.code == "phone"


@pytest.mark.parametrize(
    ("number", "masked"), [("13812345678", "138****5678"), ("123456", "******")]
)
def test_phone_masking_keeps_only_the_ends(number, masked):
    assert mask_phone(number) == masked
