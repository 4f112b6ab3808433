"""Stored XSS, in a real browser: every payload of tests/xss.py (and two that would flag
`window.__xss`) goes into every field a member can write; the pages that show those fields are
opened in Chromium *with the CSP bypassed*, so this tests the escaping and the Markdown
sanitiser, not the CSP. No dialog may open, no injected script may run, and the HTML the
browser ends up with must be inert."""

import pytest

from tests.factories import (
    CommentFactory,
    GroupFactory,
    MeetupFactory,
    OrganisationFactory,
    StoryFactory,
    SuggestionFactory,
    UserFactory,
)
from tests.security.site_map import browser_sign_in
from tests.xss import XSS_PAYLOADS, assert_inert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FLAGGING_PAYLOADS = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss=1">',
    '[go](javascript:window.__xss=1) <a href="javascript:window.__xss=1">go</a>',
]


def _pages_showing(payload: str) -> tuple[object, list[str]]:
    """Put `payload` in every user-text field; return the author and the pages showing them."""
    author = UserFactory(
        display_name=payload[:150],
        profile__bio=payload,
        profile__library_name=payload[:200],
        profile__visibility="members",
    )
    story = StoryFactory(
        author=author,
        title=payload[:200],
        summary=payload[:300],
        situation=payload,
        what_we_did=payload,
        results=payload,
        do_differently=payload,
        resources=payload,
    )
    story.tags.add(payload[:100])
    CommentFactory(story=story, author=author, body=payload)
    group = GroupFactory(name=payload[:120] + " group", description=payload, organizer=author)
    meetup = MeetupFactory(
        group=group, title=payload[:200], description=payload, venue_name=payload[:200]
    )
    occurrence = meetup.occurrences.first()
    organisation = OrganisationFactory()
    SuggestionFactory(organisation=organisation, note=payload, submitted_by=author)
    return author, [
        "/",
        "/stories/",
        story.get_absolute_url(),
        "/members/",
        author.get_absolute_url(),
        "/groups/",
        group.get_absolute_url(),
        meetup.get_absolute_url(),
        occurrence.get_absolute_url(),
        "/directory/suggestions/",
        "/stories/mine/",
        "/groups/mine/",
    ]


@pytest.mark.parametrize("payload", XSS_PAYLOADS + FLAGGING_PAYLOADS)
def test_no_payload_runs_in_the_browser(page, base_url, payload):
    author, paths = _pages_showing(payload)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    browser_sign_in(page, base_url, author)

    for path in paths:
        response = page.goto(base_url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        # hovering and focusing are how the attribute payloads would fire
        page.mouse.move(200, 300)
        assert dialogs == [], (path, dialogs)
        assert page.evaluate("() => window.__xss") is None, path
        assert_inert(page.content())
        if path == paths[2]:  # the story page shows the title as text, escaped, not dropped
            assert payload[:200].strip() in page.inner_text("main"), path


def test_the_detectors_catch_a_payload_that_runs(page):
    """Control: the same checks do fire on unescaped payloads."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(FLAGGING_PAYLOADS[1] + "<img src=y onerror=\"alert('xss')\">")
    page.wait_for_function("() => window.__xss === 1")
    assert dialogs == ["xss"]
    with pytest.raises(AssertionError):
        assert_inert(page.content())
