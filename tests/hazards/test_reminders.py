"""The reminder sweep (docs/workflow.md, Reminders): boundaries with a moved clock, the
escalation ladder, exactly-once digests and deliveries."""

import threading
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from hazards import reminders, workflow
from hazards.models import Category, Hazard, HazardEvent, HazardPhoto, Severity
from hazards.photos import process_photo
from notifications import delivery as delivery_module
from notifications.models import Delivery, Notification
from premises.models import Premises
from tests.factories import (
    BusinessTypeFactory,
    DepartmentFactory,
    GridFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)
from tests.hazards import photo_files
from tests.hazards.test_workflow import PLAN, add_photo

K = Notification.Kind


def at(day: date, hour: int = 8, minute: int = 30) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def town(db):
    users = {
        "officer": UserFactory(username="officer", role=Role.GRID_OFFICER),
        "leader": UserFactory(username="leader", role=Role.VILLAGE_LEADER),
        "department": UserFactory(username="department", role=Role.DEPARTMENT_OFFICER),
        "office": UserFactory(username="office", role=Role.SAFETY_OFFICE),
        "registry": UserFactory(username="registry", role=Role.REGISTRY_ADMIN),
    }
    department = DepartmentFactory(members=[users["department"]])
    village = VillageFactory(leaders=[users["leader"]])
    grid = GridFactory(officers=[users["officer"]], village=village)
    premises = PremisesFactory(
        grid=grid,
        business_type=BusinessTypeFactory(department=department),
        commitment_signed_on=date(2026, 1, 1),
    )
    return {"premises": premises, "users": users, "village": village}


def file_hazard(town, *, found: date, rectify_by: date, severity=Severity.GENERAL) -> Hazard:
    users = town["users"]
    with time_machine.travel(at(found, 10), tick=False):
        hazard = workflow.report(
            town["premises"],
            by=users["officer"],
            category=Category.GAS,
            description="液化气瓶未固定",
            severity=severity,
            rectify_by=rectify_by,
        )
        plan = PLAN | {"plan_deadline": rectify_by} if severity == Severity.MAJOR else None
        return workflow.verify(hazard, by=users["leader"], plan=plan)


def sweep_on(day: date, callbacks) -> reminders.SweepReport:
    with time_machine.travel(at(day), tick=False), callbacks(execute=True):
        return reminders.sweep()


def kinds_for(username: str, day: date) -> set[str]:
    return set(
        Notification.objects.filter(recipient__username=username, day=day).values_list(
            "kind", flat=True
        )
    )


TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (TODAY + timedelta(days=1), {K.DUE_SOON}),
        (TODAY, {K.DUE_SOON}),
        (TODAY - timedelta(days=1), {K.OVERDUE}),
        (TODAY - timedelta(days=7), {K.OVERDUE}),
    ],
    ids=["tomorrow", "today", "yesterday", "7-days-ago"],
)
def test_deadline_boundaries_for_the_grid_officer(
    town, django_capture_on_commit_callbacks, deadline, expected
):
    file_hazard(town, found=TODAY - timedelta(days=20), rectify_by=deadline)
    sweep_on(TODAY, django_capture_on_commit_callbacks)
    assert kinds_for("officer", TODAY) - {K.PATROL_DUE} == expected
    assert kinds_for("leader", TODAY) - {K.PATROL_DUE} == expected


def test_seven_days_overdue_escalates_a_general_hazard_to_office_and_department(
    town, django_capture_on_commit_callbacks
):
    six = file_hazard(town, found=TODAY - timedelta(days=20), rectify_by=TODAY - timedelta(days=6))
    seven = file_hazard(
        town, found=TODAY - timedelta(days=20), rectify_by=TODAY - timedelta(days=7)
    )
    sweep_on(TODAY, django_capture_on_commit_callbacks)
    six.refresh_from_db()
    seven.refresh_from_db()
    assert (six.escalation_level, seven.escalation_level) == (0, 1)
    event = seven.events.get(action="escalate")
    assert event.actor is None
    assert K.ESCALATED in kinds_for("office", TODAY)
    assert K.ESCALATED in kinds_for("department", TODAY)
    digest = Notification.objects.get(recipient__username="office", kind=K.ESCALATED)
    assert [item["label"].split()[0] for item in digest.items] == [seven.ledger_number]


def test_major_hazard_escalates_after_one_day(town, django_capture_on_commit_callbacks):
    major = file_hazard(
        town,
        found=TODAY - timedelta(days=40),
        rectify_by=TODAY - timedelta(days=1),
        severity=Severity.MAJOR,
    )
    sweep_on(TODAY, django_capture_on_commit_callbacks)
    major.refresh_from_db()
    assert major.escalation_level == 1


