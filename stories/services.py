"""Writes with side effects for stories: keyword-only, typed, atomic, named <noun>_<verb>.

Every function re-checks who may do it (views check first, for a friendly page), keeps the
denormalised counters and the search vector right, and defers email to the task queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from stories import tasks
from stories.caching import discussion_changed, lists_changed
from stories.models import (
    AskRequest,
    Comment,
    HelpfulVote,
    Report,
    SavedStory,
    Story,
)
from stories.querysets import (
    ASK_PER_AUTHOR_PER_DAY,
    ASK_PER_STORY,
    ask_candidates,
)
from stories.tasks import story_followers_notify

# the fields a member writes in the structured form
STORY_FIELDS = (
    "kind",
    "title",
    "summary",
    "situation",
    "what_we_did",
    "results",
    "do_differently",
    "resources",
    "library_types",
    "audiences",
    "country",
    "state",
    "discussed_at",
)


def _require_editor(story: Story, user: User) -> None:
    if not story.is_editor(user):
        raise PermissionDenied("Only the story’s authors can do that.")


def _require_moderator(user: User) -> None:
    if not user.has_perm("stories.hide_content"):
        raise PermissionDenied("Only moderators can do that.")


def _require_open_for_discussion(story: Story) -> None:
    if not story.is_published or story.is_hidden:
        raise ValidationError("This story is not open for discussion.")


# --- stories ------------------------------------------------------------------------------
@transaction.atomic
def story_create(
    *, author: User, data: dict[str, Any], tags: Sequence[str] = (), publish: bool = False
) -> Story:
    story = Story(author=author, **{field: data[field] for field in STORY_FIELDS if field in data})
    if publish:
        story.status = Story.Status.PUBLISHED
        story.published_at = timezone.now()
    story.save()
    story.tags.set(list(tags))
    story_search_vector_update(story=story)
    if publish:
        story_followers_notify.defer(story_id=story.pk)
    return story


@transaction.atomic
def story_update(*, story: Story, by: User, data: dict[str, Any], tags: Sequence[str]) -> Story:
    _require_editor(story, by)
    story = Story.objects.select_for_update().get(pk=story.pk)
    changed = any(
        getattr(story, field) != data[field] for field in STORY_FIELDS if field in data
    ) or sorted(story.tags.names()) != sorted(tags)
    for field in STORY_FIELDS:
        if field in data:
            setattr(story, field, data[field])
    if not story.is_challenge:
        story.solved_answer = None
    if changed and story.is_published:
        story.edited_at = timezone.now()
    story.save()
    story.tags.set(list(tags))
    story_search_vector_update(story=story)
    return story


@transaction.atomic
def story_publish(*, story: Story, by: User) -> Story:
    _require_editor(story, by)
    if not story.is_published:
        story.status = Story.Status.PUBLISHED
        story.published_at = timezone.now()
        story.save(update_fields=["status", "published_at", "slug"])
        story_followers_notify.defer(story_id=story.pk)
    return story


@transaction.atomic
def story_delete(*, story: Story, by: User) -> None:
    _require_editor(story, by)
    story.delete()


def story_search_vector_update(*, story: Story) -> None:
    """Recompute the stored tsvector (see StoryQuerySet.refresh_search_vector).

    Called by every service that changes the text or the tags, in the same transaction.
    """
    Story.objects.filter(pk=story.pk).refresh_search_vector()


@transaction.atomic
def coauthor_add(*, story: Story, member: User, by: User) -> None:
    if not story.can_manage_coauthors(by):
        raise PermissionDenied("Only the story’s author can add co-authors.")
    if member.pk == story.author_id:
        raise ValidationError("The author is already on this story.")
    if not member.is_active:
        raise ValidationError("That member can no longer be added.")
    story.coauthors.add(member)


@transaction.atomic
def coauthor_remove(*, story: Story, member: User, by: User) -> None:
    # the author removes anyone; a co-author may take themselves off
    if not (story.can_manage_coauthors(by) or (by.pk == member.pk and story.is_editor(by))):
        raise PermissionDenied("Only the story’s author can remove co-authors.")
    story.coauthors.remove(member)


# --- comments -----------------------------------------------------------------------------
@transaction.atomic
def comment_create(*, story: Story, author: User, body: str) -> Comment:
    _require_open_for_discussion(story)
    comment = Comment.objects.create(story=story, author=author, body=body)
    Story.objects.filter(pk=story.pk).update(comment_count=F("comment_count") + 1)
    tasks.comment_notify.defer(comment_id=comment.pk)
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, by: User, body: str) -> Comment:
    if comment.author_id != by.pk:
        raise PermissionDenied("Only the comment’s author can edit it.")
    if body != comment.body:
        comment.body = body
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, by: User) -> None:
    if comment.author_id != by.pk:
        raise PermissionDenied("Only the comment’s author can delete it.")
    _comment_remove(comment)


def _comment_remove(comment: Comment) -> None:
    if comment.hidden_at is None:
        Story.objects.filter(pk=comment.story_id).update(comment_count=F("comment_count") - 1)
    # a deleted answer re-opens the challenge (the foreign key is SET_NULL)
    comment.delete()


@transaction.atomic
def answer_mark(*, comment: Comment, by: User) -> Story:
    """The challenge's author marks a comment as “what worked”: the challenge is solved."""
    story = Story.objects.select_for_update().get(pk=comment.story_id)
    _require_editor(story, by)
    if not story.is_challenge:
        raise ValidationError("Only a challenge can have an answer marked.")
    if comment.is_hidden:
        raise ValidationError("A hidden comment cannot be the answer.")
    if story.solved_answer_id != comment.pk:
        story.solved_answer = comment
        story.save(update_fields=["solved_answer", "slug"])
        if comment.author_id and comment.author_id != by.pk:
            tasks.answer_marked_notify.defer(comment_id=comment.pk)
    return story


