"""Mailing-list mode: off by default; on, every new story and comment in what a member follows
arrives as it happens, as a list email a mail client recognises, up to the member's daily cap,
and can be answered by replying."""

import email
import email.policy
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from mailin.services import inbound_mail_receive
from notifications.kinds import NotificationKind
from notifications.mailing_list import mailing_list_mode_set
from notifications.models import Follow, MailingListDay, MailingListMode, Notification
from notifications.services import follow_toggle
from stories.models import Comment
from stories.services import comment_create, story_publish
from tests.factories import GroupFactory, MeetupFactory, StoryFactory, UserFactory
from tests.mailin.conftest import an_email

pytestmark = pytest.mark.django_db


def parsed_to(member) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(m.message().as_bytes(), policy=email.policy.default)
        for m in mail.outbox
        if m.to == [member.email]
    ]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def world():
    author, reader, commenter = UserFactory(), UserFactory(), UserFactory()
    StoryFactory(tags=["summer reading"])  # the tag exists
    follow_toggle(member=reader, target=Tag.objects.get(name="summer reading"))
    story = StoryFactory(
        author=author, status="draft", title="Summer reading bingo", tags=["summer reading"]
    )
    return {"author": author, "reader": reader, "commenter": commenter, "story": story}


def publish_and_discuss(world, task_queue, comments=1):
    story_publish(story=world["story"], by=world["author"])
    for n in range(comments):
        comment_create(story=world["story"], author=world["commenter"], body=f"Comment {n}")
    task_queue.run_all()


def test_off_by_default_a_follower_hears_of_new_stories_but_not_every_comment(world, task_queue):
    publish_and_discuss(world, task_queue)

    [announcement] = parsed_to(world["reader"])
    assert announcement["List-Id"] is None
    assert "New story:" in text_of(announcement)


def test_on_every_story_and_comment_arrives_as_a_list_email(world, task_queue, settings):
    reader = world["reader"]
    mailing_list_mode_set(member=reader, enabled=True, daily_cap=20)
    publish_and_discuss(world, task_queue, comments=2)

    story_email, *comment_emails = parsed_to(reader)
    assert len(comment_emails) == 2
    assert "Summer reading bingo" in text_of(story_email)
    assert "Comment 1" in text_of(comment_emails[1])
    root = f"<story-{world['story'].pk}@{settings.REPLY_DOMAIN}>"
    assert story_email["Message-ID"] == root
    for message in (story_email, *comment_emails):
        assert message["List-Id"] == f"Librarian Commons stories <stories.{settings.REPLY_DOMAIN}>"
        assert message["Precedence"] == "list"
        [reply_to] = message["Reply-To"].addresses
        # folded after the colon once the ids grow long; a mail client drops the whitespace
        assert message["List-Post"].strip() == f"<mailto:{reply_to.addr_spec}>"
        assert message["List-Unsubscribe"].strip().startswith("<http")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/notifications/mailing-list/stop/" in message["List-Unsubscribe"]
        assert message["Subject"] == "[Librarian Commons] Summer reading bingo"
    for message in comment_emails:
        assert message["In-Reply-To"] == root
    # the in-app notice of the new story stays; its separate email does not come as well
    assert Notification.objects.filter(
        recipient=reader, kind=NotificationKind.FOLLOWED_CONTENT
    ).exists()


def test_neither_the_commenter_nor_the_author_gets_a_list_copy(world, task_queue):
    for member in (world["author"], world["commenter"]):
        mailing_list_mode_set(member=member, enabled=True, daily_cap=20)
        Follow.objects.create(follower=member, target=Tag.objects.get(name="summer reading"))
    publish_and_discuss(world, task_queue)

    # the commenter gets the new story, never their own comment back
    [story_copy] = parsed_to(world["commenter"])
    assert "Comment 0" not in text_of(story_copy)
    # the author gets the usual comment email, once, and no list copy of their own story
    [comment_email] = parsed_to(world["author"])
    assert comment_email["List-Id"] is None
    assert "Comment 0" in text_of(comment_email)


