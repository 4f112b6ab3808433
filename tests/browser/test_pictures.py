"""The map as a person uses it: find Michigan on the directory's map, follow it, and land on
Michigan's entries (and the same with the keyboard on the colleagues' map)."""

import re

from playwright.sync_api import expect

from tests.a11y.test_keyboard_only import focus
from tests.pictures import build_pictures_world
from tests.security.site_map import browser_sign_in

MICHIGAN_ENTRIES = {f"Michigan cooperative {n}" for n in range(6)} | {"Great Lakes alliance"}


def test_clicking_michigan_on_the_directory_map_lists_michigans_entries(page, base_url):
    build_pictures_world()
    page.goto(base_url + "/directory/")

    page.get_by_role("link", name="Michigan: 7 directory entries").click()

    expect(page).to_have_url(re.compile(r"/directory/\?state=MI$"))
    expect(page.get_by_role("heading", name="7 matching entries")).to_be_visible()
    assert set(page.locator(".org-card h3 a").all_inner_texts()) == MICHIGAN_ENTRIES
    expect(page.get_by_label("State or territory")).to_have_value("MI")
    # the map stays, Michigan marked as the state shown
    current = page.get_by_role("link", name="Michigan: 7 directory entries")
    expect(current).to_have_attribute("aria-current", "true")


def test_a_keyboard_reaches_a_state_on_the_colleagues_map(page, base_url):
    world = build_pictures_world()
    browser_sign_in(page, base_url, world.organizer)
    page.goto(base_url + "/members/")

    focus(page, r"^Texas: 2 colleagues$", limit=120)  # Tab by Tab, the focus always visible
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/members/\?country=US&state=TX$"))
    expect(page.get_by_role("heading", name="2 colleagues")).to_be_visible()
    names = page.locator(".member-grid h3").all_inner_texts()
    assert sorted(names) == ["Public Texan 0", "Public Texan 1"]
