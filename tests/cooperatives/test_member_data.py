import pytest

from cooperatives import member_data
from cooperatives.models import Affiliation, Suggestion
from cooperatives.services import suggestion_reject
from tests.factories import AffiliationFactory, SuggestionFactory, UserFactory, make_curator

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_with_data():
    member = UserFactory()
    AffiliationFactory(member=member, role="officer")
    pending = SuggestionFactory(submitted_by=member, note="My own words")
    answered = SuggestionFactory(submitted_by=member, note="Older words")
    suggestion_reject(suggestion=answered, by=make_curator(), reason="Already right.")
    other = SuggestionFactory(note="Someone else")
    return member, pending, answered, other


def test_export_lists_affiliations_and_suggestions(member_with_data):
    member, *_ = member_with_data

    data = member_data.export(member)

    assert [a["role"] for a in data["affiliations"]] == ["officer"]
    assert [s["note"] for s in data["suggestions"]] == ["My own words", "Older words"]
    assert data["suggestions"][1]["status"] == "rejected"
    assert data["suggestions"][1]["rejection_reason"] == "Already right."
    import json

    json.dumps(data)  # ready for a download


def test_erase_keeping_content_anonymises_suggestions(member_with_data):
    member, pending, answered, other = member_with_data

    member_data.erase(member, keep_content=True)

    assert not Affiliation.objects.filter(member=member).exists()
    pending.refresh_from_db()
    answered.refresh_from_db()
    assert pending.submitted_by is None
    assert pending.note == "My own words"
    assert answered.submitted_by is None
    assert Suggestion.objects.get(pk=other.pk).submitted_by is not None


def test_erase_without_content_drops_pending_suggestions_and_notes(member_with_data):
    member, pending, answered, other = member_with_data

    member_data.erase(member, keep_content=False)

    assert not Suggestion.objects.filter(pk=pending.pk).exists()
    answered.refresh_from_db()
    assert (answered.submitted_by, answered.note, answered.status) == (None, "", "rejected")
    assert Suggestion.objects.get(pk=other.pk).note == "Someone else"
    assert member_data.export(member) == {"affiliations": [], "suggestions": []}
