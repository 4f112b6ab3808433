"""Response headers and cookies as a browser receives them from the production settings under
gunicorn (the Dockerfile's command line), behind a TLS-terminating proxy."""

import pytest

from tests.factories import TEST_PASSWORD, UserFactory
from tests.servers import Browser, GunicornServer, production_env, production_password

pytestmark = pytest.mark.processes

ONE_YEAR = 365 * 24 * 3600
PRIVATE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
HTML_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"]
OTHER_RESPONSES = ["/robots.txt", "/healthz"]


@pytest.fixture(scope="module")
def server(server_database_url, production_static, tmp_path_factory):
    env = production_env(server_database_url, DJANGO_STATIC_ROOT=production_static)
    with GunicornServer(env, tmp_path_factory.mktemp("gunicorn") / "log") as running:
        yield running


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_carry_a_strict_content_security_policy(server, path):
    response = Browser().get(server.url(path))

    assert response.status in (200, 404)
    assert response["Content-Type"].startswith("text/html")
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    for sources in csp.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} & set(sources)


@pytest.mark.parametrize("path", HTML_PAGES + OTHER_RESPONSES)
def test_every_response_carries_the_hardening_headers(server, path):
    response = Browser().get(server.url(path))

    hsts = dict(
        (item.strip().split("=", 1) + [""])[:2]
        for item in response["Strict-Transport-Security"].lower().split(";")
    )
    assert int(hsts["max-age"]) >= ONE_YEAR
    assert "includesubdomains" in hsts
    assert response["Referrer-Policy"] in PRIVATE_REFERRER_POLICIES
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def test_plain_http_is_sent_to_https(server):
    response = Browser(https=False).get(server.url("/accounts/login/"))

    assert response.status == 301
    assert response["Location"].startswith("https://")


def cookie_flags(set_cookie_headers: list[str], name: str) -> set[str]:
    header = next(h for h in set_cookie_headers if h.startswith(f"{name}="))
    return {part.strip().lower() for part in header.split(";")[1:]}


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(server, transactional_db):
    member = UserFactory()
    production_password(member, TEST_PASSWORD)
    browser = Browser()

    form = browser.get(server.url("/accounts/login/"))
    signed_in = browser.log_in(server, member.email, TEST_PASSWORD)

    assert signed_in.status == 302, signed_in.text[:2000]
    csrf = cookie_flags(form.set_cookies, "csrftoken")
    session = cookie_flags(signed_in.set_cookies, "sessionid")
    for flags in (csrf, session):
        assert "secure" in flags
        assert "httponly" in flags
        assert flags & {"samesite=lax", "samesite=strict"}
    # and the session is real: the member is signed in on the next page
    assert "Log out" in browser.get(server.url("/")).text
