"""The tallies kept on SQLite too, by triggers doing what PostgreSQL's of migrations 0002, 0004
and 0007 do, so that a dashboard counts the same way on both databases (docs/figures.md, Where
the numbers are read from).

SQLite runs no procedures: each contribution is one upsert per table, set-based where a
premises or a place moves. A local month, a local day and a duration are computed by the
functions Django registers on every SQLite connection (`django_datetime_trunc`,
`django_datetime_cast_date`, `django_timestamp_diff`), the very ones `TruncMonth`, `TruncDate`
and a duration subtraction use there. A premises-year's days are text of "0" and "1".
"""

from datetime import timezone
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

from config.migration_operations import RunSQLOn

TZ = settings.TIME_ZONE.replace("'", "")
NO_DAY = "0" * 366


def month(field: str) -> str:
    return f"date(django_datetime_trunc('month', {field}, '{TZ}', 'UTC'))"


def local_day(field: str) -> str:
    return f"django_datetime_cast_date({field}, '{TZ}', 'UTC')"


def year(field: str) -> str:
    return f"CAST(strftime('%Y', {local_day(field)}) AS INTEGER)"


def day_of_year(field: str) -> str:
    return f"CAST(strftime('%j', {local_day(field)}) AS INTEGER)"


def with_day(days: str, field: str, bit: str) -> str:
    """`days` with the bit of the field's local day of its year set to `bit`."""
    doy = day_of_year(field)
    return f"substr({days}, 1, {doy} - 1) || '{bit}' || substr({days}, {doy} + 1)"


def visited_day(row: str) -> str:
    """The statement that sets the day of a visit in its premises-year."""
    return f"""
    INSERT INTO dashboard_premisesyear (premises_id, year, days)
    SELECT {row}.premises_id, {year(f"{row}.visited_at")},
        {with_day(f"'{NO_DAY}'", f"{row}.visited_at", "1")} WHERE true
    ON CONFLICT (premises_id, year) DO UPDATE
        SET days = {with_day("days", f"{row}.visited_at", "1")};
"""


def left_day(row: str) -> str:
    """The statements that clear the day a visit left, unless another visit of its premises is
    on that day, and drop a premises-year left with no day."""
    same_day = (
        f"SELECT 1 FROM hazards_inspection i WHERE i.premises_id = {row}.premises_id "
        f"AND {local_day('i.visited_at')} = {local_day(f'{row}.visited_at')}"
    )
    return f"""
    UPDATE dashboard_premisesyear SET days = {with_day("days", f"{row}.visited_at", "0")}
    WHERE premises_id = {row}.premises_id AND year = {year(f"{row}.visited_at")}
        AND NOT EXISTS ({same_day});
    DELETE FROM dashboard_premisesyear
    WHERE premises_id = {row}.premises_id AND year = {year(f"{row}.visited_at")}
        AND instr(days, '1') = 0;
"""


def place(premises: str) -> dict[str, str]:
    """The grid, town and business type of a premises, now, as SQL expressions."""
    return {
        "g": f"(SELECT grid_id FROM premises_premises WHERE id = {premises})",
        "t": (
            "(SELECT v.town_id FROM premises_premises p JOIN grids_grid gr ON gr.id = p.grid_id "
            f"JOIN grids_village v ON v.id = gr.village_id WHERE p.id = {premises})"
        ),
        "b": f"(SELECT business_type_id FROM premises_premises WHERE id = {premises})",
    }


def hazard(row: str, sign: int, where: dict[str, str]) -> str:
    """The statements that add (sign 1) or take away (-1) a hazard row's part in the tallies."""
    g, t, b = where["g"], where["t"], where["b"]
    found = f"{sign} * ({row}.status <> 'dismissed')"
    found_closed = f"{sign} * ({row}.status = 'closed')"
    return f"""
    INSERT INTO dashboard_gridmonth
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    SELECT {g}, {month(f"{row}.reported_at")}, 0, {found}, {found_closed}, 0, 0 WHERE true
    ON CONFLICT (grid_id, month) DO UPDATE SET found = found + excluded.found,
        found_closed = found_closed + excluded.found_closed;
    INSERT INTO dashboard_sectormonth
        (town_id, month, category, department_key, business_type_key, found, found_closed)
    SELECT {t}, {month(f"{row}.reported_at")}, {row}.category,
        coalesce({row}.department_id, 0), {b}, {found}, {found_closed} WHERE true
    ON CONFLICT (town_id, month, category, department_key, business_type_key) DO UPDATE
        SET found = found + excluded.found, found_closed = found_closed + excluded.found_closed;
    INSERT INTO dashboard_gridmonth
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    SELECT {g}, {month(f"{row}.closed_at")}, 0, 0, 0, {sign},
        {sign} * django_timestamp_diff({row}.closed_at, {row}.reported_at)
    WHERE {row}.status = 'closed'
    ON CONFLICT (grid_id, month) DO UPDATE SET closed = closed + excluded.closed,
        close_microseconds = close_microseconds + excluded.close_microseconds;
"""


