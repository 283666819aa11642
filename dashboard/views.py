from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import Role
from config.data_cache import cached
from dashboard import links, report, selectors
from dashboard.board import build, can_open_offenders
from dashboard.export import write_workbook
from dashboard.figures import DEFAULT_RANK, RANK_ORDERS
from dashboard.filters import InspectionFilter, PremisesFilter
from dashboard.periods import CHOICES as PERIOD_CHOICES
from dashboard.periods import Period, period_from
from dashboard.scopes import Scope, require_board, scope_from
from dashboard.sources import inspections_visible_to
from grids.models import Town
from premises.models import Premises

PAGE_SIZE = 50


def home(request):
    """The first page after sign-in: what needs doing, for the user's widest role."""
    user, today = request.user, timezone.localdate()
    role = user.primary_role
    if role == Role.GRID_OFFICER:
        return render(
            request,
            "dashboard/home_officer.html",
            {
                "lists": links.officer_home(),
                "today": today,
                "grids": selectors.officer_grids(user, today=today),
                "due_premises": selectors.patrol_due_premises(user, today=today),
                "patrol_due_count": selectors.patrol_due_count(user, today=today),
                "hazard_counts": selectors.hazard_counts(user, today=today),
            },
        )
    if role is None and not user.is_superuser:
        return render(request, "dashboard/home_no_role.html")
    return render(
        request,
        "dashboard/home_overview.html",
        {
            "lists": links.overview_home(),
            "today": today,
            "scope_names": selectors.scope_names(user),
            "premises_counts": selectors.premises_counts(user, today=today),
            "hazard_counts": selectors.hazard_counts(user, today=today),
            "overdue_hazards": selectors.most_overdue_hazards(user, today=today),
        },
    )


# --- the town safety office's dashboard -----------------------------------------------------------


def _chart_data(board) -> dict:
    """The trend chart's data for static/js/dashboard.js (rendered with json_script)."""
    # Short labels on a phone: the month alone within one year, year and month across years.
    one_year = board.period.start.year == board.period.end.year
    label = "M" if one_year else "Y-m"
    return {
        "labels": [formats.date_format(m["month"], label) for m in board.trend],
        "series": [
            {
                "label": _("Hazards found"),
                "values": [m["found"].value for m in board.trend],
                "urls": [m["found"].url for m in board.trend],
            },
            {
                "label": _("Hazards closed in the month"),
                "values": [m["closed"].value for m in board.trend],
                "urls": [m["closed"].url for m in board.trend],
            },
        ],
    }


@dataclass(frozen=True)
class Asked:
    """What every board page is asked for: whose, when, where, and the period."""

    user: object
    now: datetime
    today: date
    scope: Scope
    period: Period
    period_form: object


def _asked(request) -> Asked:
    user = request.user
    require_board(user)
    now = timezone.now()
    today = timezone.localdate(now)
    period, period_form = period_from(request.GET, today=today)
    return Asked(user, now, today, scope_from(request.GET, user), period, period_form)


# What the dashboard's content depends on besides the data, the scope and the period: a period
# typed in (and its errors).
CONTENT_VARIANT = ("period", "start", "end")


def index(request):
    """The dashboard: its content from the cache while nothing it counts changes
    (config/data_cache.py)."""
    asked = _asked(request)
    user, scope, period = asked.user, asked.scope, asked.period
    rank = request.GET.get("rank", DEFAULT_RANK)
    rank = rank if rank in RANK_ORDERS else DEFAULT_RANK

    def render_content() -> str:
        board = build(user, scope, period, today=asked.today, now=asked.now, rank=rank)
        context = _content_context(request, board, asked.period_form, rank)
        return render_to_string("dashboard/board_content.html", context, using="jinja2")

    depends_on = (
        "dashboard",
        # Whoever sees the whole town sees the same board; anyone else a slice of their own.
        "town" if user.sees_whole_town else user.pk,
        can_open_offenders(user),
        get_language(),
        asked.today,
        scope.kind,
        sorted(scope.params.items()),
        sorted(period.as_query().items()),
        [request.GET.get(name, "") for name in CONTENT_VARIANT],
        rank,
    )
    # Our own template's output, escaped as it was rendered.
    content = mark_safe(cached(depends_on, render_content))  # noqa: S308
    return render(request, "dashboard/board.html", {"scope": scope, "content": content})


