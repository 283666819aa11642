"""Form widgets shared by the apps."""

import html
from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe


class LongSelect(forms.Select):
    """A <select> for long choice lists (a county's 300 villages and 1,500 grids), rendered in
    Python: Django renders every option through a template include, which made the options
    alone cost more than a whole page's queries (bench/RESULTS.md). The options come straight
    from the choices, without the per-option dicts Django's optgroups() builds. Same HTML; flat
    choices only, no optgroups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        # Plain string building: format_html() per option (three escapes through Django's lazy
        # wrappers, a format, a mark_safe) was most of a county's 300-village select.
        options = "".join(
            f'<option value="{_escaped(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{_escaped(label)}</option>"
            for key, label in self._pairs()
        )
        attrs = self.build_attrs(self.attrs, attrs) | {"name": name}
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))  # noqa: S308 -- every part escaped above

    def _pairs(self) -> Iterator[tuple[Any, str]]:
        """(value, label) of each choice. A model choice list is read with one plain query:
        Django's own iteration opens a server-side cursor per list on PostgreSQL (DECLARE,
        FETCH, CLOSE), which made a county's 300 villages cost 12 ms instead of 9."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            yield from choices
            return
        field = choices.field
        if field.empty_label is not None:
            yield "", field.empty_label
        for obj in choices.queryset:
            yield obj.pk, field.label_from_instance(obj)


def _escaped(value: Any) -> str:
    """What conditional_escape() gives, without its lazy wrapper: safe text as it is."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))
