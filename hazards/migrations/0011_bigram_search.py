"""Pairs of characters indexed over a hazard's description, for the ledger's search of a
two-character term (`gw_bigrams`: premises' 0005; docs/decisions.md, Ledger text search on a
trigram index). PostgreSQL only."""

from django.db import migrations

from config.migration_operations import RunSQLOn


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0010_models_moved_out"),
        ("premises", "0005_bigram_search"),
    ]

    operations = [
        RunSQLOn(
            'CREATE INDEX "hazards_description_bigrams" ON "hazards_hazard" '
            'USING gin (gw_bigrams(UPPER("description")))',
            'DROP INDEX "hazards_description_bigrams"',
            vendor="postgresql",
        )
    ]
