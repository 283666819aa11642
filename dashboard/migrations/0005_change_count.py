"""A count of the changes to every table a dashboard reads, for config/kept.py (dashboards, and
the ledger's counts and choice lists).

Every INSERT, UPDATE, DELETE, COPY or TRUNCATE of such a table adds one to a slot of
gw_change_count in the same transaction, whatever makes the change (a page, the admin, a
queryset update, a script). The sum of the slots only grows, and grows with every committed
change, so a reader that sees the same sum as an earlier reader sees the same rows.

One counter would make every writing transaction in the county wait for the one before it to
commit (a 10,000-row registry import holds its lock until it commits, docs/decisions.md); a
transaction instead takes the first slot no other transaction holds (it keeps taking the one it
already holds), and waits only when all 32 are taken. SQLite gets no triggers and no count:
there the dashboard reads its rows every time.
"""

from django.db import migrations

from config.migration_operations import RunSQLOn

SLOTS = 32

# What a dashboard page, its export and the monthly report read (dashboard/kpis.py, lists.py,
# scopes.py); the tallies change only with these.
COUNTED = (
    "grids_town",
    "grids_village",
    "grids_grid",
    "grids_department",
    "premises_businesstype",
    "premises_premises",
    "hazards_inspection",
    "hazards_hazard",
    "hazards_accident",
)

INSTALL = f"""
CREATE TABLE gw_change_count (slot smallint PRIMARY KEY, n bigint NOT NULL);
INSERT INTO gw_change_count (slot, n) SELECT s, 0 FROM generate_series(0, {SLOTS - 1}) s;

CREATE FUNCTION gw_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    free smallint;
BEGIN
    SELECT slot INTO free FROM gw_change_count ORDER BY slot FOR UPDATE SKIP LOCKED LIMIT 1;
    IF free IS NULL THEN
        free := floor(random() * {SLOTS});
    END IF;
    -- An upsert, so that a slot deleted by hand is made again rather than the change missed.
    INSERT INTO gw_change_count AS c (slot, n) VALUES (free, 1)
    ON CONFLICT (slot) DO UPDATE SET n = c.n + 1;
    RETURN NULL;
END $$;
""" + "".join(
    f"""
CREATE TRIGGER gw_count_change AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gw_count_change();
CREATE TRIGGER gw_count_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gw_count_change();
"""
    for table in COUNTED
)

UNINSTALL = (
    "".join(
        f"""
DROP TRIGGER IF EXISTS gw_count_truncate ON {table};
DROP TRIGGER IF EXISTS gw_count_change ON {table};
"""
        for table in COUNTED
    )
    + """
DROP FUNCTION IF EXISTS gw_count_change();
DROP TABLE IF EXISTS gw_change_count;
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0004_premises_year_triggers"),
        ("grids", "0001_initial"),
        ("premises", "0001_initial"),
        ("hazards", "0001_initial"),
    ]

    operations = [RunSQLOn([INSTALL], [UNINSTALL], vendor="postgresql")]
