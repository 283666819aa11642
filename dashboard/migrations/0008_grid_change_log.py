"""Which grids each transaction changed hazards in (config/kept.py, `changed_grids`): after an
officer's step, a dashboard reads again the hazards of the one village or town the step was in
and keeps the others' figures, instead of reading the hazards of the whole scope again.

Each statement that writes hazards adds (its transaction, each grid its rows were in before
and after) to `gw_grid_change`, in the same transaction; 0 stands for "any grid" (a hazard
without a grid, a TRUNCATE). A reader that kept figures as of a snapshot asks for the grids of
the transactions that snapshot did not see. The log is pruned (`gw_prune_grid_changes`) of
rows older than an hour; `gw_grid_change_pruned.upto` is the newest transaction pruned, and a
reader whose snapshot might not have seen it reads everything again.
"""

from django.db import migrations

from config.migration_operations import RunSQLOn

LOGGED = ("hazards_hazard",)

INSTALL = """
CREATE TABLE gw_grid_change (
    xid xid8 NOT NULL,
    tbl text NOT NULL,
    grid_id integer NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (xid, tbl, grid_id)
);
CREATE TABLE gw_grid_change_pruned (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    upto xid8
);
INSERT INTO gw_grid_change_pruned (upto) VALUES (NULL);

CREATE FUNCTION gw_log_grid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO gw_grid_change (xid, tbl, grid_id)
            VALUES (pg_current_xact_id(), TG_TABLE_NAME, 0) ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO gw_grid_change (xid, tbl, grid_id)
            SELECT DISTINCT pg_current_xact_id(), TG_TABLE_NAME, coalesce(grid_id, 0)
            FROM new_rows ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO gw_grid_change (xid, tbl, grid_id)
            SELECT DISTINCT pg_current_xact_id(), TG_TABLE_NAME, coalesce(grid_id, 0)
            FROM old_rows ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

-- Rows older than `older_than` of finished transactions; returns how many went. (A reader
-- whose snapshot did not see a pruned transaction finish has an xmin at most its xid: it
-- finds `upto` at least as new, and reads everything again.)
CREATE FUNCTION gw_prune_grid_changes(older_than interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    newest xid8;
    gone bigint;
BEGIN
    WITH pruned AS (
        DELETE FROM gw_grid_change
        WHERE at < now() - older_than
            AND pg_xact_status(xid) IS DISTINCT FROM 'in progress'
        RETURNING xid
    )
    SELECT max(xid), count(*) INTO newest, gone FROM pruned;
    IF newest IS NOT NULL THEN
        UPDATE gw_grid_change_pruned SET upto = greatest(upto, newest);
    END IF;
    RETURN gone;
END $$;
"""

TRIGGERS = "".join(
    f"""
CREATE TRIGGER gw_log_grid_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gw_log_grid_change();
CREATE TRIGGER gw_log_grid_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gw_log_grid_change();
CREATE TRIGGER gw_log_grid_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gw_log_grid_change();
CREATE TRIGGER gw_log_grid_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gw_log_grid_change();
"""
    for table in LOGGED
)

UNINSTALL = "".join(
    f"""
DROP TRIGGER IF EXISTS gw_log_grid_insert ON {table};
DROP TRIGGER IF EXISTS gw_log_grid_update ON {table};
DROP TRIGGER IF EXISTS gw_log_grid_delete ON {table};
DROP TRIGGER IF EXISTS gw_log_grid_truncate ON {table};
"""
    for table in LOGGED
) + (
    "DROP FUNCTION IF EXISTS gw_prune_grid_changes(interval);\n"
    "DROP FUNCTION IF EXISTS gw_log_grid_change();\n"
    "DROP TABLE IF EXISTS gw_grid_change_pruned;\n"
    "DROP TABLE IF EXISTS gw_grid_change;\n"
)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0007_tally_only_counted_changes")]

    operations = [RunSQLOn([INSTALL + TRIGGERS], [UNINSTALL], vendor="postgresql")]
