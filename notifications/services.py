"""Telling members things: in-app notifications and email (text + HTML, unsubscribe links),
always sent by the task queue, never inside a request."""

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.choices import NotificationKind
from accounts.models import Profile, User
from config.tasks import email_message_send
from notifications.caching import notifications_read
from notifications.models import Follow, Notification

UNSUBSCRIBE_SALT = "notifications.unsubscribe"

# what a member can follow: the name used in URLs → the model
FOLLOWABLE = {
    "member": "accounts.User",
    "tag": "taggit.Tag",
    "group": "meetup_groups.Group",
    "organisation": "cooperatives.Organisation",
}


def notify(
    *,
    recipient: User,
    kind: str,
    subject: str,
    template: str,
    context: dict,
    url: str = "",
    reply_to: str | None = None,
    in_app: bool = True,
) -> bool:
    """Tell `recipient` about `kind`: an in-app notification (linking to `url`) and an email
    rendered from templates/emails/<template>.txt (and .html if there is one).

    The email is skipped when the member switched that kind off; `reply_to` is set only when
    its owner agreed. Returns whether an email was queued.
    """
    if not recipient.is_active:
        return False
    if in_app:
        Notification.objects.create(recipient=recipient, kind=kind, text=subject[:300], url=url)
    profile, _ = Profile.objects.get_or_create(user=recipient)
    if not recipient.email or not profile.wants_email(kind):
        return False
    email_message_send.defer(
        **email_render(
            recipient=recipient,
            kind=kind,
            subject=subject,
            template=template,
            context={**context, "url": url},
        ),
        reply_to=reply_to,
    )
    return True


def email_render(*, recipient: User, kind: str, subject: str, template: str, context: dict):
    """The keyword arguments of `email_message_send` for one member: both parts, and the
    one-click unsubscribe headers of RFC 8058."""
    unsubscribe_url = settings.SITE_URL + reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(member=recipient, kind=kind)]
    )
    context = {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
        "kind_label": NotificationKind(kind).label,
        "unsubscribe_url": unsubscribe_url,
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
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
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


def followable_model(name: str):
    """The model behind a followable name, or None (unknown name, or its app not installed)."""
    label = FOLLOWABLE.get(name)
    if label is None:
        return None
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def follow_toggle(*, member: User, target) -> bool:
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
