"""Every field a member writes, filled with each payload of the corpus, renders inert on every
page that shows it."""

import pytest
from django.urls import reverse

from stories.models import SECTION_FIELDS
from tests.factories import CommentFactory, StoryFactory, UserFactory
from tests.xss import XSS_PAYLOADS, assert_inert, inert_problems

pytestmark = pytest.mark.django_db


def written_everywhere(payload, author):
    story = StoryFactory(
        author=author,
        kind="challenge",
        title=payload[:160],
        summary=payload[:300],
        resources=f"{payload}\n{payload} https://example.org/toolkit\nhttps://example.org/{payload}",
        tags=[payload[:50], "xss corpus"],
        **dict.fromkeys(SECTION_FIELDS, payload),
    )
    comment = CommentFactory(story=story, author=author, body=payload)
    story.solved_answer = comment  # the pinned answer renders the comment a second time
    story.save()
    return story, comment


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_story_and_comment_fields_render_inert(client, payload):
    author = UserFactory(display_name=payload[:150], profile__visibility="public")
    story, comment = written_everywhere(payload, author)
    reader = UserFactory()

    pages = [
        story.get_absolute_url(),
        reverse("stories:list"),
        reverse("stories:list") + "?tag=xss-corpus",
        reverse("stories:list") + "?q=alert",
    ]
    for url in pages:
        assert_inert(client.get(url).content)  # a visitor

    client.force_login(reader)
    for url in pages:
        assert_inert(client.get(url).content)
    assert_inert(client.get(reverse("stories:comment_report", args=[comment.pk])).content)

    client.force_login(author)
    for url in [
        story.get_absolute_url(),
        reverse("stories:mine"),
        reverse("stories:update", args=[story.pk]),
        reverse("stories:comment_update", args=[comment.pk]),
        reverse("stories:comment_delete", args=[comment.pk]),
        reverse("stories:delete", args=[story.pk]),
        reverse("stories:coauthors", args=[story.pk]),
    ]:
        assert_inert(client.get(url).content)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_the_preview_renders_inert(client, payload):
    client.force_login(UserFactory())
    data = {
        "kind": "success",
        "title": payload[:160],
        "summary": payload[:300],
        # a line with a second address would be refused as invalid, rightly
        "resources": f"{payload} https://example.org/" if "://" not in payload else "",
        "tags": "safe",
        "country": "US",
        "action": "preview",
        **dict.fromkeys(SECTION_FIELDS, payload),
    }

    response = client.post(reverse("stories:create"), data)

    assert response.status_code == 200
    assert response.context["preview"] is not None
    assert_inert(response.content)


def test_the_check_would_catch_raw_output():
    # the pages above are checked by something that can fail
    assert inert_problems(f"<p>{XSS_PAYLOADS[0]}</p>")
