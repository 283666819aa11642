"""Import of the premises registry from the lists towns keep: CSV (UTF-8 or GBK) and XLSX.

Three steps:

- `read_table(data)` turns the bytes into a `Table` of text cells numbered as Excel shows them,
  or raises `ImportFileError` when the file is not a registry list we can read (reading.py);
- `plan_import(table)` is the dry run: it validates every row with the web form's validators and
  messages (`PremisesRowForm`) and matches it to the registry — by unified social credit code,
  else by name + address in the same village (matching.py) — and writes nothing (planning.py);
- `apply_import(table, by=…)` plans again and writes every row in one transaction, or nothing.

A blank cell never clears a value already in the registry: an update only changes the cells that
say something, so a list full of gaps cannot wipe what the registry knows.
"""

from premises.importer.columns import COLUMNS, MAX_FILE_BYTES, Column
from premises.importer.planning import (
    CREATE,
    REFUSED,
    UNCHANGED,
    UPDATE,
    Plan,
    RowPlan,
    apply_import,
    plan_import,
)
from premises.importer.reading import ImportFileError, Table, read_table

__all__ = [
    "COLUMNS",
    "CREATE",
    "MAX_FILE_BYTES",
    "REFUSED",
    "UNCHANGED",
    "UPDATE",
    "Column",
    "ImportFileError",
    "Plan",
    "RowPlan",
    "Table",
    "apply_import",
    "plan_import",
    "read_table",
]
