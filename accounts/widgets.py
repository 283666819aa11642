"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    """A <select> for long choice lists (a county's 300 villages and 1,500 grids), rendered in
    Python: Django renders every option through a template include, which made the options
    alone cost more than a whole page's queries (bench/RESULTS.md). Same HTML, no optgroups."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            "<select{}>{}</select>", flatatt(widget["attrs"] | {"name": name}), options
        )
