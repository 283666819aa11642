"""Hazard events are append-only in the database too.

`HazardEvent.save()` and `.delete()` refuse changes in Python; a queryset's `update()` and
`delete()`, raw SQL and a database shell go around them. These triggers refuse every UPDATE and
DELETE of a hazards_hazardevent row, whoever sends it, with an integrity error.

- TRUNCATE is not refused (PostgreSQL fires no row trigger for it): it needs the table's owner,
  and it is how the test runner empties tables between transactional tests.
- SQLite has no TRUNCATE; its flush is DELETE FROM, which these triggers refuse like any other
  delete. The test suite's flush steps around them (tests/conftest.py).
- On SQLite, a later migration that alters this table rebuilds it (new table, copy, drop the old
  one, rename) and the triggers are dropped with the old table: such a migration must create
  them again. tests/hazards/test_event_append_only.py fails when they are missing.
"""

from django.db import migrations

from config.migration_operations import RunSQLOn

MESSAGE = "hazards_hazardevent is append-only"

POSTGRESQL = [
    f"""
    CREATE FUNCTION hazards_hazardevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Record a new hazard event instead.';
    END;
    $$
    """,
    """
    CREATE TRIGGER hazards_hazardevent_append_only
    BEFORE UPDATE OR DELETE ON hazards_hazardevent
    FOR EACH ROW EXECUTE FUNCTION hazards_hazardevent_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER hazards_hazardevent_append_only ON hazards_hazardevent",
    "DROP FUNCTION hazards_hazardevent_append_only()",
]

SQLITE = [
    f"""
    CREATE TRIGGER hazards_hazardevent_append_only_{op.lower()}
    BEFORE {op} ON hazards_hazardevent
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}: {op} refused');
    END
    """
    for op in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER hazards_hazardevent_append_only_{op}" for op in ("update", "delete")
]


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0003_ledger_status_index"),
    ]

    operations = [
        RunSQLOn(POSTGRESQL, POSTGRESQL_REVERSE, vendor="postgresql"),
        RunSQLOn(SQLITE, SQLITE_REVERSE, vendor="sqlite"),
    ]
