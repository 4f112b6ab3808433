import json
import textwrap
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps

from accounts import member_data
from accounts.member_data import collect_export, erase_member
from tests.factories import ContactMessageFactory, UserFactory, profile_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_app(tmp_path, monkeypatch):
    """An installed app with its own member_data module, as stories or groups will have."""
    package = tmp_path / "fake_meetups"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "member_data.py").write_text(
        textwrap.dedent(
            """
            erased = []

            def export(user):
                return {"rsvps": [{"meetup": "Second Tuesday lunch", "member": user.pk}]}

            def erase(user, *, keep_content):
                erased.append((user.pk, keep_content))
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import fake_meetups

    config = SimpleNamespace(label="fake_meetups", name="fake_meetups", module=fake_meetups)
    real = apps.get_app_configs
    monkeypatch.setattr(apps, "get_app_configs", lambda: [*real(), config])
    yield fake_meetups
    monkeypatch.delitem(__import__("sys").modules, "fake_meetups", raising=False)
    monkeypatch.delitem(__import__("sys").modules, "fake_meetups.member_data", raising=False)


def test_apps_with_a_member_data_module_are_found_and_accounts_comes_last(fake_app):
    labels = [label for label, _module in member_data._plugins()]

    assert "fake_meetups" in labels
    assert labels[-1] == "accounts"
    assert "stories" not in labels or labels.index("stories") < labels.index("accounts")


def test_export_contains_everything_about_the_member(fake_app):
    member = UserFactory(email="me@library.example", display_name="Maria Export")
    profile_for(
        member,
        job_title="Youth services librarian",
        library_name="Riverside Public Library",
        library_type="public",
        audiences=["children", "teens"],
        postal_code="48104",
        state="MI",
        bio="Storytime *every* Tuesday.",
        can_help_with=["summer reading", "makerspace"],
        want_to_learn=["grant writing"],
        open_to_visits=True,
        website="https://riverside.example",
        email_preferences={"weekly_digest": False},
    )
    EmailAddress.objects.create(user=member, email="old@library.example", verified=False)
    other = UserFactory(display_name="Oscar Other")
    ContactMessageFactory(sender=member, recipient=other, reply_to_shared=True)
    ContactMessageFactory(sender=other, recipient=member)

    data = collect_export(member)

    json.dumps(data)  # serialisable as it stands
    account = data["accounts"]["account"]
    assert account["display_name"] == "Maria Export"
    assert {a["email"] for a in account["email_addresses"]} == {
        "me@library.example",
        "old@library.example",
    }
    profile = data["accounts"]["profile"]
    assert profile["job_title"] == "Youth services librarian"
    assert profile["library_name"] == "Riverside Public Library"
    assert profile["audiences"] == ["children", "teens"]
    assert profile["postal_code"] == "48104"
    assert profile["bio"] == "Storytime *every* Tuesday."
    assert profile["can_help_with"] == ["makerspace", "summer reading"]
    assert profile["want_to_learn"] == ["grant writing"]
    assert profile["open_to"]["visits"] is True
    assert profile["open_to"]["mentoring"] is False
    assert profile["website"] == "https://riverside.example"
    assert profile["email_preferences"] == {"weekly_digest": False}
    assert profile["accepts_help_requests"] is True
    assert data["accounts"]["contact_messages_sent"][0]["to_name"] == "Oscar Other"
    assert data["accounts"]["contact_messages_sent"][0]["reply_to_shared"] is True
    assert data["accounts"]["contact_messages_received"][0]["from_name"] == "Oscar Other"
    # and what the other apps hold
    assert data["fake_meetups"] == {
        "rsvps": [{"meetup": "Second Tuesday lunch", "member": member.pk}]
    }


def test_export_holds_nothing_about_other_members_beyond_their_names(member):
    other = UserFactory(email="other.person@library.example")
    ContactMessageFactory(sender=other, recipient=member)

    text = json.dumps(collect_export(member))

    assert "other.person@library.example" not in text


def test_erase_member_calls_every_app(fake_app, member):
    erase_member(member, keep_content=True)

    assert fake_app.member_data.erased == [(member.pk, True)]
