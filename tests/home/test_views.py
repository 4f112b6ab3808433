import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.services import rsvp_set
from notifications.models import Follow
from tests.factories import (
    GroupFactory,
    MeetupFactory,
    MembershipFactory,
    OrganisationFactory,
    StoryFactory,
    UserFactory,
    profile_for,
)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    client.get("/")  # the first request records onboarding in the session
    return client


def community(size: int, *, me):
    """`size` of everything the dashboard looks at, all of it matching `me` somehow."""
    for n in range(size):
        author = UserFactory()
        profile_for(author, library_type="public", state=me.profile.state)
        StoryFactory(author=author, tags=["makerspace", f"topic-{n}"])
        StoryFactory(author=author, kind="challenge", tags=["weeding"])
        group = GroupFactory(organizer=author)
        MembershipFactory(group=group, member=me)
        occurrence = MeetupFactory(group=group).occurrences.first()
        rsvp_set(occurrence=occurrence, member=me, going=True)
        Follow.objects.create(follower=me, target=group)
        Follow.objects.create(follower=me, target=author)
        OrganisationFactory()


def test_anonymous_home_pitches_and_shows_public_things(client, django_assert_max_num_queries):
    story = StoryFactory(title="Our seed library grew")
    StoryFactory(title="A secret draft", status="draft")
    meetup = MeetupFactory(title="Lunch with neighbours")
    hidden_meetup = MeetupFactory(
        title="Members-only supper", group=GroupFactory(visibility="members")
    )

    with django_assert_max_num_queries(10):
        response = client.get(reverse("home"))

    page = response.content.decode()
    assert "Librarians, working together" in page
    assert "Join Librarian Commons" in page
    assert story.title in page
    assert "A secret draft" not in page
    assert meetup.title in page
    assert hidden_meetup.title not in page
    assert reverse("cooperatives:list") in page


def test_anonymous_home_queries_stay_flat(client, django_assert_max_num_queries):
    for _ in range(8):
        StoryFactory()
        MeetupFactory()
        OrganisationFactory()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == 200


def test_dashboard_empty_states(client, member):
    page = signed_in(client, member).get(reverse("home")).content.decode()

    assert "Welcome back" in page
    assert "Write a story" in page  # the nudge: no story yet
    assert "You are not going to any meetups yet" in page
    assert "You have not joined a group yet" in page
    assert "No new stories match your profile yet" in page
    assert "No open challenges match what you can help with" in page
    assert "Nothing new from what you follow" in page


def test_dashboard_shows_what_matches_the_member(client):
    me = UserFactory()
    profile_for(me, library_type="middle_school", state="MI")
    me.profile.want_to_learn.set(["graphic novels"])
    me.profile.can_help_with.set(["weeding"])
    neighbour = UserFactory()
    profile_for(neighbour, library_type="public", state="MI")
    far = UserFactory()
    profile_for(far, library_type="academic", state="CA")

    learn = StoryFactory(
        author=far, title="Graphic novels for reluctant readers", tags=["graphic novels"]
    )
    region = StoryFactory(author=neighbour, title="Michigan summer reading", library_types=[])
    unrelated = StoryFactory(author=far, title="Academic citation workshops", tags=["citation"])
    challenge = StoryFactory(
        author=far, kind="challenge", title="How do we weed fairly?", tags=["weeding"]
    )
    old = StoryFactory(author=neighbour, title="An old story")
    old.published_at = timezone.now() - dt.timedelta(days=400)
    old.save(update_fields=["published_at"])
    mine = StoryFactory(author=me, title="My own story")

    followed_author = UserFactory()
    profile_for(followed_author, library_type="academic", state="CA")
    Follow.objects.create(follower=me, target=followed_author)
    followed_story = StoryFactory(author=followed_author, title="Followed colleague writes")

    group = GroupFactory(name="Thumb librarians", organizer=neighbour)
    MembershipFactory(group=group, member=me)
    going = MeetupFactory(group=group, title="Thumb lunch").occurrences.first()
    rsvp_set(occurrence=going, member=me, going=True)
    followed_group = GroupFactory(name="Followed circle")
    Follow.objects.create(follower=me, target=followed_group)
    MeetupFactory(group=followed_group, title="Followed circle dinner")

    page = signed_in(client, me).get(reverse("home")).content.decode()

    for shown in [
        learn.title,
        region.title,
        challenge.title,
        followed_story.title,
        "Thumb lunch",
        "You’re going",
        "Thumb librarians",
        "Followed circle dinner",
        neighbour.display_name,
    ]:
        assert shown in page, shown
    for hidden in [unrelated.title, old.title, mine.title]:
        assert hidden not in page, hidden
    assert "Write a story" not in page  # has a story: no nudge


def test_dashboard_is_members_only_view_of_hidden_stories(client, member):
    StoryFactory(
        title="Hidden by a moderator",
        hidden_at=timezone.now(),
        library_types=[member.profile.library_type],
    )
    page = signed_in(client, member).get(reverse("home")).content.decode()
    assert "Hidden by a moderator" not in page


@pytest.mark.parametrize("size", [1, 6])
def test_dashboard_queries_are_flat(client, size, django_assert_max_num_queries):
    me = UserFactory()
    me.profile.want_to_learn.set(["makerspace"])
    me.profile.can_help_with.set(["weeding"])
    community(size, me=me)
    signed_in(client, me)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.context["board"].my_meetups
    assert response.context["board"].could_help
