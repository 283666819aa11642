"""The change counts of migrations 0005 and 0006 and the log of changed grids of 0008 go: a
dashboard is kept in Django's cache under a generation bumped by the writes themselves
(config/data_cache.py; docs/decisions.md, Dashboards from the cache). The tallies stay."""

from importlib import import_module

from django.db import migrations

from config.migration_operations import RunSQLOn

COUNTS = import_module("dashboard.migrations.0006_change_count_per_table")
GRID_LOG = import_module("dashboard.migrations.0008_grid_change_log")

DROP = (
    GRID_LOG.UNINSTALL
    + COUNTS._drop_triggers(COUNTS.COUNTED)
    + "DROP FUNCTION IF EXISTS gw_count_change();\nDROP TABLE IF EXISTS gw_change_count;\n"
)
# Back: 0006 renames the one count of 0005 it replaces, so an empty one is made for it first.
RESTORE = (
    "CREATE TABLE gw_change_count (slot smallint PRIMARY KEY, n bigint NOT NULL);\n"
    + COUNTS.PER_TABLE
    + GRID_LOG.INSTALL
    + GRID_LOG.TRIGGERS
)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0008_grid_change_log")]

    operations = [RunSQLOn([DROP], [RESTORE], vendor="postgresql")]
