"""The Jinja2 environment of the dashboard's content (`dashboard/jinja2/dashboard/`), the one
page part not written for Django's engine: a board renders a few hundred linked figures, and
Jinja2 renders them in about half the time (docs/decisions.md, HTML in templates).

Its filters and functions are the Django template tags' (dashboard/templatetags), so the page
and the monthly report format a figure alike. Texts are translated by Django's gettext and
written as `_("...")`, which `makemessages` finds in a template's tags; a text with a number to
agree with is a function here, where `makemessages` finds its plural.
"""

from django.template.defaultfilters import date
from django.urls import reverse
from django.utils import translation
from django.utils.html import json_script
from django.utils.timezone import template_localtime
from django.utils.translation import ngettext
from jinja2 import Environment

from dashboard.templatetags import dashboard_tags as tags


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def local_date(value, format_string: str) -> str:
    """Django's `date` filter on the local time, as Django's templates call it."""
    return date(template_localtime(value), format_string)


def days_overdue(days: int) -> str:
    return ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 -- Django's backend asks for autoescape=True
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=False)
    env.globals.update(
        url=url, json_script=json_script, count_link=tags.count_link, days_overdue=days_overdue
    )
    env.filters.update(
        date=local_date,
        percent=tags.percent,
        one_decimal=tags.one_decimal,
        figure_value=tags.figure_value,
        previous_value=tags.previous_value,
        change_text=tags.change_text,
        change_tone=tags.change_tone,
        rate_tone=tags.rate_tone,
    )
    return env
