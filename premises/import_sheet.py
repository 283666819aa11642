"""From uploaded bytes to the `tablib.Dataset` that `PremisesResource` imports: detect XLSX or
CSV and the CSV's encoding, find the header row among the first few, map the file's headers to
the resource's columns, number the rows as Excel shows them. Parsing is openpyxl's and the csv
module's: django-import-export's own formats take the first row as the headers and drop blank
lines, which would lose the row numbers the dry run reports (docs/decisions.md, Registry import
on django-import-export)."""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
import tablib
from django.utils.translation import gettext as _

from premises.resources import EXPORT_ONLY, IMPORT_KEYS, REQUIRED, ROW_NUMBER, PremisesResource

MAX_FILE_BYTES = 50 * 1024 * 1024  # refused before parsing (premises.views.transfer)
MAX_ROWS = 100_000  # a county's whole registry; more is a mistake or a padded sheet
# A 100,000-row registry unpacks to well under 100 MB and deflates 5-20 times; a zip bomb
# deflates thousands of times (_check_expansion).
MAX_XLSX_EXPANDED = 400 * 1024 * 1024
MAX_XLSX_RATIO = 200
HEADER_SEARCH_ROWS = 10  # exports from other systems often put a title above the headers
BLANK_RUN_END = 1_000  # a sheet formatted down to row 1,048,576 ends at its first long blank run
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and .doc)
BINARY_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, for the user."""


def not_a_table() -> ImportFileError:
    return ImportFileError(
        _("This file is neither a CSV nor an XLSX file. Save the list from Excel as .xlsx or CSV.")
    )


# What other systems and older templates call the columns, besides the resource's headers.
ALIASES = {
    "name": ("name", "场所名称", "单位名称"),
    "address": ("address", "场所地址", "详细地址"),
    "village": ("village", "村", "社区", "村社区", "所属村(社区)"),
    "grid": ("grid", "所属网格", "网格名称"),
    "business_type": ("business_type", "场所类型", "行业类型"),
    "tags": ("tags",),
    "credit_code": ("credit_code", "信用代码"),
    "operator_name": ("operator_name", "operator", "负责人", "经营者姓名"),
    "operator_phone": ("operator_phone", "phone", "电话", "手机号码"),
    "floor_area": ("floor_area", "面积"),
    "floors": ("floors",),
    "staff_count": ("staff_count", "staff", "员工人数"),
    "commitment_signed_on": ("commitment_signed_on",),
    "insurer": ("insurer", "承保公司"),
    "insurance_policy_no": ("insurance_policy_no", "policy_no", "保险单号"),
    "insurance_expires_on": ("insurance_expires_on", "保险有效期至"),
}
FULL_WIDTH = str.maketrans("（），；｜：", "(),;|:")
COLUMN_NAMES = {key: field.column_name for key, field in PremisesResource.fields.items()}


def header_key(text: str) -> str:
    """ "Credit Code", "credit_code" and "统一社会信用代码 " compare equal to their column."""
    return re.sub(r"[\s_\-*]+", "", text.translate(FULL_WIDTH).casefold())


HEADER_INDEX = {
    header_key(name): key for key in IMPORT_KEYS for name in (COLUMN_NAMES[key], *ALIASES[key])
}
# The export's read-only columns: an edited export imports again without a warning about them.
EXPORT_ONLY_KEYS = frozenset(header_key(COLUMN_NAMES[key]) for key in EXPORT_ONLY)


def column_of(header: str) -> str | None:
    """The column key a header names, or None."""
    key = header_key(header)
    if key in HEADER_INDEX:
        return HEADER_INDEX[key]
    # "建筑面积(㎡)", "联系电话(手机)": a unit or a note in brackets after a known header.
    return HEADER_INDEX.get(re.sub(r"\(.*\)$", "", key))


@dataclass
class Sheet:
    """The data rows of a file as the resource's dataset: a ROW_NUMBER column with the row's
    number as Excel shows it, then one column per known column of the file, as text."""

    columns: dict[str, int] = field(default_factory=dict)  # column key → position in the row
    headers: dict[str, str] = field(default_factory=dict)  # column key → the file's header
    rows: list[list] = field(default_factory=list)
    encoding: str = ""  # "xlsx", "utf-8", "gb18030" or "utf-16"
    ignored_headers: list[str] = field(default_factory=list)
    blank_rows: int = 0

    @property
    def dataset(self) -> tablib.Dataset:
        headers = [ROW_NUMBER, *(COLUMN_NAMES[key] for key in self.columns)]
        return tablib.Dataset(*self.rows, headers=headers)

    def add(self, number: int, cells: list[str]) -> None:
        """Keep a row: its number, then its cell of each known column (a short row is padded)."""
        self.rows.append(
            [number, *(cells[i] if i < len(cells) else "" for i in self.columns.values())]
        )


def read_sheet(data: bytes) -> Sheet:
    """Detect XLSX or CSV (UTF-8 with or without BOM, else GBK/GB18030) and read it."""
    if data.startswith(b"PK\x03\x04"):
        return _sheet(_xlsx_rows(data), "xlsx")
    if data.startswith(OLE2_MAGIC):
        raise ImportFileError(
            _("This is an old-format Excel file (.xls). Save it in Excel as .xlsx or CSV.")
        )
    text, encoding = _decode(data)
    return _sheet(_csv_rows(text), encoding)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"  # Excel's "Unicode text"
    if data.startswith(BINARY_MAGICS) or b"\x00" in data:
        raise not_a_table()
    # UTF-8 is strict: text in another encoding almost never passes for it. GB18030 is the
    # superset of GBK and GB2312 that Chinese Excel writes by default.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if CONTROL_CHARS.search(text, 0, 65536):
            raise not_a_table()
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise not_a_table()


def _csv_rows(text: str) -> Iterator[list[str]]:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first_line.count)
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [_unguard(cell.strip()) for cell in record]


def _unguard(text: str) -> str:
    """Drop the apostrophe the export puts before =, +, - and @ so Excel does not run the cell."""
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


def _check_expansion(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl inflates it: openpyxl holds the shared strings in
    memory, so a workbook of 1 MB whose strings unpack to gigabytes would exhaust the worker."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise not_a_table() from error
    expanded = sum(member.file_size for member in members)
    bomb = any(
        member.file_size > 10 * 1024 * 1024
        and member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if expanded > MAX_XLSX_EXPANDED or bomb:
        raise ImportFileError(
            _(
                "This XLSX file unpacks to far more data than a registry list holds. "
                "Save it again from Excel, or split it into smaller files."
            )
        )


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    _check_expansion(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zip, XML or workbook errors: not an XLSX
        raise not_a_table() from error
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except Exception as error:  # a damaged sheet
        raise not_a_table() from error
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13812345678.0 is a phone number, 2.0 is two floors
    return str(value).strip()


def _sheet(rows: Iterable[list[str]], encoding: str) -> Sheet:
    numbered = enumerate(rows, start=1)
    header_row, header = _find_header(numbered)
    sheet = Sheet(encoding=encoding)
    for index, text in enumerate(header):
        key = column_of(text) if text else None
        if key is None:
            if text and header_key(text) not in EXPORT_ONLY_KEYS:
                sheet.ignored_headers.append(text)
        elif key in sheet.columns:
            raise ImportFileError(
                _("Columns “%(first)s” and “%(second)s” both mean %(column)s; keep one.")
                % {"first": sheet.headers[key], "second": text, "column": COLUMN_NAMES[key]}
            )
        else:
            sheet.columns[key], sheet.headers[key] = index, text
    missing = [COLUMN_NAMES[key] for key in REQUIRED if key not in sheet.columns]
    if missing:
        raise _missing_columns(missing, header_row)
    _read_rows(sheet, numbered)
    return sheet


def _read_rows(sheet: Sheet, numbered: Iterator[tuple[int, list[str]]]) -> None:
    blank_run = 0
    for number, cells in numbered:
        if not any(cells):
            sheet.blank_rows, blank_run = sheet.blank_rows + 1, blank_run + 1
            if blank_run >= BLANK_RUN_END:
                break
            continue
        blank_run = 0
        if len(sheet.rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)s rows. Split it into smaller files.")
                % {"max": f"{MAX_ROWS:,}"}
            )
        sheet.add(number, cells)
    sheet.blank_rows -= blank_run  # blank rows after the last one end the sheet; not gaps


def _find_header(numbered: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The first row among the first few that names at least two known columns."""
    first = None
    for number, cells in numbered:
        if first is None and any(cells):
            first = number
        if sum(1 for text in cells if text and column_of(text)) >= 2:
            return number, cells
        if number >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError(_("The file is empty."))
    raise _missing_columns([COLUMN_NAMES[key] for key in REQUIRED], first)


def _missing_columns(missing: list[str], row: int) -> ImportFileError:
    return ImportFileError(
        _(
            "Row %(row)s should hold the column headers, but the columns %(columns)s are missing. "
            "Download the template to see the headers the import expects."
        )
        % {"row": row, "columns": "、".join(missing)}
    )
