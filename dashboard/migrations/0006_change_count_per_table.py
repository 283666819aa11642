"""The count of changes of migration 0005, kept per table (config/kept.py): a dashboard keeps
each of its reads while the tables that read saw stand still, so a change to one hazard reads
the hazards again but not the premises, the visits or the monthly tallies.

The tallies (grid-month, sector-month, premises-year) are counted too: their triggers change
them only when a counted figure of a hazard or a visit changes, so a read of the tallies stays
kept through an edit of a hazard's description or photos. As before, each table's changes go
to the first of its 32 slots no other transaction holds, and a table's count is the sum of its
slots: it only grows, and grows with every committed transaction that changed the table. It
grows once per such transaction, not once per statement: counted per statement, the demo
town's seeding (row by row, each hazard's save writing its tallies) took twice as long.
"""

from importlib import import_module

from django.db import migrations

from config.migration_operations import RunSQLOn

BEFORE = import_module("dashboard.migrations.0005_change_count")
SLOTS = BEFORE.SLOTS
COUNTED = (
    *BEFORE.COUNTED,
    "dashboard_gridmonth",
    "dashboard_sectormonth",
    "dashboard_premisesyear",
)


def _triggers(tables) -> str:
    return "".join(
        f"""
CREATE TRIGGER gw_count_change AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gw_count_change();
CREATE TRIGGER gw_count_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gw_count_change();
"""
        for table in tables
    )


def _drop_triggers(tables) -> str:
    return "".join(
        f"""
DROP TRIGGER IF EXISTS gw_count_truncate ON {table};
DROP TRIGGER IF EXISTS gw_count_change ON {table};
"""
        for table in tables
    )


PER_TABLE = (
    _drop_triggers(BEFORE.COUNTED)
    + f"""
DROP FUNCTION IF EXISTS gw_count_change();
ALTER TABLE gw_change_count RENAME TO gw_change_count_before;

CREATE TABLE gw_change_count (
    tbl text NOT NULL, slot smallint NOT NULL, n bigint NOT NULL, PRIMARY KEY (tbl, slot)
);
INSERT INTO gw_change_count (tbl, slot, n)
    SELECT t, s, 0 FROM unnest(ARRAY{list(COUNTED)}) t, generate_series(0, {SLOTS - 1}) s;
-- The whole count goes on from where it stood (a worker running on keeps values under it).
UPDATE gw_change_count SET n = (SELECT coalesce(sum(n), 0) FROM gw_change_count_before)
    WHERE tbl = 'hazards_hazard' AND slot = 0;
DROP TABLE gw_change_count_before;

CREATE FUNCTION gw_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    free smallint;
    counted text := 'gridwatch.counted_' || TG_TABLE_NAME;
BEGIN
    -- Once per table and transaction: readers see a transaction's changes all at once, at its
    -- commit. (A hazard's save writes it, its tallies and their sector rows in a few statements
    -- each.) The mark is SET LOCAL: a savepoint rolled back takes it back with the count.
    IF current_setting(counted, true) = 'y' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config(counted, 'y', true);
    SELECT slot INTO free FROM gw_change_count WHERE tbl = TG_TABLE_NAME
        ORDER BY slot FOR UPDATE SKIP LOCKED LIMIT 1;
    IF free IS NULL THEN
        free := floor(random() * {SLOTS});
    END IF;
    -- An upsert, so that a slot deleted by hand is made again rather than the change missed.
    INSERT INTO gw_change_count AS c (tbl, slot, n) VALUES (TG_TABLE_NAME, free, 1)
    ON CONFLICT (tbl, slot) DO UPDATE SET n = c.n + 1;
    RETURN NULL;
END $$;
"""
    + _triggers(COUNTED)
)

# Back: migration 0005's one count, as it made it.
ONE_COUNT = (
    _drop_triggers(COUNTED)
    + "DROP FUNCTION IF EXISTS gw_count_change();\nDROP TABLE IF EXISTS gw_change_count;\n"
    + BEFORE.INSTALL
)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0005_change_count")]

    operations = [RunSQLOn([PER_TABLE], [ONE_COUNT], vendor="postgresql")]
