"""Whom to tell about something new: the followers of what it came from. Each content app fans
out its own news from its own tasks (stories/tasks.py, groups/notices.py) with these."""

from django.db import models
from django.db.models import Q

from notifications.models import Follow


def followers_of(model: type[models.Model], ids) -> models.QuerySet:
    """Subquery: the members following any of `ids` of `model`."""
    return Follow.objects.targeting_any(model, ids).values("follower_id")


def still_sees_a_reason(recipient, reasons: list[tuple]) -> bool:
    """Whether `recipient` follows one of `reasons` (model, ids) that they may still see: a
    follow of a member who has since hidden their profile or left tells them nothing."""
    follows = Follow.objects.of(recipient).visible_to(recipient)
    why = Q()
    for model, ids in reasons:
        why |= Q(pk__in=Follow.objects.targeting_any(model, ids).values("pk"))
    return follows.filter(why).exists()
