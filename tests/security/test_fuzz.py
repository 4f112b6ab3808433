"""Malformed input never causes a server error: Hypothesis drives every query parameter of
every page and every field of every form (names read from the pages' own forms, found through
the URL walker's site map) with arbitrary text — NUL bytes, very long strings, odd Unicode,
bad numbers and dates. Every answer must be below 500 (the test client re-raises exceptions)."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.site_map import ROUTES, build_world

EXAMPLES = 25
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


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")
    return client


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


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

    @FUZZ
    @given(params=st.dictionaries(st.sampled_from(names), st.one_of(VALUES, st.lists(VALUES))))
    def fuzz(params):
        for who in (client, Client()):
            response = who.get(url, params)
            assert response.status_code < 500, (url, params)

    fuzz()


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

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(names), VALUES, min_size=len(names) // 2))
    def fuzz(data):
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)

    fuzz()
