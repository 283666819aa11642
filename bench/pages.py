"""The pages the county benchmark requests, who requests them, and the SQL behind each.

Runs in the benchmark's own process against the benchmark database (bench/run.py sets Django up
first): it picks realistic subjects — an officer with a typical grid, a premises with history,
a hazard with a long trail — builds the URLs, and captures the SQL each page runs by calling
it once through Django's test client; `bench.common.time_sql` replays exactly those statements.
"""

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from grids.models import Grid, Town
from hazards.keyset import encode
from hazards.ledger import DEFAULT_SORT, SORTS, ledger_rows
from hazards.models import OPEN_STATUSES, Hazard
from premises.models import Premises

LEDGER_PAGE_SIZE = 50
DEEP_PAGE = 500
EXPORT_ROWS = 10_000


@dataclass
class Page:
    key: str
    title: str
    url: str
    user: str
    target_ms: float | None  # p95 target; None: reported only
    kind: str = "page"  # page / dashboard / export
    note: str = ""
    sql: list[str] = field(default_factory=list)
    sql_after_change: list[str] = field(default_factory=list)  # a dashboard's, kept in part
    rows: int | None = None


def _typical_officer() -> tuple[User, Grid]:
    """The officer of a grid with the median number of operating premises, who patrols that
    grid alone and whose grid has no second officer."""
    grids = (
        Grid.objects.annotate(
            officers_n=Count("officers", distinct=True),
            operating=Count("premises", filter=Q(premises__status="operating"), distinct=True),
        )
        .filter(officers_n=1)
        .order_by("operating", "pk")
    )
    grid = list(grids)[len(grids) // 2]
    officer = grid.officers.get()
    return officer, grid


def _premises_with_history(grid: Grid) -> Premises:
    open_count = (
        Hazard.objects.filter(premises=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("premises")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Premises.objects.filter(grid=grid, status="operating")
        .annotate(visits=Count("inspections"), open=Subquery(open_count))
        .order_by("-open", "-visits", "pk")
        .first()
    )


def _hazard_with_trail(grid: Grid) -> Hazard:
    return (
        Hazard.objects.filter(premises__grid=grid)
        .annotate(events_n=Count("events"))
        .order_by("-events_n", "-pk")
        .first()
    )


def _ledger_deep_url(user: User, params: dict) -> tuple[int, str]:
    """Page 500 (or the last, on a small database) as the pager links it from the page before:
    with the cursor of that page's last row."""
    rows = ledger_rows(user, params, today=timezone.localdate()).qs
    number = min(DEEP_PAGE, -(-rows.count() // LEDGER_PAGE_SIZE))
    last = rows[(number - 1) * LEDGER_PAGE_SIZE - 1]
    order = [term.lstrip("-") for term in SORTS[DEFAULT_SORT][1]]
    values = [getattr(last, "pk" if name == "pk" else name) for name in order]
    return number, f"page={number}&after={encode(values)}"


def _export_since(user: User, wanted: int = EXPORT_ROWS) -> tuple[str, int]:
    """The first day from which the user's ledger holds about `wanted` hazards (at most)."""
    rows = Hazard.objects.visible_to(user).order_by("-reported_at", "-pk")
    total = rows.count()
    edge = rows.values_list("reported_at", flat=True)[min(wanted, total) - 1]
    day = timezone.localdate(edge) + timedelta(days=1)
    count = rows.filter(reported_at__date__gte=day).count()
    return day.isoformat(), count


def export_urls(username: str) -> list[tuple[str, int]]:
    """Exports of growing size, for the memory figure: (url, rows)."""
    user = User.objects.get(username=username)
    urls = []
    for wanted in (EXPORT_ROWS // 4, EXPORT_ROWS, 3 * EXPORT_ROWS):
        since, rows = _export_since(user, wanted)
        urls.append((f"{reverse('hazards:ledger_export')}?reported_after={since}", rows))
    return urls


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def choose_pages() -> list[Page]:
    officer, grid = _typical_officer()
    office = User.objects.filter(username__endswith="county-office-1").order_by("pk").first()
    premises = _premises_with_history(grid)
    hazard = _hazard_with_trail(grid)
    year = date.today().year - 1
    ledger = {
        "status": "closed",
        "reported_after": f"{year}-01-01",
        "reported_before": f"{year}-12-31",
    }
    query = "&".join(f"{k}={v}" for k, v in ledger.items())
    since, export_rows = _export_since(office)
    deep, deep_query = _ledger_deep_url(office, ledger)
    pages = [
        Page("home", "Officer home", "/", officer.username, 150),
        Page("mine", "My premises", reverse("inspections:premises_list"), officer.username, 150),
        Page(
            "premises",
            "Premises page",
            reverse("inspections:premises_detail", args=[premises.pk]),
            officer.username,
            150,
        ),
        Page(
            "hazard",
            "Hazard page",
            reverse("hazards:hazard_detail", args=[hazard.pk]),
            officer.username,
            150,
        ),
        Page("ledger1", "Ledger, filtered, page 1", f"/ledger/?{query}", office.username, 150),
        Page(
            "ledger500",
            f"Ledger, filtered, page {deep}",
            f"/ledger/?{query}&{deep_query}",
            office.username,
            150,
        ),
    ]
    board = _url("dashboard:index")
    if board:
        town = Town.objects.order_by("code").first()
        pages += [
            Page(
                "board_town",
                "Dashboard, a town",
                f"{board}?town={town.pk}",
                office.username,
                300,
                kind="dashboard",
            ),
            Page(
                "board_county",
                "Dashboard, the county",
                board,
                office.username,
                300,
                kind="dashboard",
            ),
        ]
    pages.append(
        Page(
            "export",
            f"Excel export, {export_rows:,} ledger rows",
            f"{reverse('hazards:ledger_export')}?reported_after={since}",
            office.username,
            5000,
            kind="export",
            rows=export_rows,
        )
    )
    subjects = {
        "officer": f"{officer.username} (grid {grid.code}, "
        f"{grid.premises.filter(status='operating').count()} operating premises)",
        "premises": f"#{premises.pk}, {premises.inspections.count()} inspections, "
        f"{premises.hazards.count()} hazards",
        "hazard": f"{hazard.ledger_number}, {hazard.events.count()} events, {hazard.status}",
        "office": f"{office.username} (safety office: the whole county)",
    }
    return pages, subjects


def roles_present() -> dict[str, int]:
    return {role: User.objects.filter(groups__name=role).count() for role in Role.values}


# --- the SQL behind a page -------------------------------------------------------------------

DECLARE = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR ', re.S)
SKIP = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "COMMIT", "BEGIN")


def capture_sql(page: Page) -> int:
    """Request the page once in-process; keep the statements it ran. Returns the status."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=page.user))
    client.get(page.url)  # warm caches (content types, templates) as a running worker has them
    # One thread: the capture sees this thread's connection only. A dashboard runs the same
    # statements either way (dashboard/concurrent.py), on more connections at once when served.
    # Nothing kept: the statements of a dashboard read afresh (dashboard/remembered.py).
    one_thread = override_settings(DASHBOARD_QUERY_THREADS=1, KEPT_SECONDS=0)
    with one_thread, CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
        if response.streaming:
            b"".join(response.streaming_content)
    page.sql = _statements(captured)
    if page.kind == "dashboard":
        page.sql_after_change = _sql_after_change(client, page.url)
    return response.status_code


def _statements(captured: CaptureQueriesContext) -> list[str]:
    statements = []
    for query in captured.captured_queries:
        sql = DECLARE.sub("", query["sql"])
        if not sql.startswith(SKIP):
            statements.append(sql)
    return statements


def _sql_after_change(client: Client, url: str) -> list[str]:
    """The statements a dashboard runs after an officer's step on a hazard (bench/load.py,
    Changes): it reads again what the change touched and keeps the rest (config/kept.py)."""
    from bench.load import Changes, town_of
    from dashboard import remembered

    remembered.forget_all()
    with override_settings(DASHBOARD_QUERY_THREADS=1, KEPT_SECONDS=60):
        client.get(url)
        with connection.cursor() as cursor:
            cursor.execute(Changes.FIRST, {"town": town_of(url)})
            cursor.execute(Changes.STEP, [cursor.fetchone()[0]])
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
    return _statements(captured)


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000
