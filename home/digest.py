"""The weekly digest: what is new for one member, in three queries, and sending it once per
member per ISO week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q

from groups.models import Occurrence
from home.dashboard import challenges_i_could_help_q, stories_matching_q
from notifications.kinds import NotificationKind
from notifications.models import DigestSent
from notifications.services import notify
from stories.models import Story

PER_SECTION = 5
CHALLENGE_DAYS = 30
MEETUP_DAYS = 21


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Digest:
    stories: list = field(default_factory=list)
    challenges: list = field(default_factory=list)
    occurrences: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.stories or self.challenges or self.occurrences)


def digest_build(*, member, now: datetime) -> Digest:
    """New stories in the member's areas this week, open challenges they could answer, and
    meetups near them in the next three weeks — what they may see, not their own."""
    profile = member.profile
    stories = Story.objects.visible_to(member).published().exclude(author=member)
    digest = Digest(
        stories=list(
            stories.filter(stories_matching_q(profile), published_at__gte=now - timedelta(days=7))
            .select_related("author")
            .sorted_by("newest")[:PER_SECTION]
        ),
        challenges=list(
            stories.filter(
                challenges_i_could_help_q(profile),
                published_at__gte=now - timedelta(days=CHALLENGE_DAYS),
            )
            .select_related("author")
            .sorted_by("newest")[:PER_SECTION]
        ),
    )
    if profile.state:
        digest.occurrences = list(
            Occurrence.objects.visible_to(member)
            .scheduled()
            .upcoming(now)
            .filter(
                start__lt=now + timedelta(days=MEETUP_DAYS),
                meetup__group__country=profile.country,
                meetup__group__state__iexact=profile.state,
            )
            .select_related("meetup__group")[:PER_SECTION]
        )
    return digest


def digest_recipients(week: str):
    """Active, onboarded members who did not switch the digest off and have not had this
    week's yet."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .exclude(profile__library_type="")
        .exclude(profile__state="")
        .filter(
            # absent means wanted; spelled out because NOT (NULL = false) is NULL in SQL
            ~Q(profile__email_preferences__has_key=NotificationKind.WEEKLY_DIGEST.value)
            | Q(**{f"profile__email_preferences__{NotificationKind.WEEKLY_DIGEST}": True})
        )
        .exclude(pk__in=DigestSent.objects.filter(week=week).values("member_id"))
        .select_related("profile")
        .order_by("pk")
    )


def digest_send(*, member, now: datetime) -> bool:
    """Send `member` this week's digest unless it was sent already or there is nothing to say.
    The DigestSent row and the queued email commit together, so it is sent at most once."""
    week = iso_week(now)
    digest = digest_build(member=member, now=now)
    if not digest:
        return False
    try:
        with transaction.atomic():
            DigestSent.objects.create(member=member, week=week)
            return notify(
                recipient=member,
                kind=NotificationKind.WEEKLY_DIGEST,
                subject=f"Your week on Librarian Commons ({week})",
                template="weekly_digest",
                context={"digest": digest, "week": week},
                in_app=False,
            )
    except IntegrityError:  # another run got there first
        return False
