"""Background work for notifications: telling followers about new content, and the weekly
digest. Services defer these inside their transaction, so a job exists only if the change
committed; they run on the task queue, never inside a request."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from procrastinate.contrib.django import app

from notifications.kinds import NotificationKind
from notifications.mailing_list import list_post_send, list_subscribers
from notifications.models import Follow
from notifications.services import notify


def _followers_of(model, ids):
    """Subquery: the members following any of `ids` of `model`."""
    return Follow.objects.targeting_any(model, ids).values("follower_id")


def _still_sees_a_reason(recipient, reasons: list[tuple]) -> bool:
    """Whether `recipient` follows one of `reasons` (model, ids) that they may still see: a
    follow of a member who has since hidden their profile or left tells them nothing."""
    follows = Follow.objects.of(recipient).visible_to(recipient)
    why = Q()
    for model, ids in reasons:
        why |= Q(pk__in=Follow.objects.targeting_any(model, ids).values("pk"))
    return follows.filter(why).exists()


@app.task(queue="notifications")
def story_followers_notify(*, story_id: int) -> int:
    """Tell the followers of a newly published story's author and of its tags — each member
    once, however many of those they follow, and never its authors. Returns emails queued."""
    from taggit.models import Tag

    from stories.models import Story

    User = get_user_model()
    story = (
        Story.objects.visible_to(None)
        .select_related("author")
        .filter(pk=story_id, author__isnull=False)
        .first()
    )
    if story is None:  # unpublished, hidden or deleted since
        return 0
    tag_ids = list(story.tags.values_list("pk", flat=True))
    reasons = [(User, [story.author_id]), (Tag, tag_ids)]
    recipients = (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk__in=_followers_of(User, [story.author_id])) | Q(pk__in=_followers_of(Tag, tag_ids))
        )
        .exclude(pk=story.author_id)
        .exclude(pk__in=story.coauthors.values("pk"))
        .order_by("pk")
    )
    # members in mailing-list mode get the whole story as a list email instead (also when
    # they follow only the group whose meetup discussed it)
    group_id = story.discussed_at.meetup.group_id if story.discussed_at_id else None
    on_the_list = list_subscribers(
        member=[story.author_id], tag=tag_ids, group=[group_id]
    ).exclude(pk__in=[story.author_id, *story.coauthors.values_list("pk", flat=True)])
    sent = 0
    for member in on_the_list:
        sent += list_post_send(
            recipient=member,
            thread=story.mail_thread(),
            event="",
            headline=f"New story by {story.author_name}",
            template="list_story",
            context={"story": story},
            url=story.get_absolute_url(),
        )
    listed = {member.pk for member in on_the_list}
    for recipient in recipients:
        if not _still_sees_a_reason(recipient, reasons):
            continue
        sent += notify(
            recipient=recipient,
            kind=NotificationKind.FOLLOWED_CONTENT,
            subject=f"New story: “{story.title}” by {story.author_name}",
            template="followed_story",
            context={"story": story},
            url=story.get_absolute_url(),
            # the story's own announcement is its thread's root message
            thread=story.mail_thread(),
            replies=True,
            email=recipient.pk not in listed,
        )
    return sent


@app.task(queue="notifications")
def meetup_followers_notify(*, meetup_id: int) -> int:
    """Tell the followers of a group about a new meetup (not whoever created it)."""
    from groups.models import Group, Meetup

    User = get_user_model()
    meetup = Meetup.objects.select_related("group").filter(pk=meetup_id).first()
    if meetup is None:
        return 0
    upcoming = meetup.occurrences.scheduled().upcoming().select_related("meetup__group").first()
    recipients = (
        User.objects.filter(is_active=True, pk__in=_followers_of(Group, [meetup.group_id]))
        .exclude(pk=meetup.created_by_id)
        .order_by("pk")
    )
    sent = 0
    for recipient in recipients:
        if not _still_sees_a_reason(recipient, [(Group, [meetup.group_id])]):
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


@app.periodic(cron="0 7 * * 1")
@app.task(queue="notifications", queueing_lock="weekly_digest")
def weekly_digest(timestamp: int) -> int:
    """Mondays: each member's digest, at most once per ISO week. Returns emails queued."""
    from datetime import UTC, datetime

    from home.digest import digest_recipients, digest_send, iso_week

    now = datetime.fromtimestamp(timestamp, tz=UTC)
    sent = 0
    for member in digest_recipients(iso_week(now)).iterator(chunk_size=500):
        sent += digest_send(member=member, now=now)
    return sent
