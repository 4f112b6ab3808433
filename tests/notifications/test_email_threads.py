"""Emails about one story (or one meetup date) thread in every mail client, and carry a reply
address only their recipient can use — checked by parsing the sent bytes with Python's `email`
package, as a mail client would."""

import email
import email.policy
from datetime import timedelta

import pytest
from django.core import mail

from groups import services as group_services
from groups.models import Membership
from notifications import email_threads
from notifications.email_threads import (
    MailThread,
    reply_address,
    reply_token,
    reply_token_in,
    reply_token_read,
)
from notifications.services import follow_toggle
from stories import services as story_services
from stories.models import AskRequest
from stories.tasks import colleague_ask_notify, comment_notify
from tests.factories import MeetupFactory, MembershipFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def parsed(message) -> email.message.EmailMessage:
    """What a mail client reads: the bytes on the wire, parsed with the modern policy."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def normalized_subject(subject: str) -> str:
    while subject.lower().startswith(("re:", "fwd:")):
        subject = subject.split(":", 1)[1].strip()
    return subject


@pytest.fixture
def discussion(task_queue):
    """A challenge's whole life in email: announced to a follower, commented on, answered,
    and a colleague asked; returns the story and the parsed emails, in order."""
    author = UserFactory(display_name="Alex Author")
    follower = UserFactory(display_name="Fran Follower")
    helper = UserFactory(display_name="Hana Helper")
    follow_toggle(member=follower, target=author)
    story = StoryFactory(
        author=author, status="draft", kind="challenge", title="Reaching home-schooled teens"
    )
    story_services.story_publish(story=story, by=author)
    comment = story_services.comment_create(story=story, author=helper, body="Try the co-ops.")
    story_services.answer_mark(comment=comment, by=author)
    ask = AskRequest.objects.create(story=story, asked_by=author, recipient=follower)
    colleague_ask_notify.defer(ask_id=ask.pk)
    task_queue.run_all()
    people = {member.email: member for member in (author, follower, helper)}
    return story, [parsed(m) for m in mail.outbox], people


def test_every_email_about_a_story_shares_its_thread(discussion, settings):
    story, messages, _ = discussion
    # announced, comment (to the author), answer marked (to the helper), ask (to the follower)
    assert len(messages) == 4
    root = f"<story-{story.pk}@{settings.REPLY_DOMAIN}>"

    announcement, *others = messages
    assert announcement["Message-ID"] == root
    assert announcement["In-Reply-To"] is None
    for message in others:
        assert message["In-Reply-To"] == root
        assert message["References"] == root
    ids = [m["Message-ID"] for m in messages]
    assert len(set(ids)) == 4, "each email is a message of its own"
    assert {normalized_subject(m["Subject"]) for m in messages} == {
        "[Librarian Commons] Reaching home-schooled teens"
    }


def test_message_ids_are_stable_when_a_job_is_sent_again(discussion, task_queue):
    story, messages, _ = discussion
    comment_email = next(m for m in messages if "comment-" in m["Message-ID"])
    mail.outbox.clear()

    comment_notify(comment_id=story.comments.get().pk)
    task_queue.run_all()

    assert parsed(mail.outbox[0])["Message-ID"] == comment_email["Message-ID"]


def test_what_happened_leads_the_body_under_the_thread_subject(discussion):
    _, messages, _ = discussion
    comment_email = next(m for m in messages if "comment-" in m["Message-ID"])
    text = comment_email.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("New comment on “Reaching home-schooled teens”")


def test_replies_go_to_an_address_for_that_member_and_story(discussion, settings):
    story, messages, people = discussion
    for message in messages:
        [address] = message["Reply-To"].addresses
        assert address.domain == settings.REPLY_DOMAIN
        assert len(address.username) <= 64, "RFC 5321 caps an address's local part"
        token = reply_token_read(reply_token_in(address.addr_spec))
        recipient = people[message["To"].addresses[0].addr_spec]
        assert (token.kind, token.pk, token.member_id, token.expired) == (
            "story",
            story.pk,
            recipient.pk,
            False,
        )
    text = messages[1].get_body(preferencelist=("plain",)).get_content()
    assert "Reply to this email to add a comment" in text


def test_without_a_reply_domain_emails_carry_no_reply_address(settings, task_queue):
    settings.REPLY_DOMAIN = ""
    story = StoryFactory()
    story_services.comment_create(story=story, author=UserFactory(), body="Hello")
    task_queue.run_all()

    message = parsed(mail.outbox[0])
    assert message["Reply-To"] is None
    assert "Reply to this email" not in message.get_body(preferencelist=("plain",)).get_content()
    assert message["In-Reply-To"].startswith(f"<story-{story.pk}@")  # still threads


def test_a_meetup_dates_emails_thread_and_only_organizer_messages_take_replies(
    task_queue, settings
):
    organizer = UserFactory()
    meetup = MeetupFactory(capacity=1, group__visibility="public")
    MembershipFactory(group=meetup.group, member=organizer, role=Membership.Role.ORGANIZER)
    first, second = UserFactory(), UserFactory()
    for person in (first, second):
        MembershipFactory(group=meetup.group, member=person)
    occurrence = meetup.occurrences.order_by("start").first()
    group_services.rsvp_set(occurrence=occurrence, member=first, going=True)
    group_services.rsvp_set(occurrence=occurrence, member=second, going=True)  # waiting list
    group_services.rsvp_set(occurrence=occurrence, member=first, going=False)
    group_services.organizer_message_send(
        occurrence=occurrence, by=organizer, audience="going", subject="Parking", body="Back lot."
    )
    task_queue.run_all()

    seat, message = (parsed(m) for m in mail.outbox)
    root = f"<occurrence-{occurrence.pk}@{settings.REPLY_DOMAIN}>"
    assert seat["In-Reply-To"] == message["In-Reply-To"] == root
    # a non-ASCII title ("Librarians’ dinner", by the factory's turn) is folded after the
    # colon, and the parsed value starts with the space a mail client drops
    assert (
        seat["Subject"].strip()
        == message["Subject"].strip()
        == f"[Librarian Commons] {meetup.title}, "
        + (occurrence.local_original_start.strftime("%a %-d %b %Y"))
    )
    assert seat["Reply-To"] is None
    token = reply_token_read(reply_token_in(message["Reply-To"].addresses[0].addr_spec))
    assert (token.kind, token.pk, token.member_id) == ("occurrence", occurrence.pk, second.pk)


def test_moving_a_date_keeps_its_thread_subject():
    meetup = MeetupFactory()
    occurrence = meetup.occurrences.order_by("start").first()
    before = occurrence.mail_thread().title
    occurrence.start += timedelta(days=2)
    occurrence.end += timedelta(days=2)
    assert occurrence.mail_thread().title == before


# --- reply tokens -------------------------------------------------------------------------


def test_a_token_reads_back_whatever_the_case_a_mail_server_gives_it():
    token = reply_token(member_id=7, kind="story", pk=123456)
    for variant in (token, token.upper()):
        read = reply_token_read(variant)
        assert (read.kind, read.pk, read.member_id, read.expired) == ("story", 123456, 7, False)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace(t.split(".")[1], "8", 1),  # another member
        lambda t: "o" + t[1:],  # another kind
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # a changed signature
        lambda t: t.rpartition(".")[0],  # no signature
        lambda t: "",
        lambda t: "s1.1.1.notbase32!",
    ],
)
def test_a_forged_token_reads_as_nothing(tamper):
    token = reply_token(member_id=7, kind="story", pk=42)
    assert reply_token_read(tamper(token)) is None


def test_a_token_signed_with_another_key_is_forged_until_that_key_is_a_fallback(settings):
    token = reply_token(member_id=7, kind="story", pk=42)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-key-entirely-another-key-entirely-0123456789"
    assert reply_token_read(token) is None
    settings.SECRET_KEY_FALLBACKS = [old_key]  # keys rotated: addresses already sent still work
    assert reply_token_read(token).pk == 42


def test_a_token_expires_after_the_configured_days(settings):
    today = email_threads._today()
    settings.REPLY_BY_EMAIL_DAYS = 30
    fresh = reply_token(member_id=1, kind="story", pk=1, issued=today - timedelta(days=30))
    stale = reply_token(member_id=1, kind="story", pk=1, issued=today - timedelta(days=31))
    assert reply_token_read(fresh).expired is False
    assert reply_token_read(stale).expired is True


def test_only_reply_addresses_at_the_reply_domain_carry_a_token(settings):
    settings.REPLY_DOMAIN = "reply.example.org"
    member = UserFactory()
    address = reply_address(member=member, thread=MailThread(kind="story", pk=5, title="T"))
    token = address.split("+", 1)[1].split("@")[0]
    assert reply_token_in(address) == token
    assert reply_token_in(address.upper()) == token.upper()
    assert reply_token_in(f"<{address}>") == token
    assert reply_token_in(address.replace("reply.example.org", "elsewhere.org")) is None
    assert reply_token_in("share@reply.example.org") is None
    assert reply_token_in("reply+@reply.example.org") is None