def test_escalation_ladder_climbs_once_per_level(town, django_capture_on_commit_callbacks):
    deadline = date(2026, 10, 20)
    hazard = file_hazard(town, found=date(2026, 10, 10), rectify_by=deadline)
    levels = []
    for days_late in (6, 7, 7, 13, 14, 29, 30, 45):
        sweep_on(deadline + timedelta(days=days_late), django_capture_on_commit_callbacks)
        hazard.refresh_from_db()
        levels.append(hazard.escalation_level)
    assert levels == [0, 1, 1, 1, 2, 2, 3, 3]
    assert hazard.events.filter(action="escalate").count() == 3


def test_sweep_after_an_outage_catches_up_every_level(town, django_capture_on_commit_callbacks):
    hazard = file_hazard(
        town, found=TODAY - timedelta(days=40), rectify_by=TODAY - timedelta(days=20)
    )
    sweep_on(TODAY, django_capture_on_commit_callbacks)
    hazard.refresh_from_db()
    assert hazard.escalation_level == 2
    notes = list(hazard.events.filter(action="escalate").values_list("note", flat=True))
    assert len(notes) == 2


def test_due_soon_counts_working_days_over_national_day(town, django_capture_on_commit_callbacks):
    # 2026: 1-7 October are holidays; Saturday 10 October is a make-up workday. On 30 September
    # the next two working days are 8 and 9 October.
    eve = date(2026, 9, 30)
    within = file_hazard(town, found=date(2026, 9, 20), rectify_by=date(2026, 10, 9))
    beyond = file_hazard(town, found=date(2026, 9, 20), rectify_by=date(2026, 10, 10))
    sweep_on(eve, django_capture_on_commit_callbacks)
    digest = Notification.objects.get(recipient__username="officer", kind=K.DUE_SOON)
    listed = " ".join(item["label"] for item in digest.items)
    assert within.ledger_number in listed
    assert beyond.ledger_number not in listed


def test_review_overdue_after_three_working_days(town, django_capture_on_commit_callbacks):
    friday = date(2026, 11, 20)
    hazard = file_hazard(town, found=date(2026, 11, 10), rectify_by=date(2026, 11, 30))
    add_photo(hazard, by=town["users"]["officer"])
    with time_machine.travel(at(friday, 16), tick=False):
        workflow.submit_fix(hazard, by=town["users"]["officer"])
    # Mon 23, Tue 24, Wed 25 are the three working days: late from Thursday 26.
    sweep_on(date(2026, 11, 25), django_capture_on_commit_callbacks)
    assert K.REVIEW_OVERDUE not in kinds_for("leader", date(2026, 11, 25))
    sweep_on(date(2026, 11, 26), django_capture_on_commit_callbacks)
    assert K.REVIEW_OVERDUE in kinds_for("leader", date(2026, 11, 26))
    assert K.REVIEW_OVERDUE in kinds_for("office", date(2026, 11, 26))
    assert K.REVIEW_OVERDUE not in kinds_for("officer", date(2026, 11, 26))


def test_patrol_commitment_and_insurance_reminders(
    client, town, django_capture_on_commit_callbacks
):
    PremisesFactory(grid=town["premises"].grid, insurance_expires_on=TODAY + timedelta(days=10))
    PremisesFactory(grid=town["premises"].grid, status=Premises.Status.CLOSED)  # not counted
    sweep_on(TODAY, django_capture_on_commit_callbacks)
    assert K.PATROL_DUE in kinds_for("officer", TODAY)
    assert {K.COMMITMENT_MISSING, K.INSURANCE_EXPIRING} <= kinds_for("registry", TODAY)

    # Each registry digest opens the registry list holding exactly the premises it counts.
    client.force_login(User.objects.get(username="registry"))
    counted = {
        K.COMMITMENT_MISSING: reminders.commitment_missing().count(),
        K.INSURANCE_EXPIRING: reminders.insurance_expiring(TODAY).count(),
    }
    assert (
        counted[K.COMMITMENT_MISSING]
        < Premises.objects.filter(commitment_signed_on__isnull=True).count()
    )  # the closed premises is left out
    for kind, n in counted.items():
        digest = Notification.objects.get(recipient__username="registry", kind=kind, day=TODAY)
        assert str(n) in digest.title
        with time_machine.travel(TODAY, tick=False):
            assert client.get(digest.link).context["page"].paginator.count == n


