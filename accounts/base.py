from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """created_at / updated_at for every record, from one place."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def english_active() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def in_language(zh: str, en: str, english: bool | None = None) -> str:
    """The English text when the active language is English and one exists, else the Chinese.
    `english`: the language already asked (a loop over many rows asks once)."""
    if english is None:
        english = english_active()
    return en if en and english else zh
