"""A real Celery worker against the real Redis runs the sweep; an email reaches a fake SMTP
server and a message a fake WeCom webhook, both on 127.0.0.1 (the only fakes: outside world)."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from config.celery import app
from hazards.models import Category, Severity
from notifications.models import Delivery
from tests.factories import GridFactory, HazardFactory, PremisesFactory, UserFactory, VillageFactory

ROOT = Path(__file__).resolve().parents[2]
# A database shared with another process: PostgreSQL (the PostgreSQL pass of .ci/run).
needs_postgres = pytest.mark.postgresql


def needs_services(test):
    """PostgreSQL shared with the worker process, and Redis: the PostgreSQL + Redis pass."""
    return pytest.mark.redis(pytest.mark.postgresql(test))


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


class Webhook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Webhook.received.append(json.loads(self.rfile.read(length)))
        body = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def webhook():
    Webhook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test"
    server.shutdown()


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(smtp):
    controller, _inbox = smtp
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # The fake WeCom webhook listens on this machine, over http.
        "GRIDWATCH_OUTGOING_ALLOWED_HOSTS": "127.0.0.1",
        "GRIDWATCH_OUTGOING_HTTPS_ONLY": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


@needs_services
@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_sweep_and_delivers_email_and_wecom(smtp, webhook, worker):
    _controller, inbox = smtp
    officer = UserFactory(username="officer", email="officer@example.com", role=Role.GRID_OFFICER)
    village = VillageFactory(wecom_webhook_url=webhook)
    premises = PremisesFactory(grid=GridFactory(officers=[officer], village=village))
    hazard = HazardFactory(
        premises=premises,
        rectifying=True,
        category=Category.GAS,
        severity=Severity.GENERAL,
        rectify_by=timezone.localdate() - timedelta(days=2),
    )
    assert settings.CELERY_BROKER_URL.startswith("redis://")

    # send_task always goes through the broker (eager mode does not apply to it): Redis, then the
    # worker process.
    with pytest.warns(Warning, match="eager"):
        app.send_task("hazards.tasks.send_reminders_task")

    arrived = wait_for(lambda: inbox.messages and Webhook.received)
    log = (
        "" if arrived else worker.stdout.read1().decode() if hasattr(worker.stdout, "read1") else ""
    )
    assert arrived, f"nothing arrived; worker said:\n{log}"
    bodies = {
        message["To"]: message.get_payload()[0].get_payload(decode=True).decode()
        for message in inbox.messages
        if hazard.ledger_number in message.get_payload()[0].get_payload(decode=True).decode()
    }
    assert list(bodies) == ["officer@example.com"]
    content = Webhook.received[0]["markdown"]["content"]
    assert Webhook.received[0]["msgtype"] == "markdown" and hazard.ledger_number in content
    assert wait_for(lambda: not Delivery.objects.exclude(status="sent").exists(), 20)
    assert Delivery.objects.filter(channel="wecom", status="sent").count() == 1
