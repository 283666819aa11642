"""Content kept in Django's cache while the rows it was made of stand still: the dashboard's
(docs/decisions.md, Dashboards from the cache).

Every key carries the data's generation: a number bumped when a write to the rows a dashboard
counts commits (`transaction.on_commit`), so a change is seen by the next request in every
worker that shares the cache (Redis in production; local memory under `make run`, where the
web process is one). Writes through the models bump it by their signals; a write that sends
none (a queryset's `update()`, `bulk_create()`) calls `changed()`. Some figures move with the
clock too (a deadline passes at midnight, a 180-day window ends every moment): the day is part
of the key and a content lives at most `settings.DASHBOARD_CACHE_SECONDS`.
"""

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION = "data:generation"
# The apps whose rows a dashboard counts, names or scopes by; of the users, their roles
# (groups) alone: a sign-in writes the user's row too.
WATCHED_APPS = frozenset(
    {"grids", "premises", "inspections", "hazards", "enforcement", "accidents"}
)
WATCHED_LINKS = WATCHED_APPS | {"accounts"}


def generation() -> int:
    """The data's generation now. Started from the clock, so a generation lost from the cache
    (evicted, flushed) never comes back as a number an older content was kept under."""
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, time.time_ns(), timeout=None)
        value = cache.get(GENERATION, 0)
    return value


def _bump() -> None:
    try:
        cache.incr(GENERATION)
    except ValueError:  # not in the cache: any new number will do
        cache.set(GENERATION, time.time_ns(), timeout=None)


def changed() -> None:
    """The rows a dashboard counts changed (once the transaction commits)."""
    transaction.on_commit(_bump)


def _on_model_write(sender, **kwargs) -> None:
    if sender._meta.app_label in WATCHED_APPS:
        changed()


def _on_links_changed(sender, **kwargs) -> None:
    if sender._meta.app_label in WATCHED_LINKS:
        changed()


def watch_writes() -> None:
    """Bump the generation after every model write of the watched apps (DashboardConfig)."""
    post_save.connect(_on_model_write, dispatch_uid="data-cache-save")
    post_delete.connect(_on_model_write, dispatch_uid="data-cache-delete")
    m2m_changed.connect(_on_links_changed, dispatch_uid="data-cache-links")


def cached(parts: tuple, render: Callable[[], str]) -> str:
    """The text kept under `parts` (everything it depends on but the data: what it is, for
    whom, in which language...) at the current generation, or what `render` returns, kept."""
    if not settings.DASHBOARD_CACHE_SECONDS:
        return render()
    digest = hashlib.sha256(repr((generation(), *parts)).encode()).hexdigest()
    key = f"data:{digest}"
    found = cache.get(key)
    if found is None:
        found = render()
        cache.set(key, found, timeout=settings.DASHBOARD_CACHE_SECONDS)
    return found
