"""What a received email does: a reply becomes a comment through the web form's rules, an
organizer message's reply reaches the organizers only, share@ starts a draft, and every refusal
changes nothing and is explained in one email — never to a machine, never in a loop."""

import email
import email.policy
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ContactMessage
from groups import services as group_services
from groups.models import Membership
from mailin.handling import ANSWERS_PER_ADDRESS_PER_DAY
from mailin.models import InboundMail
from mailin.tasks import inbound_mail_forget_old
from notifications.email_threads import reply_address, reply_token
from stories.models import SECTION_MAX_LENGTH, Comment, Story
from stories.permissions import posting_limited
from tests.factories import MeetupFactory, MembershipFactory, StoryFactory, UserFactory
from tests.mailin.conftest import an_email

pytestmark = pytest.mark.django_db


def answers_to(address: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(m.message().as_bytes(), policy=email.policy.default)
        for m in mail.outbox
        if address in m.to
    ]


def only_answer_to(address: str) -> str:
    [answer] = answers_to(address)
    assert answer["Auto-Submitted"] == "auto-replied"
    return answer.get_body(preferencelist=("plain",)).get_content()


# --- replies become comments ------------------------------------------------------------------


def test_a_reply_is_posted_as_a_comment_by_that_member(
    receive, replier, story, reply_to, author, client
):
    inbound = receive(
        an_email(to=reply_to, sender=replier.email, text="We pair by level."), to=reply_to
    )

    comment = Comment.objects.get()
    assert (comment.story, comment.author, comment.body) == (story, replier, "We pair by level.")
    assert (inbound.status, inbound.member) == (InboundMail.Status.POSTED, replier)
    # the same service as the web form: the story's author is told, the count moves on
    assert Story.objects.get(pk=story.pk).comment_count == 1
    assert any(author.email in m.to for m in mail.outbox)
    assert not answers_to(replier.email), "a plain reply needs no answer"
    client.force_login(author)
    assert "We pair by level." in client.get(story.get_absolute_url()).content.decode()


def test_quoted_text_and_signature_never_reach_the_comment(receive, replier, reply_to):
    text = (
        "Count me in.\n\nSent from my iPhone\n\n"
        "> On Mar 3, 2026, at 09:14, Librarian Commons <x@y> wrote:\n> Did you pair them?\n"
    )
    receive(an_email(to=reply_to, sender=replier.email, text=text), to=reply_to)
    assert Comment.objects.get().body == "Count me in."


def test_an_html_only_reply_is_posted_as_text(receive, replier, reply_to):
    html = (
        "<div>We used <b>volunteers</b>.</div><div class='gmail_quote'>On Tue, Mar 3, 2026 at "
        "9:14 AM Librarian Commons wrote:<blockquote>Old</blockquote></div>"
    )
    receive(an_email(to=reply_to, sender=replier.email, text=None, html=html), to=reply_to)
    assert Comment.objects.get().body == "We used volunteers."


def test_markup_in_a_reply_is_cleaned_like_the_web_forms(receive, replier, reply_to, story, client):
    text = 'Look <script>alert("x")</script> and [a link](javascript:alert(1)) **here**'
    receive(an_email(to=reply_to, sender=replier.email, text=text), to=reply_to)

    page = client.get(story.get_absolute_url()).content.decode()
    assert "<strong>here</strong>" in page
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page


def test_attachments_are_not_posted_and_the_member_is_told(receive, replier, reply_to):
    raw = an_email(
        to=reply_to,
        sender=replier.email,
        text="Our sign-up sheet is attached.",
        attachments=[("sheet.pdf", b"%PDF-1.4 ...", "application/pdf")],
    )
    receive(raw, to=reply_to)

    assert Comment.objects.get().body == "Our sign-up sheet is attached."
    answer = only_answer_to(replier.email)
    assert "is posted, without the files attached to it (sheet.pdf)" in answer


def test_nul_in_the_envelope_or_message_id_is_kept_without_it(receive, replier, reply_to):
    raw = an_email(to=reply_to, sender=replier.email)
    raw = raw.replace(b"Message-ID: <", b"Message-ID: <\x00", 1)
    inbound = receive(raw, to=reply_to + "\x00", envelope_sender=replier.email + "\x00")

    assert (inbound.envelope_recipient, inbound.envelope_sender) == (reply_to, replier.email)
    assert "\x00" not in inbound.message_id
    assert Comment.objects.count() == 1


def test_the_same_message_delivered_twice_is_posted_once(receive, replier, reply_to):
    raw = an_email(to=reply_to, sender=replier.email)
    receive(raw, to=reply_to)
    assert receive(raw, to=reply_to) is None
    assert Comment.objects.count() == 1


