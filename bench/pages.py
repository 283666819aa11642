"""The pages the county benchmark requests, who requests them, and the SQL behind each.

Runs in the benchmark's own process against the benchmark database (bench/run.py sets Django up
first): it picks realistic subjects — an officer with a typical grid, a premises with history,
a hazard with a long trail — builds the URLs, and captures the SQL each page runs by calling
it once through Django's test client; `bench.common.time_sql` replays exactly those statements.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import quote

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from grids.models import Grid, Town
from hazards.keyset import encode
from hazards.ledger import DEFAULT_SORT, SORTS, ledger_rows
from hazards.models import OPEN_STATUSES, Hazard
from premises.models import Premises

LEDGER_PAGE_SIZE = 50
DEEP_PAGE = 500
EXPORT_ROWS = 10_000
# Words of the generated hazards' descriptions (the checklist's, bench/county): a fire
# extinguisher, and the shortest a person types, a gas cylinder.
SEARCH_TERMS = ("灭火器", "钢瓶")

# What a page is, for the benchmark: how the cache stands before each request (bench/measure.py).
PAGE = "page"
COLD = "cold"  # a dashboard with every cache empty
REPEAT = "repeat"  # a dashboard asked again while nothing changed
AFTER_CHANGE = "after_change"  # a dashboard after a change committed
EXPORT = "export"
DASHBOARD_KINDS = (COLD, REPEAT, AFTER_CHANGE)


@dataclass
class Page:
    key: str
    title: str
    url: str
    user: str
    target_ms: float
    kind: str = PAGE
    rows: int | None = None
    sql: list[str] = field(default_factory=list)


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


def office_user() -> User:
    return User.objects.filter(username__endswith="county-office-1").order_by("pk").first()


def first_town() -> Town:
    return Town.objects.order_by("code").first()


def _officer_pages(officer: User, grid: Grid) -> list[Page]:
    premises = _premises_with_history(grid)
    hazard = _hazard_with_trail(grid)
    name = officer.username
    return [
        Page("home", "Officer home", "/", name, 100),
        Page("mine", "My premises", reverse("inspections:premises_list"), name, 100),
        Page(
            "premises",
            f"Premises page (#{premises.pk}, {premises.inspections.count()} inspections, "
            f"{premises.hazards.count()} hazards)",
            reverse("inspections:premises_detail", args=[premises.pk]),
            name,
            100,
        ),
        Page(
            "hazard",
            f"Hazard page ({hazard.ledger_number}, {hazard.events.count()} events)",
            reverse("hazards:hazard_detail", args=[hazard.pk]),
            name,
            100,
        ),
    ]


def _ledger_pages(office: User) -> list[Page]:
    year = date.today().year - 1
    ledger = {
        "status": "closed",
        "reported_after": f"{year}-01-01",
        "reported_before": f"{year}-12-31",
    }
    query = "&".join(f"{k}={v}" for k, v in ledger.items())
    deep, deep_query = _ledger_deep_url(office, ledger)
    ledger_url = reverse("hazards:ledger")
    name = office.username
    pages = [
        Page("ledger1", f"Ledger, closed in {year}, page 1", f"{ledger_url}?{query}", name, 100),
        Page(
            "ledger500",
            f"Ledger, closed in {year}, page {deep}",
            f"{ledger_url}?{query}&{deep_query}",
            name,
            100,
        ),
    ]
    for term in SEARCH_TERMS:
        found = ledger_rows(office, {"q": term}, today=timezone.localdate()).qs.count()
        pages.append(
            Page(
                f"search{len(term)}",
                f"Ledger text search “{term}” ({len(term)} characters, {found:,} hazards)",
                f"{ledger_url}?q={quote(term)}",
                name,
                150,
            )
        )
    return pages


def _dashboard_pages(office: User) -> list[Page]:
    board = reverse("dashboard:index")
    town = first_town()
    pages = []
    for key, place, url in (
        ("town", f"a town ({town.name})", f"{board}?town={town.pk}"),
        ("county", "the county", board),
    ):
        pages += [
            Page(f"{key}_cold", f"Dashboard, {place}, every cache empty", url, "", 150, COLD),
            Page(f"{key}_repeat", f"Dashboard, {place}, read again", url, "", 30, REPEAT),
        ]
    town_url = pages[0].url
    pages.append(
        Page(
            "town_after_change",
            f"Dashboard, a town ({town.name}), after a change committed",
            town_url,
            "",
            150,
            AFTER_CHANGE,
        )
    )
    for page in pages:
        page.user = office.username
    return pages


def _export_page(office: User) -> Page:
    since, rows = _export_since(office)
    return Page(
        "export",
        f"Excel export, {rows:,} ledger rows",
        f"{reverse('hazards:ledger_export')}?reported_after={since}",
        office.username,
        3000,
        EXPORT,
        rows=rows,
    )


def choose_pages() -> tuple[list[Page], dict]:
    """The pages in the order they are measured, and who and what they show."""
    officer, grid = _typical_officer()
    office = office_user()
    pages = [
        *_officer_pages(officer, grid),
        *_ledger_pages(office),
        *_dashboard_pages(office),
        _export_page(office),
    ]
    subjects = {
        "officer": f"{officer.username} (grid {grid.code}, "
        f"{grid.premises.filter(status='operating').count()} operating premises)",
        "office": f"{office.username} (safety office: the whole county)",
    }
    return pages, subjects


# --- the SQL behind a page -------------------------------------------------------------------

DECLARE = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR ', re.S)
SKIP = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "COMMIT", "BEGIN")


def capture_sql(page: Page) -> int:
    """Request the page once in-process; keep the statements it ran. Returns the status."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=page.user))
    client.get(page.url)  # warm caches (content types, templates) as a running worker has them
    if page.kind in (COLD, AFTER_CHANGE):
        cache.clear()  # the statements of a dashboard counted afresh
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
        if response.streaming:
            b"".join(response.streaming_content)
    page.sql = _statements(captured)
    return response.status_code


def _statements(captured: CaptureQueriesContext) -> list[str]:
    statements = []
    for query in captured.captured_queries:
        sql = DECLARE.sub("", query["sql"])
        if not sql.startswith(SKIP):
            statements.append(sql)
    return statements
