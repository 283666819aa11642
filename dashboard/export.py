"""The dashboard as an Excel workbook: one sheet per table, headers in the user's language.

Sheets: figures, ranking, monthly trend, the three breakdowns, every open major hazard and every
overdue hazard. openpyxl's write-only mode streams rows to a temporary file, and the two hazard
sheets read their rows in chunks, so memory stays flat at county scale.
"""

import tempfile
from collections.abc import Iterable
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard.board import full_list
from dashboard.figures import COUNT, DAYS, MONEY, RATE, SUM, Board
from dashboard.report import day
from dashboard.sources import sources
from premises.exporter import xlsx_value

CHUNK = 2000
FORMATS = {RATE: "0.0", DAYS: "0.0", MONEY: "#,##0.00", COUNT: "#,##0", SUM: "#,##0"}
PERCENT = "0.0%"


class Sheet:
    """A write-only sheet with a bold header row and column widths."""

    def __init__(self, book: Workbook, title: str, headers: list[str], widths: list[int]):
        self.sheet = book.create_sheet(title=title[:31])
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        self.rows([[self.cell(header, bold=True) for header in headers]])

    def cell(self, value: Any, *, number_format: str = "", bold: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        if number_format:
            cell.number_format = number_format
        if bold:
            cell.font = Font(bold=True)
        return cell

    def rows(self, rows: Iterable[list]) -> None:
        for row in rows:
            self.sheet.append([xlsx_value(self.sheet, value) for value in row])


def _fraction(value: float | None) -> float | None:
    return None if value is None else value / 100


def _figures_sheet(book: Workbook, board: Board) -> None:
    sheet = Sheet(
        book,
        _("Figures"),
        [_("Figure"), _("Value"), _("Same period last year"), _("Year-on-year change")],
        [36, 14, 18, 18],
    )
    sheet.rows(
        [
            [_("Scope"), board.scope.title],
            [_("Period"), f"{day(board.period.start)} – {day(board.period.end)}"],
            [_("Compared with"), f"{day(board.previous.start)} – {day(board.previous.end)}"],
        ]
    )
    for figure in board.figures.values():
        is_rate = figure.kind == RATE
        value_format = PERCENT if is_rate else FORMATS[figure.kind]
        value = _fraction(figure.value) if is_rate else figure.value
        previous = _fraction(figure.previous) if is_rate else figure.previous
        change = figure.change
        sheet.rows(
            [
                [
                    str(figure.label),
                    sheet.cell(value, number_format=value_format),
                    sheet.cell(previous if figure.compares else None, number_format=value_format),
                    # Rates change in percentage points, the rest in per cent.
                    sheet.cell(
                        change if is_rate else _fraction(change),
                        number_format="0.0" if is_rate else PERCENT,
                    ),
                ]
            ]
        )


def _ranking_sheet(book: Workbook, board: Board) -> None:
    if not board.ranking:
        return
    sheet = Sheet(
        book,
        _("Ranking"),
        [
            str(board.child_label),
            _("Hazards found"),
            _("Closed"),
            _("Rectification rate"),
            _("Overdue"),
            _("Open major"),
            _("Operating premises"),
            _("Patrolled within their interval"),
            _("Coverage"),
            _("Mean days to close"),
        ],
        [18, 14, 10, 14, 10, 10, 14, 14, 10, 14],
    )
    sheet.rows(
        [
            row.title,
            row.found.value,
            row.closed.value,
            sheet.cell(_fraction(row.rate), number_format=PERCENT),
            row.overdue.value,
            row.open_major.value,
            row.operating.value,
            row.covered.value,
            sheet.cell(_fraction(row.coverage), number_format=PERCENT),
            sheet.cell(row.time_to_close, number_format="0.0"),
        ]
        for row in board.ranking
    )


def _trend_sheet(book: Workbook, board: Board) -> None:
    sheet = Sheet(
        book,
        _("Monthly trend"),
        [_("Month"), _("Hazards found"), _("Hazards closed in the month")],
        [12, 14, 20],
    )
    sheet.rows([f"{m['month']:%Y-%m}", m["found"].value, m["closed"].value] for m in board.trend)


BREAKDOWN_TITLES = {
    "category": (gettext_lazy("By category"), gettext_lazy("Category")),
    "business_type": (gettext_lazy("By business type"), gettext_lazy("Business type")),
    "department": (gettext_lazy("By responsible department"), gettext_lazy("Department")),
}


def _breakdown_sheets(book: Workbook, board: Board) -> None:
    for by, rows in board.breakdowns.items():
        title, first = BREAKDOWN_TITLES[by]
        sheet = Sheet(
            book,
            str(title),
            [str(first), _("Hazards found"), _("Closed"), _("Rectification rate"), _("Overdue")],
            [24, 14, 10, 14, 10],
        )
        sheet.rows(
            [
                row.label,
                row.found.value,
                row.closed.value,
                sheet.cell(_fraction(row.rate), number_format=PERCENT),
                row.overdue.value,
            ]
            for row in rows
        )


def _hazard_sheet(book: Workbook, title: str, hazards, board: Board) -> None:
    sheet = Sheet(
        book,
        title,
        [
            _("Ledger number"),
            _("Village"),
            _("Grid"),
            _("Premises"),
            _("Category"),
            _("Description"),
            _("Severity"),
            _("Status"),
            _("Found on"),
            _("Deadline"),
            _("Days overdue"),
            _("Interim safety measures"),
            _("Department"),
        ],
        [16, 12, 12, 20, 14, 40, 8, 10, 12, 12, 10, 30, 14],
    )
    for hazard in hazards.iterator(chunk_size=CHUNK):
        premises = hazard.premises
        sheet.rows(
            [
                [
                    hazard.ledger_number,
                    premises.grid.village.name,
                    premises.grid.name,
                    premises.name,
                    hazard.get_category_display(),
                    hazard.description,
                    hazard.get_severity_display(),
                    hazard.get_status_display(),
                    sheet.cell(timezone.localdate(hazard.reported_at), number_format="yyyy-mm-dd"),
                    sheet.cell(hazard.rectify_by, number_format="yyyy-mm-dd"),
                    max(0, (board.today - hazard.rectify_by).days),
                    hazard.interim_measures,
                    hazard.department.name if hazard.department else "",
                ]
            ]
        )


def write_workbook(board: Board, *, user) -> IO[bytes]:
    """The board as .xlsx in a temporary file (deleted when closed), positioned at its start."""
    book = Workbook(write_only=True)
    _figures_sheet(book, board)
    _ranking_sheet(book, board)
    _trend_sheet(book, board)
    _breakdown_sheets(book, board)
    src = sources(user, board.scope)
    _hazard_sheet(
        book, _("Open major hazards"), full_list(src, "open_major", today=board.today), board
    )
    _hazard_sheet(book, _("Overdue hazards"), full_list(src, "overdue", today=board.today), board)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 -- FileResponse closes it
    book.save(handle)
    handle.seek(0)
    return handle
