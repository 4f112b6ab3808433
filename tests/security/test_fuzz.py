"""Malformed input never causes a server error: Hypothesis drives every query parameter of
every page and every field of every form (names read from the pages' own forms, found through
the URL walker's site map) with arbitrary text — NUL bytes, very long strings, odd Unicode,
bad numbers and dates. Every answer must be below 500 (the test client re-raises exceptions).

The runs are deterministic (`derandomize=True`, no example database): CI runs the same inputs
every time. The classic breakers are always tried first, as explicit examples: NUL bytes,
10,000-character values, invalid UTF-8 and lone surrogates in raw query strings and form bodies,
negative and huge page numbers, non-numeric ids (in parameters and in the path)."""

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.security.site_map import ROUTES, build_world

EXAMPLES = 15  # generated inputs per page, after the explicit classic examples
COMMON_PARAMS = ["page", "q", "sort", "next", "kind", "from", "key", "state", "tag"]
COMMON_FIELDS = ["body", "message", "reason", "note", "going", "next", "email", "member", "kind"]

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
