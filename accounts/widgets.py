"""Form widgets shared by the apps."""

from collections.abc import Iterable

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
        chosen = frozenset(escaped(v) for v in self.format_value(value))
        attrs = self.build_attrs(self.attrs, attrs) | {"name": name}
        options = mark_safe(self._options_html(chosen))  # noqa: S308 -- every part escaped
        return format_html("<select{}>{}</select>", flatatt(attrs), options)

    def _options_html(self, chosen: frozenset[str]) -> str:
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            return options_html(((escaped(k), escaped(label)) for k, label in choices), chosen)
        field = choices.field
        first = []  # what the field offers before its rows: "all", and "none" (django-filter's)
        if field.empty_label is not None:
            first.append(("", escaped(field.empty_label)))
        if getattr(field, "null_label", None) is not None:
            first.append((escaped(field.null_value), escaped(field.null_label)))
        return options_html(first, chosen) + _model_options(field, choices.queryset).html(chosen)


def options_html(options: Iterable[tuple[str, str]], chosen: frozenset[str]) -> str:
    """<option>s of escaped (value, label) pairs. Plain string building: format_html() per
    option (three escapes through Django's lazy wrappers, a format, a mark_safe) was most of a
    county's 300-village select."""
    return "".join(
        f'<option value="{key}"{" selected" if key in chosen else ""}>{label}</option>'
        for key, label in options
    )


class ModelOptions:
    """A list's escaped (pk, label) pairs and their <option>s, built once for each choice made
    in it while the list is kept: a county's 300 villages were joined again on every page."""

    KEPT_CHOICES = 8  # a page chooses none or one; any more are built each time

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs
        self._html: dict[frozenset[str], str] = {}

    def html(self, chosen: frozenset[str]) -> str:
        html = self._html.get(chosen)
        if html is None:
            html = options_html(self.pairs, chosen)
            if len(self._html) < self.KEPT_CHOICES:
                self._html[chosen] = html  # the same string whichever thread makes it
        return html


_kept_options = kept.Kept(size=100)


def _model_options(field, rows: QuerySet) -> ModelOptions:
    """The rows' options, read with one plain query: Django's own iteration opens a server-side
    cursor per list on PostgreSQL (DECLARE, FETCH, CLOSE), which made a county's 300 villages
    cost a third more (docs/decisions.md). Kept while the rows stand still (config/kept.py): a
    county's ledger read its villages, business types and departments, 350 objects, on every
    page."""
    label = field.label_from_instance

    def read() -> ModelOptions:
        return ModelOptions([(escaped(obj.pk), escaped(label(obj))) for obj in rows])

    return kept.read_kept(
        _kept_options, rows, read, get_language(), getattr(label, "__func__", label)
    )