def _content_context(request, board, period_form, rank: str) -> dict:
    where, period = board.scope.params, board.period
    towns = list(Town.objects.all()) if request.user.sees_whole_town else []
    return {
        "board": board,
        "f": board.figures,
        "period_form": period_form,
        "period_choices": PERIOD_CHOICES,
        "rank": rank,
        "rank_orders": [
            (key, label, links.board("dashboard:index", where, period, rank=key))
            for key, label in RANK_ORDERS.items()
        ],
        "towns": towns if len(towns) > 1 else [],
        # A leader's or department's figures count their villages or sector only: say so.
        "sector": [] if request.user.sees_whole_town else selectors.scope_names(request.user),
        "period_query": period.as_query(),
        "chart": _chart_data(board),
        "export_url": links.board("dashboard:export", where, period),
        "report_url": links.board("dashboard:report", where, month=f"{period.end:%Y-%m}"),
        "crumbs": [
            (crumb.label, links.board("dashboard:index", crumb.params, period))
            for crumb in board.scope.crumbs
        ],
    }


def export(request):
    """The dashboard as .xlsx: one sheet per table."""
    asked = _asked(request)
    board = build(
        asked.user, asked.scope, asked.period, today=asked.today, now=asked.now, with_lists=False
    )
    handle = write_workbook(board, user=request.user)
    period = board.period
    name = f"{_('Dashboard')}-{board.scope.title}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def monthly_report(request):
    """The printable monthly report: the figures from January to the month, as sentences."""
    asked = _asked(request)  # its period is the month's, read here
    user, scope, today = asked.user, asked.scope, asked.today
    month, month_form = report.month_from(request.GET, today=today)
    cumulative = report.cumulative_period(month, today=today)
    board = build(user, scope, cumulative, today=today, now=asked.now, with_lists=False)
    this_month = report.month_figures(user, scope, month, today=today)
    return render(
        request,
        "dashboard/report.html",
        {
            "board": board,
            "month": month,
            "month_form": month_form,
            "paragraphs": report.paragraphs(board, this_month, month=month),
            "report_figures": [board.figures[key] for key in report.TABLE_FIGURES],
            "dashboard_url": links.board("dashboard:index", scope.params, cumulative),
        },
    )


# --- drill-down lists -----------------------------------------------------------------------------


def _several_towns() -> bool:
    return Town.objects.count() > 1


def _page(request, rows):
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def inspection_list(request):
    """Inspections (排查家次) behind the dashboard's counts, newest first."""
    require_board(request.user)
    now = timezone.now()
    filters = InspectionFilter(
        request.GET,
        queryset=inspections_visible_to(request.user),
        user=request.user,
        today=timezone.localdate(now),
        now=now,
    )
    rows = filters.qs.select_related(
        "premises__grid__village", "premises__business_type", "inspector"
    ).order_by("-visited_at", "-pk")
    page, query = _page(request, rows)
    return render(
        request,
        "dashboard/inspection_list.html",
        {"filters": filters, "page": page, "query": query, "several_towns": _several_towns()},
    )


def premises_list(request):
    """Premises behind the dashboard's counts: coverage, patrol due, never inspected, offenders."""
    require_board(request.user)
    now = timezone.now()
    today = timezone.localdate(now)
    filters = PremisesFilter(
        request.GET,
        queryset=Premises.objects.visible_to(request.user),
        user=request.user,
        today=today,
        now=now,
    )
    rows = filters.qs.select_related("grid__village", "business_type").patrol_order()
    page, query = _page(request, rows)
    return render(
        request,
        "dashboard/premises_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query,
            "today": today,
            "several_towns": _several_towns(),
        },
    )
