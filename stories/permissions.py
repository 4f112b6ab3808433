"""Who may do what with a story, in one place for every view, and the posting rate limits."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kit.ratelimit import rate_limit_hit
from stories.models import Comment, Story
from stories.querysets import StoryQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# accounts younger than this post under the tighter limit
NEW_ACCOUNT_AGE = timedelta(days=7)
# posts per hour: (new accounts, everyone else)
POSTING_LIMITS = {"story": (3, 20), "comment": (10, 60), "report": (10, 30)}
POSTING_NOUNS = {"story": "stories", "comment": "comments", "report": "reports"}


def story_for(
    user: User | AnonymousUser,
    pk: int,
    *,
    edit: bool = False,
    queryset: StoryQuerySet | None = None,
) -> Story:
    """The story `pk` as `user` may see it: 404 if they may not see it at all, 403 if they may
    see it but `edit` is asked and they are not one of its authors."""
    queryset = Story.objects.all() if queryset is None else queryset
    story = get_object_or_404(queryset.visible_to(user).prefetch_related("coauthors"), pk=pk)
    if edit and not story.is_editor(user):
        raise PermissionDenied("Only the story’s authors can do that.")
    return story


def comment_for(user: User | AnonymousUser, pk: int, *, own: bool = False) -> Comment:
    """A comment on a story `user` may see; with `own`, only its author gets it (else 403)."""
    comment = get_object_or_404(
        Comment.objects.select_related("story"),
        pk=pk,
        story__in=Story.objects.visible_to(user),
    )
    if comment.is_hidden and not (user.is_authenticated and comment.author_id == user.pk):
        raise PermissionDenied("A moderator hid this comment.")
    if own and comment.author_id != user.pk:
        raise PermissionDenied("Only the comment’s author can do that.")
    return comment


class StoryAccessMixin(LoginRequiredMixin):
    """Members only; the story from the URL's `pk`, checked with `story_for()`."""

    edit = False
    # set by the view this is mixed into
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_object(self, queryset: QuerySet[Story] | None = None) -> Story:
        return story_for(self.request.user, self.kwargs["pk"], edit=self.edit)


def posting_limited(user: User, what: str) -> str | None:
    """Count one post of `what` for `user`; a message to show when they are over the limit."""
    new_limit, limit = POSTING_LIMITS[what]
    is_new = timezone.now() - user.date_joined < NEW_ACCOUNT_AGE
    if is_new:
        limit = new_limit
    if not rate_limit_hit(scope=f"stories:{what}", key=user.pk, limit=limit, period=3600):
        return None
    who = "New accounts" if is_new else "Members"
    return (
        f"{who} can post {limit} {POSTING_NOUNS[what]} an hour, and you have reached that. "
        "Nothing you wrote was lost: please try again later."
    )
