"""Every input gets an answer, never a server error (docs/inputs.md).

For every URL of the URL configuration (the admin site aside: Django's own) and every role, the
page is read as that role, its forms are parsed from the HTML, and hypothesis sends each form
back filled as the page filled it, with one to three of its fields replaced by hostile values:
digits of other scripts, control characters, huge and negative numbers, dates far out of range,
long strings, empty file inputs. Pages are also sent hostile query parameters, under the names
their links and filter forms use. Any answer of 500 or more fails.

Starting from the page's own values matters: a form of random fields stops at its first error,
and the faults worth finding sit behind a form that is otherwise valid (a far deadline on a
verify form whose every other field is right).
"""

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import transaction
from django.test.client import BOUNDARY, encode_multipart
from django.urls import NoReverseMatch, Resolver404, get_resolver, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hazards.models import Hazard, Severity
from tests import test_scope_matrix as matrix
from tests.factories import HazardFactory
from tests.test_scope_matrix import world as world  # the scope matrix's data, reused

pytestmark = pytest.mark.django_db  # each test in a savepoint of the module's data

EXAMPLES = settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: CI does not flake on a new one
)
SKIP = {"accounts:login", "accounts:logout", "healthz", "service_worker", "manifest"}
# Pages whose forms post elsewhere answer GET with 405: their forms are read on these pages.
HOSTS = {
    "hazards:hazard_transition": "hazards:hazard_detail",
    "enforcement:enforcement_lift": "hazards:hazard_detail",
    "premises:status": "premises:detail",
    "premises:import_apply": "premises:import_preview",
    "premises:grids:user_set_active": "premises:grids:user_edit",
    "notifications:mark_read": "notifications:inbox",
    "notifications:mark_all_read": "notifications:inbox",
}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_NAMES = ("_on", "_by", "date", "deadline", "_after", "_before", "start", "end")
NUMBER_NAMES = {"page", "village", "grid", "town", "ids", "premises", "department", "user"}
# A form's fields change one at a time, the others as the page filled them, or the first error
# would hide the rest; a page reads its query parameters all at once, so they change in groups.
QUERY_GROUP = 4
QUERY_NAMES = ["page", "after", "before", "q", "village", "grid", "town", "ids", "next", "period"]


def _cursor(values) -> str:
    """A ledger cursor as an edited link would make it: base64 of a JSON list."""
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FAR_DATES = ["9999-12-31", "9999-12-30", "0001-01-01", "10000-01-01", "2026-02-30", "2126-01-01"]
ODD_NUMBERS = [
    "²",
    "１２３",
    "٣٤",
    "𝟙𝟚",
    "-1",
    "0",
    "99999999999999999999999999",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "Infinity",
    "3,²",
]
ODD_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "\x1b[31m\x7f\x0c",
    "x" * 5000,
    "长" * 3000,
    "<script>alert(1)</script>",
    "%(name)s {0}",
    _cursor(["\x00", 1]),
    _cursor(["Infinity", 1]),
    _cursor([1e308 * 10, "x"]),
]
DATES = st.one_of(
    st.sampled_from(FAR_DATES),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
)
NUMBERS = st.one_of(
    st.sampled_from(ODD_NUMBERS), st.integers(min_value=-(2**70), max_value=2**70).map(str)
)
TEXT = st.one_of(
    st.sampled_from(ODD_TEXT), st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
)


def hostile(name: str, current: str) -> st.SearchStrategy:
    """Mostly values of the field's own kind, so a date field sees far dates."""
    if DATE.fullmatch(current) or name.endswith(DATE_NAMES):
        return st.one_of(DATES, DATES, TEXT, NUMBERS)
    if (current.isascii() and current.isdigit()) or name.split("-")[-1] in NUMBER_NAMES:
        return st.one_of(NUMBERS, NUMBERS, TEXT)
    return st.one_of(TEXT, TEXT, NUMBERS, DATES)


# --- forms as the page shows them -----------------------------------------------------------------


PLAUSIBLE = {
    "number": "1",
    "date": str(date.today()),
    "email": "a@example.com",
    "tel": "13800000000",
}


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)  # input type, "textarea", "select"

    def filled(self) -> dict[str, list[str]]:
        """The form as someone who fills in every empty box sends it: an extra hazard with a
        description, a note with words."""
        return {
            name: values or ([PLAUSIBLE.get(self.kinds.get(name, ""), "测试")])
            if self.kinds.get(name) in ("text", "textarea", "number", "date", "email", "tel")
            and not any(values)
            else values
            for name, values in self.fields.items()
        }


