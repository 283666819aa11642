"""Trigram indexes (pg_trgm) over a premises' name and address: the ledger's text search and
"My premises" find a premises by any part of them without reading every premises
(docs/decisions.md, Ledger text search on a trigram index).

Each index is on the expression Django's `icontains` compares on PostgreSQL,
`UPPER("col"::text) LIKE UPPER(%s)`, so the planner can use it for that lookup. PostgreSQL only:
on SQLite both operations do nothing and a search reads the rows."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from config.migration_operations import RunSQLOn

INDEXES = {
    "premises_name_trgm": "name",
    "premises_address_trgm": "address",
}


class Migration(migrations.Migration):
    dependencies = [
        ("premises", "0003_operating_grid_index"),
    ]

    operations = [
        TrigramExtension(),
        *(
            RunSQLOn(
                f'CREATE INDEX "{index}" ON "premises_premises" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)',
                f'DROP INDEX "{index}"',
                vendor="postgresql",
            )
            for index, column in INDEXES.items()
        ),
    ]
