import datetime

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core import mail
from django.core.exceptions import ValidationError

from cooperatives.models import Affiliation, Organisation, Suggestion
from cooperatives.services import (
    affiliation_remove,
    affiliation_set,
    organisations_mark_inactive,
    organisations_mark_verified,
    suggestion_approve,
    suggestion_reject,
    suggestion_submit,
    unique_slug,
)
from notifications.kinds import NotificationKind
from tests.factories import (
    OrganisationFactory,
    SuggestionFactory,
    UserFactory,
    make_curator,
)

pytestmark = pytest.mark.django_db


def history(obj):
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("pk")
        .values_list("action_flag", "change_message", "user_id")
    )


# --- slugs --------------------------------------------------------------------------------


def test_unique_slug_separates_slashes_and_numbers_clashes():
    OrganisationFactory(name="Membership Committee", slug="membership-committee")

    assert unique_slug("AASL/ALSC/YALSA Committee") == "aasl-alsc-yalsa-committee"
    assert unique_slug("Membership Committee") == "membership-committee-2"


def test_unique_slug_avoids_the_directory_s_own_addresses():
    assert unique_slug("Suggest") == "suggest-2"


# --- curating -----------------------------------------------------------------------------


def test_mark_verified_records_date_curator_clears_doubt_and_history():
    curator = make_curator()
    doubtful = OrganisationFactory(needs_verification=True)
    other = OrganisationFactory()

    count = organisations_mark_verified(
        organisations=Organisation.objects.filter(pk=doubtful.pk),
        by=curator,
        on=datetime.date(2026, 3, 2),
    )

    doubtful.refresh_from_db()
    other.refresh_from_db()
    assert count == 1
    assert doubtful.last_verified_on == datetime.date(2026, 3, 2)
    assert doubtful.last_verified_by == curator
    assert doubtful.needs_verification is False
    assert other.last_verified_on is None
    assert history(doubtful) == [(CHANGE, "Marked verified on 2026-03-02.", curator.pk)]
    assert history(other) == []


def test_mark_inactive_leaves_merged_entries_alone():
    curator = make_curator()
    active = OrganisationFactory()
    successor = OrganisationFactory()
    merged = OrganisationFactory(status="merged", merged_into=successor)

    count = organisations_mark_inactive(
        organisations=Organisation.objects.filter(pk__in=[active.pk, merged.pk]), by=curator
    )

    active.refresh_from_db()
    merged.refresh_from_db()
    assert count == 1
    assert active.status == "inactive"
    assert merged.status == "merged"
    assert history(active) == [(CHANGE, "Marked inactive.", curator.pk)]
    assert history(merged) == []


def test_merged_status_and_merged_into_go_together():
    successor = OrganisationFactory()

    with pytest.raises(ValidationError) as merged_nowhere:
        OrganisationFactory.build(status="merged", slug="x").full_clean()
    with pytest.raises(ValidationError) as active_but_merged:
        OrganisationFactory.build(status="active", merged_into=successor, slug="y").full_clean()
    OrganisationFactory.build(status="merged", merged_into=successor, slug="z").full_clean()

    assert "merged_into" in merged_nowhere.value.message_dict
    assert "merged_into" in active_but_merged.value.message_dict


def test_the_database_refuses_a_merge_without_a_target_too():
    from django.db import IntegrityError

    organisation = OrganisationFactory()

    with pytest.raises(IntegrityError):
        Organisation.objects.filter(pk=organisation.pk).update(status="merged")


# --- affiliations -------------------------------------------------------------------------


def test_affiliation_is_set_once_per_member_and_role_updates():
    member = UserFactory()
    organisation = OrganisationFactory()

    affiliation_set(member=member, organisation=organisation, role="member")
    affiliation_set(member=member, organisation=organisation, role="chair")

    assert list(Affiliation.objects.values_list("member", "organisation", "role")) == [
        (member.pk, organisation.pk, "chair")
    ]


def test_affiliation_rejects_an_unknown_role():
    with pytest.raises(ValidationError):
        affiliation_set(member=UserFactory(), organisation=OrganisationFactory(), role="emperor")
    assert not Affiliation.objects.exists()


def test_affiliation_remove_touches_only_the_member_s_own():
    organisation = OrganisationFactory()
    mine, theirs = UserFactory(), UserFactory()
    affiliation_set(member=mine, organisation=organisation, role="member")
    affiliation_set(member=theirs, organisation=organisation, role="member")

    assert affiliation_remove(member=mine, organisation=organisation) is True
    assert affiliation_remove(member=mine, organisation=organisation) is False
    assert list(Affiliation.objects.values_list("member", flat=True)) == [theirs.pk]


# --- suggestions --------------------------------------------------------------------------


def test_submit_keeps_only_fields_members_may_propose():
    member = UserFactory()

    suggestion = suggestion_submit(
        by=member,
        proposed={
            "name": "Lakeland Library Cooperative",
            "kind": "consortium",
            "slug": "x",
            "needs_verification": False,
        },
        note="Seen on michigan.gov",
    )

    assert suggestion.kind == "new"
    assert suggestion.status == "pending"
    assert suggestion.proposed == {"name": "Lakeland Library Cooperative", "kind": "consortium"}