class FormReader(HTMLParser):
    """Each <form>'s action, method and fields with the values a browser would send."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._select: tuple[str, list[str], list[str]] | None = None
        self._textarea: str | None = None

    @property
    def _form(self) -> Form | None:
        return self.forms[-1] if self.forms else None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.links.append(a["href"])
        if tag == "form":
            method = a.get("method", "get").lower()
            self.forms.append(Form(a.get("action") or self.page_url, method))
        if tag == "option" and self._select is not None:
            value = a.get("value")
            if value is not None:
                self._select[1].append(value)
                if "selected" in a:
                    self._select[2].append(value)
        if self._form is None or not a.get("name"):
            return
        name, kind = a["name"], a.get("type", "text").lower()
        self._form.kinds[name] = tag if tag in ("textarea", "select") else kind
        if tag == "input" and kind == "file":
            self._form.files.append(name)
        elif tag == "input" and kind == "checkbox":
            values = self._form.fields.setdefault(name, [])
            if "checked" in a:
                values.append(a.get("value", "on"))
        elif tag == "input" and kind == "radio":
            # A radio group left unanswered is sent with its first choice: a form the page
            # accepts is the starting point (a checklist answered "pass").
            values = self._form.fields.setdefault(name, [])
            if "checked" in a or not values:
                values[:] = [a.get("value", "on")]
        elif tag == "input" and kind not in ("submit", "button", "image", "reset"):
            self._form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = (name, [], [])
        elif tag == "textarea":
            self._textarea = name
            self._form.fields[name] = [""]

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea and self._form is not None:
            # A browser drops the line break that follows <textarea>.
            value = self._form.fields[self._textarea][-1]
            self._form.fields[self._textarea][-1] = value.removeprefix("\n")
            self._textarea = None
        if tag == "select" and self._select is not None and self._form is not None:
            name, options, chosen = self._select
            filled = [o for o in options if o]
            self._form.fields[name] = chosen or filled[:1] or options[:1]
            self._select = None


def url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def read_page(client, url: str) -> FormReader:
    reader = FormReader(url)
    response = client.get(url)
    assert response.status_code < 500, url
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        reader.feed(response.content.decode(errors="replace"))
    return reader


# --- the pages, as each role reaches them ---------------------------------------------------------


@pytest.fixture(scope="module")
def more_hazards(world, django_db_blocker):
    """Hazards waiting for each later step at every site, so each step's form is on a page."""
    with django_db_blocker.unblock():
        made = {}
        for key, site in world.sites.items():
            common = {"premises": site.premises, "reported_by": site.hazard.reported_by}
            made[key] = [
                HazardFactory(rectifying=True, **common),
                HazardFactory(submitted=True, **common),
                HazardFactory(
                    major_rectifying=True,
                    status=Hazard.Status.SUBMITTED,
                    submitted_at=timezone.now(),
                    submitted_by=site.hazard.reported_by,
                    **common,
                ),
                HazardFactory(severity=Severity.MAJOR, **common),
            ]
    return made


def all_names() -> list[str]:
    names = set()
    for name, _route, namespace, _ids in matrix.walk_urls(get_resolver().url_patterns):
        if namespace != "admin" and name and name not in SKIP:
            names.add(name)
    return sorted(names)


def plain_urls(name: str) -> list[str]:
    """The URLs of a name that takes no object: itself, or one per export format."""
    try:
        return [reverse(name)]
    except NoReverseMatch:
        return [reverse(name, kwargs={"fmt": "csv"}), reverse(name, kwargs={"fmt": "xlsx"})]


def pages_for(world, more_hazards, name: str, role: str) -> list[str]:
    """The URLs of `name` (or of the page hosting its forms) this role may reach."""
    page = HOSTS.get(name, name)
    if page not in matrix.CASES:
        return plain_urls(page)
    case = matrix._cases(page)[0]
    key = matrix.inside_key(case, role) or matrix.outside_key(case, role) or "B1"
    obj = case.pick(world, key)
    urls = [reverse(page, kwargs=case.kwargs(obj))]
    if isinstance(obj, Hazard):
        urls += [reverse(page, kwargs={"pk": h.pk}) for h in more_hazards.get(key, [])]
    return urls


