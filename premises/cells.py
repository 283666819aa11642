"""How the registry's cells read on import and write on export (django-import-export widgets)."""

import re
from datetime import date

from import_export import widgets
from import_export.fields import Field

DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+[\d:]+)?$")
UNIT_RE = re.compile(r"\s*(㎡|m²|m2|平方米|平米|层|人)$", re.IGNORECASE)


class CellWidget(widgets.Widget):
    """On import, a cell as the text PremisesRowForm reads; on export, the value itself, which
    the exporter writes as CSV text or as an Excel cell of its type."""

    def clean(self, value, row=None, **kwargs) -> str:
        return "" if value is None else str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return value


class NumberCellWidget(CellWidget):
    """85.5㎡, 2层, 1,200: the number without its unit or thousands separator."""

    def clean(self, value, row=None, **kwargs) -> str:
        return UNIT_RE.sub("", super().clean(value)).replace(",", "")


class DateCellWidget(CellWidget):
    """2026/1/15, 2026.1.15, 2026年1月15日 and 20260115 as 2026-01-15; anything else as it is,
    for the form to refuse with its usual message."""

    def clean(self, value, row=None, **kwargs) -> str:
        text = super().clean(value)
        if re.fullmatch(r"\d{8}", text):
            text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
        match = DATE_RE.match(text)
        if not match:
            return text
        try:
            return date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            return text


def cell(attribute: str, header: str, widget=CellWidget, **kwargs) -> Field:
    # The headers are the template's Chinese headers: data the towns' lists use, not text to
    # translate.
    return Field(attribute=attribute, column_name=header, widget=widget(), **kwargs)
