"""One notification per (recipient, kind, target, day): a sweep run twice sends once."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from notifications.models import Notification
from tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_same_notification_twice_on_one_day_is_refused():
    first = NotificationFactory()

    with (
        pytest.raises(
            IntegrityError,
            match=r"notifications_notification_once_per_day|UNIQUE constraint failed: notif",
        ),
        transaction.atomic(),
    ):
        NotificationFactory(
            recipient=first.recipient,
            kind=first.kind,
            target_type=first.target_type,
            target_id=first.target_id,
            day=first.day,
        )


@pytest.mark.parametrize(
    "differs",
    ["recipient", "kind", "target_type", "target_id", "day"],
)
def test_notifications_differing_in_any_part_of_the_key_may_coexist(differs):
    first = NotificationFactory()
    key = {
        "recipient": first.recipient,
        "kind": first.kind,
        "target_type": first.target_type,
        "target_id": first.target_id,
        "day": first.day,
    }
    key[differs] = {
        "recipient": UserFactory(),
        "kind": Notification.Kind.ESCALATED,
        "target_type": "premises",
        "target_id": first.target_id + 1,
        "day": first.day + timedelta(days=1),
    }[differs]

    NotificationFactory(**key)

    assert Notification.objects.count() == 2


def test_digest_without_a_target_is_sent_once_a_day():
    recipient = UserFactory()
    NotificationFactory(recipient=recipient, target_type="", target_id=0)

    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory(recipient=recipient, target_type="", target_id=0)
