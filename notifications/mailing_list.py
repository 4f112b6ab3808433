"""Mailing-list mode: every new story and comment in the topics, groups and people a member
follows, emailed as it happens — the listserv habit — with the headers mail clients use for
lists (List-Id, List-Post, List-Unsubscribe) and at most the member's daily cap.

Content apps call `list_subscribers()` and `list_post_send()` from their own tasks; this
module knows no content model, only followable names and `MailThread`s.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from kit.tasks import email_message_send
from notifications.email_threads import MailThread, message_id_domain, reply_address
from notifications.followables import FOLLOWABLE
from notifications.kinds import NotificationKind
from notifications.models import Follow, MailingListDay, MailingListMode
from notifications.services import email_render

LIST_UNSUBSCRIBE_SALT = "notifications.mailing_list.stop"
KIND_LABEL = "mailing-list mode (every new story and comment in what you follow)"


def list_id() -> str:
    return f"{settings.SITE_NAME} stories <stories.{message_id_domain()}>"


def list_subscribers(**followed) -> models.QuerySet:
    """Active members in mailing-list mode who follow any of the objects named, each once, with
    their mode loaded: `list_subscribers(member=[…], tag=[…])`, primary keys by followable name
    (notifications/followables.py)."""
    wanted = Q(pk__in=[])
    for name, ids in followed.items():
        ids = [pk for pk in ids if pk is not None]
        if ids:
            followers = Follow.objects.targeting_any(FOLLOWABLE[name].model, ids)
            wanted |= Q(pk__in=followers.values("follower_id"))
    return (
        User.objects.filter(wanted, is_active=True, mailing_list_mode__isnull=False)
        .exclude(email="")
        .select_related("mailing_list_mode")
        .order_by("pk")
    )


def list_post_send(
    *,
    recipient: User,
    thread: MailThread,
    event: str,
    headline: str,
    template: str,
    context: dict,
    url: str,
    replies: bool = True,
) -> bool:
    """One list email to `recipient`, unless they reached today's cap (the one that reaches it
    says so). Returns whether it was queued."""
    mode = MailingListMode.objects.filter(member=recipient).first()
    if mode is None or not recipient.is_active:
        return False
    with transaction.atomic():
        today, _ = MailingListDay.objects.select_for_update().get_or_create(
            member=recipient, day=timezone.now().date()
        )
        if today.sent >= mode.daily_cap:
            return False
        today.sent += 1
        today.save(update_fields=["sent"])
        answer_to = reply_address(member=recipient, thread=thread) if replies else None
        headers = {
            "List-Id": list_id(),
            "List-Archive": f"<{settings.SITE_URL}{url}>",
            # where a reply goes, or that none is taken (RFC 2369)
            "List-Post": f"<mailto:{answer_to}>" if answer_to else "NO",
            "Precedence": "list",
        }
        email_message_send.defer(
            **email_render(
                recipient=recipient,
                kind=NotificationKind.FOLLOWED_CONTENT,
                subject=headline,
                template=template,
                context={
                    **context,
                    "url": url,
                    "cap_reached": today.sent == mode.daily_cap,
                    "daily_cap": mode.daily_cap,
                },
                thread=thread,
                thread_event=event,
                replies=replies,
                unsubscribe_url=settings.SITE_URL
                + reverse("notifications:list_stop", args=[list_stop_token(member=recipient)]),
                kind_label=KIND_LABEL,
                extra_headers=headers,
            )
        )
    return True


def list_stop_token(*, member: User) -> str:
    return signing.dumps(member.pk, salt=LIST_UNSUBSCRIBE_SALT)


def list_stop_token_read(token: str) -> User | None:
    try:
        return User.objects.get(pk=signing.loads(token, salt=LIST_UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError, User.DoesNotExist):
        return None


@transaction.atomic
def mailing_list_mode_set(*, member: User, enabled: bool, daily_cap: int | None = None) -> None:
    """Switch mailing-list mode on (with a cap from MailingListMode.DAILY_CAPS) or off."""
    if not enabled:
        MailingListMode.objects.filter(member=member).delete()
        return
    if daily_cap not in MailingListMode.DAILY_CAPS:
        raise ValueError(f"choose a daily cap among {MailingListMode.DAILY_CAPS}")
    MailingListMode.objects.update_or_create(member=member, defaults={"daily_cap": daily_cap})
