"""A wide page query planned in the order it is written (PostgreSQL).

A ledger page's rows come with their premises, grid, village, business type, department and
people: eight tables. At county scale PostgreSQL took several times longer to search the orders
of joining them over the hazards' many indexes than to run the plan it chose. These queries
start from the hazards, which carry every filter (grid and business type are copied onto them)
and the sort, and join the rest by primary key: the written order is the plan, and
`join_collapse_limit = 1` makes the planner take it without the search. The hazard page's one
hazard with its eleven relations is the same case. Figures: docs/decisions.md, Doing more at
once.
"""

from contextlib import contextmanager

from django.db import DatabaseError, connection


@contextmanager
def joins_as_written():
    """Queries run inside plan their joins in the written order; elsewhere nothing changes."""
    if connection.vendor != "postgresql":
        yield
        return
    # In a transaction, SET LOCAL ends with it (no reset to fail in an aborted transaction).
    local = connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(f"SET {'LOCAL ' if local else ''}join_collapse_limit = 1")
    try:
        yield
    finally:
        if not local:
            _reset()


def _reset() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET join_collapse_limit")
    except DatabaseError:
        # A connection that cannot say RESET must not serve later queries with the setting on.
        connection.close()
