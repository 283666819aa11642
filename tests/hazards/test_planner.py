"""hazards/planner.py: the setting holds inside and never outlives the block on a connection
that goes on serving other pages."""

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from hazards.planner import joins_as_written
from tests.factories import HazardFactory, UserFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL planner setting"
)


def join_collapse_limit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_set_inside_and_reset_after():
    default = join_collapse_limit()
    with joins_as_written():
        assert join_collapse_limit() == "1"
    assert join_collapse_limit() == default != "1"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_reset_after_a_failed_query():
    default = join_collapse_limit()
    with pytest.raises(ZeroDivisionError), joins_as_written():
        raise ZeroDivisionError
    with pytest.raises(DataError), joins_as_written(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")
    assert join_collapse_limit() == default


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_in_a_transaction_it_ends_with_the_transaction():
    default = join_collapse_limit()
    with transaction.atomic(), joins_as_written():
        assert join_collapse_limit() == "1"
    assert join_collapse_limit() == default


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_ledger_page_leaves_the_connection_as_it_found_it(client):
    hazard = HazardFactory()
    client.force_login(UserFactory(role=Role.SAFETY_OFFICE))
    default = join_collapse_limit()
    response = client.get(reverse("hazards:hazard_list"))
    assert hazard.ledger_number in response.content.decode()
    assert join_collapse_limit() == default


@pytest.mark.django_db
def test_no_statement_elsewhere():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite: nothing to set")
    with CaptureQueriesContext(connection) as captured, joins_as_written():
        pass
    assert len(captured) == 0
