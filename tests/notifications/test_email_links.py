"""Every kind of email the site sends links to the address the site is served on: the
notifications (built on SITE_URL, which `make run` sets to the port it serves, see
tests/reliability/test_make_run.py) and allauth's account emails (built from the request).
Each kind is produced the way the site produces it, and a new kind of email without a case here
fails the first test."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.core import mail
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from cooperatives.services import suggestion_reject
from groups.models import Occurrence
from groups.services import (
    meetup_create,
    membership_approve,
    membership_join,
    occurrence_cancel,
    organizer_message_send,
    rsvp_set,
)
from groups.tasks import meetup_reminders_send, meetups_health_check
from home.tasks import weekly_digest
from mailin.services import inbound_mail_receive
from members.services import contact_send
from notifications.email_threads import reply_address
from notifications.mailing_list import mailing_list_mode_set
from notifications.models import Follow
from notifications.services import follow_toggle
from stories.services import (
    answer_mark,
    colleagues_ask,
    comment_create,
    story_hide,
    story_publish,
)
from tests.factories import (
    GroupFactory,
    MeetupFactory,
    MembershipFactory,
    StoryFactory,
    SuggestionFactory,
    UserFactory,
    make_curator,
    profile_for,
)
from tests.groups.conftest import make_details, make_schedule
from tests.mailin.conftest import an_email

pytestmark = pytest.mark.django_db

SERVED = "http://127.0.0.1:8765"  # as with `PORT=8765 make run`
HOST = {"HTTP_HOST": "127.0.0.1:8765"}
LINK = re.compile(r"https?://[^\s\"'<>]+")
EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"


@pytest.fixture(autouse=True)
def served_on_8765(settings):
    settings.SITE_URL = SERVED


@pytest.fixture
def rendered():
    """The names of the templates rendered meanwhile."""
    names = []

    def record(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def meetup_with_members(capacity=None, **group_fields):
    organizer, first, second = (UserFactory() for _ in range(3))
    group = GroupFactory(organizer=organizer, **group_fields)
    for member in (first, second):
        MembershipFactory(group=group, member=member)
    occurrence = MeetupFactory(group=group, capacity=capacity).occurrences.first()
    return occurrence, organizer, first, second


# --- the notifications (templates/emails/) -------------------------------------------------


def contact_message(client):
    contact_send(
        sender=UserFactory(), recipient=UserFactory(), message="Shall we talk?", share_email=False
    )


def story_comment(client):
    comment_create(story=StoryFactory(), author=UserFactory(), body="We tried a rota.")


def story_answer_marked(client):
    story = StoryFactory(kind="challenge")
    comment = comment_create(story=story, author=UserFactory(), body="A rota.")
    answer_mark(comment=comment, by=story.author)


def story_ask(client):
    asker = UserFactory(profile__library_type="middle_school", profile__state="MI")
    story = StoryFactory(author=asker, kind="challenge", tags=["outreach"])
    colleague = UserFactory(profile__library_type="middle_school", profile__state="NJ")
    colleagues_ask(story=story, by=asker, recipients=[colleague], note="Any ideas?")


def story_hidden(client):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(AuthGroup.objects.get_or_create(name="Moderators")[0])
    story_hide(story=StoryFactory(), by=moderator, reason="Advertising.")


def groups_meetup_changed(client):
    occurrence, organizer, first, _ = meetup_with_members()
    rsvp_set(occurrence=occurrence, member=first, going=True)
    occurrence_cancel(occurrence=occurrence, by=organizer, reason="Snow")


def groups_waitlist_promoted(client):
    occurrence, _, first, second = meetup_with_members(capacity=1)
    rsvp_set(occurrence=occurrence, member=first, going=True)
    rsvp_set(occurrence=occurrence, member=second, going=True)
    rsvp_set(occurrence=occurrence, member=first, going=False)


def groups_join_request(client):
    group = GroupFactory(organizer=UserFactory(), join_policy="approval")
    membership_join(group=group, member=UserFactory())


def groups_join_answer(client):
    organizer = UserFactory()
    group = GroupFactory(organizer=organizer, join_policy="approval")
    membership_approve(membership=membership_join(group=group, member=UserFactory()), by=organizer)
    mail.outbox.clear()  # the organizer's "asks to join" is groups_join_request's


def groups_organizer_message(client):
    occurrence, organizer, *_ = meetup_with_members()
    organizer_message_send(
        occurrence=occurrence, by=organizer, audience="members", subject="Room", body="Room B."
    )


def groups_meetup_reminder(client):
    occurrence, _, first, _ = meetup_with_members()
    rsvp_set(occurrence=occurrence, member=first, going=True)
    tomorrow = timezone.now() + timedelta(hours=20)
    Occurrence.objects.filter(pk=occurrence.pk).update(
        start=tomorrow, end=tomorrow + timedelta(hours=1)
    )
    meetup_reminders_send(timestamp=int(timezone.now().timestamp()))


def groups_confirm_request(client):
    occurrence, *_ = meetup_with_members()
    soon = timezone.now() + timedelta(days=2)
    Occurrence.objects.filter(pk=occurrence.pk).update(start=soon, end=soon + timedelta(hours=1))
    meetups_health_check(timestamp=int(timezone.now().timestamp()))


def weekly_digest_(client):
    reader = UserFactory()
    profile_for(reader, library_type="middle_school", state="MI", want_to_learn=["makerspace"])
    StoryFactory(title="Makerspace on a budget", tags=["makerspace"])
    MeetupFactory(group=GroupFactory(state="MI"), title="Thumb lunch")
    weekly_digest(timestamp=int(timezone.now().timestamp()))


def followed_story(client):
    author = UserFactory()
    Follow.objects.create(follower=UserFactory(), target=author)
    story_publish(story=StoryFactory(author=author, status="draft"), by=author)


def followed_meetup(client):
    organizer = UserFactory()
    group = GroupFactory(organizer=organizer)
    Follow.objects.create(follower=UserFactory(), target=group)
    meetup_create(group=group, by=organizer, schedule=make_schedule(), details=make_details())


def directory_suggestion_answer(client):
    suggestion_reject(suggestion=SuggestionFactory(), by=make_curator(), reason="Already listed.")


# --- allauth's account emails (templates/account/email/), built from the request ----------


def email_confirmation_signup(client):
    password = "a-long-pass-phrase"
    signup = {
        "display_name": "Nina Newcomer",
        "email": "new@libraries.example",
        "password1": password,
        "password2": password,
    }
    assert client.post(reverse("account_signup"), signup, **HOST).status_code == 302


def account_already_exists(client):
    member = UserFactory()
    password = "a-long-pass-phrase"
    signup = {
        "display_name": "Nina Newcomer",
        "email": member.email,
        "password1": password,
        "password2": password,
    }
    client.post(reverse("account_signup"), signup, **HOST)


def password_reset_key(client):
    member = UserFactory()
    client.post(reverse("account_reset_password"), {"email": member.email}, **HOST)


def unknown_account(client):
    client.post(reverse("account_reset_password"), {"email": "nobody@libraries.example"}, **HOST)


def email_confirmation(client):
    member = UserFactory()
    client.force_login(member)
    change = {"action_add": "", "email": "moved@libraries.example"}
    client.post(reverse("account_email"), change, **HOST)


def login_code(client):
    member = UserFactory()
    client.post(reverse("account_request_login_code"), {"email": member.email}, **HOST)


# --- mailing-list mode and email in (mailin/) ---------------------------------------------


def list_story(client):
    author, reader = UserFactory(), UserFactory()
    story = StoryFactory(author=author, status="draft")
    follow_toggle(member=reader, target=author)
    mailing_list_mode_set(member=reader, enabled=True, daily_cap=20)
    story_publish(story=story, by=author)
    return story


def list_comment(client):
    story = list_story(client)
    comment_create(story=story, author=UserFactory(), body="We tried this too.")


def mail_in(*, to: str, sender: str, **message):
    inbound_mail_receive(
        raw=an_email(to=to, sender=sender, **message),
        envelope_recipient=to,
        envelope_sender=sender,
        source="receiver",
    )


def mailin_refused(client):
    to = f"reply+forged-token@{settings.REPLY_DOMAIN}"
    mail_in(to=to, sender=UserFactory().email)


def mailin_attachments_ignored(client):
    member, story = UserFactory(), StoryFactory()
    to = reply_address(member=member, thread=story.mail_thread())
    attachment = ("sheet.pdf", b"%PDF-1.4 ...", "application/pdf")
    mail_in(to=to, sender=member.email, text="Attached.", attachments=[attachment])


def mailin_share_draft(client):
    to = f"share@{settings.REPLY_DOMAIN}"
    mail_in(to=to, sender=UserFactory().email, subject="Our book bike", text="It worked.")


NOTIFICATIONS = {
    "contact_message": contact_message,
    "story_comment": story_comment,
    "story_answer_marked": story_answer_marked,
    "story_ask": story_ask,
    "story_hidden": story_hidden,
    "groups_meetup_changed": groups_meetup_changed,
    "groups_waitlist_promoted": groups_waitlist_promoted,
    "groups_join_request": groups_join_request,
    "groups_join_answer": groups_join_answer,
    "groups_organizer_message": groups_organizer_message,
    "groups_meetup_reminder": groups_meetup_reminder,
    "groups_confirm_request": groups_confirm_request,
    "weekly_digest": weekly_digest_,
    "followed_story": followed_story,
    "followed_meetup": followed_meetup,
    "directory_suggestion_answer": directory_suggestion_answer,
    "list_story": list_story,
    "list_comment": list_comment,
    "mailin_refused": mailin_refused,
    "mailin_attachments_ignored": mailin_attachments_ignored,
    "mailin_share_draft": mailin_share_draft,
}
ACCOUNT_EMAILS = {
    "email_confirmation_signup": email_confirmation_signup,
    "email_confirmation": email_confirmation,
    "account_already_exists": account_already_exists,
    "password_reset_key": password_reset_key,
    "unknown_account": unknown_account,
    "login_code": login_code,  # a code, no link: only the footer's may appear
}


def template_of(kind: str) -> str:
    if kind in NOTIFICATIONS:
        return f"emails/{kind}.txt"
    return f"account/email/{kind}_message.txt"


def links_in(message) -> list[str]:
    """Every address in the message: absolute links, and paths that lack the site's address
    (in the text, a word starting with "/"; in the HTML, any href)."""
    html = [content for content, _ in getattr(message, "alternatives", [])]
    parts = [message.body, *html, *(f" {value} " for value in message.extra_headers.values())]
    links = [link.rstrip(".,;>") for part in parts for link in LINK.findall(part)]
    links += re.findall(r"(?:^|\s)(/[\w/-]+)", message.body)
    # reply-by-email links (mailto:) name an address, not a page
    links += [href for part in html for href in re.findall(r'href="(?!mailto:)([^"]*)"', part)]
    return links


def test_every_kind_of_email_has_a_case_here():
    kinds = {path.stem for path in EMAIL_TEMPLATES.glob("*.txt") if not path.stem.startswith("_")}
    assert kinds == set(NOTIFICATIONS)


@pytest.mark.parametrize("kind", [*NOTIFICATIONS, *ACCOUNT_EMAILS])
def test_links_point_at_the_served_address(kind, client, task_queue, rendered):
    (NOTIFICATIONS | ACCOUNT_EMAILS)[kind](client)
    task_queue.run_all()

    assert template_of(kind) in rendered, f"{kind} was not produced; rendered {rendered}"
    assert mail.outbox, f"no {kind} email was sent"
    links = [link for message in mail.outbox for link in links_in(message)]
    elsewhere = [link for link in links if link != SERVED and not link.startswith(SERVED + "/")]
    assert elsewhere == []
    if kind != "login_code":
        on_site = [link for link in links if link == SERVED or link.startswith(SERVED + "/")]
        assert on_site, f"{kind} has no link"
