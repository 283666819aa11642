"""Each premises-year carries its premises' grid, kept equal by the database as a hazard's is
(hazards migration 0006): a town's "premises inspected a year earlier" then reads the year's
rows of the town's grids from one index, where it probed the premises-year of each of the
town's 6,500 premises (docs/decisions.md, Counting per grid first).

Triggers, on both databases, whatever writes the rows:
- a premises-year inserted, or updated with another premises or grid, takes its premises' grid;
- a premises moved to another grid moves its premises-years along.
`tests/dashboard/test_tallies.py` checks both; `dashboard.tallies.drift` (run after every test
that writes) counts any premises-year whose grid differs from its premises'.
"""

import django.db.models.deletion
from django.db import migrations, models

from config.migration_operations import RunSQLOn

POSTGRESQL = [
    """
    UPDATE dashboard_premisesyear SET grid_id = p.grid_id
    FROM premises_premises p WHERE p.id = dashboard_premisesyear.premises_id
    """,
    """
    CREATE FUNCTION gw_premises_year_place() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT p.grid_id INTO NEW.grid_id FROM premises_premises p WHERE p.id = NEW.premises_id;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER gw_premises_year_place_insert BEFORE INSERT ON dashboard_premisesyear
        FOR EACH ROW EXECUTE FUNCTION gw_premises_year_place()
    """,
    """
    CREATE TRIGGER gw_premises_year_place_update
        BEFORE UPDATE OF premises_id, grid_id ON dashboard_premisesyear
        FOR EACH ROW
        WHEN (OLD.premises_id IS DISTINCT FROM NEW.premises_id
              OR OLD.grid_id IS DISTINCT FROM NEW.grid_id)
        EXECUTE FUNCTION gw_premises_year_place()
    """,
    """
    CREATE FUNCTION gw_premises_year_move() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE dashboard_premisesyear SET grid_id = NEW.grid_id WHERE premises_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER gw_premises_year_move AFTER UPDATE OF grid_id ON premises_premises
        FOR EACH ROW WHEN (OLD.grid_id IS DISTINCT FROM NEW.grid_id)
        EXECUTE FUNCTION gw_premises_year_move()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER gw_premises_year_move ON premises_premises",
    "DROP FUNCTION gw_premises_year_move()",
    "DROP TRIGGER gw_premises_year_place_update ON dashboard_premisesyear",
    "DROP TRIGGER gw_premises_year_place_insert ON dashboard_premisesyear",
    "DROP FUNCTION gw_premises_year_place()",
]

# SQLite's triggers cannot set NEW's values: they update the row just written (its recursive
# triggers are off, so the update does not fire the trigger again).
SQLITE_SET = """
    UPDATE dashboard_premisesyear
    SET grid_id = (SELECT grid_id FROM premises_premises WHERE id = NEW.premises_id)
    WHERE id = NEW.id;
"""
SQLITE = [
    """
    UPDATE dashboard_premisesyear
    SET grid_id = (SELECT grid_id FROM premises_premises p WHERE p.id = premises_id)
    """,
    f"""
    CREATE TRIGGER gw_premises_year_place_insert AFTER INSERT ON dashboard_premisesyear
    BEGIN {SQLITE_SET} END
    """,
    f"""
    CREATE TRIGGER gw_premises_year_place_update
        AFTER UPDATE OF premises_id, grid_id ON dashboard_premisesyear
    BEGIN {SQLITE_SET} END
    """,
    """
    CREATE TRIGGER gw_premises_year_move AFTER UPDATE OF grid_id ON premises_premises
    BEGIN
        UPDATE dashboard_premisesyear SET grid_id = NEW.grid_id WHERE premises_id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER gw_premises_year_move",
    "DROP TRIGGER gw_premises_year_place_update",
    "DROP TRIGGER gw_premises_year_place_insert",
]


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0010_tallies_on_sqlite"),
        ("grids", "0002_webhook_public_address"),
        ("premises", "0006_grid_index_holds_key"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="premisesyear", name="dashboard_premisesyear_year"),
        migrations.AddField(
            model_name="premisesyear",
            name="grid",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grids.grid",
            ),
        ),
        RunSQLOn(POSTGRESQL, POSTGRESQL_REVERSE, vendor="postgresql"),
        RunSQLOn(SQLITE, SQLITE_REVERSE, vendor="sqlite"),
    ]
