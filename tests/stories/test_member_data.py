"""The hooks the accounts app calls for "download my data" and "delete my account"."""

import json

import pytest

from stories import member_data, services
from stories.models import AskRequest, Comment, HelpfulVote, Report, SavedStory, Story
from tests.factories import CommentFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaving():
    """A member with a story, a draft, comments, votes, saves, a report and an ask."""
    member = UserFactory(display_name="Leaving Member")
    own = StoryFactory(author=member, kind="challenge", title="My challenge", tags=["teens"])
    StoryFactory(author=member, status="draft", title="My draft")
    StoryFactory(title="Written together").coauthors.add(member)
    other = StoryFactory(title="Someone else's story")
    services.comment_create(story=other, author=member, body="My comment")
    services.comment_create(story=own, author=UserFactory(), body="A reply to me")
    services.helpful_toggle(story=other, member=member)
    services.save_toggle(story=other, member=member)
    services.report_create(reporter=member, story=StoryFactory(), reason="spam")
    AskRequest.objects.create(story=own, asked_by=member, recipient=UserFactory())
    return member


def test_export_has_everything_and_is_json(leaving):
    data = member_data.export(leaving)

    json.dumps(data)  # plain JSON-able data
    assert sorted(story["title"] for story in data["stories"]) == ["My challenge", "My draft"]
    challenge = next(story for story in data["stories"] if story["title"] == "My challenge")
    assert challenge["tags"] == ["teens"]
    assert challenge["url"].startswith("http")
    assert [story["title"] for story in data["coauthored_stories"]] == ["Written together"]
    assert [comment["body"] for comment in data["comments"]] == ["My comment"]
    assert [vote["story_title"] for vote in data["helpful_votes"]] == ["Someone else's story"]
    assert [save["story_title"] for save in data["saved_stories"]] == ["Someone else's story"]
    assert [report["reason"] for report in data["reports"]] == ["spam"]
    assert len(data["colleagues_asked"]) == 1
    assert "A reply to me" not in json.dumps(data)  # other people's words are theirs


def test_erase_keeping_content_attributes_it_to_a_former_member(client, leaving):
    other = Story.objects.get(title="Someone else's story")

    member_data.erase(leaving, keep_content=True)
    leaving.delete()

    own = Story.objects.get(title="My challenge")
    assert own.author is None
    assert Comment.objects.get(body="My comment").author is None
    assert not HelpfulVote.objects.exists()
    assert not SavedStory.objects.exists()
    assert not Report.objects.exists()
    assert not AskRequest.objects.exists()
    other.refresh_from_db()
    assert other.helpful_count == 0
    assert other.comment_count == 1
    assert not Story.coauthors.through.objects.exists()
    page = client.get(own.get_absolute_url()).content.decode()
    assert "a former member" in page
    assert "Leaving Member" not in page
    assert "Leaving Member" not in client.get(other.get_absolute_url()).content.decode()


def test_erase_without_content_deletes_their_stories_and_comments(leaving):
    other = Story.objects.get(title="Someone else's story")

    member_data.erase(leaving, keep_content=False)
    leaving.delete()

    assert not Story.objects.filter(title__startswith="My ").exists()
    assert Story.objects.filter(title="Written together").exists()  # others' work stays
    assert not Comment.objects.filter(body="My comment").exists()
    other.refresh_from_db()
    assert other.comment_count == 0
    assert other.helpful_count == 0


def test_erase_leaves_other_members_alone(leaving):
    bystander = UserFactory()
    kept = StoryFactory(author=bystander, title="Bystander's story")
    CommentFactory(story=kept, author=bystander, body="Bystander's comment")

    member_data.erase(leaving, keep_content=False)

    assert Story.objects.get(pk=kept.pk).author == bystander
    assert Comment.objects.filter(body="Bystander's comment").exists()