def visit(row: str, sign: int) -> str:
    return f"""
    INSERT INTO dashboard_gridmonth
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    SELECT {place(f"{row}.premises_id")["g"]}, {month(f"{row}.visited_at")}, {sign}, 0, 0, 0, 0
    WHERE true
    ON CONFLICT (grid_id, month) DO UPDATE SET inspections = inspections + excluded.inspections;
"""


def moved_premises(sign: int, row: str) -> str:
    """A premises' hazards and visits taken from its old place (OLD, -1) or put in its new one
    (NEW, 1), month by month."""
    town = (
        "(SELECT v.town_id FROM grids_grid gr JOIN grids_village v ON v.id = gr.village_id "
        f"WHERE gr.id = {row}.grid_id)"
    )
    reported, closed = month("h.reported_at"), month("h.closed_at")
    return f"""
    INSERT INTO dashboard_gridmonth
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    SELECT {row}.grid_id, {reported}, 0, {sign} * sum(h.status <> 'dismissed'),
        {sign} * sum(h.status = 'closed'), 0, 0
    FROM hazards_hazard h WHERE h.premises_id = {row}.id GROUP BY 2
    ON CONFLICT (grid_id, month) DO UPDATE SET found = found + excluded.found,
        found_closed = found_closed + excluded.found_closed;
    INSERT INTO dashboard_gridmonth
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    SELECT {row}.grid_id, {closed}, 0, 0, 0, {sign} * count(*),
        {sign} * sum(django_timestamp_diff(h.closed_at, h.reported_at))
    FROM hazards_hazard h WHERE h.premises_id = {row}.id AND h.status = 'closed' GROUP BY 2
    ON CONFLICT (grid_id, month) DO UPDATE SET closed = closed + excluded.closed,
        close_microseconds = close_microseconds + excluded.close_microseconds;
    INSERT INTO dashboard_gridmonth
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    SELECT {row}.grid_id, {month("i.visited_at")}, {sign} * count(*), 0, 0, 0, 0
    FROM hazards_inspection i WHERE i.premises_id = {row}.id GROUP BY 2
    ON CONFLICT (grid_id, month) DO UPDATE SET inspections = inspections + excluded.inspections;
    INSERT INTO dashboard_sectormonth
        (town_id, month, category, department_key, business_type_key, found, found_closed)
    SELECT {town}, {reported}, h.category, coalesce(h.department_id, 0), {row}.business_type_id,
        {sign} * sum(h.status <> 'dismissed'), {sign} * sum(h.status = 'closed')
    FROM hazards_hazard h WHERE h.premises_id = {row}.id GROUP BY 2, 3, 4
    ON CONFLICT (town_id, month, category, department_key, business_type_key) DO UPDATE
        SET found = found + excluded.found, found_closed = found_closed + excluded.found_closed;
"""


def recount_sectors(towns: str) -> list[str]:
    """The statements that recount the sector rows of some towns from the hazards."""
    return [
        f"DELETE FROM dashboard_sectormonth WHERE town_id IN ({towns})",
        f"""
    INSERT INTO dashboard_sectormonth
        (town_id, month, category, department_key, business_type_key, found, found_closed)
    SELECT v.town_id, {month("h.reported_at")}, h.category, coalesce(h.department_id, 0),
        p.business_type_id, sum(h.status <> 'dismissed'), sum(h.status = 'closed')
    FROM hazards_hazard h
    JOIN premises_premises p ON p.id = h.premises_id
    JOIN grids_grid gr ON gr.id = p.grid_id
    JOIN grids_village v ON v.id = gr.village_id
    WHERE v.town_id IN ({towns}) AND true
    GROUP BY 1, 2, 3, 4, 5
""",
    ]


def in_trigger(statements: list[str]) -> str:
    return "".join(f"\n    {statement};" for statement in statements) + "\n"


COUNTED_HAZARD_CHANGE = """(OLD.status = 'dismissed') IS NOT (NEW.status = 'dismissed')
    OR (OLD.status = 'closed') IS NOT (NEW.status = 'closed')
    OR OLD.reported_at IS NOT NEW.reported_at OR OLD.closed_at IS NOT NEW.closed_at
    OR OLD.category IS NOT NEW.category OR OLD.department_id IS NOT NEW.department_id
    OR OLD.premises_id IS NOT NEW.premises_id"""

