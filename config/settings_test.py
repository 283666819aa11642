"""Settings for the test run: the production settings, with Celery tasks run in-process.

Set here, before anything starts, because toggling eager mode at runtime once hung a test run
(docs/decisions.md, "Found by trying the stack"). Tests that need the real broker use
`send_task`, which eager mode does not touch."""

import os
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A test database in a file, not in memory: the browser tests' live server answers several
    # requests at once (a page and its photos), and with an in-memory database all its threads
    # would share one connection and trip over each other's savepoints. One file per test run.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"gridwatch-test-{os.getpid()}.sqlite3")
    }

# Webhooks are checked as in production whatever the developer's DJANGO_DEBUG says; a test that
# posts to its fake server on 127.0.0.1 allows it there (pytest-django's `settings` fixture).
OUTGOING_HTTPS_ONLY = True
OUTGOING_ALLOWED_HOSTS = []

# A test's writes commit only when it asks for a transaction of its own, and only then do they
# move the cache's generation (config/data_cache.py): the dashboard is counted on every request
# but in the tests of the cache, which turn it on.
DASHBOARD_CACHE_SECONDS = 0
