"""Lessons learned: stories (success, challenge, lesson), their comments, and what members do
with them (helpful votes, saves, reports, asking a colleague).

Writes with side effects live in `stories/services.py`; reads in `stories/querysets.py`.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from accounts.models import User
from kit.textlimits import text_length_checks
from kit.vocabularies import COUNTRIES, US_STATE_NAMES, Audience, LibraryType
from notifications.email_threads import MailThread
from stories.querysets import CARD_TAGS, CommentQuerySet, StoryQuerySet

SUMMARY_MAX_LENGTH = 300  # plain text: two or three sentences
SECTION_MAX_LENGTH = 10_000  # Markdown: each of a story's four sections
RESOURCES_MAX_LENGTH = 4_000  # one link per line
COMMENT_MAX_LENGTH = 10_000  # Markdown
REPORT_DETAILS_MAX_LENGTH = 2_000
ASK_NOTE_MAX_LENGTH = 500
HIDDEN_REASON_MAX_LENGTH = 2_000  # a moderator's, sent to the author

FORMER_MEMBER = "a former member"


class StoryKind(models.TextChoices):
    SUCCESS = "success", "Success story"
    CHALLENGE = "challenge", "Challenge"
    LESSON = "lesson", "Lesson learned"


# How the structured form asks for each part, per kind. Keys are Story field names.
SECTION_LABELS: dict[str, dict[str, str]] = {
    "situation": {
        StoryKind.SUCCESS: "The situation",
        StoryKind.CHALLENGE: "The challenge",
        StoryKind.LESSON: "The situation",
    },
    "what_we_did": {
        StoryKind.SUCCESS: "What we did",
        StoryKind.CHALLENGE: "What we have tried so far",
        StoryKind.LESSON: "What we did",
    },
    "results": {
        StoryKind.SUCCESS: "Results and evidence",
        StoryKind.CHALLENGE: "What we need help with",
        StoryKind.LESSON: "What happened, and why it didn’t work",
    },
    "do_differently": {
        StoryKind.SUCCESS: "What we would do differently",
        StoryKind.CHALLENGE: "Constraints to keep in mind",
        StoryKind.LESSON: "What we would do differently",
    },
}
SECTION_FIELDS = tuple(SECTION_LABELS)


class TaggedStory(TaggedItemBase):
    """A topic tag on a story; tags are taggit's shared `Tag`, the same ones profiles use."""

    content_object = models.ForeignKey("Story", on_delete=models.CASCADE)

    class Meta:
        # a topic's stories read from the index alone (the dashboard hashes those of a
        # member's topics; the tag-only index had to visit every tagging's row)
        indexes = [models.Index(fields=["tag", "content_object"], name="stories_tagged_tag_story")]


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    kind = models.CharField(max_length=16, choices=StoryKind, default=StoryKind.SUCCESS)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=160)
    # follows the title; the URL also carries the id, so links with an old slug still resolve
    slug = models.SlugField(max_length=180, blank=True)
    summary = models.TextField(max_length=SUMMARY_MAX_LENGTH, blank=True, help_text="Plain text.")
    situation = models.TextField(blank=True, max_length=SECTION_MAX_LENGTH)
    what_we_did = models.TextField(blank=True, max_length=SECTION_MAX_LENGTH)
    results = models.TextField(blank=True, max_length=SECTION_MAX_LENGTH)
    do_differently = models.TextField(blank=True, max_length=SECTION_MAX_LENGTH)
    resources = models.TextField(
        blank=True, max_length=RESOURCES_MAX_LENGTH, help_text="One link per line."
    )

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
        help_text="Empty when the author deleted their account and kept their stories.",
    )
    coauthors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coauthored_stories"
    )
    library_types = ArrayField(
        models.CharField(max_length=32, choices=LibraryType.choices), default=list, blank=True
    )
    audiences = ArrayField(
        models.CharField(max_length=32, choices=Audience.choices), default=list, blank=True
    )
    tags = TaggableManager("topics", through=TaggedStory, blank=True, related_name="stories")
    country = models.CharField(max_length=8, choices=COUNTRIES, default="US")
    state = models.CharField("state or province", max_length=64, blank=True)
    discussed_at = models.ForeignKey(
        "meetup_groups.Occurrence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
        verbose_name="discussed at meetup",
    )

    solved_answer = models.ForeignKey(
        "Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="On a challenge: the comment the author marked as “what worked”.",
    )

    # counters kept by the service functions, so sorting a long list stays an index scan
    helpful_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)

    # the search snippet `StoryQuerySet.with_headline()` annotates; the default spares story
    # cards a failed template lookup (Django then calls dir() on the story) per card
    headline = ""

    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(
        null=True, blank=True, help_text="Last edit after publishing (shown as “updated”)."
    )

    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.TextField(blank=True, max_length=HIDDEN_REASON_MAX_LENGTH)

    # title (A), summary and tags (B), body sections and resources (C); see services
    search_vector = SearchVectorField(null=True, editable=False)
    # the topics' ids (kept by PostgreSQL from the taggings: migrations/0009), and the same
    # for open challenges only (empty for any other story): the dashboard
    # finds the open challenges on a member's topics through that one's own small index,
    # and its statistics tell the planner how many there are (a topic common among all
    # stories and rare among open challenges made it walk every open challenge)
    tag_ids = ArrayField(models.IntegerField(), default=list, blank=True, editable=False)
    open_challenge_tag_ids = models.GeneratedField(
        expression=Case(
            When(
                Q(status="published", kind="challenge", solved_answer__isnull=True),
                then=F("tag_ids"),
            ),
            default=Value([], output_field=ArrayField(models.IntegerField())),
        ),
        output_field=ArrayField(models.IntegerField()),
        db_persist=True,
    )

    objects = StoryQuerySet.as_manager()

    # why a card is on a member's dashboard, set on the cards it shows (home/dashboard.py)
    is_for_me: bool
    is_followed: bool
    is_helpable: bool

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-published_at", "-pk"]
        permissions = [("hide_content", "Can hide and unhide stories and comments")]
        # The list indexes cover every published story, hidden ones too: a member's view also
        # shows their own hidden stories (visible_to), and an OR on hidden_at in the index
        # condition would keep the planner from using them for members. Hidden is rare.
        indexes = [
            GinIndex(fields=["search_vector"], name="stories_story_search_gin"),
            GinIndex(fields=["title"], name="stories_story_title_trgm", opclasses=["gin_trgm_ops"]),
            # the words of the title alone: titles close to a misspelt query (querysets'
            # `title_words()`), found by the words the vocabulary holds near the typed ones
            GinIndex(SearchVector("title", config="english"), name="stories_story_title_words"),
            models.Index(
                fields=["-published_at", "-id"],
                name="stories_story_newest",
                condition=Q(status="published"),
                # so a page's count (visible_to's conditions) is an index-only scan
                include=["hidden_at", "author"],
            ),
            models.Index(
                fields=["-helpful_count", "-published_at"],
                name="stories_story_helpful",
                condition=Q(status="published"),
            ),
            models.Index(
                fields=["-comment_count", "-published_at"],
                name="stories_story_discussed",
                condition=Q(status="published"),
            ),
            models.Index(fields=["country", "state"], name="stories_story_region"),
            # open challenges, newest first: a sixth of the stories, walked whole when none
            # has a topic the dashboard's member can help with
            models.Index(
                fields=["-published_at", "-id"],
                name="stories_story_open_challenges",
                condition=Q(status="published", kind="challenge", solved_answer__isnull=True),
                # visible_to's OR reads status too: with it here the walk is index-only
                include=["hidden_at", "author", "status"],
            ),
            # the same open challenges by topic
            GinIndex(
                fields=["open_challenge_tag_ids"],
                name="stories_open_challenge_topics",
                condition=Q(status="published", kind="challenge", solved_answer__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="stories_story_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(kind="challenge") | Q(solved_answer__isnull=True),
                name="stories_story_only_challenges_are_solved",
            ),
            *text_length_checks(
                "stories_story",
                summary=SUMMARY_MAX_LENGTH,
                situation=SECTION_MAX_LENGTH,
                what_we_did=SECTION_MAX_LENGTH,
                results=SECTION_MAX_LENGTH,
                do_differently=SECTION_MAX_LENGTH,
                resources=RESOURCES_MAX_LENGTH,
                hidden_reason=HIDDEN_REASON_MAX_LENGTH,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.slug = slugify(self.title)[:180].strip("-") or "story"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", kwargs={"pk": self.pk, "slug": self.slug or "story"})

    def mail_thread(self) -> MailThread:
        """Every email about this story threads under its title (and can be answered)."""
        return MailThread(kind="story", pk=self.pk, title=self.title)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_challenge(self) -> bool:
        return self.kind == StoryKind.CHALLENGE

    @property
    def is_solved(self) -> bool:
        return self.is_challenge and self.solved_answer_id is not None

    @property
    def is_open_challenge(self) -> bool:
        return self.is_challenge and self.solved_answer_id is None

    @property
    def author_name(self) -> str:
        return str(self.author) if self.author_id else FORMER_MEMBER

    @cached_property
    def card_tags(self) -> list[Tag]:
        """The topics (pk, name and slug only when the story came from `for_cards()`)."""
        topics = getattr(self, CARD_TAGS, None)
        if topics is None:
            return list(self.tags.all())
        return [Tag(pk=topic["pk"], name=topic["name"], slug=topic["slug"]) for topic in topics]

    @property
    def region_label(self) -> str:
        if self.country == "US":
            return US_STATE_NAMES.get(self.state, self.state)
        return ", ".join(part for part in (self.state, self.get_country_display()) if part)

    def is_editor(self, user: User | AnonymousUser) -> bool:
        """Authors and co-authors may edit, publish and delete."""
        if not user.is_authenticated:
            return False
        if self.author_id == user.pk:
            return True
        # uses the prefetched co-authors when the view loaded them
        return any(coauthor.pk == user.pk for coauthor in self.coauthors.all())

    def can_manage_coauthors(self, user: User | AnonymousUser) -> bool:
        if not user.is_authenticated:
            return False
        if self.author_id is None:
            return self.is_editor(user)
        return self.author_id == user.pk

    def sections(self) -> list[tuple[str, str, str]]:
        """(field, label for this kind, Markdown) for every non-empty body section."""
        return [
            (field, SECTION_LABELS[field][self.kind], getattr(self, field))
            for field in SECTION_FIELDS
            if getattr(self, field).strip()
        ]

    def library_type_labels(self) -> list[str]:
        labels = dict(LibraryType.choices)
        return [labels.get(value, value) for value in self.library_types]

    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [labels.get(value, value) for value in self.audiences]


class Comment(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="story_comments",
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH, help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.TextField(blank=True, max_length=HIDDEN_REASON_MAX_LENGTH)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = text_length_checks(
            "stories_comment", body=COMMENT_MAX_LENGTH, hidden_reason=HIDDEN_REASON_MAX_LENGTH
        )
        indexes = [
            models.Index(fields=["story", "created_at"], name="stories_comment_thread"),
            # the staff's overview counts comments per week (home/overview.py)
            models.Index(fields=["created_at"], name="stories_comment_created"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author_name} on {self.story_id}"

    def get_absolute_url(self) -> str:
        return f"{self.story.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def author_name(self) -> str:
        return str(self.author) if self.author_id else FORMER_MEMBER

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class HelpfulVote(models.Model):
    """“This helped me”: one per member and story (the story keeps a count)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="helpful_votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "member"], name="stories_helpful_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} found story {self.story_id} helpful"


class SavedStory(models.Model):
    """A story on a member's saved list."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="saves")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_stories"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "saved stories"
        constraints = [
            models.UniqueConstraint(fields=["story", "member"], name="stories_saved_once")
        ]
        indexes = [models.Index(fields=["member", "-created_at"], name="stories_saved_by")]

    def __str__(self) -> str:
        return f"{self.member} saved story {self.story_id}"


class Report(models.Model):
    """A member's report of a story or a comment, for moderators (Django admin)."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Harassment or abuse"
        PERSONAL = "personal", "Shares someone’s personal information"
        OFF_TOPIC = "off_topic", "Not about library work"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HIDDEN = "hidden", "Content hidden"
        DISMISSED = "dismissed", "Dismissed"

    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="story_reports",
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    details = models.TextField(max_length=REPORT_DETAILS_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(story__isnull=False, comment__isnull=True)
                    | Q(story__isnull=True, comment__isnull=False)
                ),
                name="stories_report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "story"],
                condition=Q(status="open", story__isnull=False),
                name="stories_report_story_once_open",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(status="open", comment__isnull=False),
                name="stories_report_comment_once_open",
            ),
            *text_length_checks("stories_report", details=REPORT_DETAILS_MAX_LENGTH),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="stories_report_queue")]

    def __str__(self) -> str:
        return f"Report {self.pk}: {self.get_reason_display()}"

    @property
    def target(self):
        return self.story if self.story_id else self.comment


class AskRequest(models.Model):
    """The author of a challenge asked a colleague to take a look (one notification each)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="ask_requests")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_asked"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests"
    )
    note = models.TextField(max_length=ASK_NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "recipient"], name="stories_ask_once"),
            models.CheckConstraint(
                condition=~Q(asked_by=models.F("recipient")), name="stories_ask_not_self"
            ),
            *text_length_checks("stories_askrequest", note=ASK_NOTE_MAX_LENGTH),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="stories_ask_recipient"),
            models.Index(fields=["asked_by", "-created_at"], name="stories_ask_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.asked_by} asked {self.recipient} about story {self.story_id}"
