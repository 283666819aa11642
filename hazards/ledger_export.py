"""The ledger as people read it: each row's shown values (on the page and in the Excel export)
and the workbook itself, written from the same queryset the page lists."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

import xlsxwriter
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from accounts.base import choice_labels, english_active, in_language
from accounts.models import User
from hazards.ledger import PEOPLE_VALUES, PERSON_FIELDS, PLACE_VALUES, shown_phone
from hazards.models import Hazard, HazardQuerySet, is_overdue
from hazards.rights import phone_visibility


class Reader:
    """What a row's shown values need besides the row (ROW_VALUES, EXPORT_VALUES), settled once
    per page or workbook: the active language (asked once, not per cell: get_language() per
    cell was ~5% of a county export), the labels of every choice field in it, and whether the
    user sees a premises' phone."""

    def __init__(self, user):
        self.shows_phone = phone_visibility(user)
        self.english = english_active()
        self.labels = {f.name: choice_labels(f) for f in Hazard._meta.fields if f.choices}


def person(row: dict, who: str) -> str | None:
    """A user's name as User.__str__ gives it, from the row's values; None: nobody (an empty
    cell)."""
    if row[f"{who}__username"] is None:
        return None
    full_name = row[f"{who}__full_name"]
    if full_name:
        return full_name
    first_last = f"{row[f'{who}__first_name']} {row[f'{who}__last_name']}".strip()
    return first_last or row[f"{who}__username"]


def choice_label(name: str) -> Callable[[dict, Reader], str]:
    """A column showing a choice field's label: one lookup a row in the Reader's labels."""

    def label(row: dict, reader: Reader) -> str:
        return reader.labels[name].get(row[name], row[name])

    return label


def phone_of(row: dict, reader: Reader) -> str:
    """The operator's phone of a row's premises, as the reader may see it."""
    visible = reader.shows_phone(row["premises__grid"], row["premises__grid__village"])
    return shown_phone(row["premises__operator_phone"], visible=visible)


def people_on(rows: list[dict]) -> dict[int, str]:
    """The names (str(User)) of the people who found and reviewed the page's hazards, by key."""
    keys = {row[who] for row in rows for who in ("reported_by_id", "reviewed_by_id")} - {None}
    if not keys:
        return {}
    people = User.objects.filter(pk__in=keys).only(*PERSON_FIELDS)
    return {user.pk: str(user) for user in people}


def shown_row(row: dict, reader: Reader, today: date, people: dict[int, str]) -> dict:
    """A ledger page's row (ROW_VALUES) with what templates/hazards/_hazard_row.html shows of
    it: choice labels, names in the active language, its people (people_on), the phone as the
    reader may see it, and whether it is overdue."""
    labels = reader.labels
    return row | {
        "status_label": labels["status"].get(row["status"], row["status"]),
        "severity_label": labels["severity"].get(row["severity"], row["severity"]),
        "category_label": labels["category"].get(row["category"], row["category"]),
        "business_type": in_language(
            row["premises__business_type__name_zh"],
            row["premises__business_type__name_en"],
            reader.english,
        ),
        "reported_by": people.get(row["reported_by_id"], ""),
        "reviewed_by": people.get(row["reviewed_by_id"], ""),
        "phone": phone_of(row, reader),
        "overdue": is_overdue(row["status"], row["rectify_by"], today),
    }


@dataclass(frozen=True)
class Column:
    """A column of the export: its header and its value from a row's values (EXPORT_VALUES and
    export_dates()) and the export's Reader."""

    header: Any  # a lazy msgid, translated when the workbook is written
    value: Callable[[dict, Reader], Any]
    width: int = 12


COLUMNS = [
    Column(_("Ledger number"), lambda r, reader: r["ledger_number"], 16),
    Column(_("Village"), lambda r, reader: r["premises__grid__village__name"]),
    Column(_("Grid"), lambda r, reader: r["premises__grid__name"]),
    Column(_("Premises"), lambda r, reader: r["premises__name"], 20),
    Column(_("Address"), lambda r, reader: r["premises__address"], 24),
    Column(_("Operator"), lambda r, reader: r["premises__operator_name"], 10),
    Column(_("Operator phone"), phone_of, 14),
    Column(
        _("Business type"),
        lambda r, reader: in_language(
            r["premises__business_type__name_zh"],
            r["premises__business_type__name_en"],
            reader.english,
        ),
        14,
    ),
    Column(_("Category"), choice_label("category")),
    Column(_("Description"), lambda r, reader: r["description"], 40),
    Column(_("Severity"), choice_label("severity"), 8),
    Column(_("Found on"), lambda r, reader: r["found_on"]),
    Column(_("Found by"), lambda r, reader: person(r, "reported_by"), 10),
    Column(_("Deadline"), lambda r, reader: r["rectify_by"]),
    Column(_("Status"), choice_label("status"), 10),
    Column(_("Fixed on"), lambda r, reader: r["fixed_on"]),
    Column(_("Reviewed by"), lambda r, reader: person(r, "reviewed_by"), 10),
    Column(_("Closed on"), lambda r, reader: r["closed_on"]),
    Column(_("Department"), lambda r, reader: r["department__name"], 14),
]
EXPORT_CHUNK = 2000
# The values COLUMNS reads, as dicts: no model instances. The seven models of a joined hazard,
# even with only these columns, took four times as long to build as their values in a county's
# 10,000-row export (docs/decisions.md, Reading less).
EXPORT_VALUES = (
    *("ledger_number", "category", "description", "severity", "status", "rectify_by"),
    "premises__address",
    *PLACE_VALUES,
    *PEOPLE_VALUES,
)


def export_dates() -> dict[str, TruncDate]:
    """The moments shown as local dates, cut to the date by the database in the active time
    zone (what timezone.localdate gives): a timestamp with its zone and its conversion in
    Python per cell was ~7% of a county export."""
    return {
        "found_on": TruncDate("reported_at"),
        "fixed_on": TruncDate("submitted_at"),
        "closed_on": TruncDate("closed_at"),
    }


def write_workbook(rows: HazardQuerySet, *, user, title: str) -> IO[bytes]:
    """The rows as an .xlsx in a temporary file (deleted when closed), positioned at its start.

    Constant memory: XlsxWriter's constant_memory mode writes each row out as it comes, and the
    queryset is read in chunks of EXPORT_CHUNK. XlsxWriter, not openpyxl, for this one big
    workbook: it wrote a county's 10,000 rows in a third less time (bench/RESULTS.md). Text is
    text: a description that starts with "=" or reads like a web address stays as typed."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 -- FileResponse closes it
    book = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "default_date_format": "yyyy-mm-dd",
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(title[:31])
    for index, column in enumerate(COLUMNS):
        sheet.set_column(index, index, column.width)
    sheet.freeze_panes(1, 0)
    header = book.add_format({"bold": True, "valign": "vcenter"})
    sheet.write_row(0, 0, [str(column.header) for column in COLUMNS], header)
    reader = Reader(user)
    values = rows.values(*EXPORT_VALUES, **export_dates())
    for number, row in enumerate(values.iterator(chunk_size=EXPORT_CHUNK), start=1):
        sheet.write_row(number, 0, [column.value(row, reader) for column in COLUMNS])
    book.close()
    handle.seek(0)
    return handle
