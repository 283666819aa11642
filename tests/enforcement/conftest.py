"""The hazard tests' `town` (a premises in a grid, every role in and out of its scope)."""

from tests.hazards.conftest import town as town
