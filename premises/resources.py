"""The registry's columns as a django-import-export resource: the import (dry run and apply) and
the export share them, so an export can be edited and imported again.

An import runs django-import-export's row loop with these hooks:

- `get_instance`: the row's grid is resolved and the row matched to the registry by credit code,
  else by name and address in the same village (`RegistryLoader`, loaded once per file);
- `import_instance`: the row is validated with the web form's validators and messages
  (`PremisesRowForm`); a blank cell never clears a registered value, so a list full of gaps
  cannot wipe what the registry knows;
- `skip_row`: an update that changes nothing is reported as unchanged and not written;
- `bulk_create`, `bulk_update`: once every row is checked, and only when none is refused, the
  rows are written in bulk, each premises with one history row naming the importing user.

Why these knobs: docs/decisions.md, Registry import on django-import-export.
"""

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import router, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.fields import Field
from import_export.results import RowResult
from simple_history.utils import bulk_create_with_history

from config import data_cache
from premises.cells import CellWidget, DateCellWidget, NumberCellWidget, cell
from premises.forms import PremisesRowForm
from premises.import_lookup import (
    CHUNK,
    TAG_SEPARATOR,
    Reference,
    RegistryLoader,
    code_of,
    name_key,
    place_key,
)
from premises.models import Premises
from premises.services import (
    REASON_LENGTH,
    refresh_premises_states,
    risk_of_new_premises,
    write_columns,
)

ROW_NUMBER = "#"  # the dataset's column with each row's number as Excel shows it (import_sheet)
IMPORT_KEYS = (
    "name",
    "address",
    "village",
    "grid",
    "business_type",
    "tags",
    "credit_code",
    "operator_name",
    "operator_phone",
    "floor_area",
    "floors",
    "staff_count",
    "commitment_signed_on",
    "insurer",
    "insurance_policy_no",
    "insurance_expires_on",
)
EXPORT_ONLY = ("status", "risk_level", "last_inspected")  # ignored on import, without a warning
REQUIRED = ("name", "address", "village", "grid", "business_type")
FORM_KEYS = [key for key in PremisesRowForm.Meta.fields if key in IMPORT_KEYS]
UPDATED_FIELDS = [*PremisesRowForm.Meta.fields, "grid", "business_type"]  # what a row may change


