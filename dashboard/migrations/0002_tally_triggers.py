"""PostgreSQL triggers that keep dashboard_gridmonth and dashboard_sectormonth exact.

Every change adds the new row's contribution and takes away the old one's, with
INSERT … ON CONFLICT DO UPDATE (row locks make concurrent changes add up). Moving a premises to
another grid or business type moves its rows' contributions; moving a grid or a village to
another town recounts the two towns' sector rows. `gw_tally_rebuild()` recounts everything
from the rows (the county generator pauses the triggers for its COPY and calls it after; an
operator may call it to repair).
SQLite gets no triggers: there the dashboard counts rows (dashboard/tallies.py).
"""

from django.conf import settings
from django.db import migrations

from config.migration_operations import RunSQLOn

TZ = settings.TIME_ZONE.replace("'", "")

# A bulk load sets gridwatch.tallies_paused for its transaction (SET LOCAL), then calls
# gw_tally_rebuild(): see dashboard.tallies.paused.
PAUSED = "current_setting('gridwatch.tallies_paused', true) = 'on'"
MONTH = "date_trunc('month', {field} AT TIME ZONE '" + TZ + "')::date"

INSTALL = f"""
CREATE FUNCTION gw_tally_hazard(h hazards_hazard, sign integer, g bigint, t bigint, b bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m date := {MONTH.format(field="h.reported_at")};
    found integer := sign * (h.status <> 'dismissed')::integer;
    found_closed integer := sign * (h.status = 'closed')::integer;
BEGIN
    INSERT INTO dashboard_gridmonth AS s
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    VALUES (g, m, 0, found, found_closed, 0, 0)
    ON CONFLICT (grid_id, month) DO UPDATE
        SET found = s.found + EXCLUDED.found, found_closed = s.found_closed + EXCLUDED.found_closed;
    INSERT INTO dashboard_sectormonth AS s
        (town_id, month, category, department_key, business_type_key, found, found_closed)
    VALUES (t, m, h.category, coalesce(h.department_id, 0), b, found, found_closed)
    ON CONFLICT (town_id, month, category, department_key, business_type_key) DO UPDATE
        SET found = s.found + EXCLUDED.found, found_closed = s.found_closed + EXCLUDED.found_closed;
    IF h.status = 'closed' THEN
        INSERT INTO dashboard_gridmonth AS s
            (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
        VALUES (g, {MONTH.format(field="h.closed_at")}, 0, 0, 0, sign,
                sign * round(extract(epoch FROM h.closed_at - h.reported_at) * 1000000)::bigint)
        ON CONFLICT (grid_id, month) DO UPDATE
            SET closed = s.closed + EXCLUDED.closed,
                close_microseconds = s.close_microseconds + EXCLUDED.close_microseconds;
    END IF;
END $$;

-- The grid, town and business type of a premises, now.
CREATE FUNCTION gw_place(premises bigint, OUT g bigint, OUT t bigint, OUT b bigint)
LANGUAGE sql STABLE AS $$
    SELECT p.grid_id, v.town_id, p.business_type_id
    FROM premises_premises p
    JOIN grids_grid gr ON gr.id = p.grid_id
    JOIN grids_village v ON v.id = gr.village_id
    WHERE p.id = premises
$$;

CREATE FUNCTION gw_tally_hazard_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    place record;
BEGIN
    IF {PAUSED} THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        place := gw_place(OLD.premises_id);
        PERFORM gw_tally_hazard(OLD, -1, place.g, place.t, place.b);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        place := gw_place(NEW.premises_id);
        PERFORM gw_tally_hazard(NEW, 1, place.g, place.t, place.b);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER gw_tally_hazard AFTER INSERT OR DELETE ON hazards_hazard
    FOR EACH ROW EXECUTE FUNCTION gw_tally_hazard_trigger();
CREATE TRIGGER gw_tally_hazard_update
    AFTER UPDATE OF status, reported_at, closed_at, category, department_id, premises_id
    ON hazards_hazard FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.reported_at IS DISTINCT FROM NEW.reported_at
          OR OLD.closed_at IS DISTINCT FROM NEW.closed_at
          OR OLD.category IS DISTINCT FROM NEW.category
          OR OLD.department_id IS DISTINCT FROM NEW.department_id
          OR OLD.premises_id IS DISTINCT FROM NEW.premises_id)
    EXECUTE FUNCTION gw_tally_hazard_trigger();

CREATE FUNCTION gw_tally_inspections(g bigint, m date, n integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO dashboard_gridmonth AS s
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    VALUES (g, m, n, 0, 0, 0, 0)
    ON CONFLICT (grid_id, month) DO UPDATE SET inspections = s.inspections + EXCLUDED.inspections
$$;

CREATE FUNCTION gw_tally_inspection_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {PAUSED} THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM gw_tally_inspections(
            (gw_place(OLD.premises_id)).g, {MONTH.format(field="OLD.visited_at")}, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM gw_tally_inspections(
            (gw_place(NEW.premises_id)).g, {MONTH.format(field="NEW.visited_at")}, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER gw_tally_inspection AFTER INSERT OR DELETE ON hazards_inspection
    FOR EACH ROW EXECUTE FUNCTION gw_tally_inspection_trigger();
CREATE TRIGGER gw_tally_inspection_update AFTER UPDATE OF visited_at, premises_id
    ON hazards_inspection FOR EACH ROW
    WHEN (OLD.visited_at IS DISTINCT FROM NEW.visited_at
          OR OLD.premises_id IS DISTINCT FROM NEW.premises_id)
    EXECUTE FUNCTION gw_tally_inspection_trigger();

-- A premises moved to another grid or business type takes its rows' contributions along.
CREATE FUNCTION gw_tally_premises_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_town bigint := (SELECT v.town_id FROM grids_grid gr
                         JOIN grids_village v ON v.id = gr.village_id WHERE gr.id = OLD.grid_id);
    place record := gw_place(NEW.id);
    h hazards_hazard;
    visits record;
BEGIN
    IF {PAUSED} THEN
        RETURN NULL;
    END IF;
    FOR h IN SELECT * FROM hazards_hazard WHERE premises_id = NEW.id LOOP
        PERFORM gw_tally_hazard(h, -1, OLD.grid_id, old_town, OLD.business_type_id);
        PERFORM gw_tally_hazard(h, 1, place.g, place.t, place.b);
    END LOOP;
    IF OLD.grid_id <> NEW.grid_id THEN
        FOR visits IN
            SELECT {MONTH.format(field="visited_at")} AS m, count(*)::integer AS n
            FROM hazards_inspection WHERE premises_id = NEW.id GROUP BY 1
        LOOP
            PERFORM gw_tally_inspections(OLD.grid_id, visits.m, -visits.n);
            PERFORM gw_tally_inspections(NEW.grid_id, visits.m, visits.n);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER gw_tally_premises AFTER UPDATE OF grid_id, business_type_id
    ON premises_premises FOR EACH ROW
    WHEN (OLD.grid_id IS DISTINCT FROM NEW.grid_id
          OR OLD.business_type_id IS DISTINCT FROM NEW.business_type_id)
    EXECUTE FUNCTION gw_tally_premises_trigger();

-- Recount the sector rows of some towns (all when towns is NULL) from the hazards.
CREATE FUNCTION gw_tally_rebuild_sectors(towns bigint[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM dashboard_sectormonth WHERE towns IS NULL OR town_id = ANY(towns);
    INSERT INTO dashboard_sectormonth
        (town_id, month, category, department_key, business_type_key, found, found_closed)
    SELECT v.town_id, {MONTH.format(field="h.reported_at")}, h.category,
           coalesce(h.department_id, 0), p.business_type_id,
           count(*) FILTER (WHERE h.status <> 'dismissed'),
           count(*) FILTER (WHERE h.status = 'closed')
    FROM hazards_hazard h
    JOIN premises_premises p ON p.id = h.premises_id
    JOIN grids_grid gr ON gr.id = p.grid_id
    JOIN grids_village v ON v.id = gr.village_id
    WHERE towns IS NULL OR v.town_id = ANY(towns)
    GROUP BY 1, 2, 3, 4, 5
$$;

-- A grid or a village that changes town: both towns' sector rows are recounted.
CREATE FUNCTION gw_tally_grid_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {PAUSED} THEN
        RETURN NULL;
    END IF;
    PERFORM gw_tally_rebuild_sectors(ARRAY(
        SELECT town_id FROM grids_village WHERE id IN (OLD.village_id, NEW.village_id)));
    RETURN NULL;
END $$;
CREATE TRIGGER gw_tally_grid AFTER UPDATE OF village_id ON grids_grid FOR EACH ROW
    WHEN (OLD.village_id IS DISTINCT FROM NEW.village_id)
    EXECUTE FUNCTION gw_tally_grid_trigger();

CREATE FUNCTION gw_tally_village_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {PAUSED} THEN
        RETURN NULL;
    END IF;
    PERFORM gw_tally_rebuild_sectors(ARRAY[OLD.town_id, NEW.town_id]);
    RETURN NULL;
END $$;
CREATE TRIGGER gw_tally_village AFTER UPDATE OF town_id ON grids_village FOR EACH ROW
    WHEN (OLD.town_id IS DISTINCT FROM NEW.town_id)
    EXECUTE FUNCTION gw_tally_village_trigger();

-- Everything recounted from the rows.
CREATE FUNCTION gw_tally_rebuild() RETURNS void LANGUAGE sql AS $$
    DELETE FROM dashboard_gridmonth;
    INSERT INTO dashboard_gridmonth
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    SELECT grid_id, month, sum(inspections), sum(found), sum(found_closed), sum(closed),
           sum(close_microseconds)
    FROM (
        SELECT p.grid_id, {MONTH.format(field="i.visited_at")} AS month,
               count(*) AS inspections, 0 AS found, 0 AS found_closed, 0 AS closed,
               0 AS close_microseconds
        FROM hazards_inspection i JOIN premises_premises p ON p.id = i.premises_id
        GROUP BY 1, 2
        UNION ALL
        SELECT p.grid_id, {MONTH.format(field="h.reported_at")}, 0,
               count(*) FILTER (WHERE h.status <> 'dismissed'),
               count(*) FILTER (WHERE h.status = 'closed'), 0, 0
        FROM hazards_hazard h JOIN premises_premises p ON p.id = h.premises_id
        GROUP BY 1, 2
        UNION ALL
        SELECT p.grid_id, {MONTH.format(field="h.closed_at")}, 0, 0, 0, count(*),
               sum(round(extract(epoch FROM h.closed_at - h.reported_at) * 1000000)::bigint)
        FROM hazards_hazard h JOIN premises_premises p ON p.id = h.premises_id
        WHERE h.status = 'closed'
        GROUP BY 1, 2
    ) AS parts
    GROUP BY grid_id, month;
    SELECT gw_tally_rebuild_sectors(NULL);
$$;

SELECT gw_tally_rebuild();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS gw_tally_village ON grids_village;
DROP TRIGGER IF EXISTS gw_tally_grid ON grids_grid;
DROP TRIGGER IF EXISTS gw_tally_premises ON premises_premises;
DROP TRIGGER IF EXISTS gw_tally_inspection_update ON hazards_inspection;
DROP TRIGGER IF EXISTS gw_tally_inspection ON hazards_inspection;
DROP TRIGGER IF EXISTS gw_tally_hazard_update ON hazards_hazard;
DROP TRIGGER IF EXISTS gw_tally_hazard ON hazards_hazard;
DROP FUNCTION IF EXISTS gw_tally_rebuild();
DROP FUNCTION IF EXISTS gw_tally_village_trigger();
DROP FUNCTION IF EXISTS gw_tally_grid_trigger();
DROP FUNCTION IF EXISTS gw_tally_rebuild_sectors(bigint[]);
DROP FUNCTION IF EXISTS gw_tally_premises_trigger();
DROP FUNCTION IF EXISTS gw_tally_inspection_trigger();
DROP FUNCTION IF EXISTS gw_tally_inspections(bigint, date, integer);
DROP FUNCTION IF EXISTS gw_tally_hazard_trigger();
DROP FUNCTION IF EXISTS gw_place(bigint);
DROP FUNCTION IF EXISTS gw_tally_hazard(hazards_hazard, integer, bigint, bigint, bigint);
DELETE FROM dashboard_gridmonth;
DELETE FROM dashboard_sectormonth;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_tallies"),
        ("hazards", "0003_ledger_status_index"),
        ("premises", "0001_initial"),
    ]

    operations = [RunSQLOn([INSTALL], [UNINSTALL], vendor="postgresql")]
