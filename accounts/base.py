from functools import lru_cache

from django.db import models
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """created_at / updated_at for every record, from one place."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def english_active() -> bool:
    return (get_language() or "").startswith("en")


def in_language(zh: str, en: str, english: bool | None = None) -> str:
    """The English text when the active language is English and one exists, else the Chinese.
    `english`: the language already asked (a loop over many rows asks once)."""
    if english is None:
        english = english_active()
    return en if en and english else zh


@lru_cache(maxsize=64)
def _labels(field: models.Field, language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in field.flatchoices}


def choice_labels(field: models.Field, language: str | None = None) -> dict[str, str]:
    """A choice field's labels by value in the language (the active one by default), built once
    per language. Django's get_FOO_display() builds the dict and translates every label on each
    call: ~7% of a ledger page's CPU for its 50 rows' three labels each (bench/RESULTS.md)."""
    return _labels(field, language or get_language())


def choice_display(instance: models.Model, name: str) -> str:
    """What instance.get_FOO_display() gives, from choice_labels()."""
    value = getattr(instance, name)
    return choice_labels(instance._meta.get_field(name)).get(value, value)
