"""Timing the daily reminder sweep on a throwaway copy of a benchmark database.

The sweep commits (notifications, escalation events) and queues deliveries, so it runs on a
copy (`CREATE DATABASE … TEMPLATE …`) that is dropped afterwards, with Celery publishing to a
Redis database of its own, emptied afterwards: the figure is the real `manage.py
send_reminders`, deliveries queued, not a dry run.
"""

import json
import subprocess
from urllib.parse import urlsplit

import psycopg
import redis

from bench.common import PYTHON, ROOT

REDIS_DB = 15
SCRIPT = """
import json, time
from io import StringIO
from django.core.management import call_command
from django.utils import timezone
from hazards import reminders
from hazards.models import Hazard, OPEN_STATUSES
from notifications.models import Delivery, Notification

today = timezone.localdate()
due = {}
for name in ("overdue", "due_soon", "review_overdue", "escalation_candidates"):
    due[name] = getattr(reminders, name)(today).count()
due["patrol_due"] = reminders.patrol_due(today).count()
sizes = {
    "hazards": Hazard.objects.count(),
    "open": Hazard.objects.filter(status__in=OPEN_STATUSES).count(),
}
before = (Notification.objects.count(), Delivery.objects.count())
out = StringIO()
started = time.perf_counter()
call_command("send_reminders", stdout=out)
seconds = time.perf_counter() - started
lines = out.getvalue().splitlines()
print(json.dumps({
    "seconds": seconds,
    "due": due,
    "sizes": sizes,
    "escalations": sum(": escalated YH-" in line for line in lines),
    "notifications": Notification.objects.count() - before[0],
    "deliveries": Delivery.objects.count() - before[1],
    "lines": len(lines),
}))
"""


def _admin(dsn: str) -> psycopg.Connection:
    parts = urlsplit(dsn)
    return psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True)


def clone(dsn: str, name: str) -> str:
    """A copy of the database behind `dsn` (nobody may be connected to it) named `name`."""
    source = urlsplit(dsn).path.lstrip("/")
    with _admin(dsn) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return urlsplit(dsn)._replace(path=f"/{name}").geturl()


def drop(dsn: str) -> None:
    name = urlsplit(dsn).path.lstrip("/")
    with _admin(dsn) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def measure(env: dict, dsn: str) -> dict:
    """Run the sweep once on a copy of the database; its seconds and what was due."""
    queue = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    if queue.dbsize():
        raise RuntimeError(f"Redis database {REDIS_DB} is not empty; not using it.")
    copy = clone(dsn, urlsplit(dsn).path.lstrip("/") + "_sweep")
    try:
        result = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SCRIPT],
            cwd=ROOT,
            env={**env, "DATABASE_URL": copy, "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}"},
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        queue.flushdb()  # only what this run queued: the database was empty before
        drop(copy)
    return json.loads(result.stdout.strip().splitlines()[-1])
