import pytest
from django.urls import reverse

from tests.pictures import build_pictures_world
from tests.security.site_map import browser_sign_in


def test_shots(page, base_url):
    world = build_pictures_world()
    browser_sign_in(page, base_url, world.organizer)
    page.set_viewport_size({"width": 1100, "height": 900})
    pages = {
        "directory": reverse("cooperatives:list"),
        "colleagues": reverse("accounts:list"),
        "upcoming": reverse("groups:upcoming"),
        "series": world.series.get_absolute_url(),
        "overview": "/admin/overview/",
    }
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for name, url in pages.items():
            page.goto(base_url + url)
            page.screenshot(path=f"/tmp/pic/{name}-{scheme}.png", full_page=True)
    browser_sign_in(page, base_url, world.member)
    page.goto(base_url + reverse("groups:credit"))
    page.screenshot(path="/tmp/pic/credit-light.png", full_page=True)
