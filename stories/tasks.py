"""Background work for stories: telling members about comments, answers, asks and moderation.

Services defer these with ids only; the job runs after the request's transaction commits (the
queue lives in the same PostgreSQL) and calls `notifications.services.notify()`, which respects
each member's email preferences.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from procrastinate.contrib.django import app
from taggit.models import Tag

from notifications.followers import followers_of, still_sees_a_reason
from notifications.kinds import NotificationKind
from notifications.mailing_list import list_post_send, list_subscribers
from notifications.services import notify
from stories.models import AskRequest, Comment, Story


@app.task
def comment_notify(*, comment_id: int) -> int:
    """Tell the story's authors (not the commenter) about a new comment."""
    comment = (
        Comment.objects.select_related("story__author", "author")
        .filter(pk=comment_id, hidden_at__isnull=True)
        .first()
    )
    if comment is None:  # deleted or hidden before we got to it
        return 0
    story = comment.story
    recipients = [story.author, *story.coauthors.all()] if story.author else story.coauthors.all()
    sent = 0
    for recipient in recipients:
        if recipient is None or recipient.pk == comment.author_id:
            continue
        sent += notify(
            recipient=recipient,
            kind=NotificationKind.STORY_COMMENT,
            subject=f"New comment on “{story.title}”",
            template="story_comment",
            context={"story": story, "comment": comment},
            url=comment.get_absolute_url(),
            thread=story.mail_thread(),
            thread_event=f"comment-{comment.pk}",
            replies=True,
        )
    return sent + comment_list_send(comment=comment, told=[r.pk for r in recipients if r])


def comment_list_send(*, comment, told: list[int]) -> int:
    """Mailing-list mode: the comment to members following the story's authors, the
    commenter, its topics or the group whose meetup discussed it — not to the commenter, nor
    to whoever was just told about it."""
    story = comment.story
    group_id = story.discussed_at.meetup.group_id if story.discussed_at is not None else None
    members = [story.author_id, comment.author_id, *story.coauthors.values_list("pk", flat=True)]
    subscribers = list_subscribers(
        member=members, tag=story.tags.values_list("pk", flat=True), group=[group_id]
    ).exclude(pk__in=[comment.author_id, *told])
    return sum(
        list_post_send(
            recipient=member,
            thread=story.mail_thread(),
            event=f"comment-{comment.pk}",
            headline=f"{comment.author_name} commented on “{story.title}”",
            template="list_comment",
            context={"story": story, "comment": comment},
            url=comment.get_absolute_url(),
        )
        for member in subscribers
    )


@app.task
def answer_marked_notify(*, comment_id: int) -> int:
    comment = Comment.objects.select_related("story", "author").filter(pk=comment_id).first()
    if comment is None or comment.author is None or comment.story.solved_answer_id != comment.pk:
        return 0
    return int(
        notify(
            recipient=comment.author,
            kind=NotificationKind.ANSWER_MARKED,
            subject=f"Your answer worked: “{comment.story.title}”",
            template="story_answer_marked",
            context={"story": comment.story, "comment": comment},
            url=comment.get_absolute_url(),
            thread=comment.story.mail_thread(),
            thread_event=f"answer-{comment.pk}",
            replies=True,
        )
    )


@app.task
def colleague_ask_notify(*, ask_id: int) -> int:
    asks = AskRequest.objects.select_related("story", "asked_by", "recipient").filter(pk=ask_id)
    ask = asks.first()
    if ask is None:
        return 0
    return int(
        notify(
            recipient=ask.recipient,
            kind=NotificationKind.ASKED_FOR_HELP,
            subject=f"{ask.asked_by} asks for your help: “{ask.story.title}”",
            template="story_ask",
            context={"ask": ask, "story": ask.story, "asker": ask.asked_by},
            url=ask.story.get_absolute_url(),
            thread=ask.story.mail_thread(),
            thread_event=f"ask-{ask.pk}",
            replies=True,
        )
    )


@app.task
def moderation_notify(*, story_id: int | None = None, comment_id: int | None = None) -> int:
    """Tell the author that a moderator hid their story or comment, and why."""
    item: Story | Comment | None
    if story_id is not None:
        item = Story.objects.select_related("author").filter(pk=story_id).first()
        story = item
    else:
        comments = Comment.objects.select_related("author", "story")
        item = comments.filter(pk=comment_id).first() if comment_id is not None else None
        story = item.story if item else None
    if item is None or item.author is None or item.hidden_at is None:
        return 0
    what = "story" if story_id is not None else "comment"
    return int(
        notify(
            recipient=item.author,
            kind=NotificationKind.MODERATION_NOTICE,
            subject=f"A moderator hid your {what}",
            template="story_hidden",
            context={"item": item, "what": what, "story": story},
            url=story.get_absolute_url() if story else "",
        )
    )


# named where it was first defined: queued jobs carry the name
@app.task(name="notifications.tasks.story_followers_notify", queue="notifications")
def story_followers_notify(*, story_id: int) -> int:
    """Tell the followers of a newly published story's author and of its tags — each member
    once, however many of those they follow, and never its authors. Returns emails queued."""
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
            Q(pk__in=followers_of(User, [story.author_id])) | Q(pk__in=followers_of(Tag, tag_ids))
        )
        .exclude(pk__in=story.coauthors.values("pk"))
        .order_by("pk")
    )
    if story.author_id is not None:
        recipients = recipients.exclude(pk=story.author_id)
    # members in mailing-list mode get the whole story as a list email instead (also when
    # they follow only the group whose meetup discussed it)
    group_id = story.discussed_at.meetup.group_id if story.discussed_at is not None else None
    on_the_list = list_subscribers(member=[story.author_id], tag=tag_ids, group=[group_id]).exclude(
        pk__in=[story.author_id, *story.coauthors.values_list("pk", flat=True)]
    )
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
        if not still_sees_a_reason(recipient, reasons):
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
