"""Each premises-year keeps the first of its days set (1 = 1 January), written by the database
whatever writes the days: "premises inspected" from 1 January to a day (year to date, and a
year earlier) is then a count of an index's entries, where the days of every premises-year of
the year were read (docs/decisions.md, Reading less). `dashboard.tallies.drift` compares it
with the visits after every test that writes.
"""

from django.db import migrations, models

from config.migration_operations import RunSQLOn

POSTGRESQL_FIRST_DAY = "strpos(days::text, '1')"
POSTGRESQL = [
    f"UPDATE dashboard_premisesyear SET first_day = {POSTGRESQL_FIRST_DAY}",
    f"""
    CREATE FUNCTION gw_premises_year_first_day() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.first_day := {POSTGRESQL_FIRST_DAY.replace("days", "NEW.days")};
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER gw_premises_year_first_day BEFORE INSERT OR UPDATE OF days, first_day
        ON dashboard_premisesyear
        FOR EACH ROW EXECUTE FUNCTION gw_premises_year_first_day()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER gw_premises_year_first_day ON dashboard_premisesyear",
    "DROP FUNCTION gw_premises_year_first_day()",
]

# As in migration 0011: SQLite's triggers update the row just written.
SQLITE_SET = "UPDATE dashboard_premisesyear SET first_day = instr(days, '1') WHERE id = NEW.id;"
SQLITE = [
    "UPDATE dashboard_premisesyear SET first_day = instr(days, '1')",
    f"""
    CREATE TRIGGER gw_premises_year_first_day_insert AFTER INSERT ON dashboard_premisesyear
    BEGIN {SQLITE_SET} END
    """,
    f"""
    CREATE TRIGGER gw_premises_year_first_day_update
        AFTER UPDATE OF days, first_day ON dashboard_premisesyear
    BEGIN {SQLITE_SET} END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER gw_premises_year_first_day_update",
    "DROP TRIGGER gw_premises_year_first_day_insert",
]


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0012_premises_year_grid_index")]

    operations = [
        migrations.AddField(
            model_name="premisesyear",
            name="first_day",
            field=models.SmallIntegerField(editable=False, null=True),
        ),
        RunSQLOn(POSTGRESQL, POSTGRESQL_REVERSE, vendor="postgresql"),
        RunSQLOn(SQLITE, SQLITE_REVERSE, vendor="sqlite"),
    ]
