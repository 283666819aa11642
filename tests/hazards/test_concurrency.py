"""Two reviewers accept the same fix at the same moment: exactly one closes it.

Two threads, each with its own database connection, meet at a barrier and post the accept form
through the HTTP client. The workflow locks the hazard row (SELECT ... FOR UPDATE), so the second
waits for the first to commit, then finds the hazard closed and is told so. SQLite has no row
locks (it serialises whole-database writes), so the test runs on PostgreSQL only.
"""

import threading
import uuid

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.roles import Role, sync_role_groups
from hazards import workflow
from hazards.models import Hazard, HazardEvent
from tests.factories import (
    DepartmentFactory,
    GridFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)
from tests.hazards.test_workflow import add_photo

pytestmark = [
    pytest.mark.postgresql,  # its row locks
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def role_groups():
    """A transactional test starts from a flushed database: the role groups (a data migration)
    are gone and are made again here."""
    sync_role_groups(apps)


def submitted_hazard(leader, officer):
    department = DepartmentFactory()
    grid = GridFactory(officers=[officer], village=VillageFactory(leaders=[leader]))
    premises = PremisesFactory(grid=grid)
    hazard = workflow.report(
        premises, by=officer, category="GAS", description="液化气瓶未固定", severity="general"
    )
    hazard = workflow.verify(hazard, by=leader, department=department)
    add_photo(hazard, by=officer)
    return workflow.submit_fix(hazard, by=officer)


def test_two_reviewers_accepting_at_once_close_it_once():
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    office = UserFactory(role=Role.SAFETY_OFFICE)
    officer = UserFactory(role=Role.GRID_OFFICER)
    hazard = submitted_hazard(leader, officer)
    url = reverse("hazards:hazard_transition", args=[hazard.pk, "accept"])
    barrier = threading.Barrier(2, timeout=20)
    results: dict[str, tuple[int, list[str]]] = {}
    errors: list[BaseException] = []

    def review(name: str, user) -> None:
        try:
            client = Client(headers={"accept-language": "en"})
            client.force_login(user)
            barrier.wait()
            data = {"accept-key": str(uuid.uuid4()), "accept-note": name}
            response = client.post(url, data)
            results[name] = (
                response.status_code,
                [str(m) for m in get_messages(response.wsgi_request)],
            )
        except BaseException as error:  # noqa: BLE001 -- reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [
        threading.Thread(target=review, args=("leader", leader)),
        threading.Thread(target=review, args=("office", office)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert {code for code, _messages in results.values()} == {302}
    accepted = HazardEvent.objects.filter(hazard=hazard, action="accept")
    assert accepted.count() == 1
    winner = accepted.get().note
    loser = "office" if winner == "leader" else "leader"
    assert any("closed" in m for m in results[winner][1])
    # The loser waited for the winner's row lock, then found the hazard closed.
    assert any("not waiting for review" in m for m in results[loser][1]), results[loser]
    closed = Hazard.objects.get(pk=hazard.pk)
    assert closed.status == Hazard.Status.CLOSED
    assert closed.reviewed_by == {"leader": leader, "office": office}[winner]
