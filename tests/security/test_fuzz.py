"""Malformed input never causes a server error: Hypothesis drives every query parameter of
every page and every field of every form (names read from the pages' own forms, found through
the URL walker's site map) with arbitrary text — NUL bytes, very long strings, odd Unicode,
bad numbers and dates. Every answer must be below 500 (the test client re-raises exceptions).

The runs are deterministic (`derandomize=True`, no example database): CI runs the same inputs
every time. The classic breakers are always tried first, as explicit examples: NUL bytes,
10,000-character values, invalid UTF-8 and lone surrogates in raw query strings and form bodies,
negative and huge page numbers, non-numeric ids (in parameters and in the path).

All of a form's fields bad at once cannot find a field that lets a bad value through (the form
fails anyway), so each form is also sent filled in as it should be with one field at a time set
to NUL or to far too much text; NUL in each query parameter must be refused with a 400 that
says why; and every form field class the project defines must refuse NUL."""

import datetime as dt
import importlib
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cooperatives.fields import LinesArrayFormField
from kit.textlimits import LimitedTextField
from members.forms import TopicsField
from stories.forms import CandidateChoiceField
from tests.factories import TEST_PASSWORD
from tests.security.site_map import ROUTES, build_world

EXAMPLES = 15  # generated inputs per page, after the explicit classic examples
# besides each page's own form fields: the parameters views read without a form
COMMON_PARAMS = [
    *("page", "q", "sort", "next", "kind", "from", "key", "state", "tag"),
    *("occurrence", "month", "on"),
]
COMMON_FIELDS = [
    *("body", "message", "reason", "note", "going", "next", "email", "member", "kind"),
    *("answer", "code", "attended", "from"),
]

NASTY = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "%00",
        "-1",
        "0",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "2026-02-30",
        "0000-00-00",
        "9999-12-31T25:61",
        "../../etc/passwd",
        "' OR 1=1 --",
        "\u202e\u0301\ufeff",
        "𝕷𝖎𝖇𝖗𝖆𝖗𝖞 🏳️‍🌈",
        "x" * 20_000,
        " ",
        "",
    ]
)
VALUES = st.one_of(NASTY, st.text(max_size=300), st.integers().map(str))

# the same value in every field at once: each is a classic way to break a view
CLASSIC_VALUES = [
    "\x00",  # PostgreSQL refuses NUL in text
    "x" * 10_000,  # past every max_length and index row size
    "-1",  # a negative page or id
    "-99999999999999999999",
    "99999999999999999999",  # a page number or id past bigint
    "abc",  # a non-numeric id or page
    "1.5",
    "²",  # a digit to str.isdigit(), not to int()
    "9" * 5_000,  # digits past int()'s limit on a string's length
]
# percent-encoded values no dictionary can produce (the test client would refuse to encode a
# lone surrogate): bytes that are not UTF-8, sent raw in a query string or form body
RAW_VALUES = [
    "%ED%A0%80",  # a lone surrogate (U+D800), UTF-8 encoded
    "%FF%FE%FD",  # bytes never valid in UTF-8
    "%C0%80",  # an overlong encoding of NUL
    "%E2%82",  # a truncated sequence
    "%",  # a bare percent sign
    "a%00b",  # NUL, percent-encoded
    "%F0%9F%98%80" * 2_500,  # 10,000 characters of emoji
]


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.get_names: set[str] = set()
        self.post_names: set[str] = set()
        self.method = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.method = (attrs.get("method") or "get").lower()
        elif tag in ("input", "select", "textarea") and self.method:
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken":
                (self.post_names if self.method == "post" else self.get_names).add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.method = None


def form_fields(html: bytes) -> tuple[list[str], list[str]]:
    parser = _FormFields()
    parser.feed(html.decode())
    return sorted(parser.get_names), sorted(parser.post_names)