def test_a_verified_address_in_another_case_is_still_the_member(receive, replier, reply_to):
    receive(an_email(to=reply_to.upper(), sender=replier.email.upper()), to=reply_to.upper())
    assert Comment.objects.get().author == replier


# --- refusals: nothing changes, one short email says why -----------------------------------


def assert_refused(inbound, reason: str, *, answered: str) -> str:
    assert inbound.status == InboundMail.Status.REFUSED
    assert inbound.outcome.startswith(reason), inbound.outcome
    assert Comment.objects.count() == 0
    return only_answer_to(answered)


def test_a_reply_from_an_address_that_is_not_the_members_is_refused(receive, replier, reply_to):
    raw = an_email(to=reply_to, sender="someone.else@elsewhere.example", text="Hijack!")
    answer = assert_refused(
        receive(raw, to=reply_to), "not_your_address", answered="someone.else@elsewhere.example"
    )
    assert "only from the address the email was sent to" in answer
    assert "Hijack!" in answer, "what they wrote comes back, so nothing is lost"


def test_an_unverified_address_of_the_member_is_refused(receive, replier, reply_to):
    EmailAddress.objects.filter(user=replier).update(verified=False)
    raw = an_email(to=reply_to, sender=replier.email)
    assert_refused(receive(raw, to=reply_to), "not_your_address", answered=replier.email)


def test_a_forged_token_is_refused(receive, replier, reply_to, settings):
    forged = reply_to.replace("reply+", "reply+x", 1)
    raw = an_email(to=forged, sender=replier.email)
    answer = assert_refused(receive(raw, to=forged), "forged", answered=replier.email)
    assert "not one we gave out" in answer


def test_a_token_made_for_another_member_is_refused(receive, replier, story, settings):
    someone = UserFactory()
    theirs = reply_address(member=someone, thread=story.mail_thread())
    raw = an_email(to=theirs, sender=replier.email)
    assert_refused(receive(raw, to=theirs), "not_your_address", answered=replier.email)


def test_an_expired_token_is_refused_with_a_link_to_reply_on_the_site(
    receive, replier, story, settings
):
    issued = timezone.now().date() - timedelta(days=settings.REPLY_BY_EMAIL_DAYS + 1)
    token = reply_token(member_id=replier.pk, kind="story", pk=story.pk, issued=issued)
    old = f"reply+{token}@{settings.REPLY_DOMAIN}"
    answer = assert_refused(
        receive(an_email(to=old, sender=replier.email), to=old), "expired", answered=replier.email
    )
    assert "has expired" in answer
    assert settings.SITE_URL + story.get_absolute_url() in answer


@pytest.mark.parametrize(
    "close",
    [
        lambda story: Story.objects.filter(pk=story.pk).update(hidden_at=timezone.now()),
        lambda story: Story.objects.filter(pk=story.pk).update(status="draft"),
        lambda story: story.delete(),
    ],
    ids=["hidden", "unpublished", "deleted"],
)
def test_a_reply_to_a_closed_story_is_refused(receive, replier, story, reply_to, close):
    close(story)
    raw = an_email(to=reply_to, sender=replier.email)
    answer = assert_refused(receive(raw, to=reply_to), "closed", answered=replier.email)
    assert "no longer open for discussion" in answer


def test_a_suspended_member_is_refused(receive, replier, reply_to):
    replier.is_active = False
    replier.save()
    raw = an_email(to=reply_to, sender=replier.email)
    answer = assert_refused(receive(raw, to=reply_to), "suspended", answered=replier.email)
    assert "suspended" in answer


def test_a_reply_over_the_posting_limit_is_refused(receive, replier, reply_to):
    while not posting_limited(replier, "comment"):
        pass  # the member posted all they may this hour
    answer = assert_refused(
        receive(an_email(to=reply_to, sender=replier.email), to=reply_to),
        "limit",
        answered=replier.email,
    )
    assert "Nothing you wrote was lost" in answer


def test_a_reply_with_nothing_new_is_refused(receive, replier, reply_to):
    text = "On Tue, Mar 3, 2026 at 9:14 AM Librarian Commons wrote:\n> Did you pair them?\n"
    answer = assert_refused(
        receive(an_email(to=reply_to, sender=replier.email, text=text), to=reply_to),
        "empty",
        answered=replier.email,
    )
    assert "no new text" in answer


def test_a_reply_longer_than_the_web_form_takes_is_refused(receive, replier, reply_to):
    raw = an_email(to=reply_to, sender=replier.email, text="word " * 2500)
    assert_refused(receive(raw, to=reply_to), "invalid", answered=replier.email)


