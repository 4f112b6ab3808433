"""Walks every URL pattern of the site (see site_map.ROUTES) and checks its contract:

- a view that writes changes nothing on GET and refuses a POST without a CSRF token (403);
- an object-owned view refuses any other member (403 or 404) and changes nothing for them;
- a members-only view sends visitors to log in and changes nothing for them;
- every address the walker builds answers its owner (so the builder stays honest).
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.site_map import (
    MEMBERS,
    OWNER,
    PUBLIC,
    ROUTES,
    TOKEN,
    build_world,
    database_fingerprint,
    url_patterns,
)

LOGIN = "/accounts/login/"


def test_every_url_pattern_is_classified():
    served = {name for name, _route in url_patterns()}
    unclassified = sorted(served - ROUTES.keys())
    assert not unclassified, (
        f"Classify these URL patterns in tests/security/site_map.py ROUTES: {unclassified}"
    )
    gone = sorted(ROUTES.keys() - served)
    assert not gone, f"ROUTES names patterns that no longer exist: {gone}"


def _signed_in(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    client.get("/")  # onboarding middleware records the member in the session
    return client


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_url_contract(name):
    route = ROUTES[name]
    world = build_world()
    url = world.url(name)
    owner = _signed_in(world.owner)
    owner_csrf = _signed_in(world.owner, csrf=True)
    other = _signed_in(world.other)
    anonymous = Client()
    before = database_fingerprint()

    # the builder's address answers the owner (GET may be refused by a POST-only view)
    response = owner.get(url)
    assert response.status_code in (200, 301, 302, 405), (name, response.status_code)

    if route.writes:
        assert database_fingerprint() == before, f"GET {url} changed data"
        if not route.csrf_exempt:
            response = owner_csrf.post(url, {"body": "x", "title": "x"})
            assert response.status_code == 403, (name, response.status_code)
            assert database_fingerprint() == before, f"POST {url} without CSRF token changed data"

    if route.access in (MEMBERS, OWNER):
        response = anonymous.get(url)
        assert _is_login_redirect(response) or response.status_code == 405, (
            name,
            response.status_code,
        )
        if route.writes:
            response = anonymous.post(url, {"body": "x", "title": "x"})
            assert _is_login_redirect(response), (name, response.status_code)
        assert database_fingerprint() == before, f"a visitor changed data at {url}"

    if route.access == OWNER:
        response = other.get(url)
        assert response.status_code in (403, 404, 405), (name, response.status_code)
        if route.writes:
            response = other.post(url, {"body": "x", "title": "x"})
            assert response.status_code in (403, 404), (name, response.status_code)
        assert database_fingerprint() == before, f"another member changed data at {url}"

    if route.access in (PUBLIC, TOKEN) and not route.writes:
        response = anonymous.get(url)
        assert response.status_code in (200, 301, 302), (name, response.status_code)


@pytest.mark.django_db
def test_token_views_refuse_a_wrong_token():
    world = build_world()
    assert Client().get(reverse("groups:my_feed") + "?key=nope").status_code == 404
    bad = reverse("notifications:unsubscribe", kwargs={"token": "forged"})
    assert Client().post(bad).status_code == 404
    bad = reverse("notifications:list_stop", kwargs={"token": "forged"})
    assert Client().post(bad).status_code == 404
    assert Client().get(world.url("groups:my_feed")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_logout"]
)
def test_allauth_forms_need_a_csrf_token(name, member, password):
    client = Client(enforce_csrf_checks=True)
    if name == "account_logout":
        client.force_login(member)
    response = client.post(reverse(name), {"login": member.email, "password": password})
    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_is_staff_only(member):
    for client in (Client(), _signed_in(member)):
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