def targets(client, world, more_hazards, name: str, role: str) -> list[tuple[str, Form]]:
    """(URL to send to, form) for every form of the role's pages that sends to `name`, and a
    form of query parameters for each page itself."""
    found = []
    for page in pages_for(world, more_hazards, name, role):
        reader = read_page(client, page)
        query = Form(page, "get")
        for link in reader.links:
            for key, value in parse_qsl(urlsplit(link).query, keep_blank_values=True):
                query.fields.setdefault(key, [value])
        for form in reader.forms:
            action = form.action if form.action.startswith("/") else page
            if url_name(action) != name:
                continue
            if form.method == "post":
                found.append((action, form))
            else:
                for key, values in form.fields.items():
                    query.fields.setdefault(key, values)
        if url_name(page) == name:
            for key in QUERY_NAMES:
                query.fields.setdefault(key, [""])
            found.append((page, query))
    return found


def multipart(fields: dict[str, list[str]], files: dict[str, list]) -> bytes:
    """A form body as a browser sends it: a file input left empty is a part with no file name
    (the test client cannot make one)."""
    body = encode_multipart(BOUNDARY, {k: v for k, v in fields.items() if v})
    tail = f"--{BOUNDARY}--\r\n".encode()
    body = body[: -len(tail)]
    for name, parts in files.items():
        for filename, content in parts:
            body += (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            body += content + b"\r\n"
    return body + tail


FILES = st.sampled_from([[], [("", b"")], [("blob", b"")], [("IMG_1.jpg", b"\xff\xd8\xff junk")]])


# Equal to MULTIPART_CONTENT but not it: the test client then sends the body as it is.
RAW_MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def send(client, url: str, fields: dict, *, post: bool, files: dict, as_json: bool):
    """The request and the page it leads to: a step that succeeds must leave a page that opens
    (a deadline far out once broke the hazard page after the step itself had answered 302).
    What it changed is rolled back, so the next request finds the hazard where this one did."""
    with transaction.atomic():
        response = _send(client, url, fields, post=post, files=files, as_json=as_json)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # an export is written as it streams
        transaction.set_rollback(True)
    return response


def _send(client, url: str, fields: dict, *, post: bool, files: dict, as_json: bool):
    if not post:
        return client.get(url, {k: v for k, v in fields.items() if v}, follow=True)
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    body = multipart(fields, files)
    return client.post(url, body, content_type=RAW_MULTIPART, follow=True, **headers)


@pytest.mark.parametrize("role", matrix.ROLES)
@pytest.mark.parametrize("name", all_names())
def test_no_input_answers_500(client, settings, world, more_hazards, name, role):
    settings.VAR_DIR = world.var_dir
    matrix._sign_in(client, world, role)
    found = targets(client, world, more_hazards, name, role)  # each page read answers < 500

    @EXAMPLES
    @given(data=st.data())
    def check(data):
        for url, form in found:
            files = {key: data.draw(FILES) for key in form.files}
            as_json = data.draw(st.booleans())
            post = form.method == "post"
            bases = [form.fields, form.filled()] if post else [form.fields]
            for base in bases:
                names = sorted(set(base) - {"csrfmiddlewaretoken"}) or ["unexpected"]
                size = 1 if post else QUERY_GROUP
                for chunk in (names[i : i + size] for i in range(0, len(names), size)):
                    changes = {k: [data.draw(hostile(k, (base.get(k) or [""])[0]))] for k in chunk}
                    fields = {**base, **changes}
                    response = send(client, url, fields, post=post, files=files, as_json=as_json)
                    assert response.status_code < 500, f"{name} as {role}: {url} {changes}"

    check()


def test_every_url_that_takes_input_is_fuzzed(client, settings, world, more_hazards):
    """Each URL that takes a POST has a form some role's page sends to it, and each page a role
    reaches is sent query parameters: the fuzz above reaches every input of the URLconf."""
    settings.VAR_DIR = world.var_dir
    unreached, without_form = [], []
    for name in all_names():
        found = {}
        for role in matrix.ROLES:
            matrix._sign_in(client, world, role)
            found[role] = targets(client, world, more_hazards, name, role)
        posted = any(form.method == "post" for sent in found.values() for _url, form in sent)
        if not posted and not any(found.values()):
            unreached.append(name)
        elif not posted and only_posts(client, world, name):
            without_form.append(name)

    assert unreached == []
    assert without_form == []


def only_posts(client, world, name: str) -> bool:
    """A URL that answers GET with 405 takes only forms (posted from another page)."""
    if name in matrix.CASES:
        case = matrix._cases(name)[0]
        role = next(role for role in matrix.ROLES if matrix.inside_key(case, role) is not None)
        matrix._sign_in(client, world, role)
        url = reverse(name, kwargs=case.kwargs(case.pick(world, matrix.inside_key(case, role))))
        return client.get(url).status_code == 405
    matrix._sign_in(client, world, matrix.OFFICE)
    return all(client.get(url).status_code == 405 for url in plain_urls(name))
