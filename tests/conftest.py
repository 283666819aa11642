import os
from unittest import mock

import pytest

# --- one suite, all of it run (docs/architecture.md, Tests) -----------------------------------

DATABASE_MARKERS = {
    "postgresql": "needs PostgreSQL (row locks, COPY, pg_trgm, another process); not on SQLite",
    "sqlite": "about SQLite alone; not run on PostgreSQL",
    "redis": "needs a Redis server (REDIS_URL); not run without one",
}


def pytest_configure(config):
    for name, meaning in DATABASE_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


def _runs_here(item, vendor: str) -> bool:
    if item.get_closest_marker("postgresql") and vendor != "postgresql":
        return False
    if item.get_closest_marker("sqlite") and vendor != "sqlite":
        return False
    return not (item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config, items):
    """The tests of another database (or of Redis, without one) are left out of this run, not
    skipped: CI's two runs, SQLite and PostgreSQL + Redis, run every test between them."""
    from django.db import connection

    elsewhere = [item for item in items if not _runs_here(item, connection.vendor)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if _runs_here(item, connection.vendor)]


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test fails the run: what is skipped there is run nowhere. (A browser test
    without its browser fails in CI on its own: tests/e2e/conftest.py.)"""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and os.environ.get("CI") == "true" and session.exitstatus == 0:
        session.exitstatus = 1
        reporter.write_line(f"CI: {len(skipped)} tests skipped, which CI does not allow:", red=True)
        for report in skipped:
            reporter.write_line(f"  {report.nodeid}: {report.longrepr[-1]}")


@pytest.fixture(autouse=True, scope="session")
def jinja2_contexts():
    """The test client's `response.context` holds what Jinja2 templates were given too, as it
    does for Django's (the dashboard's content: dashboard/templating.py)."""
    from django.template.backends.jinja2 import Template
    from django.test.signals import template_rendered

    render = Template.render

    def render_and_tell(self, context=None, request=None):
        template_rendered.send(sender=self, template=self, context=dict(context or {}))
        return render(self, context, request)

    with mock.patch.object(Template, "render", render_and_tell):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads of every test land in its own temporary folder, never in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def tallies_agree_with_rows(request):
    """After every test that wrote to the database, the dashboard's monthly tallies (kept by
    triggers) equal the rows they summarise — whatever the test wrote and how."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction") or "live_server" in request.fixturenames:
        return  # no database, or one emptied (TRUNCATE) by the time this runs
    from dashboard.tallies import drift

    assert drift() == []


@pytest.fixture(scope="session", autouse=True)
def sqlite_flush_steps_around_triggers():
    """SQLite has no TRUNCATE: after a transactional or live-server test the flush empties each
    table with DELETE FROM, which the append-only triggers on hazard events refuse
    (hazards/migrations/0004_event_append_only.py). The flush drops the triggers of the tables
    it empties and creates them again, in its one transaction. PostgreSQL flushes with TRUNCATE."""
    from django.db.backends.sqlite3.base import DatabaseOperations  # base first: import cycle

    sql_flush = DatabaseOperations.sql_flush

    def flush_past_triggers(self, style, tables, **kwargs):
        statements = sql_flush(self, style, tables, **kwargs)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = [(name, sql) for name, table, sql in cursor.fetchall() if table in tables]
        drop = [f"DROP TRIGGER {self.quote_name(name)};" for name, _sql in triggers]
        return drop + statements + [f"{sql};" for _name, sql in triggers]

    with mock.patch.object(DatabaseOperations, "sql_flush", flush_past_triggers):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (a dashboard kept by an earlier test's rows)."""
    from django.core.cache import cache

    cache.clear()
