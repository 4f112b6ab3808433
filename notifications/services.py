"""Telling members things: in-app notifications and email (text + HTML, unsubscribe links),
always sent by the task queue, never inside a request."""

from typing import Any, TypedDict

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from kit.tasks import email_message_send
from notifications.caching import notifications_read
from notifications.email_threads import REPLY_HINTS, MailThread, reply_address
from notifications.kinds import NotificationKind
from notifications.models import Follow, Notification

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def notify(
    *,
    recipient: User,
    kind: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    url: str = "",
    reply_to: str | None = None,
    in_app: bool = True,
    thread: MailThread | None = None,
    thread_event: str = "",
    replies: bool = False,
    email: bool = True,
) -> bool:
    """Tell `recipient` about `kind`: an in-app notification (linking to `url`) and an email
    rendered from templates/emails/<template>.txt (and .html if there is one).

    The email is skipped when the member switched that kind off (or `email` is False: they
    get it another way, such as their mailing-list copy); `reply_to` is set only when its
    owner agreed. An email about a `thread` (a story, a meetup date) threads with the others
    about it (`thread_event` names this one, e.g. "comment-12"; none is the root), and with
    `replies` the member can answer it by email. Returns whether an email was queued.
    """
    if not recipient.is_active:
        return False
    if in_app:
        Notification.objects.create(recipient=recipient, kind=kind, text=subject[:300], url=url)
    profile, _ = Profile.objects.get_or_create(user=recipient)
    if not email or not recipient.email or not profile.wants_email(kind):
        return False
    email_message_send.defer(
        **email_render(
            recipient=recipient,
            kind=kind,
            subject=subject,
            template=template,
            context={**context, "url": url},
            reply_to=reply_to,
            thread=thread,
            thread_event=thread_event,
            replies=replies,
        )
    )
    return True


class RenderedEmail(TypedDict):
    """The keyword arguments of `kit.tasks.email_message_send`."""

    subject: str
    body: str
    html: str
    to: list[str]
    headers: dict[str, str]
    reply_to: str | None


def email_render(
    *,
    recipient: User,
    kind: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    reply_to: str | None = None,
    thread: MailThread | None = None,
    thread_event: str = "",
    replies: bool = False,
    unsubscribe_url: str = "",
    kind_label: str = "",
    extra_headers: dict[str, str] | None = None,
) -> RenderedEmail:
    """The keyword arguments of `email_message_send` for one member: both parts, the one-click
    unsubscribe headers of RFC 8058, and the thread's headers and reply address if any.
    `unsubscribe_url` and `kind_label` replace the kind's own (for mailing-list copies)."""
    headers: dict[str, str] = {}
    headline = ""
    if thread is not None:
        # the subject is the thread's (mail clients thread by it); what happened leads the body
        headline, subject = subject, thread.title
        headers = thread.headers(thread_event)
        if replies and reply_to is None:
            reply_to = reply_address(member=recipient, thread=thread)
    unsubscribe_url = unsubscribe_url or settings.SITE_URL + reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(member=recipient, kind=kind)]
    )
    context = {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
        "kind_label": kind_label or NotificationKind(kind).label,
        "unsubscribe_url": unsubscribe_url,
        "headline": headline,
        "reply_hint": REPLY_HINTS[thread.kind] if thread and replies and reply_to else "",
    }
    body = render_to_string(f"emails/{template}.txt", context).strip()
    try:
        html_body = render_to_string(f"emails/{template}.html", context)
    except TemplateDoesNotExist:
        html_body = None
    return {
        "subject": f"[{settings.SITE_NAME}] {subject}",
        "body": render_to_string("emails/_layout.txt", {**context, "body": body}),
        "html": render_to_string(
            "emails/_layout.html", {**context, "body": body, "html_body": html_body}
        ),
        "to": [recipient.email],
        "headers": {
            **headers,
            **(extra_headers or {}),
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        "reply_to": reply_to,
    }


def unsubscribe_token(*, member: User, kind: str) -> str:
    return signing.dumps({"m": member.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[User, str] | None:
    """The member and kind a token names, or None when it is forged or names nothing."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        kind = NotificationKind(data["k"])
        member = User.objects.get(pk=data["m"], is_active=True)
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist):
        return None
    return member, kind


@transaction.atomic
def email_preference_set(*, member: User, kind: str, enabled: bool) -> None:
    profile, _ = Profile.objects.select_for_update().get_or_create(user=member)
    profile.email_preferences = {**profile.email_preferences, kind: enabled}
    profile.save(update_fields=["email_preferences", "updated_at"])


def notification_open(*, notification: Notification) -> str:
    """Mark one notification read; returns where it leads."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification.url


def notifications_mark_all_read(*, member: User) -> int:
    notifications_read(member.pk)
    return Notification.objects.for_member(member).unread().update(read_at=timezone.now())


def follow_toggle(*, member: User, target: Model) -> bool:
    """Follow `target`, or stop following it; returns whether the member now follows it."""
    existing = Follow.objects.of(member).targeting(target)
    if existing.exists():
        existing.delete()
        return False
    try:
        with transaction.atomic():
            Follow.objects.create(follower=member, target=target)
    except IntegrityError:  # a double click raced us; the member follows it either way
        pass
    return True