class PremisesRowResult(RowResult):
    """A row's result as the dry run page shows it."""

    ACTIONS = {
        RowResult.IMPORT_TYPE_NEW: "create",
        RowResult.IMPORT_TYPE_UPDATE: "update",
        RowResult.IMPORT_TYPE_SKIP: "unchanged",
        RowResult.IMPORT_TYPE_INVALID: "refused",
    }
    LABELS = {
        "create": gettext_lazy("New"),
        "update": gettext_lazy("Update"),
        "unchanged": gettext_lazy("Unchanged"),
        "refused": gettext_lazy("Refused"),
    }

    def __init__(self) -> None:
        super().__init__()
        self.number = 0  # as Excel shows it: the header is row 1
        self.name = ""
        self.changed: list[str] = []  # the columns an update changes, as the file heads them

    @property
    def action(self) -> str:
        return self.ACTIONS.get(self.import_type, "error")

    @property
    def action_label(self) -> str:
        return str(self.LABELS.get(self.action, ""))

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(column as the file heads it, message) for each reason the row is refused."""
        if self.validation_error is None:
            return []
        return [
            ("" if column == NON_FIELD_ERRORS else column, message)
            for column, messages in self.validation_error.message_dict.items()
            for message in messages
        ]


class RowState:
    """What the hooks of one row hand each other: the row loop calls them in turn."""

    def __init__(self, number: int, values: dict[str, str]) -> None:
        self.number, self.values = number, values
        self.grid, self.grid_problem = None, ("", "")
        self.match = None
        self.tags = None  # None: leave the tags as they are
        self.changed: list[str] = []  # column keys an update changes


class PremisesResource(resources.ModelResource):
    name = cell("name", "名称")
    address = cell("address", "地址")
    village = cell("grid__village__name", "村(社区)")
    grid = cell("grid__name", "网格")
    business_type = cell("business_type__name_zh", "业态")
    tags = Field(column_name="标签", widget=CellWidget())
    credit_code = cell("credit_code", "统一社会信用代码")
    operator_name = cell("operator_name", "经营者")
    operator_phone = cell("operator_phone", "联系电话")  # unmasked: only registry admins export
    floor_area = cell("floor_area", "建筑面积", NumberCellWidget)
    floors = cell("floors", "层数", NumberCellWidget)
    staff_count = cell("staff_count", "从业人数", NumberCellWidget)
    commitment_signed_on = cell("commitment_signed_on", "承诺书签订日期", DateCellWidget)
    insurer = cell("insurer", "保险公司")
    insurance_policy_no = cell("insurance_policy_no", "保单号")
    insurance_expires_on = cell("insurance_expires_on", "保险到期日", DateCellWidget)
    status = cell("get_status_display", "状态", readonly=True)
    risk_level = cell("get_risk_level_display", "风险等级", readonly=True)
    last_inspected = Field(column_name="最近排查", widget=CellWidget(), readonly=True)

    class Meta:
        model = Premises
        fields = (*IMPORT_KEYS, *EXPORT_ONLY)
        # The matching keys; RegistryLoader also matches by credit code when the file has one.
        import_id_fields = ("name", "address", "village")
        instance_loader_class = RegistryLoader
        use_transactions = True
        use_bulk = True
        batch_size = None  # write once every row is checked: a refused row writes nothing
        skip_diff = True  # the dry run lists the changed columns itself (skip_row)
        report_skipped = True
        clean_model_instances = False  # PremisesRowForm validates, with the web form's messages

    def __init__(self, *, by=None, today: date | None = None, source: str = "", headers=None):
        super().__init__()
        self.by, self.today, self.source = by, today, source
        self.file_headers = headers or {}  # column key → the header as the file writes it
        self.row: RowState | None = None
        self.rows_to_write: dict[int, RowState] = {}  # id(instance) → its row
        self.reference = self.registry = None

    @classmethod
    def get_row_result_class(cls):
        return PremisesRowResult

    @property
    def reason(self) -> str:
        """The change reason of the history rows an import writes."""
        return (_("Import from %(file)s") % {"file": self.source})[:REASON_LENGTH]

    # Export -------------------------------------------------------------------------------------

    def dehydrate_tags(self, premises: Premises) -> str:
        return TAG_SEPARATOR.join(tag.name_zh for tag in premises.tags.all())

    def dehydrate_last_inspected(self, premises: Premises) -> date | None:
        visited = premises.last_inspected_at
        return timezone.localdate(visited) if visited else None

    # Import: one row --------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs) -> None:
        self.reference = Reference()

    def before_import_row(self, row, **kwargs) -> None:
        values = {
            key: self.fields[key].clean(row)
            for key in IMPORT_KEYS
            if self.fields[key].column_name in row
        }
        self.row = RowState(row[ROW_NUMBER], values)

    def get_instance(self, instance_loader, row) -> Premises | None:
        state, values = self.row, self.row.values
        self.registry = instance_loader
        state.grid, *state.grid_problem = self.reference.grid(values["village"], values["grid"])
        village = state.grid.village if state.grid else self.reference.village(values["village"])
        state.match = instance_loader.match(
            state.number,
            code=code_of(values.get("credit_code", "")),
            place=place_key(village.pk if village else None, values["name"], values["address"]),
        )
        return state.match.premises

    def import_instance(self, instance: Premises, row, **kwargs) -> None:
        state, values = self.row, self.row.values
        existing = instance if instance.pk is not None else None
        errors = list(state.match.errors)
        key, message = state.grid_problem
        if message and not (existing is not None and not values["grid"]):
            errors.append((key, message))  # an update with no grid keeps the one it has
        grid = state.grid or (existing.grid if existing is not None else None)
        business_type = self._business_type(values, existing, errors)
        tags = self._tags(values, errors)
        before = (instance.grid_id, instance.business_type_id)
        form = self._validate(instance, state, grid, business_type)
        errors += [(key, str(text)) for key, texts in form.errors.items() for text in texts]
        if errors:
            raise ValidationError(self._by_column(errors, form))
        state.tags = tags
        if existing is not None:
            state.changed = self._changes(form, before, tags)

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        # skip_unchanged compares a deep copy of every instance (skip_diff=False); the changed
        # columns are known already, and the dry run page lists them.
        return instance.pk is not None and not import_validation_errors and not self.row.changed

    def before_save_instance(self, instance, row, **kwargs) -> None:
        self.rows_to_write[id(instance)] = self.row

    def import_row(self, row, instance_loader, **kwargs) -> PremisesRowResult:
        result = super().import_row(row, instance_loader, **kwargs)
        result.number, result.name = self.row.number, self.row.values["name"]
        result.changed = [self.header(key) for key in self.row.changed]
        return result

    def header(self, key: str) -> str:
        return self.file_headers.get(key) or self.fields[key].column_name

    def _business_type(self, values, existing, errors):
        text = values["business_type"]
        if not text:
            if existing is not None:
                return existing.business_type
            errors.append(("business_type", _("This field is required.")))
            return None
        found = self.reference.business_types.get(name_key(text))
        if found is None:
            message = _("Unknown business type “%(name)s”: use a code or name from the template.")
            errors.append(("business_type", message % {"name": text}))
        return found

    def _tags(self, values, errors):
        text = values.get("tags", "")
        if not text:
            return None
        tags, unknown = self.reference.tags_of(text)
        for name in unknown:
            errors.append(("tags", _("Unknown tag “%(name)s”.") % {"name": name}))
        return tags

    def _validate(self, instance, state, grid, business_type) -> PremisesRowForm:
        existing = instance.pk is not None
        data = model_to_dict(instance, fields=PremisesRowForm.Meta.fields) if existing else {}
        data.update({key: state.values[key] for key in FORM_KEYS if state.values.get(key)})
        # A duplicate row is still checked for its own mistakes, against no registered premises.
        codes = {} if state.match.duplicate else self.registry.codes_in_use
        form = PremisesRowForm(data=data, instance=instance, codes_in_use=codes)
        if grid is not None:
            instance.grid = grid
        if business_type is not None:
            instance.business_type = business_type
        form.is_valid()
        return form

    def _by_column(self, errors, form) -> dict[str, list[str]]:
        """The errors keyed by the column as the file heads it, which the dry run shows."""
        by_column = {}
        for key, message in errors:
            if key in IMPORT_KEYS:
                column = self.header(key)
            else:
                column = str(form.fields[key].label) if key in form.fields else NON_FIELD_ERRORS
            by_column.setdefault(column, []).append(message)
        return by_column

    def _changes(self, form, before: tuple, tags) -> list[str]:
        """Column keys whose value the update changes (blank cells change nothing)."""
        instance, initial = form.instance, form.initial
        changed = [key for key in FORM_KEYS if form.cleaned_data.get(key) != initial.get(key)]
        after = (instance.grid_id, instance.business_type_id)
        changed += [
            key
            for key, old, new in zip(("grid", "business_type"), before, after, strict=True)
            if old != new
        ]
        if tags is not None and {tag.pk for tag in tags} != self.registry.tag_ids[instance.pk]:
            changed.append("tags")
        return changed

    # Import: the writes -------------------------------------------------------------------------

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write(self._create, self.create_instances, dry_run, raise_errors, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write(self._update, self.update_instances, dry_run, raise_errors, result)

    def after_import(self, dataset, result, **kwargs) -> None:
        # Not ModelResource's sequence reset: rows never bring their own ids, and setting the
        # sequence to the highest id this transaction sees could hand out an id that a
        # concurrent insert already holds.
        return None

    def _write(self, write, instances, dry_run, raise_errors, result) -> None:
        """All or nothing: nothing is written in a dry run or once a row is refused; a database
        error is recorded on the result, which rolls the whole import back."""
        try:
            refused = result.has_validation_errors() or result.has_errors()
            if instances and not dry_run and not refused:
                # A savepoint: after a failed statement PostgreSQL accepts no other.
                with transaction.atomic(using=router.db_for_write(Premises)):
                    write(instances)
                    data_cache.changed()  # bulk writes send no model signals
        except Exception as error:  # noqa: BLE001 - the library's contract, as its own bulk_*
            self.handle_import_error(result, error, raise_errors)
        finally:
            instances.clear()

    def _create(self, premises: list[Premises]) -> None:
        rows = [self.rows_to_write[id(instance)] for instance in premises]
        for instance, row in zip(premises, rows, strict=True):
            instance.created_by = self.by
            # New premises get their colour as they are built: no hazard and no visit yet.
            instance.risk_level = risk_of_new_premises(instance, row.tags or [])
        bulk_create_with_history(
            premises,
            Premises,
            batch_size=CHUNK,
            default_user=self.by,
            default_change_reason=self.reason,
        )
        set_tags(zip(premises, (row.tags or [] for row in rows), strict=True), replace=False)

    def _update(self, premises: list[Premises]) -> None:
        """Each row's changed columns, one write_columns per set of them, then one history row
        per premises as save() would write, then the risk colours and patrol dates."""
        now = timezone.now()
        by_columns, retagged = {}, []
        for instance in premises:
            row = self.rows_to_write[id(instance)]
            instance.updated_at = now
            changed = tuple(key for key in UPDATED_FIELDS if key in row.changed)
            by_columns.setdefault((*changed, "updated_at"), []).append(instance)
            if "tags" in row.changed:
                retagged.append((instance, row.tags))
        for names, group in by_columns.items():
            write_columns(group, names)
        Premises.history.bulk_history_create(
            premises,
            batch_size=CHUNK,
            update=True,
            default_user=self.by,
            default_change_reason=self.reason,
        )
        set_tags(retagged, replace=True)
        refresh_premises_states([instance.pk for instance in premises], today=self.today)


def set_tags(pairs, *, replace: bool) -> None:
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
