"""Hazard events are append-only in the database, not only in the model: every way of changing
or removing a row (the ORM around the model's guard, a queryset, raw SQL) is refused by a trigger
(hazards/migrations/0004_event_append_only.py), on PostgreSQL and on SQLite."""

from importlib import import_module

import pytest
from django.db import IntegrityError, connection, models, transaction

from hazards.models import HazardEvent
from tests.factories import HazardEventFactory, HazardFactory

pytestmark = pytest.mark.django_db

migration = import_module("hazards.migrations.0004_event_append_only")
REFUSED = r"hazards_hazardevent is append-only: (UPDATE|DELETE) refused"


def rewrite_with_save(event) -> None:
    event.note = "rewritten"
    models.Model.save(event)  # the plain save, past HazardEvent.save's refusal


def rewrite_with_raw_sql(event) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE hazards_hazardevent SET note = %s WHERE id = %s", ["rewritten", event.pk]
        )


def delete_with_raw_sql(event) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM hazards_hazardevent WHERE id = %s", [event.pk])


CHANGES = {
    "save": rewrite_with_save,
    "queryset-update": lambda e: HazardEvent.objects.filter(pk=e.pk).update(note="rewritten"),
    "bulk-update": lambda e: HazardEvent.objects.bulk_update([with_note(e)], ["note"]),
    "raw-update": rewrite_with_raw_sql,
    "model-delete": lambda e: models.Model.delete(e),  # past HazardEvent.delete's refusal
    "queryset-delete": lambda e: HazardEvent.objects.filter(pk=e.pk).delete(),
    "delete-all": lambda e: HazardEvent.objects.all().delete(),
    "raw-delete": delete_with_raw_sql,
}


def with_note(event):
    event.note = "rewritten"
    return event


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_database_refuses_to_change_or_delete_an_event(change):
    event = HazardEventFactory(note="first")

    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        change(event)

    assert HazardEvent.objects.filter(pk=event.pk).values_list("note", flat=True).get() == "first"


def test_events_are_still_appended_one_by_one_and_in_bulk():
    hazard = HazardFactory()
    HazardEventFactory(hazard=hazard)
    HazardEvent.objects.bulk_create(
        [HazardEventFactory.build(hazard=hazard, action="verify", to_status="rectifying")]
    )

    assert list(hazard.events.values_list("action", flat=True)) == ["report", "verify"]


def test_reverse_sql_lifts_the_refusal_and_forward_sql_restores_it():
    event = HazardEventFactory(note="first")
    forward, reverse = {
        "postgresql": (migration.POSTGRESQL, migration.POSTGRESQL_REVERSE),
        "sqlite": (migration.SQLITE, migration.SQLITE_REVERSE),
    }[connection.vendor]

    with connection.cursor() as cursor:
        for sql in reverse:
            cursor.execute(sql)
        HazardEvent.objects.filter(pk=event.pk).update(note="rewritten")
        for sql in forward:
            cursor.execute(sql)

    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        HazardEvent.objects.filter(pk=event.pk).update(note="again")
    assert HazardEvent.objects.get(pk=event.pk).note == "rewritten"
