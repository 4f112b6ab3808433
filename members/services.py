"""Writes with side effects on members that tell them things: a message from a colleague, and
which emails they want (notifications' kinds). Profile changes are accounts/services.py's."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts.models import ContactMessage, Profile, User
from accounts.services import clean_display_name
from kit.ratelimit import rate_limit_hit
from notifications.kinds import NotificationKind
from notifications.services import notify

CONTACT_LIMIT_PER_HOUR = 5
CONTACT_MAX_LENGTH = 5000


class ContactRefused(Exception):
    """The message was not sent; `str(error)` says why, in words for the sender."""


@transaction.atomic
def profile_settings_update(
    *,
    profile: Profile,
    email_preferences: dict[str, bool],
    visibility: str,
    accepts_help_requests: bool,
) -> Profile:
    """Notification and privacy choices from the settings page."""
    known = set(NotificationKind.optional())
    profile.email_preferences = {
        kind: bool(wanted) for kind, wanted in email_preferences.items() if kind in known
    }
    profile.visibility = visibility
    profile.accepts_help_requests = accepts_help_requests
    profile.full_clean(exclude=["user"])
    profile.save(update_fields=["email_preferences", "visibility", "accepts_help_requests"])
    return profile


@transaction.atomic
def contact_send(
    *, sender: User, recipient: User, message: str, share_email: bool
) -> ContactMessage:
    """Email `recipient` a message from `sender` through the site, without showing either
    address; the reply goes to the sender only when they agreed (`share_email`).

    Raises ContactRefused (nothing sent, nothing logged) when it may not go."""
    message = (message or "").strip()
    if sender.pk == recipient.pk:
        raise ContactRefused("You can't send a message to yourself.")
    if not message:
        raise ContactRefused("Write a message first.")
    if len(message) > CONTACT_MAX_LENGTH:
        raise ContactRefused(f"Keep the message under {CONTACT_MAX_LENGTH} characters.")
    if not recipient.is_active or not recipient.profile.wants_email(
        NotificationKind.CONTACT_MESSAGE
    ):
        raise ContactRefused(f"{recipient} is not accepting messages through the site.")
    if rate_limit_hit(scope="contact", key=sender.pk, limit=CONTACT_LIMIT_PER_HOUR, period=60 * 60):
        raise ContactRefused(
            f"You have sent {CONTACT_LIMIT_PER_HOUR} messages in the last hour, the most we "
            "allow. Please try again later — your message is still in the box below."
        )
    sent = notify(
        recipient=recipient,
        kind=NotificationKind.CONTACT_MESSAGE,
        subject=f"{clean_display_name(str(sender))} sent you a message",
        template="contact_message",
        context={
            "sender": sender,
            "sender_profile": getattr(sender, "profile", None),
            "message": message,
            "share_email": share_email,
            "profile_url": settings.SITE_URL + sender.get_absolute_url(),
            "contact_url": settings.SITE_URL
            + reverse("accounts:contact", kwargs={"pk": sender.pk}),
        },
        reply_to=sender.email if share_email else None,
        url=sender.get_absolute_url(),
    )
    if not sent:
        raise ContactRefused(f"{recipient} is not accepting messages through the site.")
    return ContactMessage.objects.create(
        sender=sender, recipient=recipient, reply_to_shared=share_email
    )
