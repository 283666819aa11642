"""台账: the hazard list with filters, sorting, a count, pages, and its Excel export."""

from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from hazards.keyset import keyset_page
from hazards.ledger import ROW_VALUES, ledger_rows
from hazards.ledger_export import Reader, people_on, shown_row, write_workbook

PAGE_SIZE = 50


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def hazard_list(request):
    today = timezone.localdate()
    filters = ledger_rows(request.user, request.GET, today=today)
    # The count runs on the filtered rows without the joins for display (one narrow COUNT);
    # the page's rows are the values the template shows. Pages after the first are read from
    # the cursor the pager carries (hazards/keyset.py).
    count = filters.qs.order_by().count()
    page = keyset_page(
        filters.qs.values(*ROW_VALUES), per_page=PAGE_SIZE, params=request.GET, count=count
    )
    reader, people = Reader(request.user), people_on(page.object_list)
    page.object_list = [shown_row(row, reader, today, people) for row in page.object_list]
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "filters": filters,
            "page": page,
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
