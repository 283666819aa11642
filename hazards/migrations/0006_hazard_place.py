"""Each hazard carries its premises' grid and business type, kept equal by the database.

The dashboard's figures of now (open, overdue, open major, the overdue by business type, the
persistent offenders) group a county's ~15,000 open hazards by town or business type. Through
the premises, each of those queries read all 100,000 premises (a hash of the whole table for
each query, docs/decisions.md, Reading less); with the two columns on the hazard and in its
open-hazard indexes, they read those indexes alone.

Triggers, on both databases, whatever writes the rows (the app, a bulk load, a database shell):
- a hazard inserted, or updated with another premises or with other values in these columns,
  takes its premises' values (so a stale value saved from Python is put right);
- a premises moved to another grid or business type moves its hazards along.
`tests/hazards/test_hazard_place.py` checks both; `dashboard.tallies.drift` (run after every
PostgreSQL test) counts any hazard whose copy differs from its premises.

On SQLite, a later migration that rebuilds hazards_hazard or premises_premises (new table,
copy, drop, rename) drops these triggers with the old table: it must create them again; the test
above fails when they are missing.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from config.migration_operations import RunSQLOn

OPEN = models.Q(("status__in", ("reported", "rectifying", "submitted")))

FILL = """
UPDATE hazards_hazard SET grid_id = p.grid_id, business_type_id = p.business_type_id
FROM premises_premises p WHERE p.id = hazards_hazard.premises_id
"""

POSTGRESQL = [
    FILL,
    """
    CREATE FUNCTION gw_hazard_place() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT p.grid_id, p.business_type_id INTO NEW.grid_id, NEW.business_type_id
        FROM premises_premises p WHERE p.id = NEW.premises_id;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER gw_hazard_place_insert BEFORE INSERT ON hazards_hazard
        FOR EACH ROW EXECUTE FUNCTION gw_hazard_place()
    """,
    """
    CREATE TRIGGER gw_hazard_place_update
        BEFORE UPDATE OF premises_id, grid_id, business_type_id ON hazards_hazard
        FOR EACH ROW
        WHEN (OLD.premises_id IS DISTINCT FROM NEW.premises_id
              OR OLD.grid_id IS DISTINCT FROM NEW.grid_id
              OR OLD.business_type_id IS DISTINCT FROM NEW.business_type_id)
        EXECUTE FUNCTION gw_hazard_place()
    """,
    """
    CREATE FUNCTION gw_premises_place() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE hazards_hazard SET grid_id = NEW.grid_id, business_type_id = NEW.business_type_id
        WHERE premises_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER gw_premises_place AFTER UPDATE OF grid_id, business_type_id
        ON premises_premises FOR EACH ROW
        WHEN (OLD.grid_id IS DISTINCT FROM NEW.grid_id
              OR OLD.business_type_id IS DISTINCT FROM NEW.business_type_id)
        EXECUTE FUNCTION gw_premises_place()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER gw_premises_place ON premises_premises",
    "DROP FUNCTION gw_premises_place()",
    "DROP TRIGGER gw_hazard_place_update ON hazards_hazard",
    "DROP TRIGGER gw_hazard_place_insert ON hazards_hazard",
    "DROP FUNCTION gw_hazard_place()",
]

# SQLite's triggers cannot set NEW's values: they update the row just written. Its recursive
# triggers are off (the default), so the update does not fire the trigger again.
SQLITE_SET = """
    UPDATE hazards_hazard SET
        grid_id = (SELECT grid_id FROM premises_premises WHERE id = NEW.premises_id),
        business_type_id = (SELECT business_type_id FROM premises_premises
                            WHERE id = NEW.premises_id)
    WHERE id = NEW.id;
"""
SQLITE = [
    """
    UPDATE hazards_hazard SET
        grid_id = (SELECT grid_id FROM premises_premises p WHERE p.id = premises_id),
        business_type_id = (SELECT business_type_id FROM premises_premises p
                            WHERE p.id = premises_id)
    """,
    f"CREATE TRIGGER gw_hazard_place_insert AFTER INSERT ON hazards_hazard BEGIN {SQLITE_SET} END",
    f"""
    CREATE TRIGGER gw_hazard_place_update
        AFTER UPDATE OF premises_id, grid_id, business_type_id ON hazards_hazard
    BEGIN {SQLITE_SET} END
    """,
    """
    CREATE TRIGGER gw_premises_place AFTER UPDATE OF grid_id, business_type_id
        ON premises_premises
    BEGIN
        UPDATE hazards_hazard SET grid_id = NEW.grid_id, business_type_id = NEW.business_type_id
        WHERE premises_id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER gw_premises_place",
    "DROP TRIGGER gw_hazard_place_update",
    "DROP TRIGGER gw_hazard_place_insert",
]


def copy_field(model_name: str, related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to=model_name,
        verbose_name=related_name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0001_initial"),
        ("hazards", "0005_dashboard_indexes"),
        ("premises", "0002_never_inspected_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="hazard", name="hazards_hazard_open_deadline"),
        migrations.RemoveIndex(model_name="hazard", name="hazards_hazard_open_premises"),
        migrations.AddField(
            model_name="hazard",
            name="business_type",
            field=copy_field("premises.businesstype", "business type"),
        ),
        migrations.AddField(
            model_name="hazard", name="grid", field=copy_field("grids.grid", "grid")
        ),
        RunSQLOn(POSTGRESQL, POSTGRESQL_REVERSE, vendor="postgresql"),
        RunSQLOn(SQLITE, SQLITE_REVERSE, vendor="sqlite"),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=OPEN,
                fields=["rectify_by", "premises"],
                include=("grid", "business_type", "category", "department", "severity"),
                name="hazards_hazard_open_deadline",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=OPEN,
                fields=["grid"],
                include=(
                    *("rectify_by", "premises", "business_type", "category", "department"),
                    "severity",
                ),
                name="hazards_hazard_open_grid",
            ),
        ),
    ]
