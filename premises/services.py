"""Writes on premises that other apps and the registry share."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import data_cache
from premises.models import Premises, Tag
from premises.risk import compute_risk, patrol_due_on

# Which status a premises may move to from each status; nothing is ever deleted.
STATUS_CHANGES = {
    Premises.Status.OPERATING: {Premises.Status.SUSPENDED, Premises.Status.CLOSED},
    Premises.Status.SUSPENDED: {Premises.Status.OPERATING, Premises.Status.CLOSED},
    Premises.Status.CLOSED: {Premises.Status.OPERATING},
}
REASON_LENGTH = 100  # HistoricalPremises.history_change_reason


class RegistryError(Exception):
    """A registry change that is not allowed; the message is for the user."""


def refresh_premises_state(premises: Premises, *, today: date) -> Premises:
    """Recompute the risk colour and next patrol date (docs/workflow.md, Risk colour and patrol)
    and save what changed."""
    # Through the reverse relation: premises must not import the hazards app
    # (docs/architecture.md, Which app imports which).
    hazards = premises.hazards.open()
    risk = compute_risk(
        base=premises.business_type.base_risk,
        raising_tags=set(premises.tags.filter(raises_risk=True).values_list("code", flat=True)),
        over_size_limit=premises.over_size_limit,
        has_overdue_hazard=hazards.filter(rectify_by__lt=today).exists(),
        has_open_major_hazard=hazards.major().exists(),
    )
    last_visit = (
        timezone.localdate(premises.last_inspected_at) if premises.last_inspected_at else None
    )
    due = patrol_due_on(last_visit, risk, premises.grid.patrol_interval_days)
    changed = []
    if risk != premises.risk_level:
        premises.risk_level, changed = risk, [*changed, "risk_level"]
    if due != premises.patrol_due_on:
        premises.patrol_due_on, changed = due, [*changed, "patrol_due_on"]
    if changed:
        # update() rather than save(): these derived fields are not registry edits, so they
        # stay out of the premises' change history.
        Premises.objects.filter(pk=premises.pk).update(**{f: getattr(premises, f) for f in changed})
        data_cache.changed()  # update() sends no signal
    return premises


def risk_of_new_premises(premises: Premises, tags: Iterable[Tag]) -> str:
    """The risk colour of a premises not saved yet: it has no hazards, so its type, tags and
    size decide (the same rule as refresh_premises_state, without the queries)."""
    return compute_risk(
        base=premises.business_type.base_risk,
        raising_tags={tag.code for tag in tags if tag.raises_risk},
        over_size_limit=premises.over_size_limit,
        has_overdue_hazard=False,
        has_open_major_hazard=False,
    )


@transaction.atomic
def save_premises(form, *, by, today: date) -> Premises:
    """Save a valid registry form (new or edited premises) with its tags, as one history row
    naming `by`, then bring the risk colour and patrol date up to date."""
    premises = form.save(commit=False)
    if premises.pk is None:
        premises.created_by = by
    elif "tags" in form.changed_data:
        # The history row is written before the tags are saved: say in it how they changed.
        before = set(premises.tags.all())
        premises._change_reason = _tags_change(before, set(form.cleaned_data["tags"]))
    premises._history_user = by
    premises.save()
    form.save_m2m()
    return refresh_premises_state(premises, today=today)


def _tags_change(before: set[Tag], after: set[Tag]) -> str:
    added = [f"+{tag.name}" for tag in sorted(after - before, key=lambda t: t.code)]
    removed = [f"−{tag.name}" for tag in sorted(before - after, key=lambda t: t.code)]
    return (_("Tags: %(change)s") % {"change": " ".join(added + removed)})[:REASON_LENGTH]


@transaction.atomic
def change_status(premises: Premises, *, status: str, by, reason: str = "") -> Premises:
    """Suspend, close or reopen a premises; its records stay. One history row, with the reason."""
    premises = Premises.objects.select_for_update().get(pk=premises.pk)
    if status not in STATUS_CHANGES[premises.status]:
        raise RegistryError(
            _("A premises that is %(current)s cannot be made %(new)s.")
            % {
                "current": premises.get_status_display(),
                "new": Premises.Status(status).label,
            }
        )
    premises.status = status
    premises._history_user, premises._change_reason = by, reason.strip()[:REASON_LENGTH]
    premises.save(update_fields=["status", "updated_at"])
    return premises


@transaction.atomic
def move_premises(premises: Premises, *, grid, by, today: date, reason: str = "") -> Premises:
    """Move a premises to another grid (its officers change, and maybe its patrol interval)."""
    premises = (
        Premises.objects.select_for_update().select_related("business_type").get(pk=premises.pk)
    )
    if grid.pk == premises.grid_id:
        raise RegistryError(_("The premises is already in this grid."))
    premises.grid = grid
    premises._history_user, premises._change_reason = by, reason.strip()[:REASON_LENGTH]
    premises.save(update_fields=["grid", "updated_at"])
    return refresh_premises_state(premises, today=today)


# What recomputing a premises' state reads: one row of values, no instances.
STATE_VALUES = (
    "pk",
    "risk_level",
    "patrol_due_on",
    "last_inspected_at",
    "over_size_limit",
    "business_type__base_risk",
    "grid__patrol_interval_days",
)
BATCH = 1000


def refresh_premises_states(ids: list[int], *, today: date) -> int:
    """refresh_premises_state for many premises: five queries per thousand instead of five per
    premises. Returns how many changed. Call inside a transaction for all or nothing."""
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        changed += _refresh_rows(
            list(Premises.objects.filter(pk__in=chunk).values(*STATE_VALUES)), today=today
        )
    return changed


def recompute_risk(*, today: date, batch_size: int = BATCH) -> tuple[int, int]:
    """Recompute the risk colour and next patrol date of every premises; return (checked,
    changed). Walks the table by id in batches: five queries and one short transaction per
    batch, whatever the table's size, so other writers wait at most one batch."""
    last_pk, checked, changed = 0, 0, 0
    while True:
        rows = list(
            Premises.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values(*STATE_VALUES)[:batch_size]
        )
        if not rows:
            return checked, changed
        with transaction.atomic():
            changed += _refresh_rows(rows, today=today)
        last_pk, checked = rows[-1]["pk"], checked + len(rows)


