import pytest

from config.demo import seed
from stories.models import Comment, HelpfulVote, Story

pytestmark = pytest.mark.django_db


def test_demo_stories_are_believable_and_seeding_twice_adds_nothing():
    first = seed(scale=1, demo_email="demo@example.org", demo_password="demo-pass-123")
    counts = (Story.objects.count(), Comment.objects.count(), HelpfulVote.objects.count())

    again = seed(scale=1, demo_email="demo@example.org", demo_password="demo-pass-123")

    assert (Story.objects.count(), Comment.objects.count(), HelpfulVote.objects.count()) == counts
    assert first == again
    assert Story.objects.filter(title__icontains="long lunch").exists()
    assert Story.objects.filter(title__icontains="College Readiness Dialogue").exists()
    assert Story.objects.filter(kind="challenge", solved_answer__isnull=False).exists()
    assert Story.objects.open_challenges().published().exists()
    assert Story.objects.drafts().filter(author__email="demo@example.org").exists()
    for story in Story.objects.all():
        assert story.helpful_count == story.helpful_votes.count()
        assert story.comment_count == story.comments.count()
    assert list(Story.objects.search("listserv"))


def test_a_larger_scale_adds_distinct_stories():
    seed(scale=1, demo_email="demo@example.org", demo_password="demo-pass-123")
    small = Story.objects.count()

    seed(scale=3, demo_email="demo@example.org", demo_password="demo-pass-123")

    assert Story.objects.count() == small + 24
    assert Story.objects.values("title").distinct().count() == Story.objects.count()
