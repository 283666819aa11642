"""The hazard tally trigger of migration 0002 fires only when a hazard's part in the tallies can
change: dismissed or not, closed or not (found, found_closed), not on every change of status.
An officer's steps between reported, rectifying and submitted leave the tallies untouched, so
their change counts (migration 0006) stand still and a dashboard keeps its reads of them.
"""

from django.db import migrations

from config.migration_operations import RunSQLOn

CREATE = """
DROP TRIGGER IF EXISTS gw_tally_hazard_update ON hazards_hazard;
CREATE TRIGGER gw_tally_hazard_update
    AFTER UPDATE OF status, reported_at, closed_at, category, department_id, premises_id
    ON hazards_hazard FOR EACH ROW
    WHEN ({status}
          OR OLD.reported_at IS DISTINCT FROM NEW.reported_at
          OR OLD.closed_at IS DISTINCT FROM NEW.closed_at
          OR OLD.category IS DISTINCT FROM NEW.category
          OR OLD.department_id IS DISTINCT FROM NEW.department_id
          OR OLD.premises_id IS DISTINCT FROM NEW.premises_id)
    EXECUTE FUNCTION gw_tally_hazard_trigger();
"""

COUNTED_STATUS = """(OLD.status = 'dismissed') IS DISTINCT FROM (NEW.status = 'dismissed')
          OR (OLD.status = 'closed') IS DISTINCT FROM (NEW.status = 'closed')"""
ANY_STATUS = "OLD.status IS DISTINCT FROM NEW.status"


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0006_change_count_per_table")]

    operations = [
        RunSQLOn(
            [CREATE.format(status=COUNTED_STATUS)],
            [CREATE.format(status=ANY_STATUS)],
            vendor="postgresql",
        )
    ]
