"""What the directory holds about a member, for the accounts app's data export and account
deletion: `export(user)` and `erase(user, keep_content=…)`."""

from django.db import transaction

from cooperatives.models import Affiliation, Suggestion


def export(user) -> dict:
    """The member's affiliations and suggestions, JSON-ready."""
    affiliations = Affiliation.objects.filter(member=user).select_related("organisation")
    suggestions = Suggestion.objects.filter(submitted_by=user).select_related("organisation")
    return {
        "affiliations": [
            {
                "organisation": affiliation.organisation.name,
                "organisation_slug": affiliation.organisation.slug,
                "role": affiliation.role,
                "since": affiliation.created_at.isoformat(),
            }
            for affiliation in affiliations.order_by("created_at")
        ],
        "suggestions": [
            {
                "kind": suggestion.kind,
                "organisation": suggestion.organisation.name if suggestion.organisation else None,
                "proposed": suggestion.proposed,
                "note": suggestion.note,
                "status": suggestion.status,
                "rejection_reason": suggestion.rejection_reason,
                "sent": suggestion.created_at.isoformat(),
                "answered": suggestion.reviewed_at.isoformat() if suggestion.reviewed_at else None,
            }
            for suggestion in suggestions.order_by("created_at")
        ],
    }


@transaction.atomic
def erase(user, *, keep_content: bool) -> None:
    """Remove the member from the directory before their account goes.

    Affiliations are deleted. Suggestions no longer name the member. With
    `keep_content=False` their words go too: pending suggestions are deleted, and answered
    ones (their changes are already in the directory's history) lose their note.
    """
    Affiliation.objects.filter(member=user).delete()
    suggestions = Suggestion.objects.filter(submitted_by=user)
    if not keep_content:
        suggestions.filter(status=Suggestion.Status.PENDING).delete()
        suggestions.update(note="")
    suggestions.update(submitted_by=None)
