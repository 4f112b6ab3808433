"""Telling people about what happened in their groups: jobs the services defer inside their
transaction, so a job exists only if the change committed. They run on the task queue, never
inside a request, and call no service (groups/tasks.py holds the scheduled work, which does).

Each task keeps the name it was first queued under (groups.tasks.*, notifications.tasks.*):
queued jobs carry it."""

import hashlib

from django.contrib.auth import get_user_model
from django.urls import reverse
from procrastinate.contrib.django import app

from groups.models import RSVP, Group, Meetup, Membership, Occurrence
from notifications.followers import followers_of, still_sees_a_reason
from notifications.kinds import NotificationKind
from notifications.services import notify

CHANGE_SUBJECTS = {
    "cancelled": "Cancelled: {title}",
    "restored": "Back on: {title}",
    "moved": "Changed: {title}",
    "paused": "Taking a break: {title}",
    "rescheduled": "New schedule: {title}",
    "updated": "Changed: {title}",
}


@app.task(name="groups.tasks.meetup_changed_notify", queue="notifications")
def meetup_changed_notify(
    *,
    meetup_id: int,
    dates: list[str],
    member_ids: list[int],
    change: str,
    message: str = "",
) -> int:
    """Email each member going to (or waiting for) changed dates, once. `dates` describe the
    dates as they were when the change was made. Returns the number of emails queued."""
    meetup = Meetup.objects.select_related("group").filter(pk=meetup_id).first()
    if meetup is None:
        return 0
    upcoming = list(meetup.occurrences.select_related("meetup__group").scheduled().upcoming()[:6])
    subject = CHANGE_SUBJECTS.get(change, "Changed: {title}").format(title=meetup.title)
    sent = 0
    for member in get_user_model().objects.filter(pk__in=member_ids, is_active=True):
        sent += notify(
            recipient=member,
            kind=NotificationKind.MEETUP_CHANGED,
            subject=subject,
            template="groups_meetup_changed",
            context={
                "meetup": meetup,
                "dates": dates,
                "upcoming": upcoming,
                "change": change,
                "message": message,
            },
            url=meetup.get_absolute_url(),
        )
    return sent


@app.task(name="groups.tasks.waitlist_promoted_notify", queue="notifications")
def waitlist_promoted_notify(*, rsvp_id: int) -> bool:
    rsvp = (
        RSVP.objects.select_related("member", "occurrence__meetup__group")
        .filter(pk=rsvp_id, status=RSVP.Status.GOING)
        .first()
    )
    if rsvp is None:  # they changed their mind since
        return False
    occurrence = rsvp.occurrence
    return notify(
        recipient=rsvp.member,
        kind=NotificationKind.WAITLIST_PROMOTED,
        subject=f"You have a seat: {occurrence.meetup.title}",
        template="groups_waitlist_promoted",
        context={"occurrence": occurrence, "meetup": occurrence.meetup},
        url=occurrence.get_absolute_url(),
        thread=occurrence.mail_thread(),
        thread_event=f"seat-{rsvp.pk}",
    )


@app.task(name="groups.tasks.join_request_notify", queue="notifications")
def join_request_notify(*, membership_id: int) -> int:
    membership = (
        Membership.objects.select_related("group", "member")
        .filter(pk=membership_id, status=Membership.Status.PENDING)
        .first()
    )
    if membership is None:
        return 0
    organizers = Membership.objects.organizers().filter(group=membership.group)
    sent = 0
    for organizer in organizers.select_related("member"):
        sent += notify(
            recipient=organizer.member,
            kind=NotificationKind.GROUP_JOIN_REQUEST,
            subject=f"{membership.member} asks to join {membership.group}",
            template="groups_join_request",
            context={"membership": membership, "group": membership.group},
            url=reverse("groups:members", kwargs={"slug": membership.group.slug}),
        )
    return sent


@app.task(name="groups.tasks.join_answer_notify", queue="notifications")
def join_answer_notify(*, group_id: int, member_id: int, approved: bool) -> bool:
    group = Group.objects.filter(pk=group_id).first()
    member = get_user_model().objects.filter(pk=member_id).first()
    if group is None or member is None:
        return False
    verdict = "Welcome to" if approved else "About your request to join"
    return notify(
        recipient=member,
        kind=NotificationKind.GROUP_JOIN_ANSWER,
        subject=f"{verdict} {group}",
        template="groups_join_answer",
        context={"group": group, "approved": approved},
        url=group.get_absolute_url(),
    )


@app.task(name="groups.tasks.organizer_message_notify", queue="notifications")
def organizer_message_notify(
    *, occurrence_id: int, sender_id: int, member_ids: list[int], subject: str, body: str
) -> int:
    """An organizer's message to the members chosen when it was sent."""
    occurrence = Occurrence.objects.select_related("meetup__group").filter(pk=occurrence_id).first()
    sender = get_user_model().objects.filter(pk=sender_id).first()
    if occurrence is None or sender is None:
        return 0
    group = occurrence.meetup.group
    # the same message sent again (a retried job) keeps its Message-ID
    message_key = hashlib.sha256(f"{sender_id}\n{subject}\n{body}".encode()).hexdigest()[:16]
    sent = 0
    for member in get_user_model().objects.filter(pk__in=member_ids, is_active=True):
        sent += notify(
            recipient=member,
            kind=NotificationKind.ORGANIZER_MESSAGE,
            subject=f"[{group.name}] {subject}",
            template="groups_organizer_message",
            context={
                "occurrence": occurrence,
                "group": group,
                "sender": sender,
                "subject": subject,
                "body": body,
            },
            url=occurrence.get_absolute_url(),
            # a reply goes to the organizers only (mailin/), never to everybody
            thread=occurrence.mail_thread(),
            thread_event=f"message-{message_key}",
            replies=True,
        )
    return sent


@app.task(name="notifications.tasks.meetup_followers_notify", queue="notifications")
def meetup_followers_notify(*, meetup_id: int) -> int:
    """Tell the followers of a group about a new meetup (not whoever created it)."""
    User = get_user_model()
    meetup = Meetup.objects.select_related("group").filter(pk=meetup_id).first()
    if meetup is None:
        return 0
    upcoming = meetup.occurrences.scheduled().upcoming().select_related("meetup__group").first()
    recipients = User.objects.filter(
        is_active=True, pk__in=followers_of(Group, [meetup.group_id])
    ).order_by("pk")
    if meetup.created_by_id is not None:
        recipients = recipients.exclude(pk=meetup.created_by_id)
    sent = 0
    for recipient in recipients:
        if not still_sees_a_reason(recipient, [(Group, [meetup.group_id])]):
            continue
        sent += notify(
            recipient=recipient,
            kind=NotificationKind.FOLLOWED_CONTENT,
            subject=f"New meetup in {meetup.group}: {meetup.title}",
            template="followed_meetup",
            context={"meetup": meetup, "occurrence": upcoming},
            url=meetup.get_absolute_url(),
        )
    return sent
