"""The weekly digest: once per member per ISO week, skipped when there is nothing to say,
respecting the opt-out, in a few queries per member."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from home.tasks import weekly_digest
from notifications.kinds import NotificationKind
from notifications.models import DigestSent, Notification
from notifications.services import email_preference_set
from tests.factories import GroupFactory, MeetupFactory, StoryFactory, UserFactory, profile_for

pytestmark = pytest.mark.django_db


def run(task_queue, when=None) -> int:
    when = when or timezone.now()
    sent = weekly_digest(timestamp=int(when.timestamp()))
    task_queue.run_all()
    return sent


def reader(**fields):
    user = UserFactory()
    profile_for(user, library_type="middle_school", state="MI", **fields)
    return user


def test_digest_is_sent_once_per_week(task_queue):
    me = reader(want_to_learn=["makerspace"], can_help_with=["weeding"])
    neighbour = reader()
    story = StoryFactory(author=neighbour, title="Makerspace on a budget")
    challenge = StoryFactory(kind="challenge", title="Weeding without tears", tags=["weeding"])
    MeetupFactory(group=GroupFactory(state="MI"), title="Thumb lunch")

    assert run(task_queue) >= 1
    mine = [message for message in mail.outbox if message.to == [me.email]]
    assert len(mine) == 1
    body = mine[0].body
    assert story.title in body
    assert challenge.title in body
    assert "Thumb lunch" in body
    html = mine[0].alternatives[0][0]
    assert "Makerspace on a budget" in html
    assert mine[0].extra_headers["List-Unsubscribe"].startswith("<http")
    assert DigestSent.objects.filter(member=me).count() == 1
    # the digest is an email only
    assert not Notification.objects.filter(recipient=me, kind=NotificationKind.WEEKLY_DIGEST)

    outbox = len(mail.outbox)
    assert run(task_queue) == 0  # the same week again: nothing more
    assert len(mail.outbox) == outbox
    assert DigestSent.objects.filter(member=me).count() == 1


def test_next_week_brings_a_new_digest(task_queue):
    me = reader()
    monday = datetime(2026, 11, 23, 7, tzinfo=UTC)
    story = StoryFactory(author=reader())
    story.published_at = monday - timedelta(days=1)
    story.save(update_fields=["published_at"])
    assert run(task_queue, monday) >= 1
    later = StoryFactory(author=reader())
    later.published_at = monday + timedelta(days=6)
    later.save(update_fields=["published_at"])

    assert run(task_queue, monday + timedelta(days=7)) >= 1

    assert sorted(DigestSent.objects.filter(member=me).values_list("week", flat=True)) == [
        "2026-W48",
        "2026-W49",
    ]


def test_nothing_to_say_sends_nothing(task_queue):
    me = reader()
    far = UserFactory()
    profile_for(far, library_type="academic", state="CA")
    StoryFactory(author=far, library_types=["academic"])  # not in my areas
    StoryFactory(author=me)  # my own
    StoryFactory(author=reader(), hidden_at=timezone.now())  # hidden by a moderator

    run(task_queue)

    assert not [message for message in mail.outbox if message.to == [me.email]]
    assert not DigestSent.objects.filter(member=me).exists()


def test_opted_out_members_get_no_digest(task_queue):
    me = reader()
    email_preference_set(member=me, kind=NotificationKind.WEEKLY_DIGEST, enabled=False)
    StoryFactory(author=reader())

    run(task_queue)

    assert not [message for message in mail.outbox if message.to == [me.email]]
    assert not DigestSent.objects.filter(member=me).exists()


def _digest_queries() -> int:
    DigestSent.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        weekly_digest(timestamp=int(timezone.now().timestamp()))
    return len(captured)


def test_digest_costs_a_few_queries_per_member_whatever_the_content():
    for _ in range(2):
        reader(want_to_learn=["makerspace"])
    StoryFactory(author=reader(), tags=["makerspace"])
    before = _digest_queries()

    for _ in range(3):
        reader(want_to_learn=["makerspace"])
    for _ in range(6):  # more content does not cost more queries
        StoryFactory(author=reader(), tags=["makerspace"])
        MeetupFactory(group=GroupFactory(state="MI"))
    after = _digest_queries()

    # 3 more readers (and 6 authors with something to read too): a few queries each
    assert after - before <= 9 * 8


def test_the_digests_own_unsubscribe_link_works_signed_out_and_stops_next_weeks(client, task_queue):
    me = reader()
    StoryFactory(author=reader())
    monday = timezone.now()
    run(task_queue, monday)
    (message,) = [message for message in mail.outbox if message.to == [me.email]]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body

    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 200  # nobody signed in
    # a link edited to another kind is refused
    assert client.post("/" + path.rstrip("/") + "x/").status_code == 404

    me.profile.refresh_from_db()
    assert not me.profile.wants_email(NotificationKind.WEEKLY_DIGEST)
    assert me.profile.wants_email(NotificationKind.FOLLOWED_CONTENT)
    StoryFactory(author=reader())
    mail.outbox.clear()
    run(task_queue, monday + timedelta(days=7))
    assert not [message for message in mail.outbox if message.to == [me.email]]