def test_a_refusal_goes_to_the_envelope_sender_and_threads_with_the_message(
    receive, replier, reply_to
):
    raw = an_email(to=reply_to, sender="someone.else@elsewhere.example")
    receive(raw, to=reply_to, envelope_sender="bounces+123@elsewhere.example")

    [answer] = answers_to("bounces+123@elsewhere.example")
    their_id = email.message_from_bytes(raw)["Message-ID"]
    assert answer["In-Reply-To"] == their_id
    assert answer["Subject"].startswith("[Librarian Commons] Not posted: Re:")


# --- machines: never posted, never answered ------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "envelope_sender"),
    [
        ({"Auto-Submitted": "auto-replied"}, ""),
        ({"Auto-Submitted": "auto-generated"}, ""),
        ({"Precedence": "bulk"}, ""),
        ({"Precedence": "junk"}, ""),
        ({"Precedence": "list"}, ""),
        ({}, "<>"),
        ({"Return-Path": "<>"}, ""),
        ({"X-Autoreply": "yes"}, ""),
        ({"X-Auto-Response-Suppress": "OOF, AutoReply"}, ""),
        ({"Subject": "Automatic reply: Re: [Librarian Commons] A story"}, ""),
        ({"Subject": "Out of Office: back on Monday"}, ""),
    ],
)
def test_an_auto_reply_or_bounce_is_neither_posted_nor_answered(
    receive, replier, reply_to, headers, envelope_sender
):
    subject = headers.pop("Subject", "Re: [Librarian Commons] A story")
    raw = an_email(to=reply_to, sender=replier.email, subject=subject, headers=headers)
    inbound = receive(raw, to=reply_to, envelope_sender=envelope_sender)

    assert inbound.status == InboundMail.Status.IGNORED
    assert Comment.objects.count() == 0
    assert mail.outbox == []


def test_a_delivery_report_from_the_mailer_daemon_is_ignored(receive, reply_to):
    raw = an_email(to=reply_to, sender="MAILER-DAEMON@mx.elsewhere.example", text="Undelivered")
    inbound = receive(raw, to=reply_to, envelope_sender="<>")
    assert inbound.status == InboundMail.Status.IGNORED
    assert mail.outbox == []


def test_mail_from_the_site_itself_is_ignored(receive, reply_to, settings):
    raw = an_email(to=reply_to, sender=f"share@{settings.REPLY_DOMAIN}")
    assert receive(raw, to=reply_to).status == InboundMail.Status.IGNORED
    assert mail.outbox == []


def test_answers_to_one_address_stop_after_a_few_a_day(receive, reply_to):
    # an auto-responder that sets none of the usual headers answers each refusal: a loop
    for n in range(ANSWERS_PER_ADDRESS_PER_DAY + 3):
        raw = an_email(to=reply_to, sender="robot@elsewhere.example", text=f"Got it {n}")
        receive(raw, to=reply_to)

    assert len(answers_to("robot@elsewhere.example")) == ANSWERS_PER_ADDRESS_PER_DAY
    last = InboundMail.objects.order_by("-pk").first()
    assert "not answered: enough answers" in last.outcome


def test_no_answer_ever_goes_to_an_address_of_the_site(receive, reply_to, settings):
    raw = an_email(to=reply_to, sender="someone@elsewhere.example")
    receive(raw, to=reply_to, envelope_sender=f"reply+abc@{settings.REPLY_DOMAIN}")
    assert mail.outbox == []


# --- a reply to an organizer's message goes to the organizers only --------------------------


@pytest.fixture
def organizer_message(task_queue):
    organizer, co_organizer, member, other = (UserFactory() for _ in range(4))
    meetup = MeetupFactory(group__visibility="public")
    group = meetup.group
    for person, role in (
        (organizer, Membership.Role.ORGANIZER),
        (co_organizer, Membership.Role.ORGANIZER),
        (member, Membership.Role.MEMBER),
        (other, Membership.Role.MEMBER),
    ):
        MembershipFactory(group=group, member=person, role=role)
    occurrence = meetup.occurrences.order_by("start").first()
    group_services.organizer_message_send(
        occurrence=occurrence, by=organizer, audience="members", subject="Parking", body="Lot B."
    )
    task_queue.run_all()
    mail.outbox.clear()
    return {
        "occurrence": occurrence,
        "organizers": {organizer, co_organizer},
        "member": member,
        "other": other,
        "reply_to": reply_address(member=member, thread=occurrence.mail_thread()),
    }


def test_a_reply_to_an_organizer_message_reaches_only_the_organizers(receive, organizer_message):
    member, reply_to = organizer_message["member"], organizer_message["reply_to"]
    raw = an_email(to=reply_to, sender=member.email, text="Is lot B free after six?")
    inbound = receive(raw, to=reply_to)

    assert inbound.status == InboundMail.Status.POSTED
    organizers = organizer_message["organizers"]
    assert {m.recipient for m in ContactMessage.objects.all()} == organizers
    assert {m.sender for m in ContactMessage.objects.all()} == {member}
    assert {address for m in mail.outbox for address in m.to} == {o.email for o in organizers}
    assert all("Is lot B free after six?" in m.body for m in mail.outbox)
    assert not any(m.reply_to for m in mail.outbox), "the member's address is not shared"
    assert Comment.objects.count() == 0


