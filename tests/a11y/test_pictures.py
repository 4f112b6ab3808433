"""Every page with a picture (issue 18), filled with the known data set of tests/pictures.py:
axe-core in the light and the dark colour scheme, the strict CSP as the browser enforces it
(no violation, and the pictures really are coloured by the static stylesheet), and the Nu HTML
Checker."""

import json
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from tests.a11y.test_html_validity import VNU
from tests.pictures import build_pictures_world
from tests.security.site_map import browser_sign_in


def picture_pages(world) -> dict[str, list[str]]:
    """{who: the pages with a picture they see}."""
    everywhere = [
        reverse("cooperatives:list"),
        reverse("cooperatives:list") + "?state=MI",
        reverse("accounts:list"),
        reverse("groups:upcoming"),
        reverse("groups:upcoming") + "?state=MI",
    ]
    return {
        "visitor": everywhere,
        "organizer": [
            *everywhere,
            reverse("accounts:list") + "?country=US&state=MI",
            world.series.get_absolute_url(),
            reverse("admin:overview"),
        ],
        "member": [reverse("groups:credit")],
    }


def sign_in_as(page, base_url, world, who: str) -> None:
    page.context.clear_cookies()
    if who != "visitor":
        browser_sign_in(page, base_url, getattr(world, who))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_with_pictures_have_no_serious_accessibility_violation(page, base_url, axe):
    world = build_pictures_world()
    found = {}
    for who, paths in picture_pages(world).items():
        sign_in_as(page, base_url, world, who)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for path in paths:
                assert page.goto(base_url + path).status == 200, path
                assert page.locator("svg.chart").count() >= 1, path
                if violations := axe(page):
                    found[f"{who} {scheme} {path}"] = violations
    assert found == {}


CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pictures_keep_to_the_strict_csp_and_take_their_colours_from_the_stylesheet(
    browser, base_url
):
    world = build_pictures_world()
    context = browser.new_context()  # the site's CSP enforced: no bypass here
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    violations = {}
    try:
        for who, paths in picture_pages(world).items():
            sign_in_as(page, base_url, world, who)
            for path in paths:
                response = page.goto(base_url + path)
                assert "script-src 'self'" in response.headers["content-security-policy"]
                assert page.locator("[style]").count() == 0, path
                fills = page.eval_on_selector_all(
                    "svg.chart rect, svg.chart polyline",
                    "shapes => shapes.map(s => getComputedStyle(s).fill + '|' + "
                    "getComputedStyle(s).stroke)",
                )
                # unstyled SVG paints black with no outline: each shape has the class's colour
                assert fills, path
                assert "rgb(0, 0, 0)|none" not in fills, path
                if caught := page.evaluate("window.__cspViolations"):
                    violations[f"{who} {path}"] = caught
    finally:
        context.close()
    refused = [line for line in console if "Content Security Policy" in line]
    assert violations == {}
    assert refused == []


@pytest.mark.django_db
def test_pages_with_pictures_are_valid_html(tmp_path):
    if not VNU.exists() or not shutil.which("java"):
        pytest.skip("needs Java and `npm install vnu-jar` (see .ci/run)")
    world = build_pictures_world()
    files = {}
    for who, paths in picture_pages(world).items():
        client = Client()
        if who != "visitor":
            client.force_login(getattr(world, who))
            client.get("/")
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert b"<svg" in response.content, path
            name = tmp_path / f"{len(files):03d}.html"
            name.write_bytes(response.content)
            files[str(name)] = f"{who}: {path}"

    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stdout)["messages"]
    errors = sorted({(files[m["url"].removeprefix("file:")], m["message"]) for m in messages})
    assert errors == [], "\n".join(f"{page}: {message}" for page, message in errors)
