import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.fixture
def stories():
    author = UserFactory(display_name="Robin Reader")
    return {
        "success": StoryFactory(author=author, title="Reading buddies", tags=["reading programs"]),
        "challenge": StoryFactory(kind="challenge", title="Teens after school", tags=["teens"]),
        "lesson": StoryFactory(
            kind="lesson", title="The app nobody used", tags=["reading programs"]
        ),
        "draft": StoryFactory(status="draft", title="Draft in progress", tags=["reading programs"]),
        "hidden": StoryFactory(
            title="Hidden by moderators", hidden_at=timezone.now(), tags=["reading programs"]
        ),
    }


def test_the_all_stories_feed_has_published_stories_newest_first(client, stories):
    feed = parse(client, reverse("stories:feed"))

    assert [entry.title for entry in feed.entries] == [
        "Lesson learned: The app nobody used",
        "Challenge: Teens after school",
        "Success story: Reading buddies",
    ]
    entry = feed.entries[2]
    assert entry.link == "http://127.0.0.1:8000" + stories["success"].get_absolute_url()
    assert entry.author == "Robin Reader"
    assert entry.summary == stories["success"].summary
    assert [tag.term for tag in entry.tags] == ["reading programs"]
    assert feed.feed.links[0].href == "http://127.0.0.1:8000/stories/"


def test_the_kind_feed_has_only_that_kind(client, stories):
    feed = parse(client, reverse("stories:feed_kind", args=["challenge"]))

    assert [entry.title for entry in feed.entries] == ["Challenge: Teens after school"]
    assert client.get(reverse("stories:feed_kind", args=["nonsense"])).status_code == 404


def test_the_tag_feed_has_only_that_topic_and_never_drafts_or_hidden(client, stories):
    feed = parse(client, reverse("stories:feed_tag", args=["reading-programs"]))

    assert [entry.title for entry in feed.entries] == [
        "Lesson learned: The app nobody used",
        "Success story: Reading buddies",
    ]
    assert "reading programs" in feed.feed.title
    assert client.get(reverse("stories:feed_tag", args=["no-such-tag"])).status_code == 404


def test_feeds_show_plain_text_as_text(client):
    StoryFactory(title="<b>Bold</b> & brave", summary="<script>alert(1)</script> & more")

    feed = parse(client, reverse("stories:feed"))

    assert feed.entries[0].title == "Success story: <b>Bold</b> & brave"
    # feedparser sanitises HTML summaries: the text survives only if it was sent as text
    assert feed.entries[0].summary == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
