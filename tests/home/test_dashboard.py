"""The dashboard's story sections are the newest stories meeting each section's condition —
whatever way the query gets there (one branch per condition, flags worked out in Python)."""

import datetime as dt
import random

import pytest
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from taggit.models import Tag

from home import dashboard as front
from home.dashboard import challenges_i_could_help_q, dashboard, stories_matching_q
from notifications.models import Follow
from stories.models import Story, TaggedStory
from tests.factories import CommentFactory, StoryFactory, UserFactory, profile_for

pytestmark = pytest.mark.django_db

TOPICS = ["weeding", "makerspace", "graphic novels", "grant writing", "OER", "ESL"]


def _flag(condition):
    return ExpressionWrapper(condition, output_field=BooleanField())


def reference_sections(user, pool_size):
    """The sections as one OR over every condition would choose them (the definition)."""
    profile = user.profile
    follows = Follow.objects.of(user).visible_to(user)
    followed_tags = follows.ids_of(Tag)
    recent = Q(published_at__gte=timezone.now() - dt.timedelta(days=front.NEW_STORY_DAYS))
    matches_me = stories_matching_q(profile)
    followed = Q(author__in=follows.ids_of(get_user_model())) | Q(
        Exists(
            TaggedStory.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=followed_tags)
        )
    )
    helpable = challenges_i_could_help_q(profile)
    stories = (
        Story.objects.visible_to(user)
        .published()
        .exclude(author=user)
        .filter((recent & (matches_me | followed)) | helpable)
        .annotate(
            is_for_me=_flag(recent & matches_me),
            is_followed=_flag(recent & followed),
            is_helpable=_flag(helpable),
        )
        .sorted_by("newest")[:pool_size]
    )
    sections = {"followed": [], "help": [], "for_me": []}
    for story in stories:
        for flag, name in (
            (story.is_followed, "followed"),
            (story.is_helpable, "help"),
            (story.is_for_me, "for_me"),
        ):
            if flag and len(sections[name]) < front.SECTION_SIZE:
                sections[name].append(story.pk)
    return sections


def community(rng: random.Random):
    """Stories of every kind, age, region and topic mix, some hidden, some drafts."""
    authors = []
    for _ in range(6):
        author = UserFactory()
        profile_for(
            author,
            library_type=rng.choice(["public", "academic", "middle_school", "special"]),
            state=rng.choice(["MI", "mi", "CA", "OH"]),
        )
        authors.append(author)
    authors[0].profile.visibility = "hidden"  # followed, maybe, but not seen any more
    authors[0].profile.save(update_fields=["visibility"])
    now = timezone.now()
    for n in range(60):
        kind = rng.choice(["success", "lesson", "challenge", "challenge"])
        story = StoryFactory(
            author=rng.choice(authors),
            kind=kind,
            tags=rng.sample(TOPICS, rng.randint(0, 3)),
            status="draft" if rng.random() < 0.05 else "published",
        )
        if story.status == "published":
            # never near the 60-day edge: both sides compare with their own "now"
            story.published_at = now - dt.timedelta(days=rng.choice([1, 5, 20, 45, 90, 400]))
            story.published_at -= dt.timedelta(minutes=n)
            if rng.random() < 0.05:
                story.hidden_at = now
            if kind == "challenge" and rng.random() < 0.3:
                story.solved_answer = CommentFactory(story=story)
            story.save()
    return authors


@pytest.mark.parametrize("hashed_help_topics", [0, 99])  # both ways of finding challenges
@pytest.mark.parametrize("pool_size", [3, 8, 40])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sections_are_the_newest_stories_meeting_each_condition(
    monkeypatch, seed, pool_size, hashed_help_topics
):
    rng = random.Random(seed)
    authors = community(rng)
    me = UserFactory()
    profile_for(
        me,
        library_type=rng.choice(["public", "middle_school", "academic"]),
        state=rng.choice(["MI", "CA", ""]),
        want_to_learn=rng.sample(TOPICS, rng.randint(0, 2)),
        can_help_with=rng.sample(TOPICS, rng.randint(0, 3)),
    )
    for topic in rng.sample(TOPICS, rng.randint(0, 4)):
        Follow.objects.create(follower=me, target=Tag.objects.get_or_create(name=topic)[0])
    for author in rng.sample(authors, rng.randint(0, 2)):
        Follow.objects.create(follower=me, target=author)
    StoryFactory(author=me, tags=TOPICS)  # never on my own dashboard
    # a small pool makes the branches' own limits matter; sections as long as the pool
    # compare every story's flags
    monkeypatch.setattr(front, "STORY_POOL", pool_size)
    monkeypatch.setattr(front, "SECTION_SIZE", pool_size)
    monkeypatch.setattr(front, "HASHED_HELP_TOPICS", hashed_help_topics)

    board = dashboard(me)

    expected = reference_sections(me, pool_size)
    assert [s.pk for s in board.followed_stories] == expected["followed"]
    assert [s.pk for s in board.could_help] == expected["help"]
    assert [s.pk for s in board.for_me] == expected["for_me"]


def test_a_member_with_no_interests_gets_no_stories_and_no_story_query(
    django_assert_max_num_queries,
):
    me = UserFactory()
    profile_for(me, library_type="", state="")
    StoryFactory(tags=["weeding"])

    with django_assert_max_num_queries(4):  # profile, meetups, groups (+ nothing for stories)
        board = dashboard(me)

    assert board.for_me == board.could_help == board.followed_stories == []


def test_region_matches_whatever_the_case_and_old_followed_challenges_only_ask_for_help():
    me = UserFactory()
    profile_for(me, library_type="academic", state="MI", can_help_with=["ESL"])
    Follow.objects.create(follower=me, target=Tag.objects.get_or_create(name="ESL")[0])
    far = UserFactory()
    profile_for(far, library_type="special", state="CA")
    region = StoryFactory(author=far, state="mi", library_types=[], title="Upper peninsula")
    old = StoryFactory(author=far, kind="challenge", tags=["ESL"], title="Old ESL question")
    old.published_at = timezone.now() - dt.timedelta(days=200)
    old.save(update_fields=["published_at"])

    board = dashboard(me)

    assert board.for_me == [region]
    assert board.could_help == [old]
    assert board.followed_stories == []


def test_open_challenges_on_a_topic_i_can_help_with_however_old(client):
    me = UserFactory()
    profile_for(me, library_type="academic", state="CA", can_help_with=["ESL"])
    old = StoryFactory(kind="challenge", tags=["ESL"], title="Old ESL question")
    old.published_at = timezone.now() - dt.timedelta(days=900)
    old.save(update_fields=["published_at"])
    solved = StoryFactory(kind="challenge", tags=["ESL"], title="Solved ESL question")
    solved.solved_answer = CommentFactory(story=solved)
    solved.save(update_fields=["solved_answer"])
    StoryFactory(kind="success", tags=["ESL"], title="An ESL success")
    StoryFactory(kind="challenge", tags=["weeding"], title="A weeding question")

    board = dashboard(me)

    assert [story.title for story in board.could_help] == ["Old ESL question"]


def test_a_followed_member_who_hides_drops_out_of_from_what_you_follow():
    me, colleague = UserFactory(), UserFactory()
    profile_for(me, library_type="", state="", want_to_learn=[], can_help_with=[])
    story = StoryFactory(author=colleague, kind="success")
    Follow.objects.create(follower=me, target=colleague)
    assert [s.pk for s in dashboard(me).followed_stories] == [story.pk]

    colleague.profile.visibility = "hidden"
    colleague.profile.save(update_fields=["visibility"])

    assert dashboard(me).followed_stories == []
