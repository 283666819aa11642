"""Nothing sent twice: the window a claim cannot close (a worker killed after the channel accepted
the message, before the row says so), forced here deterministically against a real SMTP server
(aiosmtpd on 127.0.0.1) and a real HTTP webhook; the email copy it causes is the same message."""

import email
import re
import threading
from datetime import timedelta
from http.server import ThreadingHTTPServer

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from hazards import reminders
from notifications import delivery as delivery_module
from notifications.models import Delivery, Notification
from notifications.services import Item, send_digest, send_group_message
from tests.factories import UserFactory
from tests.integration.test_celery_worker import Webhook, free_port

pytestmark = pytest.mark.django_db


class Mailbox:
    """An SMTP server's handler keeping every message it accepts; it can refuse the first
    `refuse` messages with a temporary error, as a busy or greylisting server does."""

    def __init__(self) -> None:
        self.accepted, self.refused, self.refuse = [], [], 0

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content)
        if len(self.refused) < self.refuse:
            self.refused.append(message)
            return "451 Try again later"
        self.accepted.append(message)
        return "250 Message accepted"


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it runs, no `except Exception` catches it."""


@pytest.fixture
def mailbox(settings):
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield handler
    controller.stop()


@pytest.fixture
def webhook(settings):
    # The fake WeCom server is on this machine, over http: allowed for these tests only.
    settings.OUTGOING_ALLOWED_HOSTS, settings.OUTGOING_HTTPS_ONLY = ["127.0.0.1"], False
    Webhook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test"
    server.shutdown()


@pytest.fixture
def killed_after_send(monkeypatch):
    """`killed_after_send(pk)`: the worker sending that delivery dies once the channel accepted
    it, before the database records it as sent. Other deliveries are recorded as usual."""
    victims = set()
    record_sent = delivery_module.record_sent

    def record_or_die(delivery, **kwargs) -> None:
        if delivery.pk in victims:
            victims.discard(delivery.pk)  # the next worker is not killed
            raise WorkerKilled
        record_sent(delivery, **kwargs)

    monkeypatch.setattr(delivery_module, "record_sent", record_or_die)
    return victims.add


def digests(n: int, capture) -> list[Delivery]:
    """n email digests, made with their queued tasks lost (the worker that took them died)."""
    with capture(execute=False):
        for i in range(n):
            send_digest(
                UserFactory(),
                kind=Notification.Kind.OVERDUE,
                day=timezone.localdate(),
                title=f"{i + 1} 项隐患已逾期",
                items=[Item(label=f"隐患 {i + 1}", url=f"/hazards/{i + 1}/")],
            )
    return list(Delivery.objects.order_by("pk"))


def next_sweep(capture) -> reminders.SweepReport:
    """The next morning's sweep, long after the dead worker's claims went stale."""
    later = timezone.now() + delivery_module.CLAIM_TIMEOUT + timedelta(minutes=1)
    with time_machine.travel(later, tick=False), capture(execute=True):
        return reminders.sweep()


def test_worker_killed_after_the_server_accepted_resends_the_same_message(
    mailbox, killed_after_send, django_capture_on_commit_callbacks
):
    deliveries = digests(3, django_capture_on_commit_callbacks)
    victim = deliveries[1]
    killed_after_send(victim.pk)
    for row in deliveries:
        if row == victim:
            with pytest.raises(WorkerKilled):
                delivery_module.deliver(row.pk)
        else:
            assert delivery_module.deliver(row.pk) is True
    victim.refresh_from_db()
    assert victim.status == Delivery.Status.SENDING  # the server has it; the database does not
    assert len(mailbox.accepted) == 3

    report = next_sweep(django_capture_on_commit_callbacks)

    assert report.requeued == 1
    ids = [message["Message-ID"] for message in mailbox.accepted]
    assert len(ids) == 4  # the message went twice ...
    assert len(set(ids)) == Delivery.objects.count() == 3  # ... as one message to the mailbox
    first, again = (m for m in mailbox.accepted if m["Message-ID"] == victim.message_id)
    assert (first["To"], first["Subject"]) == (again["To"], again["Subject"])
    assert first.get_payload()[0].get_payload() == again.get_payload()[0].get_payload()
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    victim.refresh_from_db()
    assert victim.attempts == 2 and victim.log[-1]["ok"] and victim.log[-1]["retaken"]


def test_every_attempt_at_an_email_carries_the_same_message_id(
    mailbox, django_capture_on_commit_callbacks
):
    (row,) = digests(1, django_capture_on_commit_callbacks)
    mailbox.refuse = 1

    with pytest.raises(delivery_module.DeliveryFailed, match="451"):
        delivery_module.deliver(row.pk)
    assert delivery_module.deliver(row.pk) is True

    (refused,), (accepted,) = mailbox.refused, mailbox.accepted
    assert refused["Message-ID"] == accepted["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert [entry["ok"] for entry in row.log] == [False, True]
    assert not any(entry.get("retaken") for entry in row.log)  # a refusal is a known result


def test_message_id_names_the_delivery_and_the_site_domain(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://gridwatch.example.cn"
    first, second = digests(2, django_capture_on_commit_callbacks)

    assert re.fullmatch(
        rf"<delivery\.{first.pk}\.[0-9a-f]{{16}}@gridwatch\.example\.cn>", first.message_id
    )
    assert first.message_id != second.message_id
    assert Delivery.objects.get(pk=first.pk).message_id == first.message_id


def test_stale_wecom_claim_is_sent_again_and_logged_as_retaken(
    webhook, killed_after_send, django_capture_on_commit_callbacks
):
    """WeCom cannot drop a second copy: the group sees the day's list twice rather than not at
    all (README, "Reminders"), and the attempt log says the send was retaken."""
    with django_capture_on_commit_callbacks(execute=False):
        send_group_message(
            key="1:overdue:2026-12-01",
            webhook_url=webhook,
            title="东村：2 项隐患已逾期",
            items=[Item(label="隐患 1", url="/hazards/1/"), Item(label="隐患 2")],
        )
    row = Delivery.objects.get(channel=Delivery.Channel.WECOM)
    killed_after_send(row.pk)
    with pytest.raises(WorkerKilled):
        delivery_module.deliver(row.pk)

    next_sweep(django_capture_on_commit_callbacks)

    assert len(Webhook.received) == 2 and Webhook.received[0] == Webhook.received[1]
    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT and row.attempts == 2
    assert row.log == [{"at": row.log[0]["at"], "ok": True, "retaken": True}]
