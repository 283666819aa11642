"""Keyset pages (docs/decisions.md): deep pages of a long list without a huge OFFSET.

The pager's "next" link carries the sort values of the page's last row (`after`), "previous"
those of its first row (`before`), so page 500 of a county's ledger reads 50 rows from where
page 499 ended instead of skipping 24,950. The page number travels alongside for display only.
A page asked for by number alone (an edited URL, a bookmark) is still served, by OFFSET.

Cursors are signed: the server reads back only values it wrote itself, so an edited link (a
NUL byte, "Infinity", a word where a date was) is never turned into a query; it is served by
its page number instead.
"""

from datetime import date, datetime
from functools import reduce
from operator import or_

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from config.inputs import parse_int

SALT = "hazards.keyset"


def _value(obj, path: str):
    if isinstance(obj, dict):  # a row of rows.values(), which must name every sort path
        return obj[path]
    for name in path.split("__"):
        obj = obj.pk if name == "pk" else getattr(obj, name)
    return obj


def _dump(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def encode(values: list) -> str:
    return signing.dumps([_dump(v) for v in values], salt=SALT)


def decode(cursor: str, size: int) -> list | None:
    """The cursor's values, or None for anything that is not a cursor of this ordering."""
    try:
        values = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(values, list) or len(values) != size or None in values:
        return None
    if not all(isinstance(v, str | int | float) for v in values):
        return None
    return values


def _terms(ordering) -> list[tuple[str, bool]]:
    """(field path, descending) for each term of a queryset's order_by."""
    terms = []
    for term in ordering:
        if not isinstance(term, str):
            return []  # an expression: no keyset, pages by OFFSET
        terms.append((term.lstrip("-"), term.startswith("-")))
    return terms


def beyond(terms: list[tuple[str, bool]], values: list, *, forward: bool) -> Q:
    """Rows strictly after (forward) or before the row with these sort values, in the order
    the terms give. The first term's bound is repeated on its own so an index on it is used."""
    branches, equal = [], {}
    for (field, descending), value in zip(terms, values, strict=True):
        lookup = "lt" if descending == forward else "gt"
        branches.append(Q(**equal, **{f"{field}__{lookup}": value}))
        equal[field] = value
    first, descending = terms[0]
    bound = Q(**{f"{first}__{'lte' if descending == forward else 'gte'}": values[0]})
    return bound & reduce(or_, branches)


class KeysetPage(Page):
    """A page that knows the cursors of its neighbours (for _pagination.html)."""

    next_cursor = previous_cursor = ""


def keyset_page(rows: QuerySet, *, per_page: int, params, count: int | None = None) -> KeysetPage:
    """The page of `rows` that `params` ("page", and "after" or "before") ask for; `count`, if
    known, spares counting the rows again."""
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: the value given stands in for the query
    number = paginator.validate_number(_number(params.get("page"), paginator))
    terms = _terms(rows.query.order_by)
    cursor = params.get("after") or params.get("before")
    values = decode(cursor, len(terms)) if cursor and terms else None
    forward = bool(params.get("after"))
    found = _beyond_cursor(rows, terms, values, forward=forward) if values else None
    if found is None:
        page = KeysetPage(list(paginator.page(number).object_list), number, paginator)
    else:
        if not forward:
            found = found.reverse()
        object_list = list(found[:per_page])
        if not forward:
            object_list.reverse()
        page = KeysetPage(object_list, number, paginator)
    if terms and page.object_list:
        if page.has_next():
            page.next_cursor = encode([_value(page.object_list[-1], f) for f, _d in terms])
        if page.has_previous():
            page.previous_cursor = encode([_value(page.object_list[0], f) for f, _d in terms])
    return page


def _beyond_cursor(rows: QuerySet, terms, values: list, *, forward: bool) -> QuerySet | None:
    """The rows past the cursor; None for values its fields cannot take (an edited link: a
    date that is not one, a word for a number), which are served by page number instead."""
    try:
        return rows.filter(beyond(terms, values, forward=forward))
    except (ValidationError, ValueError, TypeError):
        return None


def _number(raw, paginator: Paginator) -> int:
    """Like Paginator.get_page: a bad number is page 1, one past the end the last page."""
    number = parse_int(raw) or 1
    return min(max(number, 1), paginator.num_pages)
