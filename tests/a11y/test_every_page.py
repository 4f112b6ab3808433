"""Every page a member and an organizer can reach — built from the URL walker's site map and
its demo-like data, not a hand-picked list — passes axe-core (WCAG 2.2 AA + best practice) with
no serious or critical violation, in the light and the dark colour scheme.

The pages are checked in groups, each a test of its own, so that `make test`'s workers share
the walk (the organizer's walk of every page alone took close to 4 minutes under coverage);
together the groups check every reachable page once."""

import pytest

from tests.security.site_map import ROUTES, browser_sign_in, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_GROUPS = 2


def reachable_pages(world, user) -> list[str]:
    """Addresses of every GET-able HTML page `user` may open (the rest answer 403/404/405), in
    the order of the routes leading to them: the same order in every test, whatever the ids."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get("/")
    pages = []
    for name in sorted(ROUTES):
        url = world.url(name)
        response = client.get(url, follow=True)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(
                response.request["PATH_INFO"]
                + (
                    "?" + response.request["QUERY_STRING"]
                    if response.request["QUERY_STRING"]
                    else ""
                )
            )
    return list(dict.fromkeys(pages))


@pytest.mark.parametrize(
    "group", range(PAGE_GROUPS), ids=[f"pages {n + 1} of {PAGE_GROUPS}" for n in range(PAGE_GROUPS)]
)
@pytest.mark.parametrize("who", ["member", "organizer"])
def test_every_reachable_page_has_no_serious_accessibility_violation(
    page, base_url, axe, who, group
):
    world = build_world()
    user = world.owner if who == "organizer" else world.other
    pages = reachable_pages(world, user)
    assert len(pages) >= (30 if who == "organizer" else 20), pages
    browser_sign_in(page, base_url, user)

    found = {}
    for path in pages[group::PAGE_GROUPS]:
        page.emulate_media(color_scheme="light")
        response = page.goto(base_url + path)
        assert response.status == 200, path
        for scheme in ("light", "dark"):
            # the open page takes the new scheme at once (the site's CSS has no transitions)
            page.emulate_media(color_scheme=scheme)
            violations = axe(page)
            if violations:
                found[f"{scheme} {path}"] = violations
    assert found == {}
