"""The axe check every browser test leans on reports what it must: it asks axe for the
violations alone (the passes' details cost a third of the page walk's time and are never read),
so this shows a page with known serious faults still comes back with each of them."""

import pytest

pytestmark = pytest.mark.browser

FAULTY_PAGE = """<!doctype html><html lang="en"><head><title>Faults</title></head><body>
<main><h1>Faults</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb;background:#fff">Grey on white, too faint to read</p>
<label>Name</label><input type="text">
</main></body></html>"""


def test_the_axe_check_reports_serious_faults_on_a_faulty_page(page, axe):
    page.set_content(FAULTY_PAGE)
    found = {violation["id"] for violation in axe(page)}
    assert {"image-alt", "color-contrast", "label"} <= found


def test_the_axe_check_finds_nothing_on_a_sound_page(page, axe):
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Sound</title></head><body>'
        "<main><h1>Sound</h1><p>Black on white.</p>"
        '<label for="name">Name</label><input id="name" type="text"></main></body></html>'
    )
    assert axe(page) == []
