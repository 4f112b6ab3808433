"""Groups and their memberships: creating and changing a group, joining (asking, when the group
approves its members), leaving, and organizers approving, promoting and removing members."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from groups.models import (
    Group,
    Membership,
    reserved_slugs,
)
from groups.notices import (
    join_answer_notify,
    join_request_notify,
)
from groups.permissions import require_organizer
from groups.services.rsvps import rsvps_withdraw

GROUP_FIELDS = (
    "name",
    "description",
    "country",
    "state",
    "city",
    "library_types",
    "visibility",
    "join_policy",
)


# --- groups and memberships --------------------------------------------------------------


def slug_base(name: str) -> str:
    """A group's slug before de-duplication (`_unique_slug`; set-based in groups/demo.py)."""
    # dashes and slashes separate words: "public–school" → "public-school"
    return (slugify(re.sub(r"[\u2010-\u2015/]", " ", name)) or "group")[:120]


def _unique_slug(name: str) -> str:
    base = slug_base(name)
    slug, n = base, 2
    while slug in reserved_slugs() or Group.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def group_create(*, by: User, **fields: Any) -> Group:
    """A new group, with its creator as its first organizer."""
    group = Group(**{name: fields[name] for name in GROUP_FIELDS if name in fields})
    group.slug = _unique_slug(group.name)
    group.full_clean()
    group.save()
    if fields.get("organisations"):
        group.organisations.set(fields["organisations"])
    now = timezone.now()
    Membership.objects.create(
        group=group,
        member=by,
        role=Membership.Role.ORGANIZER,
        status=Membership.Status.ACTIVE,
        requested_at=now,
        joined_at=now,
    )
    return group


@transaction.atomic
def group_update(*, group: Group, by: User, **fields: Any) -> Group:
    require_organizer(group, by)
    for name in GROUP_FIELDS:
        if name in fields:
            setattr(group, name, fields[name])
    group.full_clean()
    group.save()
    if "organisations" in fields:
        group.organisations.set(fields["organisations"])
    return group


@transaction.atomic
def membership_join(*, group: Group, member: User, message: str = "") -> Membership:
    """Join an open group at once; ask to join one that needs approval (organizers are told)."""
    is_open = group.join_policy == Group.JoinPolicy.OPEN
    membership, created = Membership.objects.get_or_create(
        group=group,
        member=member,
        defaults={
            "status": Membership.Status.ACTIVE if is_open else Membership.Status.PENDING,
            "joined_at": timezone.now() if is_open else None,
            "message": "" if is_open else message.strip(),
        },
    )
    if created and not is_open:
        join_request_notify.defer(membership_id=membership.pk)
    return membership


@transaction.atomic
def membership_leave(*, group: Group, member: User) -> None:
    membership = Membership.objects.select_for_update().filter(group=group, member=member).first()
    if membership is None:
        return
    if membership.is_organizer and _is_last_organizer_with_others(membership):
        raise ValidationError(
            "You are this group's only organizer. Make another member an organizer before "
            "you leave, so the group is not left without one.",
            code="last_organizer",
        )
    _depart(membership)


def _is_last_organizer_with_others(membership: Membership) -> bool:
    group = membership.group
    other_organizers = Membership.objects.organizers().filter(group=group).exclude(pk=membership.pk)
    others = Membership.objects.active().filter(group=group).exclude(pk=membership.pk)
    return not other_organizers.exists() and others.exists()


def _depart(membership: Membership) -> None:
    """Remove a membership with the member's series RSVPs and answers for dates to come."""
    rsvps_withdraw(member_id=membership.member_id, group_id=membership.group_id)
    membership.delete()


@transaction.atomic
def membership_approve(*, membership: Membership, by: User) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    require_organizer(membership.group, by)
    if membership.status == Membership.Status.ACTIVE:
        return membership
    membership.status = Membership.Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "joined_at"])
    join_answer_notify.defer(
        group_id=membership.group_id, member_id=membership.member_id, approved=True
    )
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership, by: User) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    require_organizer(membership.group, by)
    if membership.status != Membership.Status.PENDING:
        raise ValidationError("Only requests to join can be declined.", code="not_pending")
    membership.delete()
    join_answer_notify.defer(
        group_id=membership.group_id, member_id=membership.member_id, approved=False
    )


@transaction.atomic
def membership_promote(*, membership: Membership, by: User) -> Membership:
    """Make an active member a co-organizer."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    require_organizer(membership.group, by)
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError("Approve the request to join first.", code="not_active")
    membership.role = Membership.Role.ORGANIZER
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_demote(*, membership: Membership, by: User) -> Membership:
    """An organizer steps down (or is stepped down) to member; one organizer must remain."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    require_organizer(membership.group, by)
    organizers = Membership.objects.select_for_update().organizers()
    if not organizers.filter(group=membership.group).exclude(pk=membership.pk).exists():
        raise ValidationError("A group needs at least one organizer.", code="last_organizer")
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """An organizer removes a member (not themselves: that is leaving)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    require_organizer(membership.group, by)
    if membership.member_id == by.pk:
        raise ValidationError("To remove yourself, leave the group.", code="self")
    if membership.is_organizer:
        raise ValidationError(
            "Organizers can’t be removed; make them a member first.", code="organizer"
        )
    _depart(membership)
