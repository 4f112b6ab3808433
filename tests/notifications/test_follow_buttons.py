"""Follow buttons on the pages of what can be followed: members, tags, groups, organisations."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from notifications.models import Follow
from tests.factories import GroupFactory, OrganisationFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page_and_target(kind):
    if kind == "member":
        target = UserFactory()
        return reverse("accounts:detail", args=[target.pk]), target
    if kind == "tag":
        StoryFactory(tags=["makerspace"])
        target = Tag.objects.get(name="makerspace")
        return reverse("stories:list") + "?tag=makerspace", target
    if kind == "group":
        target = GroupFactory()
        return target.get_absolute_url(), target
    target = OrganisationFactory()
    return target.get_absolute_url(), target


@pytest.mark.parametrize("kind", ["member", "tag", "group", "organisation"])
def test_page_has_a_follow_button_that_follows_and_unfollows(member_client, member, kind):
    url, target = _page_and_target(kind)
    member_client.get("/")
    action = reverse("notifications:follow", args=[kind, target.pk])

    page = member_client.get(url).content.decode()
    assert f'action="{action}"' in page
    assert 'aria-pressed="false"' in page

    response = member_client.post(action, {"next": url})
    assert response["Location"] == url
    assert Follow.objects.of(member).targeting(target).exists()
    assert 'aria-pressed="true"' in member_client.get(url).content.decode()

    member_client.post(action, {"next": url})
    assert not Follow.objects.of(member).targeting(target).exists()


def test_no_follow_button_on_my_own_profile(member_client, member):
    member_client.get("/")
    page = member_client.get(reverse("accounts:detail", args=[member.pk])).content.decode()
    assert reverse("notifications:follow", args=["member", member.pk]) not in page


def test_visitors_see_no_follow_button(client):
    group = GroupFactory()
    assert "notifications/follow/" not in client.get(group.get_absolute_url()).content.decode()


@pytest.mark.parametrize("kind", ["member", "tag", "group", "organisation"])
def test_button_shows_only_my_own_follows(member_client, member, kind):
    """The follow state is worked out in the page's own query: someone else's follow of the
    same thing, or my follow of another kind of thing with the same key, is not mine."""
    url, target = _page_and_target(kind)
    Follow.objects.create(follower=UserFactory(), target=target)
    other_kind = GroupFactory() if kind != "group" else OrganisationFactory()
    other_kind.pk = target.pk  # the same key, another content type
    Follow.objects.create(
        follower=member, content_type_id=_content_type_id(other_kind), object_id=target.pk
    )
    member_client.get("/")
    page = member_client.get(url).content.decode()
    assert 'aria-pressed="false"' in page
    assert 'aria-pressed="true"' not in page


def _content_type_id(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def test_following_page_asks_nothing_per_button(member_client, member, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("notifications:following")
    # one query per kind of thing followed (the targets' prefetch), whatever their number
    Follow.objects.create(follower=member, target=GroupFactory())
    Follow.objects.create(follower=member, target=OrganisationFactory())
    member_client.get("/")
    with CaptureQueriesContext(connection) as few:
        page = member_client.get(url).content.decode()
    assert page.count('aria-pressed="true"') == 2
    for _ in range(3):
        Follow.objects.create(follower=member, target=GroupFactory())
        Follow.objects.create(follower=member, target=OrganisationFactory())
    with django_assert_num_queries(len(few.captured_queries)):
        page = member_client.get(url).content.decode()
    assert page.count('aria-pressed="true"') == 8
    assert 'aria-pressed="false"' not in page