@transaction.atomic
def answer_unmark(*, story: Story, by: User) -> Story:
    _require_editor(story, by)
    lists_changed(story.pk)
    Story.objects.filter(pk=story.pk).update(solved_answer=None)
    story.solved_answer = None
    return story


# --- helpful and saved --------------------------------------------------------------------
@transaction.atomic
def helpful_toggle(*, story: Story, member: User) -> bool:
    """“This helped me” on, or off again. Returns whether the member now counts as helped."""
    _require_open_for_discussion(story)
    if story.is_editor(member):
        raise ValidationError("You can’t mark your own story as helpful.")
    deleted, _ = HelpfulVote.objects.filter(story=story, member=member).delete()
    if deleted:
        Story.objects.filter(pk=story.pk).update(helpful_count=F("helpful_count") - 1)
        return False
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(story=story, member=member)
    except IntegrityError:  # a double click that raced us: already counted
        return True
    Story.objects.filter(pk=story.pk).update(helpful_count=F("helpful_count") + 1)
    return True


@transaction.atomic
def save_toggle(*, story: Story, member: User) -> bool:
    """Put a story on the member's saved list, or take it off. Returns whether it is saved."""
    deleted, _ = SavedStory.objects.filter(story=story, member=member).delete()
    if deleted:
        return False
    SavedStory.objects.get_or_create(story=story, member=member)
    return True


# --- reports and moderation ---------------------------------------------------------------
@transaction.atomic
def report_create(
    *,
    reporter: User,
    reason: str,
    details: str = "",
    story: Story | None = None,
    comment: Comment | None = None,
) -> tuple[Report, bool]:
    """A member reports a story or a comment. Returns (report, created); reporting the same
    thing twice while it is open keeps the first report."""
    if (story is None) == (comment is None):
        raise ValueError("Report exactly one story or comment.")
    target: dict[str, Story | Comment | None] = (
        {"story": story} if story is not None else {"comment": comment}
    )
    existing = Report.objects.filter(reporter=reporter, status=Report.Status.OPEN, **target)
    if report := existing.first():
        return report, False
    return Report.objects.create(reporter=reporter, reason=reason, details=details, **target), True


@transaction.atomic
def story_hide(*, story: Story, by: User, reason: str) -> bool:
    """Hide a story from everyone but its authors, and tell the author why. Reversible."""
    _require_moderator(by)
    lists_changed(story.pk)
    if not reason.strip():
        raise ValidationError("Say why: the author is told.")
    hidden = Story.objects.filter(pk=story.pk, hidden_at__isnull=True).update(
        hidden_at=timezone.now(), hidden_by=by, hidden_reason=reason
    )
    _reports_resolve(Report.objects.filter(story=story), by=by, status=Report.Status.HIDDEN)
    if hidden:
        tasks.moderation_notify.defer(story_id=story.pk)
    story.refresh_from_db()
    return bool(hidden)