def _refresh_rows(rows: list[dict], *, today: date) -> int:
    """The rule of refresh_premises_state, for rows of STATE_VALUES; saves what changed."""
    ids = [row["pk"] for row in rows]
    raising = defaultdict(set)
    links = Premises.tags.through.objects.filter(premises_id__in=ids, tag__raises_risk=True)
    for premises_id, code in links.values_list("premises_id", "tag__code"):
        raising[premises_id].add(code)
    hazard_model = Premises.hazards.rel.related_model  # not imported: docs/architecture.md
    open_hazards = hazard_model.objects.filter(premises_id__in=ids).open()
    overdue = set(open_hazards.filter(rectify_by__lt=today).values_list("premises", flat=True))
    major = set(open_hazards.major().values_list("premises", flat=True))
    dirty = []
    for row in rows:
        risk = compute_risk(
            base=row["business_type__base_risk"],
            raising_tags=raising[row["pk"]],
            over_size_limit=row["over_size_limit"],
            has_overdue_hazard=row["pk"] in overdue,
            has_open_major_hazard=row["pk"] in major,
        )
        visit = row["last_inspected_at"]
        last_visit = timezone.localdate(visit) if visit else None
        due = patrol_due_on(last_visit, risk, row["grid__patrol_interval_days"])
        if (risk, due) != (row["risk_level"], row["patrol_due_on"]):
            dirty.append(Premises(pk=row["pk"], risk_level=risk, patrol_due_on=due))
    # As in refresh_premises_state: derived fields, so no history row and no updated_at.
    write_columns(dirty, ("risk_level", "patrol_due_on"))
    return len(dirty)


def write_columns(premises: list[Premises], names: tuple[str, ...]) -> None:
    """UPDATE the named fields of many premises from their attributes: one executemany.

    For writes of thousands of rows. Django's bulk_update builds a CASE per field per row and
    took about a hundred times as long for 10,000 rows of an import (docs/decisions.md). No
    signals and no history rows: callers write those themselves when the change is a registry
    edit.
    """
    if not premises:
        return
    data_cache.changed()
    fields = [Premises._meta.get_field(name) for name in names]
    connection = connections[router.db_for_write(Premises)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    table = quote(Premises._meta.db_table)
    # Table and column names come from the model; every value is a bound parameter.
    sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    params = [
        [field.get_db_prep_save(getattr(item, field.attname), connection) for field in fields]
        + [item.pk]
        for item in premises
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
