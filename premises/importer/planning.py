"""The dry run and the write: match every row to the registry, validate it, then apply all rows
in one transaction or none."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from premises.forms import PremisesRowForm
from premises.importer.columns import BY_KEY
from premises.importer.matching import CHUNK, Reference, Registry, name_key, place_key
from premises.importer.reading import Table
from premises.models import BusinessType, Premises, Tag
from premises.services import refresh_premises_states, risk_of_new_premises, write_columns

FORM_KEYS = [key for key in PremisesRowForm.Meta.fields if key in BY_KEY]
# What an update may write: the fields a row can change.
UPDATED_FIELDS = [*PremisesRowForm.Meta.fields, "grid", "business_type"]
DATE_KEYS = ("commitment_signed_on", "insurance_expires_on")
NUMBER_KEYS = ("floor_area", "floors", "staff_count")
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+[\d:]+)?$")
UNIT_RE = re.compile(r"\s*(㎡|m²|m2|平方米|平米|层|人)$", re.IGNORECASE)

CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"
ACTION_LABELS = {
    CREATE: gettext_lazy("New"),
    UPDATE: gettext_lazy("Update"),
    UNCHANGED: gettext_lazy("Unchanged"),
    REFUSED: gettext_lazy("Refused"),
}


# Planning (the dry run) ------------------------------------------------------------------------


@dataclass
class RowPlan:
    number: int  # as Excel shows it: the header is row 1
    name: str
    action: str = CREATE
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column as in the file, message)
    changed: list[str] = field(default_factory=list)  # columns an update changes, as headed
    changed_keys: list[str] = field(default_factory=list)
    premises_id: int | None = None
    form: PremisesRowForm | None = None
    tags: list[Tag] | None = None  # None: leave the tags as they are

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


@dataclass
class Plan:
    table: Table
    rows: list[RowPlan]

    @cached_property
    def counts(self) -> Counter:
        return Counter(row.action for row in self.rows)

    @property
    def refused(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == REFUSED]

    @property
    def can_apply(self) -> bool:
        return bool(self.rows) and not self.counts[REFUSED] and self.changes > 0

    @property
    def changes(self) -> int:
        return self.counts[CREATE] + self.counts[UPDATE]


def plan_import(table: Table) -> Plan:
    """Validate and match every row; write nothing. Rows are checked against each other too:
    two rows for one premises refuse the later one."""
    reference, registry, seen = Reference(), Registry(table), {}
    rows = [
        _plan_row(table, number, cells, reference, registry, seen) for number, cells in table.rows
    ]
    return Plan(table=table, rows=rows)


def _plan_row(table, number, cells, reference, registry, seen) -> RowPlan:
    values = table.values(cells)
    row = RowPlan(number=number, name=values["name"])
    errors: list[tuple[str, str]] = []
    code = values.get("credit_code", "").strip().upper()
    grid, error_key, message = reference.grid(values["village"], values["grid"])
    village = grid.village if grid else reference.villages.get(name_key(values["village"]))
    place = place_key(village.pk if village else None, values["name"], values["address"])
    existing, duplicate = _match(row, errors, registry, seen, code=code, place=place)
    if message and not (existing is not None and not values["grid"]):
        errors.append((error_key, message))  # an update with no grid keeps the one it has
    grid = grid or (existing.grid if existing is not None else None)
    business_type = _business_type(values, reference, existing, errors)
    tags = _tags(values, reference, errors)
    before = model_to_dict(existing, fields=["grid", "business_type"]) if existing else {}
    form = _validate(values, existing, duplicate, grid, business_type, registry)
    errors += [(key, str(text)) for key, texts in form.errors.items() for text in texts]
    if errors:
        row.action = REFUSED
        row.errors = [
            (table.header(key) if key in BY_KEY else _form_label(form, key), text)
            for key, text in errors
        ]
        return row
    row.form, row.tags = form, tags
    if existing is not None:
        row.premises_id = existing.pk
        row.changed_keys = _changes(form, before, tags, registry.tag_ids.get(existing.pk, set()))
        row.changed = [table.header(key) for key in row.changed_keys]
        row.action = UPDATE if row.changed else UNCHANGED
    return row


def _match(row, errors, registry, seen, *, code, place) -> tuple[Premises | None, bool]:
    """The registered premises this row describes, and whether an earlier row described it.

    A row with a credit code is that code's premises; a row without one is the premises of
    that name and address in that village."""
    key = ("code", code) if code else ("place", place)
    earlier = seen.get(key)
    seen.setdefault(key, row.number)
    seen.setdefault(("place", place), row.number)
    if earlier is not None:
        why = _("same credit code") if code else _("same name and address in the same village")
        message = _("Row %(row)s already describes this premises (%(why)s).")
        errors.append(("credit_code" if code else "name", message % {"row": earlier, "why": why}))
        return None, True
    if code and code in registry.by_code:
        return registry.by_code[code], False
    # A registered premises with another credit code is another business at that address.
    candidates = [p for p in registry.by_place.get(place, []) if not code or not p.credit_code]
    if len(candidates) > 1:
        message = _(
            "%(count)s registered premises in this village have this name and address; "
            "add the credit code to say which one."
        )
        errors.append(("name", message % {"count": len(candidates)}))
        return None, False
    return (candidates[0] if candidates else None), False


def _business_type(values, reference, existing, errors) -> BusinessType | None:
    text = values["business_type"]
    if not text:
        if existing is not None:
            return existing.business_type
        errors.append(("business_type", _("This field is required.")))
        return None
    found = reference.business_types.get(name_key(text))
    if found is None:
        message = _("Unknown business type “%(name)s”: use a code or name from the template.")
        errors.append(("business_type", message % {"name": text}))
    return found


def _tags(values, reference, errors) -> list[Tag] | None:
    text = values.get("tags", "")
    if not text:
        return None
    tags, unknown = reference.tags_of(text)
    for name in unknown:
        errors.append(("tags", _("Unknown tag “%(name)s”.") % {"name": name}))
    return tags


def _validate(values, existing, duplicate, grid, business_type, registry) -> PremisesRowForm:
    instance = existing if existing is not None else Premises()
    data = model_to_dict(instance, fields=PremisesRowForm.Meta.fields) if existing else {}
    data.update({key: _clean_cell(key, values[key]) for key in FORM_KEYS if values.get(key)})
    # A duplicate row is still checked for its own mistakes, against no registered premises.
    form = PremisesRowForm(
        data=data, instance=instance, codes_in_use={} if duplicate else registry.codes_in_use
    )
    if grid is not None:
        instance.grid = grid
    if business_type is not None:
        instance.business_type = business_type
    form.is_valid()
    return form


def _clean_cell(key: str, text: str) -> str:
    if key in DATE_KEYS:
        return _date_text(text)
    if key in NUMBER_KEYS:
        return UNIT_RE.sub("", text).replace(",", "")
    return text


def _date_text(text: str) -> str:
    """2026/1/15, 2026.1.15, 2026年1月15日 and 20260115 as 2026-01-15; anything else as is, for
    the form to refuse with its usual message."""
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = DATE_RE.match(text)
    if not match:
        return text
    try:
        return date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return text


def _form_label(form, key: str) -> str:
    return str(form.fields[key].label) if key in form.fields else ""


def _changes(form, before: dict, tags: list[Tag] | None, tag_ids: set[int]) -> list[str]:
    """Column keys whose value the update changes (blank cells change nothing)."""
    instance, initial = form.instance, form.initial
    changed = [key for key in FORM_KEYS if form.cleaned_data.get(key) != initial.get(key)]
    changed += [
        key for key in ("grid", "business_type") if getattr(instance, f"{key}_id") != before[key]
    ]
    if tags is not None and {tag.pk for tag in tags} != tag_ids:
        changed.append("tags")
    return changed


# Applying ---------------------------------------------------------------------------------------


def apply_import(table: Table, *, by, today: date, source: str) -> Plan:
    """Plan the file again and, when no row is refused, write every row in one transaction.

    All or nothing: a refused row writes nothing, and a database error (say, a credit code
    registered meanwhile) rolls the whole file back and propagates. Rows are written in bulk,
    each with its history row naming `by` (django-simple-history's bulk helpers), then the
    risk colour and patrol date of every premises written are brought up to date.
    """
    plan = plan_import(table)
    if not plan.can_apply:
        return plan
    reason = (_("Import from %(file)s") % {"file": source})[:100]
    with transaction.atomic():
        # New premises get their colour as they are built: no hazard and no visit yet.
        _create([row for row in plan.rows if row.action == CREATE], by=by, reason=reason)
        updated = _update([row for row in plan.rows if row.action == UPDATE], by=by, reason=reason)
        refresh_premises_states(updated, today=today)
    return plan


def _create(rows: list[RowPlan], *, by, reason: str) -> None:
    premises = []
    for row in rows:
        instance = row.form.instance
        instance.created_by = by
        instance.risk_level = risk_of_new_premises(instance, row.tags or [])
        premises.append(instance)
    bulk_create_with_history(
        premises, Premises, batch_size=CHUNK, default_user=by, default_change_reason=reason
    )
    _set_tags(zip(premises, (row.tags or [] for row in rows), strict=True), replace=False)


def _update(rows: list[RowPlan], *, by, reason: str) -> list[int]:
    """Write each row's changed columns and one history row per premises, like save() would.

    One write_columns per set of changed columns, then the history rows in bulk.
    """
    now = timezone.now()
    by_columns = defaultdict(list)
    for row in rows:
        instance = row.form.instance  # the form has set the row's values on it
        instance.updated_at = now
        changed = tuple(key for key in UPDATED_FIELDS if key in row.changed_keys)
        by_columns[(*changed, "updated_at")].append(instance)
    for names, premises in by_columns.items():
        write_columns(premises, names)
    premises = [row.form.instance for row in rows]
    Premises.history.bulk_history_create(
        premises, batch_size=CHUNK, update=True, default_user=by, default_change_reason=reason
    )
    retagged = [(row.form.instance, row.tags) for row in rows if "tags" in row.changed_keys]
    _set_tags(retagged, replace=True)
    return [instance.pk for instance in premises]


def _set_tags(pairs, *, replace: bool) -> None:
    """Give each premises exactly its tags, in a few statements for the whole file."""
    pairs = list(pairs)
    through = Premises.tags.through
    if replace:
        ids = [premises.pk for premises, _tags in pairs]
        for start in range(0, len(ids), CHUNK):
            through.objects.filter(premises_id__in=ids[start : start + CHUNK]).delete()
    links = [
        through(premises_id=premises.pk, tag_id=tag.pk) for premises, tags in pairs for tag in tags
    ]
    through.objects.bulk_create(links, batch_size=CHUNK)