@transaction.atomic
def story_unhide(*, story: Story, by: User) -> bool:
    _require_moderator(by)
    lists_changed(story.pk)
    shown = Story.objects.filter(pk=story.pk, hidden_at__isnull=False).update(
        hidden_at=None, hidden_by=None, hidden_reason=""
    )
    story.refresh_from_db()
    return bool(shown)


@transaction.atomic
def comment_hide(*, comment: Comment, by: User, reason: str) -> bool:
    _require_moderator(by)
    if not reason.strip():
        raise ValidationError("Say why: the author is told.")
    hidden = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=True).update(
        hidden_at=timezone.now(), hidden_by=by, hidden_reason=reason
    )
    _reports_resolve(Report.objects.filter(comment=comment), by=by, status=Report.Status.HIDDEN)
    if hidden:
        # its story's count, and maybe its answer: the story shows in the open challenges again
        lists_changed(comment.story_id)
        Story.objects.filter(pk=comment.story_id).update(comment_count=F("comment_count") - 1)
        # a hidden comment is no longer pinned as the answer; the author can mark it again
        Story.objects.filter(pk=comment.story_id, solved_answer=comment).update(solved_answer=None)
        tasks.moderation_notify.defer(comment_id=comment.pk)
    comment.refresh_from_db()
    return bool(hidden)


@transaction.atomic
def comment_unhide(*, comment: Comment, by: User) -> bool:
    _require_moderator(by)
    shown = Comment.objects.filter(pk=comment.pk, hidden_at__isnull=False).update(
        hidden_at=None, hidden_by=None, hidden_reason=""
    )
    if shown:
        discussion_changed(comment.story_id)
        Story.objects.filter(pk=comment.story_id).update(comment_count=F("comment_count") + 1)
    comment.refresh_from_db()
    return bool(shown)


@transaction.atomic
def report_dismiss(*, report: Report, by: User) -> None:
    _require_moderator(by)
    _reports_resolve(Report.objects.filter(pk=report.pk), by=by, status=Report.Status.DISMISSED)


def _reports_resolve(reports: QuerySet[Report], *, by: User, status: str) -> int:
    return reports.filter(status=Report.Status.OPEN).update(
        status=status, resolved_by=by, resolved_at=timezone.now()
    )


# --- ask a colleague ----------------------------------------------------------------------
@transaction.atomic
def colleagues_ask(
    *,
    story: Story,
    by: User,
    recipients: Iterable[User],
    note: str = "",
) -> list[AskRequest]:
    """The author of an open challenge asks a few matching members to take a look."""
    story = Story.objects.select_for_update().get(pk=story.pk)  # serialise asks per story
    _require_editor(story, by)
    _require_open_for_discussion(story)
    if not story.is_open_challenge:
        raise ValidationError("You can ask colleagues about an open challenge only.")
    recipients = list({member.pk: member for member in recipients}.values())
    if not recipients:
        raise ValidationError("Choose at least one colleague.")
    remaining = ASK_PER_STORY - story.ask_requests.count()
    if len(recipients) > remaining:
        raise ValidationError(
            f"A challenge can be sent to {ASK_PER_STORY} colleagues in all; "
            f"{max(remaining, 0)} left for this one."
        )
    day_ago = timezone.now() - timedelta(days=1)
    sent_today = AskRequest.objects.filter(asked_by=by, created_at__gte=day_ago).count()
    if sent_today + len(recipients) > ASK_PER_AUTHOR_PER_DAY:
        raise ValidationError(
            f"You can ask {ASK_PER_AUTHOR_PER_DAY} colleagues a day; try again tomorrow."
        )
    allowed = set(ask_candidates(story, limit=None).values_list("pk", flat=True))
    if any(member.pk not in allowed for member in recipients):
        raise ValidationError("One of those colleagues can’t be asked (any more).")
    asks = [
        AskRequest.objects.create(story=story, asked_by=by, recipient=member, note=note)
        for member in recipients
    ]
    for ask in asks:
        tasks.colleague_ask_notify.defer(ask_id=ask.pk)
    return asks