def test_a_reply_to_organizers_who_take_no_messages_is_refused(receive, organizer_message):
    for organizer in organizer_message["organizers"]:
        organizer.profile.email_preferences = {"contact_message": False}
        organizer.profile.save()
    member, reply_to = organizer_message["member"], organizer_message["reply_to"]
    inbound = receive(an_email(to=reply_to, sender=member.email), to=reply_to)

    assert inbound.status == InboundMail.Status.REFUSED
    assert "not accepting messages" in only_answer_to(member.email)


def test_a_reply_about_a_date_no_longer_on_the_site_is_refused(receive, organizer_message):
    organizer_message["occurrence"].meetup.delete()
    member, reply_to = organizer_message["member"], organizer_message["reply_to"]
    inbound = receive(an_email(to=reply_to, sender=member.email), to=reply_to)

    assert inbound.outcome.startswith("closed")
    assert ContactMessage.objects.count() == 0


# --- share@: a draft and a link, never a published story -----------------------------------


def test_mail_to_share_makes_a_draft_and_sends_a_link_to_review_it(receive, replier, share_to):
    raw = an_email(
        to=share_to,
        sender=replier.email,
        subject="Fwd: Reading buddies across two schools",
        text="Our high-schoolers read with second-graders.\n\nIt took a term to set up.",
        attachments=[("photo.jpg", b"\xff\xd8\xff", "image/jpeg")],
    )
    inbound = receive(raw, to=share_to)

    story = Story.objects.get()
    assert (story.author, story.status, story.title) == (
        replier,
        Story.Status.DRAFT,
        "Reading buddies across two schools",
    )
    assert story.situation.startswith("Our high-schoolers read with second-graders.")
    assert inbound.status == InboundMail.Status.POSTED
    [answer] = answers_to(replier.email)
    link = reverse("stories:update", kwargs={"pk": story.pk})
    assert link in answer.get_body(preferencelist=("plain",)).get_content()


def test_mail_to_share_from_an_unknown_address_is_refused(receive, share_to):
    raw = an_email(to=share_to, sender="stranger@elsewhere.example", subject="My story")
    inbound = receive(raw, to=share_to)
    assert inbound.outcome.startswith("unknown_sender")
    assert Story.objects.count() == 0
    assert "verified address" in only_answer_to("stranger@elsewhere.example")


def test_mail_to_share_without_a_subject_is_refused(receive, replier, share_to):
    inbound = receive(an_email(to=share_to, sender=replier.email, subject="Fwd:"), to=share_to)
    assert inbound.outcome.startswith("no_title")
    assert Story.objects.count() == 0


def test_mail_to_share_over_the_story_limit_is_refused(receive, replier, share_to):
    while not posting_limited(replier, "story"):
        pass
    inbound = receive(an_email(to=share_to, sender=replier.email, subject="T"), to=share_to)
    assert inbound.outcome.startswith("limit")
    assert Story.objects.count() == 0


@pytest.mark.parametrize(
    ("subject", "text", "said"),
    [
        ("Book bike", "x" * (SECTION_MAX_LENGTH + 1), "Please shorten this"),
        ("Book bike", "Our book bike\x00 worked.", "Null characters are not allowed."),
    ],
)
def test_a_draft_the_story_form_would_refuse_is_refused_with_its_text(
    receive, replier, share_to, subject, text, said
):
    inbound = receive(
        an_email(to=share_to, sender=replier.email, subject=subject, text=text), to=share_to
    )

    assert inbound.outcome.startswith("invalid")
    assert Story.objects.count() == 0
    answer = only_answer_to(replier.email)
    assert said in answer
    assert "What you wrote, so it is not lost" in answer


def test_old_handled_messages_are_forgotten(receive, replier, reply_to):
    receive(an_email(to=reply_to, sender=replier.email), to=reply_to)
    InboundMail.objects.update(received_at=timezone.now() - timedelta(days=31))
    assert inbound_mail_forget_old(timestamp=0) == 1
    assert Comment.objects.count() == 1, "what was posted stays"


def test_a_story_the_member_may_not_see_gets_no_comment(receive, replier, author, settings):
    draft = StoryFactory(author=author, status="draft")
    address = reply_address(member=replier, thread=draft.mail_thread())
    inbound = receive(an_email(to=address, sender=replier.email), to=address)
    assert inbound.outcome.startswith("closed")
