"""Field work without signal: the service worker, the web app manifest, the offline data and the
offline pages (docs/workflow.md, Offline).

What a phone keeps for offline work — the choice, and why:

* One compact JSON bundle per officer (`offline_bundle`): the facts of every operating premises
  of the officer's grids, and which checklist items apply to each, as a short list of
  "profiles" (premises with the same business type and tags share one list of item ids).
* One form shell (`offline_shell`): the inspection form rendered by the same partials as the
  online form, with an answer card for every active checklist item. Offline, static/js/
  offline-shell.js keeps the cards that apply to the premises, fills in the header from the
  bundle and today's default deadlines, and the form is filed through the outbox.

The alternative — caching the server-rendered form page of each premises — costs one page per
premises (~6-10 KB gzip each, so 2-3 MB for a grid of 300 premises on every refresh), goes stale
as days pass (default deadlines are dates) and bakes an idempotency key into a page that can be
opened twice. The bundle for 300 premises is a few KB gzip, and revalidates with an ETag (304
when nothing changed); the shell is fetched again only when the checklist or language changes.
Figures in bench/RESULTS.md ("Offline: page weight").
"""

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import Count, Max, Q
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from grids.models import membership_of
from hazards.models import OPEN_STATUSES, Hazard
from inspections.forms import AnswerForm, ExtraHazardFormSet, InspectionForm
from inspections.models import ChecklistItem
from inspections.views.inspect import InspectionPage
from premises.models import Premises

# Bump when templates/inspections/offline/shell.html or the partials it includes change in a way
# that phones must fetch again; the checklist and the language are part of the shell's version
# already.
SHELL_REVISION = 2

# What the service worker keeps for offline use: the officer pages' CSS, JS, icon font and icons.
# `{% static %}` names: whitenoise hashes them when DEBUG is off, so a new deploy means new names,
# a new service worker and a fresh cache.
PRECACHE = [
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap-icons/shield-check.svg",
    "css/app.css",
    "js/inspection.js",
    "js/outbox.js",
    "js/offline.js",
    "js/offline-shell.js",
    "icons/icon-192.png",
]


ICON_CSS = "vendor/bootstrap-icons/bootstrap-icons.min.css"
WOFF2 = re.compile(r"""url\(["']?([^"')]+\.woff2[^"')]*)["']?\)""")


def _static_urls(names: Iterable[str]) -> list[str]:
    return [staticfiles_storage.url(name) for name in names]


@lru_cache(maxsize=4)
def _icon_font_url(css_url: str) -> str | None:
    """The icon font exactly as the icon CSS asks for it (hashed name and its ?query): the
    precache then repeats the page's own request, which the HTTP cache answers, instead of
    fetching it a second time."""
    try:
        with staticfiles_storage.open(css_url.removeprefix(settings.STATIC_URL)) as css:
            text = css.read().decode()
    except OSError:  # no collectstatic (DEBUG, tests): the source file
        path = finders.find(ICON_CSS)
        text = Path(path).read_text() if path else ""
    found = WOFF2.search(text)
    return urljoin(css_url, found.group(1)) if found else None


def precache_urls() -> list[str]:
    urls = _static_urls(PRECACHE)
    font = _icon_font_url(staticfiles_storage.url(ICON_CSS))
    return [*urls, font] if font else urls


# gzip_page: gunicorn compresses nothing, and these go to phones on village mobile data. None
# reflects user input next to a secret (BREACH); the shell's CSRF token is masked per response.


