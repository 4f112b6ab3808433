"""A member's stories data, for "download my data" and "delete my account" (accounts app).

`export(user)` returns plain JSON-able data; `erase(user, keep_content=...)` removes what is
personal before the account itself is deleted.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import F

from kit import scopes
from stories.models import AskRequest, Comment, HelpfulVote, Report, SavedStory, Story


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _url(story: Story) -> str:
    return settings.SITE_URL + story.get_absolute_url()


def export(user) -> dict:
    stories = (
        Story.objects.filter(author=user)
        .prefetch_related("tags", "coauthors")  # type: ignore[misc]  # taggit's, see views
        .order_by("created_at", "pk")
    )
    coauthored = Story.objects.filter(coauthors=user).order_by("created_at", "pk")
    comments = Comment.objects.filter(author=user).select_related("story").order_by("created_at")
    helpful = HelpfulVote.objects.filter(member=user).select_related("story").order_by("pk")
    saved = SavedStory.objects.filter(member=user).select_related("story").order_by("pk")
    reports = Report.objects.filter(reporter=user).order_by("pk")
    asks = AskRequest.objects.filter(asked_by=user).select_related("story", "recipient")
    return {
        "stories": [
            {
                "id": story.pk,
                "url": _url(story),
                "kind": story.kind,
                "status": story.status,
                "title": story.title,
                "summary": story.summary,
                "situation": story.situation,
                "what_we_did": story.what_we_did,
                "results": story.results,
                "do_differently": story.do_differently,
                "resources": story.resources,
                "library_types": list(story.library_types),
                "audiences": list(story.audiences),
                "tags": sorted(tag.name for tag in story.tags.all()),
                "country": story.country,
                "state": story.state,
                "coauthors": [str(member) for member in story.coauthors.all()],
                "created_at": _when(story.created_at),
                "published_at": _when(story.published_at),
                "edited_at": _when(story.edited_at),
                "hidden_reason": story.hidden_reason if story.hidden_at else None,
            }
            for story in stories
        ],
        "coauthored_stories": [
            {"id": story.pk, "title": story.title, "url": _url(story)} for story in coauthored
        ],
        "comments": [
            {
                "id": comment.pk,
                "story_id": comment.story_id,
                "story_title": comment.story.title,
                "body": comment.body,
                "created_at": _when(comment.created_at),
                "edited_at": _when(comment.edited_at),
                "marked_what_worked": comment.story.solved_answer_id == comment.pk,
            }
            for comment in comments
        ],
        "helpful_votes": [
            {
                "story_id": vote.story_id,
                "story_title": vote.story.title,
                "at": _when(vote.created_at),
            }
            for vote in helpful
        ],
        "saved_stories": [
            {
                "story_id": save.story_id,
                "story_title": save.story.title,
                "at": _when(save.created_at),
            }
            for save in saved
        ],
        "reports": [
            {
                "story_id": report.story_id,
                "comment_id": report.comment_id,
                "reason": report.reason,
                "details": report.details,
                "status": report.status,
                "at": _when(report.created_at),
            }
            for report in reports
        ],
        "colleagues_asked": [
            {
                "story_id": ask.story_id,
                "story_title": ask.story.title,
                "colleague": str(ask.recipient),
                "note": ask.note,
                "at": _when(ask.created_at),
            }
            for ask in asks
        ],
    }


@transaction.atomic
def erase(user, *, keep_content: bool) -> None:
    """Remove the member from stories before their account is deleted.

    keep_content=True: their stories and comments stay, attributed to "a former member".
    keep_content=False: their stories (with the discussion under them) and their comments go.
    Either way their votes, saves, reports, asks and co-authorships go, and counters stay right.
    """
    # stories and comments lose their author's name, counts change: pages of every kind
    scopes.changed(scopes.SITE)
    votes = HelpfulVote.objects.filter(member=user)
    Story.objects.filter(pk__in=votes.values("story_id")).update(
        helpful_count=F("helpful_count") - 1  # one vote per member and story
    )
    votes.delete()
    SavedStory.objects.filter(member=user).delete()
    Report.objects.filter(reporter=user).delete()
    AskRequest.objects.filter(asked_by=user).delete()
    AskRequest.objects.filter(recipient=user).delete()
    Story.coauthors.through.objects.filter(user=user).delete()

    if keep_content:
        Story.objects.filter(author=user).update(author=None)
        Comment.objects.filter(author=user).update(author=None)
        return

    Story.objects.filter(author=user).delete()
    comments = Comment.objects.filter(author=user)
    per_story = Counter(comments.filter(hidden_at__isnull=True).values_list("story_id", flat=True))
    for story_id, count in per_story.items():
        Story.objects.filter(pk=story_id).update(comment_count=F("comment_count") - count)
    comments.delete()
