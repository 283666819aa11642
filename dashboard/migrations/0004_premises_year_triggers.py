"""PostgreSQL triggers that keep dashboard_premisesyear exact: a visit sets its local day's bit;
a visit deleted or moved (another premises, another day) recounts the days of the premises-year
it left from the rows. `gw_premises_year_rebuild()` recounts them all (the county generator
pauses the triggers for its COPY and calls it after, through dashboard.tallies.rebuild).
SQLite gets no triggers: there the dashboard counts rows.
"""

from django.conf import settings
from django.db import migrations

from config.migration_operations import RunSQLOn

TZ = settings.TIME_ZONE.replace("'", "")
PAUSED = "current_setting('gridwatch.tallies_paused', true) = 'on'"


def year(field: str) -> str:
    return f"extract(year FROM {field} AT TIME ZONE '{TZ}')::smallint"


def day(field: str) -> str:
    """366 bits with the one of the field's local day of the year set."""
    doy = f"extract(doy FROM {field} AT TIME ZONE '{TZ}')::integer"
    return f"rpad(lpad('1', {doy}, '0'), 366, '0')::bit(366)"


INSTALL = f"""
CREATE FUNCTION gw_premises_year_recount(p bigint, y smallint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    visited bit(366);
BEGIN
    -- Lock the row first: a visit added meanwhile by another transaction then either waits
    -- for this one (and ORs its day into the recount) or is seen by the count below.
    PERFORM 1 FROM dashboard_premisesyear WHERE premises_id = p AND year = y FOR UPDATE;
    SELECT bit_or({day("visited_at")}) INTO visited
    FROM hazards_inspection
    WHERE premises_id = p
      AND visited_at >= make_timestamptz(y, 1, 1, 0, 0, 0, '{TZ}')
      AND visited_at < make_timestamptz(y + 1, 1, 1, 0, 0, 0, '{TZ}');
    IF visited IS NULL THEN
        DELETE FROM dashboard_premisesyear WHERE premises_id = p AND year = y;
    ELSE
        INSERT INTO dashboard_premisesyear (premises_id, year, days) VALUES (p, y, visited)
        ON CONFLICT (premises_id, year) DO UPDATE SET days = EXCLUDED.days;
    END IF;
END $$;

CREATE FUNCTION gw_premises_year_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {PAUSED} THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM gw_premises_year_recount(OLD.premises_id, {year("OLD.visited_at")});
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO dashboard_premisesyear AS s (premises_id, year, days)
        VALUES (NEW.premises_id, {year("NEW.visited_at")}, {day("NEW.visited_at")})
        ON CONFLICT (premises_id, year) DO UPDATE SET days = s.days | EXCLUDED.days;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER gw_premises_year AFTER INSERT OR DELETE ON hazards_inspection
    FOR EACH ROW EXECUTE FUNCTION gw_premises_year_trigger();
CREATE TRIGGER gw_premises_year_update AFTER UPDATE OF visited_at, premises_id
    ON hazards_inspection FOR EACH ROW
    WHEN (OLD.visited_at IS DISTINCT FROM NEW.visited_at
          OR OLD.premises_id IS DISTINCT FROM NEW.premises_id)
    EXECUTE FUNCTION gw_premises_year_trigger();

CREATE FUNCTION gw_premises_year_rebuild() RETURNS void LANGUAGE sql AS $$
    DELETE FROM dashboard_premisesyear;
    INSERT INTO dashboard_premisesyear (premises_id, year, days)
    SELECT premises_id, {year("visited_at")}, bit_or({day("visited_at")})
    FROM hazards_inspection
    GROUP BY 1, 2;
$$;

SELECT gw_premises_year_rebuild();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS gw_premises_year_update ON hazards_inspection;
DROP TRIGGER IF EXISTS gw_premises_year ON hazards_inspection;
DROP FUNCTION IF EXISTS gw_premises_year_rebuild();
DROP FUNCTION IF EXISTS gw_premises_year_trigger();
DROP FUNCTION IF EXISTS gw_premises_year_recount(bigint, smallint);
DELETE FROM dashboard_premisesyear;
"""


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0003_premises_year")]

    operations = [RunSQLOn([INSTALL], [UNINSTALL], vendor="postgresql")]
