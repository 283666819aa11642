"""Export of the registry to CSV and XLSX, and the import template, with the columns of
`PremisesResource`, so an export can be edited and imported again."""

import csv
from collections.abc import Iterator
from datetime import date
from typing import IO

import openpyxl
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from grids.models import Grid
from premises.models import BusinessType, Tag
from premises.resources import IMPORT_KEYS, REQUIRED, PremisesResource

RESOURCE = PremisesResource()  # its export reads nothing but the premises it is given
EXPORT_HEADERS = RESOURCE.get_export_headers()
HEADERS = [RESOURCE.fields[key].column_name for key in IMPORT_KEYS]  # the import template's
SHEET_TITLE = "小场所"
FORMULA_STARTS = ("=", "+", "-", "@")  # Excel runs a CSV cell that starts so as a formula
TEXT_COLUMNS = ("credit_code", "operator_phone")  # long digit strings Excel would mangle


def export_rows(queryset: QuerySet) -> Iterator[list]:
    """One list of values per premises, in the order of EXPORT_HEADERS; a few queries per 2,000."""
    premises = (
        queryset.select_related("grid__village", "business_type")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("code")))
        .order_by("pk")
    )
    for item in premises.iterator(chunk_size=2000):
        yield RESOURCE.export_resource(item)


class _Echo:
    """csv.writer writes into this and gets the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # A leading apostrophe keeps Excel from running the cell; the import drops it again
    # (premises.import_sheet).
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_lines(queryset: QuerySet) -> Iterator[str]:
    """The export as CSV lines: UTF-8 with a BOM, so Excel opens the Chinese as Chinese."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_HEADERS)
    for row in export_rows(queryset):
        yield writer.writerow([_csv_text(value) for value in row])


def write_xlsx(queryset: QuerySet, handle: IO[bytes]) -> None:
    """The export as an XLSX workbook, written row by row (openpyxl's write-only mode)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append(EXPORT_HEADERS)
    for row in export_rows(queryset):
        sheet.append([xlsx_value(sheet, value) for value in row])
    book.save(handle)


def xlsx_value(sheet, value):
    """The value for a write-only sheet's row, text kept as text: openpyxl writes a string that
    starts with "=" as a formula, which the reader's Excel would run."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text that looks like a formula stays text
        return cell
    return value


# The template ------------------------------------------------------------------------------------


def template_csv() -> str:
    return "\ufeff" + ",".join(HEADERS) + "\r\n"


def write_template(handle: IO[bytes]) -> None:
    """The import template: the headers on the first sheet, then how to fill each column and the
    names the import knows (villages and grids, business types, tags), one sheet each."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    for index, key in enumerate(IMPORT_KEYS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if key in REQUIRED else None)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 22 if key in TEXT_COLUMNS else 14
        if key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    _notes_sheet(book)
    _list_sheet(book, "村(社区)与网格", ["村(社区)", "网格", "网格编码"], _grid_rows())
    _list_sheet(
        book,
        "业态",
        ["代码", "名称", "English"],
        BusinessType.objects.values_list("code", "name_zh", "name_en"),
    )
    _list_sheet(
        book,
        "标签",
        ["代码", "名称", "English"],
        Tag.objects.values_list("code", "name_zh", "name_en"),
    )
    book.save(handle)


def _grid_rows():
    grids = Grid.objects.select_related("village").order_by("village__code", "code")
    return [(grid.village.name, grid.name, grid.code) for grid in grids]


def _list_sheet(book, title: str, headers: list[str], rows) -> None:
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    for letter in "ABC":
        sheet.column_dimensions[letter].width = 28


COLUMN_NOTES = {
    "name": lambda: _("Required. The name on the sign or licence."),
    "address": lambda: _("Required. Road and number."),
    "village": lambda: _("Required. As on the sheet of villages and grids."),
    "grid": lambda: _("Required. The grid's name within the village, or its code."),
    "business_type": lambda: _("Required. A code or name from the business types sheet."),
    "tags": lambda: _("Optional. Codes or names from the tags sheet, separated by 、 , or |."),
    "credit_code": lambda: _(
        "18 characters. Rows with a registered credit code update that premises."
    ),
    "operator_phone": lambda: _("An 11-digit mobile or a landline such as 0571-12345678."),
    "floor_area": lambda: _("Square metres, a number."),
    "commitment_signed_on": lambda: _("A date such as 2026-01-15."),
    "insurance_expires_on": lambda: _("A date such as 2026-12-31."),
}


def _notes_sheet(book) -> None:
    sheet = book.create_sheet(_("How to fill in")[:31])
    sheet.append([_("Column"), _("What to write")])
    for key, header in zip(IMPORT_KEYS, HEADERS, strict=True):
        note = COLUMN_NOTES.get(key)
        sheet.append([header, note() if note else _("Optional.")])
    sheet.append([])
    sheet.append(
        [
            _("Matching"),
            _(
                "A row with a credit code updates the premises with that code; a row without one "
                "updates the premises with the same name and address in the same village. Other "
                "rows are new premises. Blank cells never clear what is registered."
            ),
        ]
    )
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 90
