"""New content reaches followers: stories by followed members or with followed tags, and
meetups of followed groups — once per follower, never to the author."""

import pytest
from django.core import mail
from taggit.models import Tag

from notifications.kinds import NotificationKind
from notifications.models import Follow, Notification
from notifications.services import email_preference_set
from stories.services import story_create, story_publish
from tests.factories import GroupFactory, StoryFactory, UserFactory
from tests.groups.conftest import make_details, make_schedule

pytestmark = pytest.mark.django_db


def draft_with_tags(author, *tags):
    story = StoryFactory(author=author, status="draft", tags=list(tags))
    return story


def followed_notices(member):
    return Notification.objects.filter(recipient=member, kind=NotificationKind.FOLLOWED_CONTENT)


def test_publishing_tells_each_follower_once_and_never_the_author(task_queue):
    author, fan, tag_fan, both, stranger = (UserFactory() for _ in range(5))
    StoryFactory(tags=["makerspace", "maker"])  # makes the tags exist
    makerspace, maker = Tag.objects.get(name="makerspace"), Tag.objects.get(name="maker")
    Follow.objects.create(follower=fan, target=author)
    Follow.objects.create(follower=tag_fan, target=makerspace)
    for target in (author, makerspace, maker):
        Follow.objects.create(follower=both, target=target)
    Follow.objects.create(follower=author, target=makerspace)  # the author follows the tag too
    story = draft_with_tags(author, "makerspace", "maker")

    story_publish(story=story, by=author)
    assert followed_notices(fan).count() == 0  # nothing inside the request
    task_queue.run_all()

    for member in (fan, tag_fan, both):
        notices = list(followed_notices(member))
        assert len(notices) == 1, member
        assert notices[0].url == story.get_absolute_url()
        assert story.title in notices[0].text
    assert not followed_notices(author).exists()
    assert not followed_notices(stranger).exists()
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [fan.email, tag_fan.email, both.email]
    )


def test_publishing_twice_does_not_notify_twice(task_queue):
    author, fan = UserFactory(), UserFactory()
    Follow.objects.create(follower=fan, target=author)
    story = draft_with_tags(author)
    story_publish(story=story, by=author)
    story_publish(story=story, by=author)
    task_queue.run_all()
    assert followed_notices(fan).count() == 1


def test_creating_a_published_story_notifies_but_a_draft_does_not(task_queue):
    author, fan = UserFactory(), UserFactory()
    Follow.objects.create(follower=fan, target=author)
    data = {"title": "Seed library", "kind": "success", "summary": "It grew."}

    story_create(author=author, data=data, tags=[], publish=False)
    task_queue.run_all()
    assert followed_notices(fan).count() == 0

    story_create(author=author, data=data, tags=[], publish=True)
    task_queue.run_all()
    assert followed_notices(fan).count() == 1


def test_email_opt_out_keeps_the_in_app_notice(task_queue):
    author, fan = UserFactory(), UserFactory()
    Follow.objects.create(follower=fan, target=author)
    email_preference_set(member=fan, kind=NotificationKind.FOLLOWED_CONTENT, enabled=False)
    story_publish(story=draft_with_tags(author), by=author)
    task_queue.run_all()
    assert followed_notices(fan).count() == 1
    assert mail.outbox == []


def test_a_story_hidden_before_the_job_runs_tells_nobody(task_queue):
    from django.utils import timezone

    author, fan = UserFactory(), UserFactory()
    Follow.objects.create(follower=fan, target=author)
    story = draft_with_tags(author)
    story_publish(story=story, by=author)
    story.hidden_at = timezone.now()
    story.save(update_fields=["hidden_at"])
    task_queue.run_all()
    assert followed_notices(fan).count() == 0


def test_a_new_meetup_tells_the_groups_followers(task_queue):
    from groups.services import meetup_create

    organizer, fan = UserFactory(), UserFactory()
    group = GroupFactory(organizer=organizer, name="Thumb librarians")
    Follow.objects.create(follower=fan, target=group)
    Follow.objects.create(follower=organizer, target=group)

    meetup = meetup_create(
        group=group,
        by=organizer,
        schedule=make_schedule(),
        details=make_details(title="Harvest lunch"),
    )
    task_queue.run_all()

    notice = followed_notices(fan).get()
    assert "Harvest lunch" in notice.text
    assert "Thumb librarians" in notice.text
    assert notice.url == meetup.get_absolute_url()
    assert not followed_notices(organizer).exists()
    assert [message.to for message in mail.outbox] == [[fan.email]]
    assert "Harvest lunch" in mail.outbox[0].body


@pytest.mark.parametrize("change", ["hidden", "deactivated"])
def test_followers_of_a_member_who_hid_hear_nothing_from_that_follow(task_queue, change):
    author, fan, tag_fan = UserFactory(), UserFactory(), UserFactory()
    StoryFactory(tags=["makerspace"])
    Follow.objects.create(follower=fan, target=author)
    Follow.objects.create(follower=tag_fan, target=Tag.objects.get(name="makerspace"))
    story = draft_with_tags(author, "makerspace")
    if change == "hidden":
        author.profile.visibility = "hidden"
        author.profile.save(update_fields=["visibility"])
    story_publish(story=story, by=author)
    if change == "deactivated":
        author.is_active = False
        author.save(update_fields=["is_active"])

    task_queue.run_all()

    assert not followed_notices(fan).exists()
    assert followed_notices(tag_fan).count() == 1  # the topic is still followed
