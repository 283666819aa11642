"""The known town, its boards kept (dashboard/remembered.py): for the tests of keeping."""

import pytest
import time_machine
from django.db import connection

from dashboard import remembered
from tests.dashboard import known_town
from tests.dashboard.known_town import NOW


@pytest.fixture
def town(settings):
    if connection.vendor != "postgresql":
        pytest.skip("boards are kept on PostgreSQL only, where triggers count the changes")
    settings.DASHBOARD_QUERY_THREADS = 1  # every read on this connection, where it is counted
    settings.KEPT_SECONDS = 60
    remembered.forget_all()
    with time_machine.travel(NOW, tick=False):
        yield known_town.build()