class _PostedForms(HTMLParser):
    """Each POST form of a page, with what a browser sends when it is submitted untouched:
    inputs' values, checked boxes, selected options, textareas' text, the first submit button."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self.fields: dict[str, list[str]] | None = None
        self.select: tuple[str, bool] | None = None  # name, multiple
        self.first_option: str | None = None
        self.textarea: str | None = None
        self.submitted = False

    def _add(self, name: str, value: str):
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self.fields, self.submitted = {}, False
                self.forms.append((attrs.get("action", ""), self.fields))
            return
        if self.fields is None:
            return
        name = attrs.get("name", "")
        kind = attrs.get("type", "submit" if tag == "button" else "text").lower()
        if tag == "option" and self.select:
            value = attrs.get("value", "")
            self.first_option = value if self.first_option is None else self.first_option
            if "selected" in attrs:
                self._add(self.select[0], value)
        elif not name:
            return
        elif tag in ("input", "button") and kind == "submit":
            if not self.submitted:
                self._add(name, attrs.get("value", ""))
                self.submitted = True
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self._add(name, attrs.get("value", "on"))
        elif tag == "input" and kind not in ("file", "image", "reset", "button"):
            self._add(name, attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self._add(name, "")
        elif tag == "select":
            self.select, self.first_option = (name, "multiple" in attrs), None

    def handle_data(self, data):
        if self.textarea and self.fields is not None:
            self.fields[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            # the newline Django writes after <textarea> is not part of the value
            text = self.fields[self.textarea][-1]
            self.fields[self.textarea][-1] = text.removeprefix("\n")
            self.textarea = None
        elif tag == "select" and self.select:
            name, multiple = self.select
            if not multiple and name not in self.fields and self.first_option is not None:
                self._add(name, self.first_option)
            self.select = None
        elif tag == "form":
            self.fields = None


def posted_forms(html: bytes, url: str) -> dict[str, list[str]]:
    """What the page's own forms that post to `url` send untouched, merged."""
    parser = _PostedForms()
    parser.feed(html.decode())
    merged: dict[str, list[str]] = {}
    for action, fields in parser.forms:
        if action in ("", url):
            for name, values in fields.items():
                merged.setdefault(name, values)
    merged.pop("csrfmiddlewaretoken", None)
    return merged


BAD_IDS = ["abc", "-1", "0", "99999999999999999999", "1e3", "%00", "%ED%A0%80", "x" * 300]


def bad_addresses(world, name: str) -> list[str]:
    """The page's address with each id, slug or code in it replaced by something that names
    nothing: non-numeric, negative, past bigint, NUL, a lone surrogate, very long."""
    path, _, query = world.url(name).partition("?")
    found = []
    for value in map(str, world.kwargs_for(ROUTES[name].kwargs).values()):
        segment = re.compile(rf"(?<=[/-]){re.escape(value)}(?=[-/.]|$)")  # "/stories/1-slug/"
        assert segment.search(path), (value, path)
        found += [
            segment.sub(bad, path, count=1) + (f"?{query}" if query else "") for bad in BAD_IDS
        ]
    return found


def raw_encodings(names: list[str]) -> list[str]:
    """One raw query string or form body per value of RAW_VALUES, in every one of `names`."""
    return ["&".join(f"{quote(name)}={value}" for name in names) for value in RAW_VALUES]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")
    return client


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def with_classic_examples(names: list[str], raw: list[str]):
    """Hypothesis `@example`s: every classic value in all `names` at once, then each raw
    (not-UTF-8) encoding, before the generated inputs."""

    def decorate(test):
        for value in CLASSIC_VALUES:
            test = example(dict.fromkeys(names, value))(test)
        for encoded in raw:
            test = example(encoded)(test)
        return test

    return decorate


def get(client: Client, url: str, query: dict | str):
    if isinstance(query, str):
        return client.get(url, QUERY_STRING=query)
    return client.get(url, query)


