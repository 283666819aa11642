"""The rules every value a user sends goes through (docs/inputs.md).

- Numbers in parameters are ASCII digits: `str.isdigit()` is true for "²" and "٣", which `int()`
  then refuses (a server error) or reads as a number nobody typed.
- Text loses its control characters before any view sees it: PostgreSQL refuses a NUL in text,
  and no one types a form feed on a phone.
- Dates stay within the years the town's work spans, so date arithmetic (working days to a
  deadline, a month's bounds) never leaves the calendar.
- Free text has a length limit that fits its use, in the model and in the form.
"""

import re
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

# Eighteen digits fit a 64-bit integer column: a longer number cannot name a row.
_DIGITS = re.compile(r"[0-9]{1,18}")
# C0 controls but tab, line feed and carriage return; and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_int(raw) -> int | None:
    """The non-negative integer `raw` spells in ASCII digits (or is), or None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 <= raw < 10**18 else None
    text = raw.strip() if isinstance(raw, str) else ""
    return int(text) if _DIGITS.fullmatch(text) else None


def parse_ids(values) -> list[int]:
    """The ids among comma-separated strings ("3,4", ["5", "6,x"]); anything else is left out."""
    if isinstance(values, str):
        values = [values]
    parts = (part for value in values for part in str(value).split(","))
    return [number for part in parts if (number := parse_int(part)) is not None]


# --- text ----------------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    return _CONTROL.sub("", value)


def _cleaned(params: QueryDict) -> QueryDict:
    if not any(_CONTROL.search(k) or any(map(_CONTROL.search, v)) for k, v in params.lists()):
        return params
    cleaned = QueryDict(mutable=True, encoding=params.encoding)
    for key, values in params.lists():
        cleaned.setlist(clean_text(key), [clean_text(value) for value in values])
    cleaned._mutable = False
    return cleaned


class CleanParametersMiddleware:
    """Control characters out of every query parameter and form field.

    The form body is cleaned in process_view, after CsrfViewMiddleware has read it to check the
    token; a view exempt from that check reads its body itself, later (the registry import caps
    an upload's size before anything reads it), and its body is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _cleaned(request.GET)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method == "POST" and not getattr(view, "csrf_exempt", False):
            request.POST = _cleaned(request.POST)


class LimitedTextField(models.TextField):
    """A TextField whose max_length the model checks too (full_clean), as a CharField's is;
    TextField on its own only passes it to the form."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))


# The lengths free text is given, by use (docs/inputs.md).
NOTE = 1000  # a note on a step, a reason
DESCRIPTION = 2000  # what is wrong, what was done, notes of a visit
PLAN = 4000  # a treatment plan's measures, an emergency plan, an accident's account


def text_field(
    label, *, required: bool = False, rows: int = 2, max_length: int = NOTE, help_text: str = ""
):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
    )


# --- dates ---------------------------------------------------------------------------------------

EARLIEST = date(2000, 1, 1)
# A deadline is set at most this far ahead; a longer treatment is extended step by step.
DEADLINE_AHEAD = timedelta(days=366)
# The latest any other date may be: an insurance policy's end, a planned date.
LATEST_AHEAD = timedelta(days=10 * 366)


class DateField(forms.DateField):
    """A date from EARLIEST to `ahead` after today (None: today at the latest)."""

    def __init__(self, *, ahead: timedelta | None = LATEST_AHEAD, **kwargs):
        self.ahead = ahead
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        latest = timezone.localdate() + (self.ahead or timedelta())
        if value < EARLIEST:
            raise ValidationError(
                _("Enter a date on or after %(day)s."),
                code="too_early",
                params={"day": formats.date_format(EARLIEST, "Y-m-d")},
            )
        if value > latest:
            message = (
                _("The date cannot be in the future.")
                if self.ahead is None
                else _("Enter a date on or before %(day)s.")
            )
            raise ValidationError(
                message, code="too_late", params={"day": formats.date_format(latest, "Y-m-d")}
            )


class PastDateField(DateField):
    """A day that has been: today at the latest."""

    def __init__(self, **kwargs):
        super().__init__(ahead=None, **kwargs)


def deadline_field(label, *, required: bool = True, help_text: str = "") -> DateField:
    return DateField(label=label, required=required, help_text=help_text, ahead=DEADLINE_AHEAD)
