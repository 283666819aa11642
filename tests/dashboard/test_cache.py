"""The dashboard from the cache (config/data_cache.py): asked again while nothing changed, the
page is not counted again; after any write it commits, the next page shows the new figures;
people who see different slices never see each other's."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from premises.models import Premises
from premises.services import change_status, write_columns
from tests.dashboard import known_town
from tests.dashboard.known_town import NOW, TODAY
from tests.factories import HazardFactory

pytestmark = pytest.mark.django_db(transaction=True)  # writes commit: on_commit runs


@pytest.fixture
def town(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    with time_machine.travel(NOW, tick=False):
        yield known_town.build()


def figure(html: str, key: str) -> int:
    return int(re.search(rf'data-(?:kpi|part)="{key}" data-count="(\d+)"', html).group(1))


def board(client, user, **params) -> tuple[str, int]:
    """The page's HTML and how many statements it ran."""
    if client.session.get("_auth_user_id") != str(user.pk):
        client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("dashboard:index"), params).content.decode()
    return html, len(queries)


def test_asked_again_the_board_is_not_counted_again(client, town):
    first, counted = board(client, town.office)
    again, asked_again = board(client, town.office)

    assert figure(again, "found") == figure(first, "found")
    assert asked_again < counted / 2


def test_a_hazard_reported_shows_on_the_next_board(client, town):
    before, _n = board(client, town.office)
    HazardFactory(premises=town.p["p1"], reported_at=NOW)

    after, _n = board(client, town.office)
    assert figure(after, "found") == figure(before, "found") + 1


def test_premises_written_without_signals_show_too(client, town):
    """The nightly risk recompute writes many premises at once, without model signals: it says
    so itself (config.data_cache.changed)."""
    before, _n = board(client, town.office)
    due_today = town.p["p2"]
    due_today.patrol_due_on = TODAY + timedelta(days=30)
    write_columns([due_today], ("patrol_due_on",))

    after, _n = board(client, town.office)
    assert figure(after, "covered") == figure(before, "covered") + 1


def test_a_premises_closed_down_leaves_the_operating_count(client, town):
    before, _n = board(client, town.office)
    change_status(town.p["p1"], status=Premises.Status.CLOSED, by=town.office)

    after, _n = board(client, town.office)
    assert figure(after, "operating") == figure(before, "operating") - 1


def test_a_leader_never_gets_the_office_board(client, town):
    office, _n = board(client, town.office)
    leader, _n = board(client, town.leader)

    assert "西村" in office  # the second village ranks on the office's board
    assert figure(leader, "found") < figure(office, "found")


def test_each_language_has_its_own_board(client, town):
    chinese, _n = board(client, town.office)
    client.cookies["django_language"] = "en"
    english, _n = board(client, town.office)

    assert "隐患" in chinese and "Hazards found" in english
