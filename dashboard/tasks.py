from celery import shared_task
from django.db import connection

# How long the log of changed grids keeps a change (dashboard migration 0008): far longer than
# a kept value lives (settings.KEPT_SECONDS), so a reader finds it pruned only after a pause.
LOG_KEPT = "1 hour"


@shared_task(acks_late=True)
def prune_grid_change_log() -> int:
    """Drop the changed grids' log rows older than LOG_KEPT (beat, hourly); how many went.
    Nothing to do on SQLite, which keeps no log."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT gw_prune_grid_changes(%s::interval)", [LOG_KEPT])
        return cursor.fetchone()[0]
