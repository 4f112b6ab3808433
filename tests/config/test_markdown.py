import pytest

from kit.markdown import render_markdown
from tests.xss import XSS_PAYLOADS, inert_problems


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payloads_render_inert(payload):
    assert inert_problems(f"<div>{render_markdown(payload)}</div>") == []


def test_the_checker_catches_live_payloads():
    # the check must be able to fail
    assert inert_problems('<img src=x onerror="alert(1)">') == ["onerror attribute on <img>"]
    assert inert_problems('<a href="javascript:alert(1)">x</a>')
    assert inert_problems("<script>alert(1)</script>")


def test_markdown_features_survive():
    html = render_markdown("# Plan\n\n**bold** and [a link](https://example.org)\n\n- one\n- two")

    assert "<h2>Plan</h2>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">a link</a>' in html
    assert "<li>one</li>" in html


def test_headings_never_skip_a_level_below_the_sections_h2():
    html = render_markdown("### Tip\n\ntext\n\n##### Detail\n\n# Next part\n\n#### Deep again")

    # under the page's h2: h4 → h3, h6 → h4 (one below h3), h2 stays, h5 → h3
    assert "<h3>Tip</h3>" in html
    assert "<h4>Detail</h4>" in html
    assert "<h2>Next part</h2>" in html
    assert "<h3>Deep again</h3>" in html


def test_empty_text_renders_nothing():
    assert render_markdown(None) == ""
