"""Writes with side effects on members: profile changes (location, tags, search index), contact
messages, and account deletion."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from taggit.models import Tag

from accounts.geo import apply_zip_coordinates
from accounts.models import OPEN_TO_FIELDS, ContactMessage, Profile, User
from accounts.notifications import notify
from kit.ratelimit import rate_limit_hit
from notifications.kinds import NotificationKind

# fields a member may change through the profile and onboarding forms, in the profile
# form's order (`ProfileForm.Meta.fields` is this list)
PROFILE_FIELDS = (
    "job_title",
    "library_name",
    "library_type",
    "audiences",
    "country",
    "state",
    "city",
    "postal_code",
    "bio",
    *OPEN_TO_FIELDS,
    "website",
    "social_url",
)
CONTACT_LIMIT_PER_HOUR = 5
CONTACT_MAX_LENGTH = 5000


class ContactRefused(Exception):
    """The message was not sent; `str(error)` says why, in words for the sender."""


def clean_display_name(name: str) -> str:
    # one line, no control characters: the name goes into email subjects
    return re.sub(r"\s+", " ", name or "").strip()[:150]


def tag_names_normalized(names) -> list[str]:
    """Existing tags are reused whatever the case ("oer" → "OER"); new ones keep their spelling."""
    wanted: dict[str, str] = {}
    for name in names or []:
        name = re.sub(r"\s+", " ", name).strip()[:100]
        if name and name.lower() not in wanted:
            wanted[name.lower()] = name
    existing = {
        tag.lower_name: tag.name
        for tag in Tag.objects.annotate(lower_name=Lower("name")).filter(
            lower_name__in=list(wanted)
        )
    }
    return [existing.get(key, name) for key, name in wanted.items()]


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    display_name: str | None = None,
    can_help_with: list[str] | None = None,
    want_to_learn: list[str] | None = None,
    **fields,
) -> Profile:
    """Change a member's profile (onboarding and the edit form both come here).

    Keeps the coordinates in step with the postal code and the search index in step with
    names, library and topics."""
    unknown = set(fields).difference(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"profile_update() got fields it may not change: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(profile, name, value)
    if profile.country == "US":
        profile.state = profile.state.upper()
    apply_zip_coordinates(profile)
    profile.full_clean(exclude=["user", "email_preferences"])
    profile.save()

    if display_name is not None:
        user = profile.user
        user.display_name = clean_display_name(display_name)
        user.save(update_fields=["display_name"])
    if can_help_with is not None:
        profile.can_help_with.set(tag_names_normalized(can_help_with))
    if want_to_learn is not None:
        profile.want_to_learn.set(tag_names_normalized(want_to_learn))
    Profile.objects.filter(pk=profile.pk).refresh_search_index()
    return profile


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


@transaction.atomic
def account_delete(*, user: User, keep_stories: bool) -> None:
    """Delete a member and everything personal about them, across every app.

    With `keep_stories`, the apps keep what the member wrote for others, attributed to
    "a former member"; otherwise it goes too. See accounts/member_data.py."""
    from accounts.member_data import erase_member

    erase_member(user, keep_content=keep_stories)
