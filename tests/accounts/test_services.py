import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from taggit.models import Tag

from accounts.models import ContactMessage, Profile
from accounts.services import account_delete, profile_update
from kit.vocabularies import LibraryType
from members.services import (
    CONTACT_LIMIT_PER_HOUR,
    ContactRefused,
    contact_send,
    profile_settings_update,
)
from notifications.kinds import NotificationKind
from tests.factories import ContactMessageFactory, UserFactory, profile_for

pytestmark = pytest.mark.django_db
User = get_user_model()


# --- profile_update -----------------------------------------------------------------------------
def test_a_us_zip_code_gives_the_profile_coordinates(member):
    profile = profile_update(profile=member.profile, country="US", state="mi", postal_code="48104")

    profile.refresh_from_db()
    assert profile.state == "MI"
    assert profile.latitude == pytest.approx(42.27, abs=0.05)
    assert profile.longitude == pytest.approx(-83.73, abs=0.05)


@pytest.mark.parametrize(
    "change", [{"postal_code": ""}, {"country": "CA", "state": "Ontario", "postal_code": "K1A 0B1"}]
)
def test_coordinates_go_when_the_zip_code_does(member, change):
    profile_update(profile=member.profile, country="US", state="MI", postal_code="48104")

    profile_update(profile=member.profile, **change)

    member.profile.refresh_from_db()
    assert member.profile.latitude is None
    assert member.profile.longitude is None


def test_topics_reuse_existing_tags_whatever_their_case(member):
    Tag.objects.create(name="OER")

    profile_update(
        profile=member.profile,
        can_help_with=["oer", "Makerspace", "makerspace ", "grant  writing"],
        want_to_learn=["ebooks"],
    )

    assert sorted(member.profile.can_help_with.names()) == ["Makerspace", "OER", "grant writing"]
    assert list(member.profile.want_to_learn.names()) == ["ebooks"]
    assert Tag.objects.filter(name__iexact="oer").count() == 1


def test_profile_update_keeps_the_search_index_current(member):
    profile_update(
        profile=member.profile,
        display_name="Ingrid Solvang",
        library_name="Fjord Valley Library",
        can_help_with=["seed library"],
    )

    assert list(Profile.objects.search("Solvang")) == [member.profile]
    assert list(Profile.objects.search("Fjord")) == [member.profile]
    assert list(Profile.objects.search("seed library")) == [member.profile]


def test_display_names_are_one_line(member):
    profile_update(profile=member.profile, display_name="  Ann\r\nBcc: x@evil.example  ")

    member.refresh_from_db()
    assert member.display_name == "Ann Bcc: x@evil.example"


def test_profile_update_refuses_fields_the_forms_do_not_offer(member):
    with pytest.raises(TypeError):
        profile_update(profile=member.profile, visibility="public")


