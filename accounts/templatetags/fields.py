"""`{{ form.field|select_field }}`: a labelled Bootstrap <select> with its errors, rendered in
Python. crispy-forms renders a field through a dozen template includes: on the ledger its seven
selects cost more than the page's queries at county scale (docs/decisions.md)."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def select_field(field):
    css = "form-select is-invalid" if field.errors else "form-select"
    return format_html(
        '<div class="mb-3"><label class="form-label" for="{}">{}</label>{}{}</div>',
        field.id_for_label,
        field.label,
        field.as_widget(attrs={"class": css}),
        format_html_join(
            "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors)
        ),
    )