def test_followers_of_a_person_or_of_a_group_get_them_too(task_queue):
    author, commenter, fan, group_fan = (UserFactory() for _ in range(4))
    meetup = MeetupFactory(group=GroupFactory())
    story = StoryFactory(author=author, status="draft")
    story.discussed_at = meetup.occurrences.first()
    story.save()
    follow_toggle(member=fan, target=commenter)  # follows the person who comments
    follow_toggle(member=group_fan, target=meetup.group)
    for member in (fan, group_fan):
        mailing_list_mode_set(member=member, enabled=True, daily_cap=5)

    story_publish(story=story, by=author)
    comment_create(story=story, author=commenter, body="From the meetup")
    task_queue.run_all()

    assert [text_of(m).startswith("New story") for m in parsed_to(group_fan)] == [True, False]
    [comment_email] = parsed_to(fan)
    assert "From the meetup" in text_of(comment_email)


def test_the_daily_cap_stops_the_day_and_says_so(world, task_queue):
    reader = world["reader"]
    mailing_list_mode_set(member=reader, enabled=True, daily_cap=5)
    publish_and_discuss(world, task_queue, comments=7)

    received = parsed_to(reader)
    assert len(received) == 5
    assert "That is 5 today, your limit" in text_of(received[-1])
    assert "your limit" not in text_of(received[-2])

    # a new day, a new allowance
    MailingListDay.objects.update(day=timezone.now().date() - timedelta(days=1))
    comment_create(story=world["story"], author=world["commenter"], body="Next day")
    task_queue.run_all()
    assert "Next day" in text_of(parsed_to(reader)[-1])


def test_replying_to_a_list_email_posts_a_comment(world, task_queue):
    reader = world["reader"]
    mailing_list_mode_set(member=reader, enabled=True, daily_cap=20)
    publish_and_discuss(world, task_queue)
    list_post = parsed_to(reader)[-1]["List-Post"].strip().strip("<>").removeprefix("mailto:")

    inbound_mail_receive(
        raw=an_email(to=list_post, sender=reader.email, text="Same here!"),
        envelope_recipient=list_post,
        envelope_sender=reader.email,
        source="smtp",
    )
    task_queue.run_all()
    assert Comment.objects.filter(author=reader, body="Same here!").exists()


# --- the setting ----------------------------------------------------------------------------


def test_a_member_switches_it_on_with_a_cap_and_off_again(member_client, member):
    url = reverse("notifications:mailing_list")
    page = member_client.get(url).content.decode()
    assert "Email me every new story and comment" in page

    response = member_client.post(url, {"enabled": "on", "daily_cap": "10"})
    assert response.status_code == 302
    assert MailingListMode.objects.get(member=member).daily_cap == 10

    member_client.post(url, {"daily_cap": "10"})
    assert not MailingListMode.objects.filter(member=member).exists()


def test_a_cap_not_offered_changes_nothing(member_client, member):
    response = member_client.post(
        reverse("notifications:mailing_list"), {"enabled": "on", "daily_cap": "100000"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not MailingListMode.objects.exists()


def test_the_setting_is_for_members_only(client):
    response = client.get(reverse("notifications:mailing_list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_one_click_unsubscribe_switches_it_off(world, task_queue, client):
    reader = world["reader"]
    mailing_list_mode_set(member=reader, enabled=True, daily_cap=20)
    publish_and_discuss(world, task_queue)
    stop_url = parsed_to(reader)[0]["List-Unsubscribe"].strip().strip("<>")

    assert client.get(stop_url).status_code == 200
    assert MailingListMode.objects.filter(member=reader).exists(), "a GET changes nothing"
    assert client.post(stop_url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not MailingListMode.objects.filter(member=reader).exists()


def test_a_forged_stop_link_changes_nothing(world, client):
    mailing_list_mode_set(member=world["reader"], enabled=True, daily_cap=20)
    url = reverse("notifications:list_stop", args=["not-a-token"])
    assert client.post(url).status_code == 404
    assert MailingListMode.objects.count() == 1
