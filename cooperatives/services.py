"""Writes to the directory. Every change a person makes is recorded in the admin history
(django.contrib.admin's LogEntry: who, when, what), whichever screen it came from."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any, cast

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list, slugify

from accounts.models import User
from cooperatives.caching import entries_changed
from cooperatives.models import (
    REJECTION_REASON_MAX_LENGTH,
    SUGGESTIBLE_FIELDS,
    Affiliation,
    Organisation,
    Suggestion,
)
from notifications.kinds import NotificationKind
from notifications.services import notify

# directory addresses an entry's slug must not shadow (see cooperatives/urls.py)
RESERVED_SLUGS = {"suggest", "suggestions"}

# --- helpers ------------------------------------------------------------------------------


def slug_base(name: str) -> str:
    """An entry's slug before de-duplication (`unique_slug`; set-based in cooperatives/demo.py)."""
    max_length = cast(int, Organisation._meta.get_field("slug").max_length)  # a SlugField's
    # “AASL/ALSC/YALSA …” → “aasl-alsc-yalsa-…”, not “aaslalscyalsa-…”
    return slugify(re.sub(r"[/&+]", " ", name))[: max_length - 4].strip("-") or "organisation"


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A free slug for `name`: “michigan-library-association”, then “…-2”, “…-3”."""
    base = slug_base(name)
    entries = Organisation.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        entries = entries.exclude(pk=exclude_pk)
    taken = set(entries.values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken or slug in RESERVED_SLUGS:
        slug = f"{base}-{number}"
        number += 1
    return slug


def parent_links() -> dict[int, list[int]]:
    """{entry id: [its parents' ids]} for the whole directory, in one query."""
    links: dict[int, list[int]] = {}
    through = Organisation.parents.through
    for child, parent in through.objects.values_list("from_organisation", "to_organisation"):
        links.setdefault(child, []).append(parent)
    return links


def descendant_ids(
    organisation: Organisation, *, links: dict[int, list[int]] | None = None
) -> set[int]:
    """Ids of every part below an entry (its committees, their subcommittees…)."""
    children: dict[int, list[int]] = {}
    for child, parents in (parent_links() if links is None else links).items():
        for parent in parents:
            children.setdefault(parent, []).append(child)
    found: set[int] = set()
    todo = list(children.get(organisation.pk, []))
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def history_record(
    *, by: User, objects: Iterable[Model], message: str, action: int = CHANGE
) -> None:
    """Write `message` into the admin history of each object."""
    objects = list(objects)
    if objects:
        # the stubs take `single_object` as a literal True or False only
        LogEntry.objects.log_actions(  # type: ignore[call-overload]
            user_id=by.pk,
            queryset=objects,
            action_flag=action,
            change_message=message,
            single_object=len(objects) == 1,
        )


def _field_labels(names: Iterable[str]) -> str:
    fields = [Organisation._meta.get_field(name) for name in names]
    labels = [str(field.verbose_name) for field in fields if isinstance(field, Field)]
    return get_text_list(labels, "and")


# --- curating -----------------------------------------------------------------------------


@transaction.atomic
def organisations_mark_verified(
    *, organisations: QuerySet[Organisation], by: User, on: datetime.date | None = None
) -> int:
    """A curator confirmed these entries today: record the date and who, clear the doubt."""
    on = on or timezone.localdate()
    entries = list(organisations.select_for_update())
    Organisation.objects.filter(pk__in=[org.pk for org in entries]).update(
        last_verified_on=on,
        last_verified_by=by,
        needs_verification=False,
        updated_at=timezone.now(),
    )
    entries_changed()
    history_record(by=by, objects=entries, message=f"Marked verified on {on.isoformat()}.")
    return len(entries)


@transaction.atomic
def organisations_mark_inactive(*, organisations: QuerySet[Organisation], by: User) -> int:
    """Active entries become inactive (merged ones keep pointing at their successor)."""
    entries = list(organisations.select_for_update().filter(status=Organisation.Status.ACTIVE))
    Organisation.objects.filter(pk__in=[org.pk for org in entries]).update(
        status=Organisation.Status.INACTIVE, updated_at=timezone.now()
    )
    entries_changed()
    history_record(by=by, objects=entries, message="Marked inactive.")
    return len(entries)


# --- members' affiliations ----------------------------------------------------------------


@transaction.atomic
def affiliation_set(*, member: User, organisation: Organisation, role: str) -> Affiliation:
    if role not in Affiliation.Role.values:
        raise ValidationError({"role": "Choose member, officer or chair."})
    affiliation, _ = Affiliation.objects.update_or_create(
        member=member, organisation=organisation, defaults={"role": role}
    )
    return affiliation


@transaction.atomic
def affiliation_remove(*, member: User, organisation: Organisation) -> bool:
    deleted, _ = Affiliation.objects.filter(member=member, organisation=organisation).delete()
    return bool(deleted)


# --- suggestions --------------------------------------------------------------------------


@transaction.atomic
def suggestion_submit(
    *,
    by: User,
    proposed: dict[str, Any],
    note: str = "",
    organisation: Organisation | None = None,
) -> Suggestion:
    """A member proposes a new entry (no `organisation`) or a correction to one."""
    proposed = {key: value for key, value in proposed.items() if key in SUGGESTIBLE_FIELDS}
    if organisation is None and not proposed.get("name"):
        raise ValidationError({"name": "A new entry needs a name."})
    if organisation is not None and not proposed and not note.strip():
        raise ValidationError("Change at least one detail or explain the correction in the note.")
    return Suggestion.objects.create(
        kind=Suggestion.Kind.CORRECTION if organisation else Suggestion.Kind.NEW,
        organisation=organisation,
        proposed=proposed,
        note=note.strip(),
        submitted_by=by,
    )


def suggestion_preview(suggestion: Suggestion) -> tuple[Organisation, list[str]]:
    """The entry as it would be after approval (unsaved, validated) and the fields it changes.

    Raises ValidationError when the proposal no longer fits (the entry changed meanwhile, a
    slug is taken…), so a curator sees why before anything is written."""
    if suggestion.kind == Suggestion.Kind.CORRECTION:
        # a correction always names its entry (a check constraint on Suggestion)
        organisation = Organisation.objects.get(pk=cast(int, suggestion.organisation_id))
    else:
        organisation = Organisation(kind=Organisation.Kind.REGIONAL_COOPERATIVE)
    changed = []
    for name in SUGGESTIBLE_FIELDS:
        if name in suggestion.proposed and getattr(organisation, name) != suggestion.proposed[name]:
            setattr(organisation, name, suggestion.proposed[name])
            changed.append(name)
    if organisation.pk is None:
        organisation.slug = unique_slug(organisation.name)
    organisation.full_clean(exclude=["search_vector"])
    return organisation, changed


@transaction.atomic
def suggestion_approve(*, suggestion: Suggestion, by: User) -> Organisation:
    """Apply the proposal to the directory, record it in the history, tell the member."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != Suggestion.Status.PENDING:
        raise ValidationError("This suggestion has already been answered.")
    organisation, changed = suggestion_preview(suggestion)
    author = suggestion.submitted_by or "a former member"
    if organisation.pk is None:
        organisation.save()
        history_record(
            by=by,
            objects=[organisation],
            action=ADDITION,
            message=f"Added from suggestion #{suggestion.pk} by {author}.",
        )
    elif changed:
        organisation.save(update_fields=[*changed, "updated_at"])
        history_record(
            by=by,
            objects=[organisation],
            message=(
                f"Changed {_field_labels(changed)} from suggestion #{suggestion.pk} by {author}."
            ),
        )
    suggestion.status = Suggestion.Status.APPROVED
    suggestion.organisation = organisation
    suggestion.reviewed_by = by
    suggestion.reviewed_at = timezone.now()
    suggestion.save(update_fields=["status", "organisation", "reviewed_by", "reviewed_at"])
    history_record(by=by, objects=[suggestion], message="Approved and applied.")
    _tell_member(suggestion)
    return organisation


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, by: User, reason: str) -> Suggestion:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"rejection_reason": "Tell the member why (they will read it)."})
    # the admin's reason comes straight from the request, without a form field to check it
    if "\x00" in reason:
        raise ValidationError({"rejection_reason": "Null characters are not allowed."})
    if len(reason) > REJECTION_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "rejection_reason": f"Keep the reason to {REJECTION_REASON_MAX_LENGTH:,} "
                f"characters or fewer: it has {len(reason):,}."
            }
        )
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != Suggestion.Status.PENDING:
        raise ValidationError("This suggestion has already been answered.")
    suggestion.status = Suggestion.Status.REJECTED
    suggestion.rejection_reason = reason
    suggestion.reviewed_by = by
    suggestion.reviewed_at = timezone.now()
    suggestion.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    history_record(by=by, objects=[suggestion], message=f"Rejected: {reason}")
    _tell_member(suggestion)
    return suggestion


def _tell_member(suggestion: Suggestion) -> None:
    if suggestion.submitted_by is None:
        return
    approved = suggestion.status == Suggestion.Status.APPROVED
    notify(
        recipient=suggestion.submitted_by,
        kind=NotificationKind.SUGGESTION_ANSWER,
        subject=(
            "Your directory suggestion was approved"
            if approved
            else "Your directory suggestion was not accepted"
        ),
        template="directory_suggestion_answer",
        context={"suggestion": suggestion, "approved": approved},
        url=reverse("cooperatives:suggestions"),
    )
