"""台账: the hazard list with filters, sorting, a count, pages, and its Excel export."""

from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from config import kept
from hazards.keyset import keyset_page
from hazards.ledger import ROW_VALUES, kept_count, ledger_rows
from hazards.ledger_export import Reader, phone_of, write_workbook
from hazards.planner import joins_as_written

PAGE_SIZE = 50


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@kept.one_change_count()
def hazard_list(request):
    today = timezone.localdate()
    filters = ledger_rows(request.user, request.GET, today=today)
    # The count runs on the filtered rows without the joins for display (one narrow COUNT,
    # kept while the rows stand still); the page's rows are the values the template shows.
    # Pages after the first are read from the cursor the pager carries (hazards/keyset.py).
    count = kept_count(filters.qs)
    with joins_as_written():
        page = keyset_page(
            filters.qs.values(*ROW_VALUES), per_page=PAGE_SIZE, params=request.GET, count=count
        )
    reader = Reader(request.user)
    for row in page.object_list:
        row["phone"] = phone_of(row, reader)
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "filters": filters,
            "page": page,
            "reader": reader,
            "today": today,
            "query": _query_without(request, "page", "after", "before"),
        },
    )


def hazard_export(request):
    """The rows of the filtered ledger, every page of it, as .xlsx."""
    today = timezone.localdate()
    filters = ledger_rows(request.user, request.GET, today=today)
    handle = write_workbook(filters.qs, user=request.user, title=_("Hazard ledger"))
    name = f"{_('Hazard ledger')}-{today:%Y%m%d}.xlsx"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
