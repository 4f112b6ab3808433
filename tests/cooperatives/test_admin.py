"""Curating in Django admin: who may, the list's filters, bulk actions, the suggestion queue,
and the history that records all of it."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from cooperatives.models import REJECTION_REASON_MAX_LENGTH, Organisation, Suggestion
from tests.factories import OrganisationFactory, SuggestionFactory, UserFactory, make_curator

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:cooperatives_organisation_changelist")
ADD = reverse("admin:cooperatives_organisation_add")


@pytest.fixture
def curator():
    return make_curator(display_name="Cora Curator")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def listed(response) -> list[str]:
    return [org.name for org in response.context["cl"].result_list]


# --- who may curate -----------------------------------------------------------------------


def test_the_curators_group_may_curate_the_directory_only(curator):
    group = Group.objects.get(name="Directory curators")

    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert codenames == {
        ("cooperatives", f"{action}_{model}")
        for model in ("organisation", "contact", "suggestion", "affiliation")
        for action in ("add", "change", "view")
    } | {("cooperatives", "delete_contact"), ("cooperatives", "delete_affiliation")}


def test_a_curator_reaches_the_directory_admin(curator_client):
    assert curator_client.get(reverse("admin:index")).status_code == 200
    assert curator_client.get(CHANGELIST).status_code == 200
    assert curator_client.get(ADD).status_code == 200
    assert (
        curator_client.get(reverse("admin:cooperatives_suggestion_changelist")).status_code == 200
    )


def test_a_curator_cannot_reach_user_administration(curator_client, member):
    index = curator_client.get(reverse("admin:index")).content.decode()

    assert "accounts/user" not in index
    assert curator_client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert (
        curator_client.get(reverse("admin:accounts_user_change", args=[member.pk])).status_code
        == 403
    )
    assert curator_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_a_curator_cannot_delete_entries(curator_client):
    organisation = OrganisationFactory()

    response = curator_client.post(
        reverse("admin:cooperatives_organisation_delete", args=[organisation.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_a_curator_may_delete_contacts_and_affiliations_but_not_entries(curator):
    assert curator.has_perm("cooperatives.delete_contact")
    assert curator.has_perm("cooperatives.delete_affiliation")
    assert not curator.has_perm("cooperatives.delete_organisation")
    assert not curator.has_perm("accounts.change_user")


def test_a_member_who_is_not_staff_cannot_reach_admin(member_client):
    for url in (reverse("admin:index"), CHANGELIST, ADD):
        response = member_client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_visitors_cannot_reach_admin(client):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert "login" in response["Location"]


# --- the list -----------------------------------------------------------------------------


@pytest.fixture
def entries():
    today = timezone.localdate()
    return {
        "michigan": OrganisationFactory(
            name="Superiorland Library Cooperative",
            states=["MI"],
            library_types=["public", "tribal"],
            last_verified_on=today - datetime.timedelta(days=30),
        ),
        "florida": OrganisationFactory(
            name="Panhandle Public Library Cooperative System",
            kind="library_system",
            states=["FL"],
            needs_verification=True,
            last_verified_on=today - datetime.timedelta(days=500),
        ),
        "national": OrganisationFactory(
            name="American Library Association",
            acronym="ALA",
            kind="national_association",
            states=[],
            all_library_types=True,
            status="inactive",
        ),
    }


def test_the_list_shows_kind_area_status_and_last_verified(curator_client, entries):
    page = curator_client.get(CHANGELIST).content.decode()

    for text in ("Library system", "Florida", "Inactive", "United States"):
        assert text in page
    assert entries["michigan"].last_verified_on.strftime("%Y") in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind__exact=library_system", ["Panhandle Public Library Cooperative System"]),
        ("state=MI", ["Superiorland Library Cooperative"]),
        (
            "library_type=tribal",
            ["American Library Association", "Superiorland Library Cooperative"],
        ),
        ("status__exact=inactive", ["American Library Association"]),
        ("needs_verification__exact=1", ["Panhandle Public Library Cooperative System"]),
        (
            "verified=stale",
            ["American Library Association", "Panhandle Public Library Cooperative System"],
        ),
        ("verified=recent", ["Superiorland Library Cooperative"]),
        ("verified=never", ["American Library Association"]),
    ],
)
def test_list_filters(curator_client, entries, query, expected):
    assert listed(curator_client.get(f"{CHANGELIST}?{query}")) == expected


def test_admin_search_forgives_misspellings_and_finds_acronyms(curator_client, entries):
    assert listed(curator_client.get(CHANGELIST, {"q": "Panhandel"})) == [
        "Panhandle Public Library Cooperative System"
    ]
    assert listed(curator_client.get(CHANGELIST, {"q": "ALA"})) == ["American Library Association"]


def test_parents_autocomplete_finds_entries(curator_client, entries):
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Superiorlnd",
            "app_label": "cooperatives",
            "model_name": "organisation",
            "field_name": "parents",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [str(entries["michigan"])]


# --- editing ------------------------------------------------------------------------------


def add_form_data(**overrides):
    data = {
        "name": "Lakeland Library Cooperative",
        "acronym": "",
        "slug": "lakeland-library-cooperative",
        "kind": "regional_cooperative",
        "status": "active",
        "country": "US",
        "states": ["MI"],
        "description": "Public libraries in West Michigan.",
        "counties_regions": "",
        "membership_notes": "",
        "website": "",
        "contact_email": "",
        "phone": "",
        "address": "",
        "founded_year": "",
        "curator_notes": "",
        "source_urls": "https://www.michigan.gov/libraryofmichigan\nhttps://lakeland.example.org/",
        "cooperatives-organisation_parents-parent-TOTAL_FORMS": "0",
        "cooperatives-organisation_parents-parent-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "Pat Director",
        "contacts-0-role": "Director",
        "contacts-0-email": "pat@lakeland.example.org",
        "contacts-0-phone": "",
    }
    data.update(overrides)
    return data


def inline_prefix(client) -> str:
    response = client.get(ADD)
    return next(
        formset.formset.prefix
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.model is Organisation.parents.through
    )


def test_adding_an_entry_with_a_parent_state_and_contact_is_recorded(curator_client, curator):
    ala = OrganisationFactory(name="American Library Association", acronym="ALA")
    prefix = inline_prefix(curator_client)
    data = add_form_data(parents=[ala.pk])
    data = {
        k.replace("cooperatives-organisation_parents-parent", prefix): v for k, v in data.items()
    }

    response = curator_client.post(ADD, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation = Organisation.objects.get(slug="lakeland-library-cooperative")
    assert organisation.states == ["MI"]
    assert list(organisation.parents.all()) == [ala]
    assert organisation.source_urls == [
        "https://www.michigan.gov/libraryofmichigan",
        "https://lakeland.example.org/",
    ]
    assert organisation.contacts.get().name == "Pat Director"
    assert organisation.last_verified_on is None
    entry = LogEntry.objects.get(object_id=str(organisation.pk))
    assert entry.user == curator
    assert entry.is_addition()


def test_save_and_mark_verified_records_the_curator(curator_client, curator):
    organisation = OrganisationFactory(needs_verification=True)
    prefix = inline_prefix(curator_client)
    data = add_form_data(
        name=organisation.name, slug=organisation.slug, phone="906-555-0100", _verify="1"
    )
    data.pop("contacts-0-name")
    data["contacts-TOTAL_FORMS"] = "0"
    data = {
        k.replace("cooperatives-organisation_parents-parent", prefix): v for k, v in data.items()
    }

    response = curator_client.post(
        reverse("admin:cooperatives_organisation_change", args=[organisation.pk]), data
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.phone == "906-555-0100"
    assert organisation.last_verified_on == timezone.localdate()
    assert organisation.last_verified_by == curator
    assert organisation.needs_verification is False
    messages = list(
        LogEntry.objects.filter(object_id=str(organisation.pk)).values_list(
            "change_message", flat=True
        )
    )
    assert any("Marked verified" in m for m in messages)
    assert any("Phone" in m or "phone" in m for m in messages)


def test_an_entry_cannot_be_its_own_parent_or_its_part_s_part(curator_client):
    ala = OrganisationFactory(name="American Library Association")
    division = OrganisationFactory(name="AASL", parents=[ala])
    prefix = inline_prefix(curator_client)
    data = add_form_data(name=ala.name, slug=ala.slug, parents=[division.pk])
    data["contacts-TOTAL_FORMS"] = "0"
    data = {
        k.replace("cooperatives-organisation_parents-parent", prefix): v for k, v in data.items()
    }

    response = curator_client.post(
        reverse("admin:cooperatives_organisation_change", args=[ala.pk]), data
    )

    assert response.status_code == 200
    assert "cannot be a parent" in str(response.context["adminform"].form.errors["parents"])
    assert not ala.parents.exists()


def test_the_change_form_offers_to_add_a_committee_under_the_entry(curator_client):
    organisation = OrganisationFactory()

    page = curator_client.get(
        reverse("admin:cooperatives_organisation_change", args=[organisation.pk])
    ).content.decode()

    assert f"{ADD}?parents={organisation.pk}&amp;kind=committee" in page
    assert "Committees and other parts" in page
    assert "Save and mark verified today" in page


def test_bulk_mark_verified_today_and_mark_inactive(curator_client, curator, entries):
    chosen = [entries["michigan"].pk, entries["florida"].pk]

    curator_client.post(CHANGELIST, {"action": "mark_verified_today", "_selected_action": chosen})
    curator_client.post(CHANGELIST, {"action": "mark_inactive", "_selected_action": chosen})

    for organisation in Organisation.objects.filter(pk__in=chosen):
        assert organisation.last_verified_on == timezone.localdate()
        assert organisation.last_verified_by == curator
        assert organisation.status == "inactive"
        history = curator_client.get(
            reverse("admin:cooperatives_organisation_history", args=[organisation.pk])
        ).content.decode()
        assert "Marked verified on" in history
        assert "Marked inactive." in history
        assert "Cora Curator" in history


# --- the suggestion queue -----------------------------------------------------------------


def test_the_queue_shows_proposed_changes_beside_current_values(curator_client):
    suggestion = SuggestionFactory(
        organisation=OrganisationFactory(website="https://old.example.org/"),
        proposed={"website": "https://new.example.org/", "states": ["MI", "WI"]},
    )

    page = curator_client.get(
        reverse("admin:cooperatives_suggestion_change", args=[suggestion.pk])
    ).content.decode()

    assert "https://old.example.org/" in page
    assert "https://new.example.org/" in page
    assert "Michigan, Wisconsin" in page
    assert "Approve and apply" in page
    # the reason is drawn by the site's field partial, with its limit and the counter's hook
    assert (
        '<label for="id_reason">Reason for rejecting (sent to the member) '
        '<span class="required">(required)</span></label>'
    ) in page
    assert f"Up to {REJECTION_REASON_MAX_LENGTH:,} characters." in page
    assert f'data-maxlength="{REJECTION_REASON_MAX_LENGTH}"' in page


def test_a_curator_approves_in_the_admin(curator_client, curator, task_queue):
    suggestion = SuggestionFactory(proposed={"phone": "906-555-0199"})

    response = curator_client.post(
        reverse("admin:cooperatives_suggestion_approve", args=[suggestion.pk])
    )

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "approved"
    assert suggestion.organisation.phone == "906-555-0199"
    assert LogEntry.objects.filter(
        user=curator, object_id=str(suggestion.organisation.pk), action_flag=CHANGE
    ).exists()
    assert len(task_queue.jobs("email_message_send")) == 1


def test_a_curator_rejects_with_a_reason_in_the_admin(curator_client, task_queue):
    suggestion = SuggestionFactory()
    url = reverse("admin:cooperatives_suggestion_reject", args=[suggestion.pk])

    curator_client.post(url, {"reason": ""})
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"

    curator_client.post(url, {"reason": "The old address is still their own."})
    suggestion.refresh_from_db()
    assert suggestion.status == "rejected"
    assert suggestion.rejection_reason == "The old address is still their own."
    assert len(task_queue.jobs("email_message_send")) == 1


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("x" * (REJECTION_REASON_MAX_LENGTH + 1), "characters or fewer"),
        ("Wrong\x00", "Null characters are not allowed"),
    ],
)
def test_a_rejection_reason_the_database_cannot_keep_is_explained(curator_client, reason, message):
    # the reason comes straight from the request: it used to reach PostgreSQL (500)
    suggestion = SuggestionFactory()

    response = curator_client.post(
        reverse("admin:cooperatives_suggestion_reject", args=[suggestion.pk]),
        {"reason": reason},
        follow=True,
    )

    assert message in response.content.decode()
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.rejection_reason) == ("pending", "")
    # the curator's words come back in the reason box, with the box's own error
    reason_box = response.context["reject_form"]["reason"]
    assert (reason_box.value(), bool(reason_box.errors)) == (reason, True)


def test_a_rejection_draft_is_shown_once(curator_client):
    suggestion = SuggestionFactory()
    change = reverse("admin:cooperatives_suggestion_change", args=[suggestion.pk])
    curator_client.post(
        reverse("admin:cooperatives_suggestion_reject", args=[suggestion.pk]), {"reason": "  "}
    )

    first, again = curator_client.get(change), curator_client.get(change)

    assert first.context["reject_form"].is_bound
    assert not again.context["reject_form"].is_bound


def test_decisions_need_post_and_change_permission(client, curator_client):
    suggestion = SuggestionFactory()
    approve = reverse("admin:cooperatives_suggestion_approve", args=[suggestion.pk])

    curator_client.get(approve)
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"  # nothing changes on GET

    viewer = UserFactory(is_staff=True)
    client.force_login(viewer)
    assert client.post(approve).status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"


def test_a_suggestion_that_cannot_apply_says_why(curator_client):
    suggestion = SuggestionFactory(proposed={"kind": "secret_society"})

    page = curator_client.get(
        reverse("admin:cooperatives_suggestion_change", args=[suggestion.pk])
    ).content.decode()
    response = curator_client.post(
        reverse("admin:cooperatives_suggestion_approve", args=[suggestion.pk]), follow=True
    )

    assert "cannot be applied as it stands" in page
    assert "secret_society" in response.content.decode()
    assert Suggestion.objects.get(pk=suggestion.pk).status == "pending"


def test_the_queue_lists_waiting_suggestions_first_oldest_first(curator_client):
    answered = SuggestionFactory(status="approved")
    older = SuggestionFactory()
    newer = SuggestionFactory()
    Suggestion.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )

    response = curator_client.get(reverse("admin:cooperatives_suggestion_changelist"))

    assert [s.pk for s in response.context["cl"].result_list] == [older.pk, newer.pk, answered.pk]