def post(client: Client, url: str, data: dict | str):
    if isinstance(data, str):
        return client.post(url, data, content_type="application/x-www-form-urlencoded")
    return client.post(url, data)


# --- one bad value at a time ----------------------------------------------------------------
# A form fails as a whole when every field is bad at once, so the database never sees a value a
# single field let through (a topic with a NUL in an otherwise valid profile answered 500). So:
# each field of a form filled in as it should be, one at a time, with NUL and with far too much
# text (a form that let through more than its column's check constraint allows answers 500).

ONE_BAD_VALUE = ["a\x00b", "x" * 100_001]
IN_A_FEW_DAYS = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
# what the page does not fill in itself for a form to be accepted
GOOD_POSTS = {
    "accounts:contact": {"message": "Hello, could we talk about makerspaces?"},
    "accounts:delete": {"password": TEST_PASSWORD},
    "cooperatives:suggest": {"name": "Lakeland Library Cooperative", "kind": "consortium"},
    "cooperatives:suggest_correction": {"note": "Their address changed last spring."},
    "groups:create": {"name": "Lakeshore school librarians"},
    "groups:join": {"message": "Hello"},
    "groups:meetup_create": {
        **{"title": "Long lunch", "starts_on": IN_A_FEW_DAYS, "venue_name": "Library"},
        **{"start_time": "12:00", "end_time": "13:00"},
    },
    "groups:meetup_pause": {
        "starts_on": (timezone.localdate() + dt.timedelta(days=100)).isoformat(),
        "ends_on": (timezone.localdate() + dt.timedelta(days=110)).isoformat(),
    },
    "groups:message": {"subject": "Room change", "body": "We meet in room 2."},
    "groups:rsvp": {"answer": "going"},
    "groups:series_rsvp": {"answer": "going"},
    "groups:check_in": {"code": "ABCDEF"},
    "groups:attendance_mark": {"attended": "1"},
    "stories:create": {"title": "Reading buddies", "action": "draft"},
    "stories:update": {"action": "save"},
    "stories:comment_create": {"body": "Thank you, this helped."},
    "stories:report": {"reason": "spam"},
    "stories:comment_report": {"reason": "spam"},
}
# forms whose filled-in version must be accepted, so the test above cannot pass by sending a
# form that was refused anyway
ACCEPTED = {
    "accounts:update",
    "accounts:contact",
    "cooperatives:suggest",
    "cooperatives:suggest_correction",
    "groups:create",
    "groups:update",
    "groups:meetup_create",
    "groups:meetup_update",
    "groups:occurrence_move",
    "groups:message",
    "stories:create",
    "stories:update",
    "stories:comment_update",
}


def assert_each_bad_field_alone_is_no_server_error(client, name: str, url: str, page):
    """Each field of the page's form filled in as it should be, then one at a time with NUL
    and with far too much text; the filled-in form itself must be accepted where listed."""
    good = posted_forms(page.content, url) if page.status_code == 200 else {}
    good = {**good, **GOOD_POSTS.get(name, {})}
    for field in sorted(good):
        for bad in ONE_BAD_VALUE:
            response = client.post(url, {**good, field: bad})
            assert response.status_code < 500, (url, field, bad[:10])
    if name in ACCEPTED:
        assert client.post(url, good).status_code == 302, (url, good)


def assert_nul_in_each_parameter_is_refused(client, url: str, names):
    """NUL in any one query parameter: 400 and the page that says why (kit/middleware.py)."""
    names = {*names, *re.findall(r"[?&]([^=&]+)=", url)}
    separator = "&" if "?" in url else "?"
    for parameter in sorted(names):
        response = client.get(f"{url}{separator}{quote(parameter)}=a%00b")
        assert response.status_code == 400, (url, parameter)
        assert b"null character" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if not r.writes))
