from __future__ import annotations

from typing import Any, TypedDict

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from notifications.followables import FOLLOWABLE
from notifications.kinds import NotificationKind


class ViewerFollows(TypedDict):
    """What `annotate(viewer_follows=Follow.objects.followed_by(…))` adds."""

    viewer_follows: bool


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_member(self, member: Any) -> NotificationQuerySet:  # a User, or its pk
        return self.filter(recipient=member)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def unread_count_of(self, member: Any) -> Coalesce:
        """The header's unread count as an expression, for a query that loads the member's
        data anyway (one query fewer than the context processor's count)."""
        counted = (
            self.for_member(member).unread().order_by().values("recipient").annotate(n=Count("pk"))
        )
        return Coalesce(Subquery(counted.values("n")), 0)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class FollowQuerySet(models.QuerySet):
    def of(self, member):
        return self.filter(follower=member)

    def targeting(self, target):
        """Follows of `target`. Matches the content type by its natural key (a join), so it
        never needs a query of its own to look the content type up."""
        meta = target._meta.concrete_model._meta
        return self.filter(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id=target.pk,
        )

    def targeting_any(self, model, ids) -> models.QuerySet:
        """Follows of any of `ids` of `model` (by the content type's natural key, no query)."""
        meta = model._meta.concrete_model._meta
        return self.filter(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id__in=ids,
        )

    def visible_to(self, viewer):
        """Follows whose target `viewer` may open now, each kind through its page's own
        `visible_to(viewer)` (notifications/followables.py). The rows stay: a member who hides
        their profile drops out, and comes back if they show themselves again."""
        shown = Q()
        for followable in FOLLOWABLE.values():
            meta = followable.model._meta
            shown |= Q(
                Exists(followable.visible_to(viewer).filter(pk=OuterRef("object_id"))),
                content_type__app_label=meta.app_label,
                content_type__model=meta.model_name,
            )
        return self.filter(shown)

    def ids_of(self, model) -> models.QuerySet:
        """The primary keys of `model` objects followed, as a subquery-ready values list.

        Filters on the content type's natural key (a join inside the subquery), so building
        it never costs a query of its own."""
        meta = model._meta.concrete_model._meta
        return self.filter(
            content_type__app_label=meta.app_label, content_type__model=meta.model_name
        ).values("object_id")

    def followed_by(self, viewer, model, *, outer: str = "pk"):
        """An expression for `annotate(viewer_follows=…)` on a queryset of `model`: whether
        `viewer` follows each row (the row's `outer` field is the followed object's key).

        `{% follow_button obj %}` reads an annotated `viewer_follows` instead of asking the
        database once per button; a visitor follows nothing, at no cost."""
        if viewer is None or not viewer.is_authenticated:
            return Value(False)
        meta = model._meta.concrete_model._meta
        return Exists(
            self.filter(
                follower=viewer,
                content_type__app_label=meta.app_label,
                content_type__model=meta.model_name,
                object_id=OuterRef(outer),
            )
        )


class Follow(models.Model):
    """A member follows another member, a tag, a group or a directory organisation."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "content_type", "object_id"], name="follow_once"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.follower} follows {self.target}"


class DigestSent(models.Model):
    """One row per member per ISO week: the weekly digest is sent at most once."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    week = models.CharField(max_length=8, help_text="ISO year and week, e.g. 2026-W48")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "week"], name="digest_once")]

    def __str__(self) -> str:
        return f"Digest {self.week} for {self.member}"


class MailingListMode(models.Model):
    """The listserv habit: a member gets every new story and comment in the topics, groups and
    people they follow as it happens, up to a daily cap they choose. Off (no row) by default."""

    DAILY_CAPS = (5, 10, 20, 50, 100)

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailing_list_mode"
    )
    daily_cap = models.PositiveSmallIntegerField(
        "at most this many emails a day",
        default=20,
        choices=[(cap, f"{cap} a day") for cap in DAILY_CAPS],
    )
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(daily_cap__gte=1), name="mailing_list_cap_positive")
        ]

    def __str__(self) -> str:
        return f"Mailing-list mode for {self.member}, {self.daily_cap} a day"


class MailingListDay(models.Model):
    """How many mailing-list emails a member got on one (UTC) day, against their cap."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    day = models.DateField()
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="mailing_list_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.sent} list emails to {self.member} on {self.day}"