SQLITE = [
    "CREATE TRIGGER gw_tally_hazard_insert AFTER INSERT ON hazards_hazard BEGIN"
    + hazard("NEW", 1, place("NEW.premises_id"))
    + "END",
    "CREATE TRIGGER gw_tally_hazard_delete AFTER DELETE ON hazards_hazard BEGIN"
    + hazard("OLD", -1, place("OLD.premises_id"))
    + "END",
    "CREATE TRIGGER gw_tally_hazard_update AFTER UPDATE OF status, reported_at, closed_at, "
    f"category, department_id, premises_id ON hazards_hazard WHEN {COUNTED_HAZARD_CHANGE} BEGIN"
    + hazard("OLD", -1, place("OLD.premises_id"))
    + hazard("NEW", 1, place("NEW.premises_id"))
    + "END",
    f"CREATE TRIGGER gw_tally_inspection_insert AFTER INSERT ON hazards_inspection BEGIN"
    f"{visit('NEW', 1)}{visited_day('NEW')}END",
    f"CREATE TRIGGER gw_tally_inspection_delete AFTER DELETE ON hazards_inspection BEGIN"
    f"{visit('OLD', -1)}{left_day('OLD')}END",
    "CREATE TRIGGER gw_tally_inspection_update AFTER UPDATE OF visited_at, premises_id "
    "ON hazards_inspection WHEN OLD.visited_at IS NOT NEW.visited_at "
    f"OR OLD.premises_id IS NOT NEW.premises_id BEGIN{visit('OLD', -1)}{visit('NEW', 1)}"
    f"{left_day('OLD')}{visited_day('NEW')}END",
    "CREATE TRIGGER gw_tally_premises AFTER UPDATE OF grid_id, business_type_id "
    "ON premises_premises WHEN OLD.grid_id IS NOT NEW.grid_id "
    "OR OLD.business_type_id IS NOT NEW.business_type_id BEGIN"
    + moved_premises(-1, "OLD")
    + moved_premises(1, "NEW")
    + "END",
    "CREATE TRIGGER gw_tally_grid AFTER UPDATE OF village_id ON grids_grid "
    "WHEN OLD.village_id IS NOT NEW.village_id BEGIN"
    + in_trigger(
        recount_sectors(
            "SELECT town_id FROM grids_village WHERE id IN (OLD.village_id, NEW.village_id)"
        )
    )
    + "END",
    "CREATE TRIGGER gw_tally_village AFTER UPDATE OF town_id ON grids_village "
    "WHEN OLD.town_id IS NOT NEW.town_id BEGIN"
    + in_trigger(recount_sectors("OLD.town_id, NEW.town_id"))
    + "END",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "gw_tally_village",
        "gw_tally_grid",
        "gw_tally_premises",
        "gw_tally_inspection_update",
        "gw_tally_inspection_delete",
        "gw_tally_inspection_insert",
        "gw_tally_hazard_update",
        "gw_tally_hazard_delete",
        "gw_tally_hazard_insert",
    )
] + [f"DELETE FROM dashboard_{table}" for table in ("gridmonth", "sectormonth", "premisesyear")]


# A database made before the triggers holds rows they never saw: the tallies counted from them.
RECOUNT = [
    "DELETE FROM dashboard_gridmonth",
    f"""
    INSERT INTO dashboard_gridmonth
        (grid_id, month, inspections, found, found_closed, closed, close_microseconds)
    SELECT grid_id, month, sum(inspections), sum(found), sum(found_closed), sum(closed),
        sum(close_microseconds)
    FROM (
        SELECT p.grid_id AS grid_id, {month("i.visited_at")} AS month, count(*) AS inspections,
            0 AS found, 0 AS found_closed, 0 AS closed, 0 AS close_microseconds
        FROM hazards_inspection i JOIN premises_premises p ON p.id = i.premises_id
        GROUP BY 1, 2
        UNION ALL
        SELECT p.grid_id, {month("h.reported_at")}, 0, sum(h.status <> 'dismissed'),
            sum(h.status = 'closed'), 0, 0
        FROM hazards_hazard h JOIN premises_premises p ON p.id = h.premises_id
        GROUP BY 1, 2
        UNION ALL
        SELECT p.grid_id, {month("h.closed_at")}, 0, 0, 0, count(*),
            sum(django_timestamp_diff(h.closed_at, h.reported_at))
        FROM hazards_hazard h JOIN premises_premises p ON p.id = h.premises_id
        WHERE h.status = 'closed'
        GROUP BY 1, 2
    )
    GROUP BY grid_id, month
    """,
    *recount_sectors("SELECT id FROM grids_town"),
]


def count_visited_days(apps, schema_editor) -> None:
    """Each premises-year's days from the visits (a database made before the triggers)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    zone = ZoneInfo(settings.TIME_ZONE)
    visits = apps.get_model("hazards", "Inspection").objects.values_list("premises_id", "visited_at")
    years: dict[tuple[int, int], list[str]] = {}
    for premises, visited_at in visits.iterator(chunk_size=10_000):
        day = visited_at.replace(tzinfo=visited_at.tzinfo or timezone.utc).astimezone(zone)
        days = years.setdefault((premises, day.year), list(NO_DAY))
        days[day.timetuple().tm_yday - 1] = "1"
    model = apps.get_model("dashboard", "PremisesYear")
    model.objects.all().delete()
    model.objects.bulk_create(
        model(premises_id=premises, year=year, days="".join(days))
        for (premises, year), days in years.items()
    )


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0009_no_change_counts")]

    operations = [
        RunSQLOn(SQLITE + RECOUNT, SQLITE_REVERSE, vendor="sqlite"),
        migrations.RunPython(count_visited_days, migrations.RunPython.noop),
    ]
