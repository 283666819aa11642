"""Tallies of the rows the dashboard counts (docs/figures.md), so that a year of a county is read
from a few thousand rows instead of hundreds of thousands: per month (GridMonth, TownMonth,
SectorMonth) and,
for premises visited, per premises and year (PremisesYear).

Triggers (migrations 0002, 0004 and 0007 on PostgreSQL, 0010 on SQLite) keep them exact in the
same transaction as every insert, update and delete of an inspection or a hazard and every move
of a premises to another grid or business type, or of a place to another town — whatever makes
the change: a page, the admin, a queryset update, a script. `dashboard.tallies.drift()` compares
them with the rows (the suite checks it after every test that writes).

Months and days are local (settings.TIME_ZONE) calendar months and days of the timestamp counted.
"""

from django.db import models

from grids.models import Grid, Town
from premises.models import Premises


class MonthFigures(models.Model):
    """A place's figures for one month."""

    month = models.DateField()  # the first day
    inspections = models.IntegerField(default=0)  # visited_at in the month
    found = models.IntegerField(default=0)  # reported_at in the month, not dismissed
    found_closed = models.IntegerField(default=0)  # of those, closed
    closed = models.IntegerField(default=0)  # closed_at in the month
    close_microseconds = models.BigIntegerField(default=0)  # Σ (closed_at − reported_at)

    class Meta:
        abstract = True


class GridMonth(MonthFigures):
    """One grid's figures for one month."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grid", "month"], name="dashboard_gridmonth_key"),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.month:%Y-%m}"


class TownMonth(MonthFigures):
    """One town's figures for one month: its grids' GridMonth rows added up, by triggers on
    GridMonth and on a grid or village moved to another town (migration 0015). The county's
    board reads a few hundred of them instead of ~33,000 grid-months (docs/decisions.md,
    Reading less)."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["town", "month"], name="dashboard_townmonth_key"),
        ]

    def __str__(self) -> str:
        return f"{self.town_id} {self.month:%Y-%m}"


class SectorMonth(models.Model):
    """One town's hazards found in one month, per category, department and business type: the
    breakdown tables. Department 0 stands for none (so the key is unique without NULLs)."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    category = models.CharField(max_length=10)
    department_key = models.BigIntegerField()  # hazards_hazard.department_id, 0 when none
    business_type_key = models.BigIntegerField()  # premises_premises.business_type_id
    found = models.IntegerField(default=0)
    found_closed = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["town", "month", "category", "department_key", "business_type_key"],
                name="dashboard_sectormonth_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.town_id} {self.month:%Y-%m} {self.category}"


DAYS_IN_A_YEAR = 366  # bit n−1 stands for day n of the year (1 January = 1)


class DayBits(models.Field):
    """A year's days as a string of 366 bits, "1" for a day that counts: PostgreSQL `bit(366)`,
    text elsewhere; either way read as text (dashboard.kpis.premises_visited)."""

    def db_type(self, connection) -> str:
        return f"bit({DAYS_IN_A_YEAR})" if connection.vendor == "postgresql" else "text"


class PremisesYear(models.Model):
    """The local calendar days of one year on which a premises was visited: "premises
    inspected" in a past period is then a count of rows with a day of the period set, instead
    of a DISTINCT over a year of visits."""

    # The key (premises, year) serves the lookups by premises: no index of its own.
    premises = models.ForeignKey(
        Premises, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.SmallIntegerField()
    days = DayBits()
    # The premises' grid, copied and kept equal by triggers (migration 0011) like a hazard's
    # (Hazard.grid): a town's or a village's rows are found by their grids, without reading
    # the premises (docs/decisions.md, Counting per grid first).
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="+", db_index=False, null=True, editable=False
    )
    # The first day set (1 = 1 January), kept by triggers (migration 0013): premises inspected
    # from 1 January to a day are the rows whose first day is on or before it, read from an
    # index without the days (docs/decisions.md, Reading less).
    first_day = models.SmallIntegerField(null=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["premises", "year"], name="dashboard_premisesyear_key"),
        ]
        indexes = [
            # A year's rows of some grids read from the index alone (the county's year: ~90,000
            # rows of ~50 bytes).
            models.Index(
                fields=["year", "grid"],
                include=["premises", "days", "first_day"],
                name="dashboard_premisesyear_by_grid",
            ),
            models.Index(fields=["year", "first_day"], name="dashboard_premisesyear_first"),
        ]

    def __str__(self) -> str:
        return f"{self.premises_id} {self.year}"
