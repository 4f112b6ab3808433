"""A NUL character in anything but a form body (the address, the query string, a cookie, a
header) is answered 400 with the site's own page, before any of it can reach PostgreSQL (which
refuses NUL in text, so the same request used to answer 500)."""

import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

MESSAGE = b"null character"


def assert_refused(response):
    assert response.status_code == 400
    assert MESSAGE in response.content
    assert b'<main id="main"' in response.content  # the branded page, with the site's header
    assert b"Stories</a>" in response.content
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "query",
    [
        "q=a%00b",  # site search
        "page=1%00",  # a page number read without a form
        "next=/%00",  # a redirect target
        "a%00b=1",  # a parameter's name
        "q=library&sort=%00",  # one bad value among good ones
    ],
)
def test_nul_in_the_query_string_is_refused(client, query):
    assert_refused(client.get(reverse("search"), QUERY_STRING=query))


def test_nul_in_a_member_s_query_string_is_refused(client):
    client.force_login(UserFactory())
    assert_refused(client.get(reverse("stories:list"), QUERY_STRING="q=%00"))


def test_nul_in_the_path_is_refused(client):
    story = StoryFactory()
    assert_refused(client.get(f"/stories/{story.pk}-a%00b/"))
    assert_refused(client.get("/groups/a%00b/"))


def test_nul_in_the_session_cookie_is_refused_before_the_session_is_read():
    # a cookie value may escape a NUL as "\000"; Django unquotes it, and the session store
    # used to look the key up in PostgreSQL: 500
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefghij\x00k"

    assert_refused(client.get(reverse("stories:list")))
    assert_refused(client.post(reverse("stories:create"), {"title": "x"}))


def test_nul_in_a_header_is_refused(client):
    assert_refused(client.get(reverse("home"), headers={"user-agent": "probe\x00"}))


def test_ordinary_requests_pass(client):
    assert client.get(reverse("search"), {"q": "makerspace % 00 \\0"}).status_code == 200
    assert client.get(reverse("home"), headers={"user-agent": "Mozilla/5.0"}).status_code == 200


def test_other_bad_requests_get_the_branded_page_too(client):
    response = client.get(reverse("home"), headers={"host": "evil.example"})

    assert response.status_code == 400
    assert b'<main id="main"' in response.content


def test_control_characters_in_the_path_cannot_forge_log_lines(client, caplog):
    with caplog.at_level(logging.INFO, logger="librarian_commons.requests"):
        client.get("/no-such-page%0Amethod=GET%20status=200/")

    lines = [r.getMessage() for r in caplog.records if r.name == "librarian_commons.requests"]
    assert len(lines) == 1
    assert "\n" not in lines[0]
    assert 'path="/no-such-page%0Amethod=GET status=200/"' in lines[0]
