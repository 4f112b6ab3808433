"""Playwright in Chromium against pytest-django's live server (see ../shared recipe in README)."""

import os
import shutil
from pathlib import Path

import axe_playwright_python
import pytest

# Playwright's sync API keeps an event loop in the test thread; Django's ORM calls made by the
# test itself (setting up data) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # keep the browser on loopback
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    extra = {"executable_path": CHROMIUM} if CHROMIUM else {}
    return {**browser_type_launch_args, **extra, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe is injected as a script; the site's CSP would (rightly) refuse it
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


def serious_accessibility_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):  # once per loaded page
        page.add_script_tag(path=str(AXE_JS))
    # only the violations are read: their details alone spare axe a third of its work
    result = page.evaluate(
        "tags => axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def axe():
    return serious_accessibility_violations