def test_query_parameters_never_cause_a_server_error(name):
    world = build_world()
    url = world.url(name)
    client = _client(world.owner)
    page = client.get(url)
    names = COMMON_PARAMS
    if page.status_code == 200 and page["Content-Type"].startswith("text/html"):
        names = sorted(set(COMMON_PARAMS) | set(form_fields(page.content)[0]))

    queries = st.dictionaries(st.sampled_from(names), st.one_of(VALUES, st.lists(VALUES)))
    raw = raw_encodings(names)

    @FUZZ
    @given(query=st.one_of(queries, st.sampled_from(raw)))
    @with_classic_examples(names, raw)
    def fuzz(query):
        for who in (client, Client()):
            response = get(who, url, query)
            assert response.status_code < 500, (url, query)

    fuzz()
    assert_nul_in_each_parameter_is_refused(client, url, names)
    for address in bad_addresses(world, name):
        for who in (client, Client()):
            assert who.get(address).status_code < 500, address


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.writes))
def test_form_posts_never_cause_a_server_error(name):
    world = build_world()
    url = world.url(name)
    client = _client(world.owner)
    page = client.get(url)
    names = COMMON_FIELDS
    if page.status_code == 200:
        names = form_fields(page.content)[1] or COMMON_FIELDS
    get_names = set(COMMON_PARAMS)
    if page.status_code == 200 and page["Content-Type"].startswith("text/html"):
        get_names |= set(form_fields(page.content)[0])

    # first, while the world is as built: one bad field at a time in a good form
    assert_each_bad_field_alone_is_no_server_error(client, name, url, page)
    assert_nul_in_each_parameter_is_refused(client, url, get_names)

    bodies = st.dictionaries(st.sampled_from(names), VALUES, min_size=len(names) // 2)
    raw = raw_encodings(names)

    @FUZZ
    @given(data=st.one_of(bodies, st.sampled_from(raw)))
    @with_classic_examples(names, raw)
    def fuzz(data):
        response = post(client, url, data)
        assert response.status_code < 500, (url, data)

    fuzz()
    for address in bad_addresses(world, name):
        for who in (client, Client()):
            assert who.get(address).status_code < 500, address
            assert who.post(address, {}).status_code < 500, address


def _project_form_fields() -> set[type[forms.Field]]:
    """Every form field class the project defines itself."""
    for module in FORM_MODULES:
        importlib.import_module(module)
    found, todo = set(), [forms.Field]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.split(".")[0] in PROJECT_PACKAGES:
                found.add(subclass)
    return found


PROJECT_PACKAGES = {"accounts", "stories", "groups", "cooperatives", "notifications", "home"}
PROJECT_PACKAGES |= {"config", "kit", "members", "mailin"}
FORM_MODULES = [
    *(f"{app}.forms" for app in ("members", "stories", "groups", "cooperatives")),
    *(f"{app}.admin" for app in ("accounts", "stories", "groups", "cooperatives")),
    *("cooperatives.fields", "kit.textlimits"),
]
# each custom field as a form uses it, and a value with a NUL in it
CUSTOM_FIELDS = {
    "TopicsField": (TopicsField, "a\x00b"),
    "LinesArrayFormField": (
        lambda: LinesArrayFormField(base_field=forms.URLField(assume_scheme="https")),
        "https://a.example/\nhttps://b.example/\x00",
    ),
    "CandidateChoiceField": (
        lambda: CandidateChoiceField(queryset=get_user_model().objects.all()),
        ["1\x00"],
    ),
    "LimitedTextField": (lambda: LimitedTextField(max_length=10), "a\x00b"),
}


def test_every_custom_form_field_is_checked_for_nul():
    assert {field.__name__ for field in _project_form_fields()} == set(CUSTOM_FIELDS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CUSTOM_FIELDS))
def test_every_custom_form_field_refuses_nul_with_a_clear_message(name):
    make, value = CUSTOM_FIELDS[name]

    with pytest.raises(ValidationError) as refused:
        make().clean(value)

    assert "Null characters are not allowed." in " ".join(refused.value.messages)
