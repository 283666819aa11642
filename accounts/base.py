from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """created_at / updated_at for every record, from one place."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def in_language(zh: str, en: str) -> str:
    """The English text when the active language is English and one exists, else the Chinese."""
    from django.utils.translation import get_language

    return en if en and (get_language() or "").startswith("en") else zh
