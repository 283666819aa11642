"""Trigram indexes (pg_trgm) over a hazard's description and ledger number, for the ledger's
text search (hazards/ledger.py, LedgerFilter.search; docs/decisions.md, Ledger text search on a
trigram index). The extension comes with premises' 0004, which indexes a premises' name and
address the same way.

Each index is on the expression Django's `icontains` compares on PostgreSQL,
`UPPER("col"::text) LIKE UPPER(%s)`, so the planner can use it for that lookup. PostgreSQL only:
on SQLite the operations do nothing and a search reads the rows."""

from django.db import migrations

from config.migration_operations import RunSQLOn

INDEXES = {
    "hazards_description_trgm": "description",
    "hazards_ledger_number_trgm": "ledger_number",
}


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0008_text_limits"),
        ("premises", "0004_trigram_search"),
    ]

    operations = [
        RunSQLOn(
            f'CREATE INDEX "{index}" ON "hazards_hazard" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)',
            f'DROP INDEX "{index}"',
            vendor="postgresql",
        )
        for index, column in INDEXES.items()
    ]
