"""Organizers' messages reach exactly the members they chose, in the background."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from groups import services
from groups.models import RSVP, Attendance, Membership
from notifications.kinds import NotificationKind
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


@pytest.fixture
def world(create_meetup, group, organizer, add_member):
    occurrence = create_meetup(title="Long lunch").occurrences.get()
    going, waiting, not_going, idle = (add_member() for _ in range(4))
    RSVP.objects.create(occurrence=occurrence, member=going, status="going")
    RSVP.objects.create(occurrence=occurrence, member=waiting, status="waitlisted")
    RSVP.objects.create(occurrence=occurrence, member=not_going, status="not_going")
    attended = add_member()
    Attendance.objects.create(
        occurrence=occurrence, member=attended, method="organizer", verification_code="x" * 24
    )
    pending = MembershipFactory(group=group, status=Membership.Status.PENDING).member
    outsider = UserFactory()
    RSVP.objects.create(occurrence=occurrence, member=outsider, status="not_going")
    return {
        "occurrence": occurrence,
        "going": going,
        "members": {organizer, going, waiting, not_going, idle, attended},
        "attended": attended,
        "pending": pending,
        "outsider": outsider,
    }


def _url(occurrence):
    return reverse(
        "groups:message", kwargs={"slug": occurrence.meetup.group.slug, "pk": occurrence.pk}
    )


def _recipients():
    return sorted(address for m in mail.outbox for address in m.to)


@pytest.mark.parametrize(
    ("audience", "expected"),
    [("going", ["going"]), ("attended", ["attended"]), ("members", ["members"])],
)
def test_messages_reach_exactly_the_chosen_members(
    client, world, organizer, task_queue, audience, expected
):
    (key,) = expected
    wanted = world[key] if isinstance(world[key], set) else {world[key]}
    client.force_login(organizer)
    mail.outbox.clear()

    response = client.post(
        _url(world["occurrence"]),
        {"audience": audience, "subject": "Parking", "body": "Use the back lot."},
    )

    assert response.status_code == 302
    assert task_queue.jobs("groups.tasks.organizer_message_notify")
    assert mail.outbox == []  # nothing is sent in the request
    task_queue.run_all()
    assert _recipients() == sorted(u.email for u in wanted)
    message = mail.outbox[0]
    # the date's thread subject (mail clients thread by it); the organizer's subject leads
    assert message.subject == f"[Librarian Commons] {world['occurrence'].mail_thread().title}"
    assert message.body.startswith(f"[{world['occurrence'].meetup.group.name}] Parking")
    assert "Use the back lot." in message.body


def test_members_who_switched_organizer_messages_off_get_none(world, organizer, task_queue):
    going = world["going"]
    going.profile.email_preferences = {NotificationKind.ORGANIZER_MESSAGE: False}
    going.profile.save()
    mail.outbox.clear()
    services.organizer_message_send(
        occurrence=world["occurrence"], by=organizer, audience="going", subject="Hi", body="Hi"
    )
    task_queue.run_all()
    assert mail.outbox == []


def test_an_empty_message_is_refused_and_sends_nothing(client, world, organizer, task_queue):
    client.force_login(organizer)
    response = client.post(_url(world["occurrence"]), {"audience": "members", "subject": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert task_queue.jobs("groups.tasks.organizer_message_notify") == []


def test_members_cannot_message_the_group(client, world, task_queue):
    client.force_login(world["going"])
    response = client.post(
        _url(world["occurrence"]), {"audience": "members", "subject": "Spam", "body": "Spam"}
    )
    assert response.status_code == 403
    assert task_queue.jobs("groups.tasks.organizer_message_notify") == []
