import re

from playwright.sync_api import expect


def test_home_page_navigation_is_reachable_and_accessible(page, base_url, axe):
    page.goto(base_url + "/")

    expect(page).to_have_title(re.compile("Librarian Commons"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Librarians, working together")
    assert axe(page) == []

    main_nav = page.get_by_role("navigation", name="Main")
    for link_name, heading in [
        ("Stories", "Lessons learned"),
        ("Meetups", "Groups and meetups"),
        ("Directory", "Directory of cooperatives"),
    ]:
        main_nav.get_by_role("link", name=link_name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(main_nav.get_by_role("link", name=link_name)).to_have_attribute(
            "aria-current", "page"
        )
        assert axe(page) == []

    page.get_by_role("link", name="Librarian Commons").first.click()
    expect(page).to_have_url(base_url + "/")


def test_skip_link_moves_focus_to_main_content(page, base_url):
    page.goto(base_url + "/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(base_url + "/#main")


def test_dark_colour_scheme_is_accessible(page, base_url, axe):
    page.emulate_media(color_scheme="dark")
    page.goto(base_url + "/")

    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 24, 29)"
    assert axe(page) == []
