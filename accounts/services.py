"""Writes with side effects on members: profile changes (location, tags, search index) and
account deletion. Contact messages and notification settings tell members things, so they live
above notifications, in members/services.py."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from taggit.models import Tag

from accounts.geo import apply_zip_coordinates
from accounts.member_data import erase_member
from accounts.models import OPEN_TO_FIELDS, Profile, User

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


def clean_display_name(name: str) -> str:
    # one line, no control characters: the name goes into email subjects
    return re.sub(r"\s+", " ", name or "").strip()[:150]


def tag_names_normalized(names: Iterable[str] | None) -> list[str]:
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
    **fields: Any,
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
def account_delete(*, user: User, keep_stories: bool) -> None:
    """Delete a member and everything personal about them, across every app.

    With `keep_stories`, the apps keep what the member wrote for others, attributed to
    "a former member"; otherwise it goes too. See accounts/member_data.py."""
    erase_member(user, keep_content=keep_stories)
