import pytest
from django.urls import reverse


@pytest.fixture
def home_response(client, db):
    return client.get(reverse("home"))


def test_content_security_policy_is_strict(home_response):
    csp = home_response["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in csp.split(";")) if part
    )
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_other_security_headers(home_response):
    assert home_response["X-Frame-Options"] == "DENY"
    assert home_response["X-Content-Type-Options"] == "nosniff"
    assert home_response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in home_response["Permissions-Policy"]
    assert home_response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert home_response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_error_pages_are_friendly(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"We couldn" in response.content
    assert b'<main id="main"' in response.content


def test_server_error_page_renders_without_the_database(rf):
    from kit.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_forbidden_page_is_friendly(rf):
    from django.core.exceptions import PermissionDenied

    from kit.views import permission_denied

    request = rf.get("/")
    request.user = None
    response = permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    assert b"You can" in response.content