def test_sweep_twice_on_one_day_sends_once(town, django_capture_on_commit_callbacks):
    file_hazard(town, found=TODAY - timedelta(days=20), rectify_by=TODAY - timedelta(days=8))
    sweep_on(TODAY, django_capture_on_commit_callbacks)
    counts = (Notification.objects.count(), Delivery.objects.count(), len(mail.outbox))
    events = HazardEvent.objects.count()
    assert counts[2] > 0
    second = sweep_on(TODAY, django_capture_on_commit_callbacks)
    assert (Notification.objects.count(), Delivery.objects.count(), len(mail.outbox)) == counts
    assert HazardEvent.objects.count() == events
    assert not second.digests and not second.escalations
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_one_digest_per_person_lists_every_item(town, django_capture_on_commit_callbacks):
    for days in (1, 2, 3):
        file_hazard(town, found=TODAY - timedelta(days=10), rectify_by=TODAY - timedelta(days=days))
    sweep_on(TODAY, django_capture_on_commit_callbacks)
    digest = Notification.objects.get(recipient__username="officer", kind=K.OVERDUE)
    assert len(digest.items) == 3
    assert all(item["url"].startswith("/hazards/") for item in digest.items)
    email = next(m for m in mail.outbox if m.to == ["officer@example.com"] and "3" in m.subject)
    assert email.alternatives and '<a href="http://' in email.alternatives[0][0]


def test_crash_between_claim_and_send_is_sent_once_later(town, django_capture_on_commit_callbacks):
    file_hazard(town, found=TODAY - timedelta(days=10), rectify_by=TODAY - timedelta(days=2))
    with time_machine.travel(at(TODAY), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            reminders.sweep()  # deliveries made, queued tasks lost (the worker died)
        pending = Delivery.objects.filter(channel="email").first()
        assert delivery_module.claim(pending.pk, now=timezone.now()) is not None  # then killed
        assert delivery_module.deliver(pending.pk) is False  # the claim is still fresh
    assert len(mail.outbox) == 0
    later = at(TODAY) + delivery_module.CLAIM_TIMEOUT + timedelta(minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        report = reminders.sweep()
    assert report.requeued == Delivery.objects.count()
    assert len(mail.outbox) == Delivery.objects.filter(channel="email").count()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_failing_webhook_never_blocks_email(town, settings, django_capture_on_commit_callbacks):
    # A webhook that is allowed but does not answer: the failure is the connection's.
    settings.OUTGOING_ALLOWED_HOSTS, settings.OUTGOING_HTTPS_ONLY = ["127.0.0.1"], False
    village = town["village"]
    village.wecom_webhook_url = "http://127.0.0.1:9/nothing-listens-here"
    village.save()
    file_hazard(town, found=TODAY - timedelta(days=10), rectify_by=TODAY - timedelta(days=2))
    sweep_on(TODAY, django_capture_on_commit_callbacks)
    webhook = Delivery.objects.get(channel="wecom")
    assert webhook.status == "pending" and webhook.attempts == 1
    assert webhook.log[0]["ok"] is False and webhook.log[0]["error"]
    assert Delivery.objects.filter(channel="email", status="sent").exists()
    assert len(mail.outbox) > 0


def test_send_reminders_command_dry_run_changes_nothing(town, capsys):
    file_hazard(town, found=TODAY - timedelta(days=20), rectify_by=TODAY - timedelta(days=8))
    call_command("send_reminders", "--date", TODAY.isoformat(), "--dry-run")
    output = capsys.readouterr().out
    assert "[dry run]" in output and "overdue → officer" in output
    assert not Notification.objects.exists()
    assert not HazardEvent.objects.filter(action="escalate").exists()
    call_command("send_reminders", "--date", TODAY.isoformat())
    assert Notification.objects.filter(day=TODAY).exists()


@pytest.mark.postgresql  # two connections at once
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_message_once(town):
    file_hazard(town, found=TODAY - timedelta(days=20), rectify_by=TODAY - timedelta(days=8))
    barrier = threading.Barrier(2)
    errors = []

    def run() -> None:
        try:
            barrier.wait()
            with time_machine.travel(at(TODAY), tick=False):
                reminders.sweep()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert Delivery.objects.filter(status="sent").count() == Delivery.objects.count()
    assert len(mail.outbox) == Delivery.objects.filter(channel="email").count()
    keys = list(Notification.objects.values_list("recipient", "kind", "day"))
    assert len(keys) == len(set(keys))
    hazard = Hazard.objects.get()
    assert hazard.events.filter(action="escalate").count() == hazard.escalation_level == 1


def test_sweep_removes_week_old_unfiled_draft_photos(town, django_capture_on_commit_callbacks):
    officer = town["users"]["officer"]
    with time_machine.travel(at(TODAY - timedelta(days=8)), tick=False):
        old = add_draft(officer)
    with time_machine.travel(at(TODAY - timedelta(days=2)), tick=False):
        recent = add_draft(officer)
    old_file = old.image.path
    report = sweep_on(TODAY, django_capture_on_commit_callbacks)
    assert report.purged_drafts == 1
    assert list(HazardPhoto.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Path(old_file).exists()


def add_draft(user) -> HazardPhoto:
    processed = process_photo(photo_files.jpeg())
    return HazardPhoto.objects.create(
        draft_key=uuid.uuid4(),
        draft_field="item-1-photos",
        stage=HazardPhoto.Stage.FINDING,
        image=processed.image,
        thumbnail=processed.thumbnail,
        uploaded_by=user,
    )