def test_a_correction_needs_a_change_or_a_note():
    with pytest.raises(ValidationError):
        suggestion_submit(by=UserFactory(), organisation=OrganisationFactory(), proposed={})
    assert not Suggestion.objects.exists()


def test_approving_a_correction_applies_it_records_history_and_tells_the_member(task_queue):
    curator = make_curator()
    member = UserFactory(display_name="Ada Member")
    organisation = OrganisationFactory(website="https://old.example.org/", phone="")
    suggestion = SuggestionFactory(
        organisation=organisation,
        submitted_by=member,
        proposed={
            "website": "https://new.example.org/",
            "phone": "906-555-0100",
            "states": ["MI", "WI"],
        },
    )

    suggestion_approve(suggestion=suggestion, by=curator)

    organisation.refresh_from_db()
    suggestion.refresh_from_db()
    assert organisation.website == "https://new.example.org/"
    assert organisation.phone == "906-555-0100"
    assert organisation.states == ["MI", "WI"]
    assert suggestion.status == "approved"
    assert suggestion.reviewed_by == curator
    assert suggestion.reviewed_at is not None
    assert history(organisation) == [
        (
            CHANGE,
            f"Changed website, phone and states or territories from suggestion "
            f"#{suggestion.pk} by Ada Member.",
            curator.pk,
        )
    ]
    assert history(suggestion) == [(CHANGE, "Approved and applied.", curator.pk)]
    # told by email, through the queue, never inside the request
    assert mail.outbox == []
    jobs = task_queue.jobs("email_message_send")
    assert len(jobs) == 1
    task_queue.run_all()
    assert mail.outbox[0].to == [member.email]
    assert "approved" in mail.outbox[0].subject
    assert organisation.get_absolute_url() in mail.outbox[0].body


def test_approving_a_new_entry_creates_it(task_queue):
    curator = make_curator()
    suggestion = SuggestionFactory(
        kind="new",
        organisation=None,
        proposed={
            "name": "Lakeland Library Cooperative",
            "kind": "regional_cooperative",
            "states": ["MI"],
            "library_types": ["public"],
        },
    )

    organisation = suggestion_approve(suggestion=suggestion, by=curator)

    assert organisation.pk is not None
    assert organisation.slug == "lakeland-library-cooperative"
    assert organisation.states == ["MI"]
    suggestion.refresh_from_db()
    assert suggestion.organisation == organisation
    assert history(organisation)[0][0] == ADDITION
    assert f"suggestion #{suggestion.pk}" in history(organisation)[0][1]


def test_a_proposal_that_no_longer_fits_is_refused_and_changes_nothing(task_queue):
    curator = make_curator()
    suggestion = SuggestionFactory(proposed={"kind": "secret_society"})

    with pytest.raises(ValidationError):
        suggestion_approve(suggestion=suggestion, by=curator)

    suggestion.refresh_from_db()
    assert suggestion.status == "pending"
    assert task_queue.jobs() == []


def test_rejecting_needs_a_reason_and_tells_the_member_why(task_queue):
    curator = make_curator()
    member = UserFactory()
    suggestion = SuggestionFactory(submitted_by=member)
    original_website = suggestion.organisation.website

    with pytest.raises(ValidationError):
        suggestion_reject(suggestion=suggestion, by=curator, reason="  ")
    suggestion_reject(suggestion=suggestion, by=curator, reason="Their own site still shows it.")

    suggestion.refresh_from_db()
    suggestion.organisation.refresh_from_db()
    assert suggestion.status == "rejected"
    assert suggestion.rejection_reason == "Their own site still shows it."
    assert suggestion.organisation.website == original_website
    assert history(suggestion) == [(CHANGE, "Rejected: Their own site still shows it.", curator.pk)]
    task_queue.run_all()
    assert "not accepted" in mail.outbox[0].subject
    assert "Their own site still shows it." in mail.outbox[0].body


def test_an_answered_suggestion_cannot_be_answered_again(task_queue):
    curator = make_curator()
    suggestion = SuggestionFactory()
    suggestion_reject(suggestion=suggestion, by=curator, reason="No source.")

    with pytest.raises(ValidationError):
        suggestion_approve(suggestion=suggestion, by=curator)
    with pytest.raises(ValidationError):
        suggestion_reject(suggestion=suggestion, by=curator, reason="Again.")
    assert len(task_queue.jobs("email_message_send")) == 1


def test_a_member_who_switched_answers_off_is_not_emailed(task_queue):
    member = UserFactory()
    member.profile.email_preferences = {NotificationKind.SUGGESTION_ANSWER: False}
    member.profile.save()

    suggestion_reject(
        suggestion=SuggestionFactory(submitted_by=member), by=make_curator(), reason="Duplicate."
    )

    assert task_queue.jobs() == []
