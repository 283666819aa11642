"""台账 as a person sees it: the filters' selects (the choice kept, names escaped, the "none"
choice, a refused choice marked), the text search (Chinese of two characters and more, Latin
in any case, a premises' name and address, a ledger number's part), and a change to the rows
shown on the next page at once. Run on SQLite and on PostgreSQL, where the search goes through
trigram indexes (hazards migration 0009, premises 0004)."""

import re
from datetime import date

import pytest
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse

from accounts.roles import Role
from grids.models import Village
from hazards.ledger import _holds, ledger_rows
from hazards.models import Hazard
from premises.models import Premises
from tests.factories import (
    DepartmentFactory,
    GridFactory,
    HazardFactory,
    PremisesFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("hazards:ledger")


@pytest.fixture
def town():
    officer = UserFactory(role=Role.GRID_OFFICER)
    east = VillageFactory(name="东岭村")
    grid = GridFactory(village=east, officers=[officer])
    far = GridFactory(village=VillageFactory(name="<b>西塘</b>村"))
    gas = PremisesFactory(grid=grid, name="鑫鑫液化气站", address="人民路 8 号")
    shop = PremisesFactory(grid=far, name="老王便利店", address="黄湾村学前路 204 号")
    return {
        "office": UserFactory(role=Role.SAFETY_OFFICE),
        "officer": officer,
        "village": east,
        "hazards": {
            "gas": HazardFactory(premises=gas, description="液化气瓶未固定,燃气管老化"),
            "wires": HazardFactory(premises=shop, description="私拉电线,插排串接"),
            "lpg": HazardFactory(premises=shop, description="LPG cylinder stored indoors"),
        },
    }


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def select(body: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}".*?</select>', body, re.S).group(0)


def options(body: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the select `name`."""
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select(body, name))
    return [(value, label, bool(chosen)) for value, chosen, label in found]


def test_the_chosen_filters_stay_selected(client, town):
    body = page(client, town["office"], village=town["village"].pk, sort="deadline")
    assert (str(town["village"].pk), "东岭村", True) in options(body, "village")
    assert [label for _v, label, chosen in options(body, "sort") if chosen] == ["整改期限由近到远"]
    assert [label for _v, label, chosen in options(body, "severity") if chosen] == ["全部等级"]


def test_village_names_are_escaped_in_the_select(client, town):
    body = page(client, town["office"])
    assert "&lt;b&gt;西塘&lt;/b&gt;村" in select(body, "village")
    assert "<b>西塘</b>" not in body


def test_the_department_select_offers_all_then_none_then_each(client, town):
    DepartmentFactory(name="应急办")
    DepartmentFactory(name="<消防站>")
    body = page(client, town["office"], department="null")
    labels = [label for _v, label, _c in options(body, "department")]
    names = ["&lt;消防站&gt;" if "<" in n else n for n in _department_names()]
    assert labels == ["全部部门", "未指定部门", *names]
    assert ("null", "未指定部门", True) in options(body, "department")


def _department_names() -> list[str]:
    from grids.models import Department

    return list(Department.objects.values_list("name", flat=True))


def test_a_village_out_of_scope_is_refused_next_to_its_select(client, town):
    other = Village.objects.exclude(pk=town["village"].pk).get()
    body = page(client, town["officer"], village=other.pk)
    assert 'class="form-select is-invalid"' in select(body, "village")
    assert re.search(r'<div class="invalid-feedback d-block">[^<]+</div>', body)


def shown(client, user, **params) -> set[str]:
    """The ledger numbers of the rows the page lists."""
    return set(re.findall(r'data-ledger-number="([^"]+)"', page(client, user, **params)))


def numbers(town, *names: str) -> set[str]:
    return {town["hazards"][name].ledger_number for name in names}


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("燃气", ("gas",)),  # two characters: no trigram, the pairs are indexed
        ("电线", ("wires",)),
        ("液化气瓶", ("gas",)),
        ("液化气", ("gas",)),  # the description and the premises' name
        ("便利店", ("wires", "lpg")),  # the premises' name
        ("黄湾村", ("wires", "lpg")),  # its address
        ("lpg", ("lpg",)),  # Latin in any case
        ("Lp", ("lpg",)),  # two Latin letters, any case
        ("CYLINDER", ("lpg",)),
        ("无此店名", ()),
    ],
)
def test_the_search_finds_any_part_of_what_was_written(client, town, typed, found):
    assert shown(client, town["office"], q=typed) == numbers(town, *found)


def test_past_so_many_premises_the_search_still_finds_theirs(client, town, monkeypatch):
    monkeypatch.setattr("hazards.ledger.PREMISES_MATCHED_MAX", 1)  # two premises hold "号"
    assert shown(client, town["office"], q="号") == numbers(town, "gas", "wires", "lpg")
    assert shown(client, town["office"], q="便利店") == numbers(town, "wires", "lpg")


def test_the_search_finds_a_ledger_number_by_its_tail(client, town):
    number = town["hazards"]["wires"].ledger_number
    assert shown(client, town["office"], q=number[-6:]) == {number}
    assert shown(client, town["office"], q=number.lower()) == {number}


def test_the_search_keeps_to_the_user_s_scope(client, town):
    assert shown(client, town["officer"], q="便利店") == set()
    assert shown(client, town["officer"], q="燃气") == numbers(town, "gas")


def plan(rows) -> str:
    """PostgreSQL's plan for the rows, as if the table were large (no sequential scan)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's transaction ends it
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgresql  # pg_trgm's indexes
@pytest.mark.parametrize("typed", ["液化气瓶", "Cylinder"])
def test_the_search_s_statements_are_served_by_the_trigram_indexes(town, typed):
    rows = ledger_rows(town["office"], {"q": typed}, today=date.today()).qs.order_by()
    hazards = plan(rows)
    assert "Bitmap Index Scan on hazards_description_trgm" in hazards
    assert ("Bitmap Index Scan on hazards_ledger_number_trgm" in hazards) == typed.isascii()
    premises = plan(Premises.objects.filter(Q(name__icontains=typed) | Q(address__icontains=typed)))
    assert "Bitmap Index Scan on premises_name_trgm" in premises
    assert "Bitmap Index Scan on premises_address_trgm" in premises


@pytest.mark.postgresql  # the bigram indexes
@pytest.mark.parametrize("typed", ["燃气", "lp"])
def test_a_pair_of_characters_is_served_by_the_bigram_indexes(town, typed):
    """Two characters have no trigram: the pairs of characters of each text are indexed."""
    rows = ledger_rows(town["office"], {"q": typed}, today=date.today()).qs.order_by()
    assert "Bitmap Index Scan on hazards_description_bigrams" in plan(rows)
    premises = Premises.objects.filter(text_matches_premises(typed))
    assert "Bitmap Index Scan on premises_name_bigrams" in plan(premises)
    assert "Bitmap Index Scan on premises_address_bigrams" in plan(premises)


def text_matches_premises(typed: str) -> Q:
    return _holds("name", typed) | _holds("address", typed)


def test_the_search_escapes_what_was_typed(client, town):
    body = page(client, town["office"], q='"><script>alert(1)</script>')
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def _new_hazard(town):
    HazardFactory(premises=town["hazards"]["gas"].premises)


def _dismissed_by_a_queryset_update(town):
    Hazard.objects.filter(status=Hazard.Status.REPORTED).update(
        status=Hazard.Status.DISMISSED, dismissed_at=Now()
    )


def _deleted_by_raw_sql(town):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM hazards_hazard WHERE description LIKE 'LPG%'")


def count_shown(client, user, **params) -> int:
    return int(re.search(r'data-ledger-count="(\d+)"', page(client, user, **params)).group(1))


@pytest.mark.parametrize(
    "change",
    [_new_hazard, _dismissed_by_a_queryset_update, _deleted_by_raw_sql],
    ids=lambda f: f.__name__,
)
def test_any_change_shows_on_the_next_page(client, town, change):
    before = count_shown(client, town["office"], status="found")
    change(town)
    after = count_shown(client, town["office"], status="found")
    assert after == Hazard.objects.exclude(status=Hazard.Status.DISMISSED).count() != before


def test_an_officer_given_another_grid_sees_its_hazards_at_once(client, town):
    officer = town["officer"]
    assert count_shown(client, officer) == 1
    town["hazards"]["wires"].premises.grid.officers.add(officer)
    assert count_shown(client, officer) == 3


def test_a_renamed_village_shows_in_the_select_at_once(client, town):
    page(client, town["office"])
    Village.objects.filter(pk=town["village"].pk).update(name="<改名>村")
    labels = [label for _v, label, _c in options(page(client, town["office"]), "village")]
    assert "&lt;改名&gt;村" in labels
