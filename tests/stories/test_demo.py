import pytest
from django.db.models import Count, F

from config.demo import seed
from stories.demo import STORIES_PER_SCALE
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


def test_a_larger_scale_tops_stories_up_in_bulk_as_the_services_would_leave_them():
    seed(scale=1, demo_email="demo@example.org", demo_password="demo-pass-123")

    seed(scale=3, demo_email="demo@example.org", demo_password="demo-pass-123")
    seed(scale=3, demo_email="demo@example.org", demo_password="demo-pass-123")

    assert Story.objects.count() == 3 * STORIES_PER_SCALE
    assert Story.objects.values("title").distinct().count() == Story.objects.count()
    # counters agree with the rows, as the services keep them
    mismatched = Story.objects.annotate(
        comments_n=Count("comments", distinct=True), votes_n=Count("helpful_votes", distinct=True)
    ).exclude(comment_count=F("comments_n"), helpful_count=F("votes_n"))
    assert not mismatched.exists()
    assert Story.objects.filter(comment_count=50).count() == 1
    assert not Story.objects.filter(search_vector__isnull=True).exists()
    assert not Story.objects.filter(tags__isnull=True).exists()
    # a bulk story is found by its tag through full-text search, like one written in the browser
    story = Story.objects.exclude(author__email__endswith="demo@example.org").last()
    tag = story.tags.names()[0]
    assert Story.objects.search(tag).filter(pk=story.pk).exists()
    assert Story.objects.filter(kind="challenge", solved_answer__story=F("pk")).exists()
    assert not Story.objects.exclude(solved_answer=None).exclude(solved_answer__story=F("pk"))
    assert len(set(Story.objects.values_list("state", flat=True))) >= 10
