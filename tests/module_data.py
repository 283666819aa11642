"""Data built once for a test module: in a transaction rolled back when the module is done, so
each test runs in a savepoint of it and what one test changes is undone before the next."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def kept_for_the_module(django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