@login_not_required
@require_GET
@gzip_page
def service_worker(request):
    """/sw.js at the site root, so its scope is the whole site. Rendered from a template because
    the precache list must carry whitenoise's hashed static names."""
    precache = precache_urls()
    version = hashlib.sha256("\n".join(precache).encode()).hexdigest()[:12]
    body = render_to_string(
        "inspections/offline/sw.js",
        {
            "version": version,
            "precache": json.dumps(precache),
            "outbox_script": staticfiles_storage.url("js/outbox.js"),
            "premises_prefix": reverse("inspections:premises_list"),
            "outbox": reverse("inspections:outbox"),
            "shell": reverse("inspections:offline_shell"),
            "static_prefix": settings.STATIC_URL,
        },
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    # The browser checks for a new worker on each navigation; never let a cache answer for it.
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def manifest(request):
    """The web app manifest: "add to home screen" opens My premises, full screen."""
    icons = [
        ("icons/icon-192.png", "192x192", "any"),
        ("icons/icon-512.png", "512x512", "any"),
        ("icons/icon-maskable-512.png", "512x512", "maskable"),
    ]
    data = {
        "name": "网格安全",
        "short_name": "网格安全",
        "lang": "zh-CN",
        "start_url": reverse("inspections:premises_list"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f8f9fa",
        "theme_color": "#0d6efd",
        "icons": [
            {"src": staticfiles_storage.url(src), "sizes": sizes, "type": "image/png", "purpose": p}
            for src, sizes, p in icons
        ],
    }
    response = JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-cache"
    return response


def checklist_version() -> str:
    """Changes when an active item is added, edited or retired, or the language changes: the
    shell a phone keeps must then be fetched again."""
    # An item retired or edited moves `last`; one added moves `active` and `top`.
    items = ChecklistItem.objects.aggregate(
        active=Count("pk", filter=Q(active=True)), last=Max("updated_at"), top=Max("pk")
    )
    raw = f"{SHELL_REVISION}|{get_language()}|{items}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass
class Applicability:
    """Which active items apply to which premises, computed in Python from three small queries
    instead of one `applicable_to` query per premises. Mirrors ChecklistItemQuerySet.
    applicable_to (tests hold them equal): all-premises items, the business type's, the tags'."""

    items: list[ChecklistItem]
    by_type: dict[int, set[int]]
    by_tag: dict[int, set[int]]

    @classmethod
    def load(cls) -> "Applicability":
        items = list(ChecklistItem.objects.filter(active=True).order_by("category", "code"))
        by_type: dict[int, set[int]] = {}
        by_tag: dict[int, set[int]] = {}
        types = ChecklistItem.business_types.through.objects.values_list(
            "checklistitem_id", "businesstype_id"
        )
        for item_id, type_id in types:
            by_type.setdefault(type_id, set()).add(item_id)
        for item_id, tag_id in ChecklistItem.tags.through.objects.values_list(
            "checklistitem_id", "tag_id"
        ):
            by_tag.setdefault(tag_id, set()).add(item_id)
        return cls(items=items, by_type=by_type, by_tag=by_tag)

    def item_ids(self, *, business_type_id: int, tag_ids: Iterable[int]) -> list[int]:
        wanted = set(self.by_type.get(business_type_id, ()))
        for tag_id in tag_ids:
            wanted |= self.by_tag.get(tag_id, set())
        return [i.pk for i in self.items if i.applies_to_all or i.pk in wanted]


def _premises_rows(user) -> list[Premises]:
    """Operating premises of the grids the user patrols (not a leader's whole village)."""
    return list(
        Premises.objects.visible_to(user)
        .operating()
        .filter(grid_id__in=membership_of(user).grids)
        .select_related("business_type", "grid__village")
        .prefetch_related("tags")
        .patrol_order()
    )


def build_bundle(user) -> dict:
    """The officer's offline data: a fixed number of queries whatever the grid's size."""
    rows = _premises_rows(user)
    applicability = Applicability.load()
    open_counts = dict(
        Hazard.objects.filter(premises__in=[p.pk for p in rows], status__in=OPEN_STATUSES)
        .order_by()
        .values("premises")
        .annotate(n=Count("pk"))
        .values_list("premises", "n")
    )
    profiles: dict[tuple[int, ...], int] = {}
    premises = []
    for p in rows:
        tags = list(p.tags.all())
        tag_ids = [t.pk for t in tags]
        ids = tuple(applicability.item_ids(business_type_id=p.business_type_id, tag_ids=tag_ids))
        profile = profiles.setdefault(ids, len(profiles))
        last = p.last_inspected_at
        premises.append(
            {
                "id": p.pk,
                "name": p.name,
                "address": p.address,
                "type": p.business_type.name,
                "grid": f"{p.grid.village.name} {p.grid.name}",
                "risk": p.risk_level,
                "risk_label": str(p.get_risk_level_display()),
                "tags": [t.name for t in tags],
                "last": timezone.localdate(last).isoformat() if last else None,
                "due": p.patrol_due_on.isoformat() if p.patrol_due_on else None,
                "open": open_counts.get(p.pk, 0),
                "profile": profile,
            }
        )
    version = checklist_version()
    return {
        "user": user.pk,
        "checklist": version,
        "shell": f"{reverse('inspections:offline_shell')}?v={version}",
        "premises_url": reverse("inspections:premises_detail", args=[0]),
        "inspect_url": reverse("inspections:inspection_new", args=[0]),
        "profiles": [list(ids) for ids in profiles],
        "premises": premises,
    }


@require_GET
@gzip_page
def offline_bundle(request):
    """/offline/bundle.json: revalidated on each officer page load; 304 when nothing changed."""
    body = json.dumps(build_bundle(request.user), ensure_ascii=False, separators=(",", ":"))
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:20] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    # The officer's own data: kept by this browser only, and checked again on every use.
    response["Cache-Control"] = "private, no-cache"
    return response


class ShellPage:
    """The inspection form with every active checklist item, for offline-shell.js to trim."""

    groups = InspectionPage.groups

    def __init__(self, *, items: list[ChecklistItem], today):
        self.items = items
        self.form = InspectionForm()
        self.answers = [
            AnswerForm(prefix=f"item-{item.pk}", item=item, today=today) for item in items
        ]
        self.extras = ExtraHazardFormSet(prefix="extra", today=today)
        self.problems: list[str] = []


@require_GET
@gzip_page
def offline_shell(request):
    """The page a phone shows for the officer pages it has not kept: the premises list, a
    premises and the inspection form, drawn from the bundle by offline-shell.js."""
    items = list(ChecklistItem.objects.filter(active=True).order_by("category", "code"))
    page = ShellPage(items=items, today=timezone.localdate())
    response = render(request, "inspections/offline/shell.html", {"page": page})
    response["X-Shell-Version"] = checklist_version()
    return response


@require_GET
def outbox(request):
    """Filings kept on this phone: what waits, what needs the officer (drawn by offline.js)."""
    return render(request, "inspections/offline/outbox.html")
