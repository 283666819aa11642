"""Each town's monthly figures, its grids' GridMonth rows added up (dashboard.models.TownMonth):
the county's board reads ~700 rows where it read ~33,000 (docs/decisions.md, Reading less).

Triggers on both databases keep them: every change of a grid-month row (which the tally
triggers of migrations 0002 and 0010 alone write) adds its new figures to its town's month and
takes its old ones away; a grid or a village moved to another town recounts the two towns'
months from their grid-months. `dashboard.tallies.drift` compares them with the grid-months
after every test that writes, and `dashboard.tallies.rebuild` recounts them.
"""

import django.db.models.deletion
from django.db import migrations, models

from config.migration_operations import RunSQLOn

FIGURES = ("inspections", "found", "found_closed", "closed", "close_microseconds")
TOWN_OF_GRID = (
    "FROM grids_grid g JOIN grids_village v ON v.id = g.village_id WHERE g.id = {row}.grid_id"
)


def add(row: str, sign: str, *, postgresql: bool) -> str:
    """The upsert that adds (sign "") or takes away ("-") a grid-month row's figures to its
    town's month."""
    values = ", ".join(f"{sign}{row}.{name}" for name in FIGURES)
    # PostgreSQL's SET needs the row's own name to add to; SQLite's names its columns alone.
    table, old = ("dashboard_townmonth AS s", "s.") if postgresql else ("dashboard_townmonth", "")
    sums = ", ".join(f"{name} = {old}{name} + excluded.{name}" for name in FIGURES)
    return f"""
    INSERT INTO {table} (town_id, month, {", ".join(FIGURES)})
    SELECT v.town_id, {row}.month, {values} {TOWN_OF_GRID.format(row=row)}
    ON CONFLICT (town_id, month) DO UPDATE SET {sums};
"""


def recount(towns: str) -> list[str]:
    """The statements that recount some towns' months from their grid-months."""
    sums = ", ".join(f"sum(gm.{name})" for name in FIGURES)
    return [
        f"DELETE FROM dashboard_townmonth WHERE town_id IN ({towns})",
        f"""
    INSERT INTO dashboard_townmonth (town_id, month, {", ".join(FIGURES)})
    SELECT v.town_id, gm.month, {sums}
    FROM dashboard_gridmonth gm
    JOIN grids_grid g ON g.id = gm.grid_id
    JOIN grids_village v ON v.id = g.village_id
    WHERE v.town_id IN ({towns})
    GROUP BY v.town_id, gm.month
    """,
    ]


GRID_TOWNS = "SELECT town_id FROM grids_village WHERE id IN (OLD.village_id, NEW.village_id)"


def statements(lines: list[str]) -> str:
    return "".join(f"{line};" for line in lines)


POSTGRESQL = [
    f"""
    CREATE FUNCTION gw_town_month_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN {add("OLD", "-", postgresql=True)} END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {add("NEW", "", postgresql=True)} END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER gw_town_month AFTER INSERT OR UPDATE OR DELETE ON dashboard_gridmonth
        FOR EACH ROW EXECUTE FUNCTION gw_town_month_trigger()
    """,
    f"""
    CREATE FUNCTION gw_town_month_grid() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {statements(recount(GRID_TOWNS))} RETURN NULL; END $$
    """,
    """
    CREATE TRIGGER gw_town_month_grid AFTER UPDATE OF village_id ON grids_grid FOR EACH ROW
        WHEN (OLD.village_id IS DISTINCT FROM NEW.village_id)
        EXECUTE FUNCTION gw_town_month_grid()
    """,
    f"""
    CREATE FUNCTION gw_town_month_village() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN {statements(recount("OLD.town_id, NEW.town_id"))} RETURN NULL; END $$
    """,
    """
    CREATE TRIGGER gw_town_month_village AFTER UPDATE OF town_id ON grids_village FOR EACH ROW
        WHEN (OLD.town_id IS DISTINCT FROM NEW.town_id)
        EXECUTE FUNCTION gw_town_month_village()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER gw_town_month_village ON grids_village",
    "DROP FUNCTION gw_town_month_village()",
    "DROP TRIGGER gw_town_month_grid ON grids_grid",
    "DROP FUNCTION gw_town_month_grid()",
    "DROP TRIGGER gw_town_month ON dashboard_gridmonth",
    "DROP FUNCTION gw_town_month_trigger()",
]

# SQLite's upsert from a SELECT needs its WHERE, which this one always has.
SQLITE = [
    "CREATE TRIGGER gw_town_month_insert AFTER INSERT ON dashboard_gridmonth BEGIN"
    + add("NEW", "", postgresql=False)
    + "END",
    "CREATE TRIGGER gw_town_month_delete AFTER DELETE ON dashboard_gridmonth BEGIN"
    + add("OLD", "-", postgresql=False)
    + "END",
    "CREATE TRIGGER gw_town_month_update AFTER UPDATE ON dashboard_gridmonth BEGIN"
    + add("OLD", "-", postgresql=False)
    + add("NEW", "", postgresql=False)
    + "END",
    "CREATE TRIGGER gw_town_month_grid AFTER UPDATE OF village_id ON grids_grid "
    f"WHEN OLD.village_id IS NOT NEW.village_id BEGIN {statements(recount(GRID_TOWNS))} END",
    "CREATE TRIGGER gw_town_month_village AFTER UPDATE OF town_id ON grids_village "
    "WHEN OLD.town_id IS NOT NEW.town_id BEGIN "
    f"{statements(recount('OLD.town_id, NEW.town_id'))} END",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER {name}"
    for name in (
        "gw_town_month_village",
        "gw_town_month_grid",
        "gw_town_month_update",
        "gw_town_month_delete",
        "gw_town_month_insert",
    )
]

# The towns' months of the grid-months already there.
RECOUNT = recount("SELECT id FROM grids_town")


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0014_premises_year_first_day_index'),
        ('grids', '0002_webhook_public_address'),
    ]

    operations = [
        migrations.CreateModel(
            name='TownMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('inspections', models.IntegerField(default=0)),
                ('found', models.IntegerField(default=0)),
                ('found_closed', models.IntegerField(default=0)),
                ('closed', models.IntegerField(default=0)),
                ('close_microseconds', models.BigIntegerField(default=0)),
                ('town', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='grids.town')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('town', 'month'), name='dashboard_townmonth_key')],
            },
        ),
        RunSQLOn(POSTGRESQL + RECOUNT, POSTGRESQL_REVERSE, vendor="postgresql"),
        RunSQLOn(SQLITE + RECOUNT, SQLITE_REVERSE, vendor="sqlite"),
    ]
