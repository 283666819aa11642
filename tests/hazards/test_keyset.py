"""Keyset pages of the ledger (hazards/keyset.py): following the pager's links gives exactly
the pages OFFSET would, in every sort order, forwards and back."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from hazards.keyset import decode, encode
from hazards.ledger import SORTS
from tests.factories import GridFactory, HazardFactory, PremisesFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("hazards:ledger")


@pytest.fixture
def office_client(client):
    now, today = timezone.now(), timezone.localdate()
    grid = GridFactory()
    shops = [PremisesFactory(grid=grid, name=name) for name in ("甲店", "乙店", "丙店")]
    for n in range(130):
        # Ties on every sort key: the cursor must break them the way ORDER BY does.
        HazardFactory(
            premises=shops[n % 3],
            reported_at=now - timedelta(hours=n // 4),
            rectify_by=today + timedelta(days=n % 5),
            severity="major" if n % 7 == 0 else "general",
            status="reported",
        )
    client.force_login(UserFactory(role=Role.SAFETY_OFFICE))
    return client


def numbers(response) -> list[str]:
    return numbers_of(response.context["page"])


@pytest.mark.parametrize("sort", list(SORTS))
def test_next_and_previous_links_give_the_offset_pages(office_client, sort):
    by_offset = [numbers(office_client.get(URL, {"sort": sort, "page": n})) for n in (1, 2, 3)]
    page = office_client.get(URL, {"sort": sort}).context["page"]
    walked = [numbers_of(page)]
    for n in (2, 3):
        page = office_client.get(URL, {"sort": sort, "page": n, "after": page.next_cursor})
        page = page.context["page"]
        walked.append(numbers_of(page))
    assert walked == by_offset
    assert not page.has_next()
    back = office_client.get(URL, {"sort": sort, "page": 2, "before": page.previous_cursor})
    assert numbers(back) == by_offset[1]


def numbers_of(page) -> list[str]:
    return [row["ledger_number"] for row in page.object_list]


def test_the_pager_links_carry_the_cursor_and_the_filters(office_client):
    response = office_client.get(URL, {"severity": "general", "page": 2, "after": "x"})
    html = response.content.decode()
    page = response.context["page"]
    assert f"page=3&amp;after={page.next_cursor}" in html
    assert f"page=1&amp;before={page.previous_cursor}" in html
    assert html.count("severity=general") >= 2


def test_a_bad_cursor_falls_back_to_the_page_number(office_client):
    by_offset = numbers(office_client.get(URL, {"page": 2}))
    assert numbers(office_client.get(URL, {"page": 2, "after": "not-a-cursor"})) == by_offset
    assert numbers(office_client.get(URL, {"page": 2, "after": encode([1])})) == by_offset


@pytest.mark.parametrize(
    ("sort", "values"),
    [
        ("-found", ["昨天", 5]),  # a word for a moment
        ("deadline", ["2026-02-30", 5]),  # a day that is not one
        ("premises", ["甲店", "x", "2026-01-01T00:00:00+00:00", 5]),  # a word for a number
        ("-found", ["2026-01-01T00:00:00+00:00", 10**20]),  # a number no column holds
        ("number", [3.5]),
    ],
)
def test_an_edited_cursor_gives_a_page_not_an_error(office_client, sort, values):
    """A link someone changed by hand: served by its page number (or, where the values still
    fit the columns, from where they point), never a server error."""
    response = office_client.get(URL, {"sort": sort, "page": 2, "after": encode(values)})
    assert response.status_code == 200
    assert len(numbers(response)) <= 50


def test_cursors_round_trip_dates_and_reject_junk():
    now = timezone.now()
    assert decode(encode([now, 5]), 2) == [now.isoformat(), 5]
    assert decode(encode([now, 5]), 3) is None
    assert decode(encode([None, 5]), 2) is None
    assert decode("%%%", 2) is None
