"""With the broker down, the sweep still records everything and the next sweep sends it."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from hazards import reminders
from notifications.models import Delivery, Notification
from tests.factories import GridFactory, HazardFactory, PremisesFactory, UserFactory
from tests.integration.test_celery_worker import ROOT, database_url, needs_postgres


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_sweep_with_redis_down_loses_nothing(django_capture_on_commit_callbacks):
    officer = UserFactory(username="officer", email="officer@example.com", role=Role.GRID_OFFICER)
    premises = PremisesFactory(grid=GridFactory(officers=[officer]))
    HazardFactory(
        premises=premises, rectifying=True, rectify_by=timezone.localdate() - timedelta(2)
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "manage.py", "send_reminders"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "overdue → officer" in run.stdout
    assert "could not queue delivery" in run.stderr
    assert time.monotonic() - started < 60
    pending = Delivery.objects.filter(channel="email")
    assert pending.exists() and set(pending.values_list("status", flat=True)) == {"pending"}
    assert Notification.objects.filter(recipient=officer).exists()

    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        report = reminders.sweep()
    assert report.requeued == pending.count()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert {tuple(m.to) for m in mail.outbox} == {("officer@example.com",)}
