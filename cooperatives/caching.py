"""What a change to the directory changes on pages (kit/scopes.py)."""

from cooperatives.models import Affiliation, Contact, Organisation, Suggestion
from kit import scopes
from kit.scopes import DIRECTORY, MEMBERS, linked_by, member, shown_by


@shown_by(Organisation, Contact)
def _entry_changed(instance, **kwargs) -> list[str]:
    return [DIRECTORY]


@linked_by(Organisation.parents.through)
def _entries_linked(instance, reverse: bool, pk_set) -> list[str]:
    return [DIRECTORY]


@shown_by(Affiliation)
def _affiliation_changed(instance: Affiliation, **kwargs) -> list[str]:
    # listed on the entry's page and on the member's profile
    return [DIRECTORY, MEMBERS, member(instance.member_id)]


@shown_by(Suggestion)
def _suggestion_changed(instance: Suggestion, **kwargs) -> list[str]:
    # the member's own list of what they suggested; curators answer in the admin
    return [member(instance.submitted_by_id)] if instance.submitted_by_id else []


def entries_changed() -> None:
    """Entries changed with a bulk `update()` (curators marking them verified or inactive)."""
    scopes.changed(DIRECTORY)
