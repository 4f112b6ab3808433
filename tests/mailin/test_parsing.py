"""Real-world replies reduced to exactly what their sender wrote (see real_replies.py)."""

import pytest
from anymail.inbound import AnymailInboundMessage

from mailin.parsing import new_text, reply_only
from stories.models import Comment
from tests.mailin.real_replies import (
    APPLE_MAIL_MAC_WITH_ATTACHMENT,
    GMAIL_HTML_ONLY,
    OUTLOOK_WEB_HTML_ONLY,
    REAL_REPLIES,
)


def parse(raw: str) -> AnymailInboundMessage:
    return AnymailInboundMessage.parse_raw_mime(raw.lstrip("\n"))


@pytest.mark.parametrize("case", REAL_REPLIES, ids=[case.client for case in REAL_REPLIES])
def test_a_real_reply_is_reduced_to_exactly_the_new_text(case):
    assert new_text(parse(case.raw)).text == case.expected


@pytest.mark.parametrize("case", [GMAIL_HTML_ONLY, OUTLOOK_WEB_HTML_ONLY], ids=["gmail", "outlook"])
def test_html_only_replies_are_read_from_their_html(case):
    assert new_text(parse(case.raw)).from_html is True


def test_pasted_images_and_attached_files_are_listed_never_read():
    assert new_text(parse(APPLE_MAIL_MAC_WITH_ATTACHMENT.raw)).ignored_attachments == ["corner.jpg"]


def test_a_reply_that_is_all_quote_is_empty():
    assert reply_only("On Tue, Mar 3, 2026 at 9:14 AM X wrote:\n> a\n> b\n") == ""
    assert reply_only("\n\n> only quoted\n") == ""


@pytest.mark.django_db
@pytest.mark.parametrize("case", REAL_REPLIES[:4], ids=[c.client for c in REAL_REPLIES[:4]])
def test_the_comment_posted_from_a_real_reply_is_exactly_the_new_text(
    case, receive, replier, reply_to
):
    raw = case.raw.lstrip("\n").replace("maria@libraries.example", replier.email, 1)
    raw = raw.replace("reply+s1.1.a.abcdefghijklmnopqrstuvwx@reply.example.org", reply_to, 1)
    receive(raw.encode(), to=reply_to)
    assert Comment.objects.get().body == case.expected