def test_profile_update_refuses_invalid_values(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        profile_update(profile=member.profile, library_type="bookshop")
    member.profile.refresh_from_db()
    assert member.profile.library_type != "bookshop"


# --- settings -----------------------------------------------------------------------------------
def test_settings_store_email_choices_and_privacy(member):
    profile_settings_update(
        profile=member.profile,
        email_preferences={
            NotificationKind.WEEKLY_DIGEST: False,
            NotificationKind.CONTACT_MESSAGE: True,
            "made_up_kind": False,
        },
        visibility=Profile.Visibility.HIDDEN,
        accepts_help_requests=False,
    )

    profile = Profile.objects.get(user=member)
    assert profile.email_preferences == {"weekly_digest": False, "contact_message": True}
    assert profile.wants_email(NotificationKind.WEEKLY_DIGEST) is False
    assert profile.wants_email(NotificationKind.STORY_COMMENT) is True
    assert profile.visibility == "hidden"
    assert profile.accepts_help_requests is False


# --- contact ------------------------------------------------------------------------------------
@pytest.fixture
def sender():
    user = UserFactory(email="sender@school.example", display_name="Sara Sender")
    profile_for(user, job_title="Media specialist", library_name="Pine Middle School")
    return user


@pytest.fixture
def recipient():
    return UserFactory(email="recipient@public.example", display_name="Rick Recipient")


def test_contact_emails_the_member_without_revealing_the_sender_address(
    sender, recipient, task_queue
):
    logged = contact_send(
        sender=sender,
        recipient=recipient,
        message="Could we compare notes on summer reading & the school year?",
        share_email=False,
    )

    task_queue.run_all()
    (email,) = mail.outbox
    assert email.to == ["recipient@public.example"]
    assert email.reply_to == []
    assert "sender@school.example" not in email.body
    assert "Could we compare notes on summer reading & the school year?" in email.body
    assert "Sara Sender (Media specialist, Pine Middle School)" in email.body
    assert email.subject == "[Librarian Commons] Sara Sender sent you a message"
    assert (logged.sender, logged.recipient, logged.reply_to_shared) == (sender, recipient, False)


def test_contact_replies_go_to_the_sender_only_when_they_agree(sender, recipient, task_queue):
    contact_send(sender=sender, recipient=recipient, message="Hello!", share_email=True)

    task_queue.run_all()
    assert mail.outbox[0].reply_to == ["sender@school.example"]
    assert ContactMessage.objects.get().reply_to_shared is True


def test_contact_is_rate_limited(sender, recipient, task_queue):
    for _ in range(CONTACT_LIMIT_PER_HOUR):
        contact_send(sender=sender, recipient=recipient, message="Hi", share_email=False)

    with pytest.raises(ContactRefused, match="try again later"):
        contact_send(sender=sender, recipient=recipient, message="Hi", share_email=False)

    assert ContactMessage.objects.count() == CONTACT_LIMIT_PER_HOUR
    assert len(task_queue.jobs("email_message_send")) == CONTACT_LIMIT_PER_HOUR


def test_contact_respects_a_member_who_switched_messages_off(sender, recipient, task_queue):
    recipient.profile.email_preferences = {NotificationKind.CONTACT_MESSAGE: False}
    recipient.profile.save()

    with pytest.raises(ContactRefused, match="not accepting messages"):
        contact_send(sender=sender, recipient=recipient, message="Hi", share_email=False)

    assert task_queue.jobs() == []
    assert not ContactMessage.objects.exists()


@pytest.mark.parametrize("message", ["", "   ", "x" * 5001])
def test_contact_refuses_empty_or_huge_messages(sender, recipient, message):
    with pytest.raises(ContactRefused):
        contact_send(sender=sender, recipient=recipient, message=message, share_email=False)


def test_nobody_can_message_themselves(sender):
    with pytest.raises(ContactRefused):
        contact_send(sender=sender, recipient=sender, message="Hi me", share_email=False)


# --- deletion -----------------------------------------------------------------------------------
def tables_mentioning(text: str) -> list[str]:
    """Every table with a row whose text form contains `text` (case-insensitive)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" AS row WHERE row::text ILIKE %s', [f"%{text}%"]
            )
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def insert_email_job(*, to: str, status: str, reply_to: str | None = None) -> None:
    args = {"subject": "x", "body": "y", "to": [to], "headers": {"Reply-To": reply_to}}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status) "
            "VALUES ('email', 'config.tasks.email_message_send', %s::jsonb, %s)",
            [json.dumps(args), status],
        )


@pytest.fixture
def leaving(client):
    user = UserFactory(email="Zelda.Leaving@Library.example", display_name="Zelda Quibblemarsh")
    profile_for(
        user,
        job_title="Archivist of unusual things",
        library_name="Quibblemarsh Memorial Library",
        postal_code="49855",
        state="MI",
        bio="Zelda's unmistakable biography",
        can_help_with=["makerspace"],
        want_to_learn=["OER"],
        email_preferences={"weekly_digest": False},
    )
    EmailAddress.objects.create(user=user, email="zelda.old@library.example", verified=True)
    other = UserFactory()
    for obj in (user, user.profile):  # an admin once edited the account and the profile
        LogEntry.objects.create(
            user=other,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=f"{obj} (Zelda.Leaving@Library.example)",
            action_flag=CHANGE,
        )
    ContactMessageFactory(sender=user, recipient=other)
    ContactMessageFactory(sender=other, recipient=user)
    client.force_login(user)
    second_device = client.__class__()
    second_device.force_login(user)
    insert_email_job(to="zelda.leaving@library.example", status="succeeded")
    insert_email_job(to="zelda.leaving@library.example", status="todo")
    insert_email_job(to=other.email, status="succeeded", reply_to="zelda.leaving@library.example")
    insert_email_job(to=other.email, status="succeeded")
    return user


@pytest.mark.parametrize("keep_stories", [True, False])
def test_deleting_an_account_leaves_nothing_personal_behind(leaving, keep_stories):
    user_id = leaving.pk
    personal = [
        "zelda.leaving@library.example",
        "zelda.old@library.example",
        "Zelda Quibblemarsh",
        "Archivist of unusual things",
        "Quibblemarsh Memorial Library",
        "unmistakable biography",
    ]
    assert all(tables_mentioning(text) for text in personal)  # the check can see them

    account_delete(user=leaving, keep_stories=keep_stories)

    assert {text: tables_mentioning(text) for text in personal} == {text: [] for text in personal}
    assert not User.objects.filter(pk=user_id).exists()
    assert not Profile.objects.filter(user_id=user_id).exists()
    assert not EmailAddress.objects.filter(user_id=user_id).exists()
    assert not ContactMessage.objects.filter(sender_id=user_id).exists()
    assert not ContactMessage.objects.filter(recipient_id=user_id).exists()
    assert [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user_id)
    ] == []
    # other members' data stays
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs")
        assert cursor.fetchone()[0] == 1
    assert Profile.objects.count() == 1
    assert Tag.objects.filter(name="makerspace").exists()  # shared vocabulary, not personal


def test_deletion_asks_every_app_to_erase_with_the_members_choice(leaving, monkeypatch):
    from accounts import member_data

    calls = []

    class Recorder:
        @staticmethod
        def erase(user, *, keep_content):
            calls.append((user.pk, keep_content, User.objects.filter(pk=user.pk).exists()))

    real = member_data._plugins()
    monkeypatch.setattr(member_data, "_plugins", lambda: [("stories", Recorder), *real])

    account_delete(user=leaving, keep_stories=True)

    # the other apps run first, while the user row still exists
    assert calls == [(leaving.pk, True, True)]
    assert not User.objects.filter(pk=leaving.pk).exists()


def test_a_failing_app_rolls_the_whole_deletion_back(leaving, monkeypatch):
    from accounts import member_data

    class Broken:
        @staticmethod
        def erase(user, *, keep_content):
            raise RuntimeError("disk on fire")

    accounts = member_data._plugins()[-1]
    # accounts erases first here, then another app fails: the transaction must undo it all
    monkeypatch.setattr(member_data, "_plugins", lambda: [accounts, ("broken", Broken)])

    with pytest.raises(RuntimeError):
        account_delete(user=leaving, keep_stories=False)

    assert User.objects.filter(pk=leaving.pk).exists()
    assert Profile.objects.get(user=leaving).library_name == "Quibblemarsh Memorial Library"


def test_library_type_is_kept_as_given(member):
    profile_update(profile=member.profile, library_type=LibraryType.TRIBAL)

    assert Profile.objects.get(user=member).library_type == "tribal"


def test_the_profile_form_edits_exactly_the_fields_profile_update_accepts():
    """One list: a field added to the form is one the service accepts, and the other way round."""
    from accounts.services import PROFILE_FIELDS
    from members.forms import ProfileForm

    assert ProfileForm._meta.fields == list(PROFILE_FIELDS)
    assert len(set(PROFILE_FIELDS)) == len(PROFILE_FIELDS)
