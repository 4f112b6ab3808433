"""`next` parameters never send a member off the site, however the address is disguised."""

from urllib.parse import quote

import pytest
from django.urls import reverse

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example/login",
    "//evil.example/",
    "///evil.example/",
    "////evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "//evil.example@testserver/",
    "https://testserver@evil.example/",
    "https://testserver.evil.example/",
    "https://evil.example\\@testserver/",
    " //evil.example/",
    "\t//evil.example/",
    "/\t/evil.example/",
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//%65vil.example/",
    "https://evil.example%2F@testserver/",
]


def assert_stays_on_site(response):
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/"), location
    assert not location.startswith(("//", "/\\")), location
    assert "evil" not in location.lower(), location
    assert "script" not in location.lower(), location


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_login_refuses_to_redirect_off_site(client, member, password, target):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": password, "next": target}
    )

    assert_stays_on_site(response)
    assert "_auth_user_id" in client.session  # signed in all the same


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE[:6])
def test_login_refuses_an_off_site_next_in_the_query_string(client, member, password, target):
    response = client.post(
        f"{reverse('account_login')}?next={quote(target)}",
        {"login": member.email, "password": password},
    )

    assert_stays_on_site(response)


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_logout_refuses_to_redirect_off_site(member_client, target):
    response = member_client.post(reverse("account_logout"), {"next": target})

    assert_stays_on_site(response)
    assert "_auth_user_id" not in member_client.session


@pytest.mark.django_db
def test_an_on_site_next_is_followed(client, member, password):
    """The control: `next` works, so the refusals above are refusals, not an ignored field."""
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": password, "next": "/stories/?page=2"},
    )
    assert response["Location"] == "/stories/?page=2"

    response = client.post(reverse("account_logout"), {"next": "/groups/"})
    assert response["Location"] == "/groups/"
