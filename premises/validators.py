"""Validators for identifiers in Chinese registries; messages are shown as field errors."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V), the last a check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def credit_code_check_char(first17: str) -> str:
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = value.strip().upper()
    if len(code) != 18 or any(char not in CREDIT_CODE_ALPHABET for char in code):
        raise ValidationError(
            _("A unified social credit code has 18 digits or capital letters (no I, O, S, V, Z)."),
            code="credit_code_format",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("This unified social credit code's check character is wrong; please check it."),
            code="credit_code_checksum",
        )


def validate_phone(value: str) -> None:
    number = value.strip().replace(" ", "")
    if not (MOBILE_RE.match(number) or LANDLINE_RE.match(number)):
        raise ValidationError(
            _("Enter an 11-digit mobile (13812345678) or a landline (0571-12345678)."),
            code="phone",
        )


def mask_phone(value: str) -> str:
    """138****5678: enough to recognise, not enough to call."""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"
