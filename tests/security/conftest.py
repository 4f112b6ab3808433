import pytest

from tests.browser.conftest import (  # noqa: F401  (Playwright set-up shared with tests/browser)
    axe,
    base_url,
    browser_context_args,
    browser_type_launch_args,
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # browser tests outside tests/browser/ (marked `browser`) run last too
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
