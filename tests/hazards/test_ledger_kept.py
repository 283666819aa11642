"""The ledger's count and its filters' long choice lists are kept while the rows stand still
(config/kept.py): asked again, they are not read again; after any change, made in any way, the
page shows it; each filter and each user's scope has its own."""

import re

import pytest
from django.db import connection, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.widgets import _kept_options
from config import kept
from grids.models import Village
from hazards.ledger import _counts
from hazards.models import Hazard
from tests.factories import GridFactory, HazardFactory, PremisesFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("hazards:hazard_list")
COUNT = 'SELECT COUNT(*) AS "__count" FROM "hazards_hazard"'


@pytest.fixture
def town(settings):
    if connection.vendor != "postgresql":
        pytest.skip("counts are kept on PostgreSQL only, where triggers count the changes")
    settings.KEPT_SECONDS = 60
    _counts.clear()
    _kept_options.clear()
    officer = UserFactory(role=Role.GRID_OFFICER)
    premises = PremisesFactory(grid=GridFactory(officers=[officer]))
    HazardFactory.create_batch(3, premises=premises)
    HazardFactory(premises=premises, closed=True)
    return {
        "office": UserFactory(role=Role.SAFETY_OFFICE),
        "officer": officer,
        "premises": premises,
    }


def shown(client, user, **params) -> tuple[int, int]:
    """(the count the page shows, the COUNT queries it ran)."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(URL, params).content.decode()
    counted = sum(COUNT in q["sql"] for q in queries)
    return int(re.search(r'data-ledger-count="(\d+)"', body).group(1)), counted


def test_asked_again_unchanged_it_is_not_counted_again(client, town):
    assert shown(client, town["office"]) == (4, 1)
    assert shown(client, town["office"]) == (4, 0)
    assert shown(client, town["office"], page=2) == (4, 0)  # the same rows, another page


def _new_hazard(town):
    HazardFactory(premises=town["premises"])


def _dismissed_by_a_queryset_update(town):
    Hazard.objects.filter(status=Hazard.Status.REPORTED).update(
        status=Hazard.Status.DISMISSED, dismissed_at=Now()
    )


def _deleted_by_raw_sql(town):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM hazards_hazard WHERE status = 'closed'")


@pytest.mark.parametrize(
    "change",
    [_new_hazard, _dismissed_by_a_queryset_update, _deleted_by_raw_sql],
    ids=lambda f: f.__name__,
)
def test_any_change_shows_at_once(client, town, change):
    before = shown(client, town["office"], status="found")[0]
    change(town)
    after, counted = shown(client, town["office"], status="found")
    assert counted == 1
    assert after == Hazard.objects.exclude(status=Hazard.Status.DISMISSED).count() != before


def test_each_filter_has_its_own_count(client, town):
    assert shown(client, town["office"], status="closed") == (1, 1)
    assert shown(client, town["office"], status="reported") == (3, 1)
    assert shown(client, town["office"], status="closed") == (1, 0)


def test_an_officer_given_another_grid_sees_its_hazards_at_once(client, town):
    """An assignment moves no count, but the officer's grids are part of the statement that
    counts, so a new grid is a new count."""
    officer = town["officer"]
    assert shown(client, officer) == (4, 1)
    assert shown(client, officer) == (4, 0)
    other = GridFactory()
    HazardFactory(premises=PremisesFactory(grid=other))
    assert shown(client, town["office"]) == (5, 1)
    before = kept.change_count()
    other.officers.add(officer)
    assert kept.change_count() == before
    assert shown(client, officer) == (5, 1)


def test_a_statement_that_reads_an_uncounted_table_is_not_kept(town):
    assert kept.reads_only_counted('SELECT 1 FROM "hazards_hazard" INNER JOIN "grids_grid" ON 1')
    assert not kept.reads_only_counted(
        'SELECT 1 FROM "hazards_hazard" WHERE "grid_id" IN (SELECT 1 FROM "grids_grid_officers")'
    )
    assert not kept.reads_only_counted('SELECT 1 FROM "hazards_hazard" join accounts_user ON 1')


def test_inside_a_transaction_nothing_is_kept(town):
    with transaction.atomic():
        assert not kept.keeping()
    assert kept.keeping()


def test_the_village_choices_show_a_new_or_renamed_village_at_once(client, town):
    def villages_shown() -> tuple[list[str], int]:
        client.force_login(town["office"])
        with CaptureQueriesContext(connection) as queries:
            body = client.get(URL).content.decode()
        select = re.search(r'<select[^>]*name="village".*?</select>', body, re.S).group(0)
        read = sum('FROM "grids_village"' in q["sql"] for q in queries)
        return re.findall(r"<option[^>]*>([^<]*)</option>", select)[1:], read

    names = list(Village.objects.order_by("code").values_list("name", flat=True))
    assert villages_shown() == (names, 1)
    assert villages_shown() == (names, 0)
    Village.objects.filter(name=names[0]).update(name="<改名>村")
    shown, read = villages_shown()
    assert "&lt;改名&gt;村" in shown
    assert read == 1


def test_the_page_asks_for_the_change_count_once(client, town):
    """Its kept count and its three kept choice lists go by one reading of the count."""
    client.force_login(town["office"])
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    assert sum("FROM gw_change_count" in q["sql"] for q in queries) == 1


def test_one_change_count_reads_once_and_only_inside(town):
    with CaptureQueriesContext(connection) as queries, kept.one_change_count():
        first = kept.change_count()
        _new_hazard(town)
        assert kept.change_count() == first
    assert len(queries) > 1  # the count, then the hazard's inserts
    assert sum("gw_change_count" in q["sql"] for q in queries) == 1
    assert kept.change_count() > first
