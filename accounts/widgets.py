"""Form widgets shared by the apps."""

from collections.abc import Iterator

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from config import kept
from config.html_rows import escaped


class LongSelect(forms.Select):
    """A <select> for long choice lists (a county's 300 villages and 1,500 grids), rendered in
    Python: Django renders every option through a template include, which made the options
    alone cost more than a whole page's queries (bench/RESULTS.md). The options come straight
    from the choices, without the per-option dicts Django's optgroups() builds. Same HTML; flat
    choices only, no optgroups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {escaped(v) for v in self.format_value(value)}
        # Plain string building: format_html() per option (three escapes through Django's lazy
        # wrappers, a format, a mark_safe) was most of a county's 300-village select.
        options = "".join(
            f'<option value="{key}"{" selected" if key in chosen else ""}>{label}</option>'
            for key, label in self._options()
        )
        attrs = self.build_attrs(self.attrs, attrs) | {"name": name}
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))  # noqa: S308 -- every part escaped

    def _options(self) -> Iterator[tuple[str, str]]:
        """(value, label) of each choice, escaped."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            for key, label in choices:
                yield escaped(key), escaped(label)
            return
        field = choices.field
        if field.empty_label is not None:
            yield "", escaped(field.empty_label)
        yield from _model_options(field, choices.queryset)


_kept_options = kept.Kept(size=100)


def _model_options(field, rows: QuerySet) -> list[tuple[str, str]]:
    """The escaped (pk, label) of each row, read with one plain query: Django's own iteration
    opens a server-side cursor per list on PostgreSQL (DECLARE, FETCH, CLOSE), which made a
    county's 300 villages cost 12 ms instead of 9. Kept while the rows stand still
    (config/kept.py): a county's ledger read its villages, business types and departments, 350
    objects, on every page."""
    label = field.label_from_instance

    def read() -> list[tuple[str, str]]:
        return [(escaped(obj.pk), escaped(label(obj))) for obj in rows]

    return kept.read_kept(
        _kept_options, rows, read, get_language(), getattr(label, "__func__", label)
    )
