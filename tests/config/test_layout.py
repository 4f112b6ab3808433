"""The shared layout's links, worked out once per process (kit/context_processors.py)."""

import pytest
from django.templatetags.static import static
from django.test import override_settings
from django.urls import get_script_prefix, reverse, set_script_prefix

from kit.context_processors import layout_urls

pytestmark = pytest.mark.django_db


def test_layout_links_where_the_routes_are(client, member):
    page = client.get("/no-such-page/").content.decode()
    for route in ["home", "stories:list", "groups:list", "accounts:list", "cooperatives:list"]:
        assert f'href="{reverse(route)}"' in page
    assert f'action="{reverse("search")}"' in page
    assert f'href="{reverse("account_login")}"' in page
    assert f'href="{static("css/site.css")}"' in page

    client.force_login(member)
    client.get("/")
    page = client.get("/no-such-page/").content.decode()
    assert f'href="{reverse("notifications:list")}"' in page
    assert f'action="{reverse("account_logout")}"' in page


def test_layout_links_follow_the_script_prefix():
    """Mounted under a prefix (SCRIPT_NAME), the links carry it; each prefix has its own."""
    before = get_script_prefix()
    set_script_prefix("/commons/")
    try:
        assert layout_urls()["stories"] == "/commons/stories/"
    finally:
        set_script_prefix(before)
    assert layout_urls()["stories"] == "/stories/"


@override_settings(STATIC_URL="/assets/")
def test_changing_the_static_settings_forgets_the_cached_links():
    assert layout_urls()["css"].startswith("/assets/")


def test_nav_marks_the_current_section(client):
    page = client.get(reverse("stories:list")).content.decode()
    assert f'<a href="{reverse("stories:list")}" aria-current="page">' in page
