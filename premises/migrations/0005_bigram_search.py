"""Pairs of characters (bigrams) indexed over a premises' name and address, for the ledger's
search of a two-character term (燃气, 电线), which has no trigram for pg_trgm to look up
(docs/decisions.md, Ledger text search on a trigram index).

`gw_bigrams(text)` is the text's distinct pairs of adjacent characters; a GIN index over
`gw_bigrams(UPPER(col))` answers `@> ARRAY['燃气']` — "holds that pair", the same rows as
`UPPER(col) LIKE '%燃气%'` — from the index. hazards' 0011 indexes the description the same way.
PostgreSQL only: on SQLite a search reads the rows."""

from django.db import migrations

from config.migration_operations import RunSQLOn

BIGRAMS = """
CREATE FUNCTION gw_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
    FROM generate_series(1, length(t) - 1) AS i
$$
"""
INDEXES = {
    "premises_name_bigrams": "name",
    "premises_address_bigrams": "address",
}


class Migration(migrations.Migration):
    dependencies = [
        ("premises", "0004_trigram_search"),
    ]

    operations = [
        RunSQLOn(BIGRAMS, "DROP FUNCTION gw_bigrams(text)", vendor="postgresql"),
        *(
            RunSQLOn(
                f'CREATE INDEX "{index}" ON "premises_premises" '
                f'USING gin (gw_bigrams(UPPER("{column}")))',
                f'DROP INDEX "{index}"',
                vendor="postgresql",
            )
            for index, column in INDEXES.items()
        ),
    ]
