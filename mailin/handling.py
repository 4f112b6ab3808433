"""What a received email does: a reply becomes a comment (or, to an organizer's message, a
message to the organizers), mail to share@ starts a draft, and whatever is refused gets one
short email saying why — never to a machine, and never more than a few a day to one address.

Every path goes through the same services, permissions, posting limits, Markdown handling and
moderation as the site's own forms: `stories.services.comment_create` with `CommentForm` and
`posting_limited`, `members.services.contact_send`, `stories.services.story_create`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from allauth.account.models import EmailAddress
from anymail.inbound import AnymailInboundMessage
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from groups.models import Membership, Occurrence
from kit.tasks import email_message_send
from mailin.addresses import share_address
from mailin.models import NULL_SENDER, InboundMail
from mailin.parsing import ReplyText, automatic_reason, new_text
from members.services import ContactRefused, contact_send
from notifications.email_threads import (
    ReplyToken,
    new_message_id,
    reply_token_in,
    reply_token_read,
)
from stories.forms import CommentForm, StoryForm
from stories.models import Story
from stories.permissions import posting_limited
from stories.services import comment_create, story_create

# at most this many answers (refusals, confirmations) to one address a day: a loop with a
# misbehaving auto-responder stops here
ANSWERS_PER_ADDRESS_PER_DAY = 5
QUOTED_IN_REFUSAL = 4000
TITLE_MAX = 160
SUBJECT_PREFIXES = ("re:", "fwd:", "fw:", "aw:", "wg:", "tr:")


class DraftByEmailForm(forms.Form):
    """A story's title and situation checked as the story form checks them (length, NUL)."""

    title = StoryForm.base_fields["title"]
    situation = StoryForm.base_fields["situation"]


class Refused(Exception):
    """Nothing is changed; the sender is told `explanation` (and shown `link`, if any)."""

    def __init__(self, reason: str, explanation: str, *, link: str = ""):
        super().__init__(explanation)
        self.reason = reason
        self.explanation = explanation
        self.link = link


@dataclass
class Handling:
    inbound: InboundMail
    message: AnymailInboundMessage
    reply: ReplyText


# --- handling ---------------------------------------------------------------------------------


@transaction.atomic
def inbound_mail_handle(*, inbound: InboundMail) -> InboundMail:
    """Post, refuse or ignore one received message, once."""
    inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
    if inbound.status != InboundMail.Status.RECEIVED:
        return inbound
    message = AnymailInboundMessage.parse_raw_mime_bytes(bytes(inbound.raw))
    handling = Handling(inbound=inbound, message=message, reply=new_text(message))
    if reason := _machine_sent(message, inbound.envelope_sender):
        _finish(inbound, InboundMail.Status.IGNORED, f"not handled: {reason}")
        return inbound
    try:
        if inbound.envelope_recipient == share_address():
            _share(handling)
        else:
            _reply(handling)
    except Refused as refusal:
        _refuse(handling, refusal)
    return inbound


def _reply(handling: Handling) -> None:
    inbound = handling.inbound
    token = reply_token_read(reply_token_in(inbound.envelope_recipient) or "")
    if token is None:
        raise Refused(
            "forged",
            "The address you replied to is not one we gave out, so we could not tell what "
            "your reply was about.",
        )
    member = _sender_member(handling, member_id=token.member_id)
    if token.kind == "story":
        _reply_to_story(handling, token, member)
    else:
        _reply_to_organizers(handling, token, member)


def _reply_to_story(handling: Handling, token: ReplyToken, member: User) -> None:
    story = Story.objects.visible_to(member).filter(pk=token.pk).first()
    if story is None or not story.is_published or story.is_hidden:
        raise Refused(
            "closed",
            "The story is no longer open for discussion: it was hidden, unpublished or deleted.",
        )
    link = settings.SITE_URL + story.get_absolute_url()
    _require_fresh(token, link=link)
    form = CommentForm(data={"body": _text_or_refuse(handling, link)})
    if not form.is_valid():
        problems = form.errors.get("body", ["Not accepted."])
        raise Refused("invalid", " ".join(str(problem) for problem in problems), link=link)
    if limited := posting_limited(member, "comment"):
        raise Refused("limit", limited, link=link)
    try:
        comment = comment_create(story=story, author=member, body=form.cleaned_data["body"])
    except (ValidationError, PermissionDenied) as error:
        explanation = " ".join(getattr(error, "messages", [str(error)]))
        raise Refused("closed", explanation, link=link) from error
    _finish(handling.inbound, InboundMail.Status.POSTED, f"comment {comment.pk}")
    if handling.reply.ignored_attachments:
        _answer(
            handling,
            to=member.email,
            subject=f"Re: {story.title}",
            template="mailin_attachments_ignored",
            context={
                "link": settings.SITE_URL + comment.get_absolute_url(),
                "files": handling.reply.ignored_attachments,
            },
        )


def _reply_to_organizers(handling: Handling, token: ReplyToken, member: User) -> None:
    occurrence = (
        Occurrence.objects.visible_to(member)
        .select_related("meetup__group")
        .filter(pk=token.pk)
        .first()
    )
    if occurrence is None:
        raise Refused("closed", "This meetup date is no longer on the site.")
    link = settings.SITE_URL + occurrence.get_absolute_url()
    _require_fresh(token, link=link)
    text = _text_or_refuse(handling, link)
    organizers = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.organizers()
        .filter(group=occurrence.meetup.group)
        .values("member_id"),
    ).exclude(pk=member.pk)
    about = f"About {occurrence.mail_thread().title} (a reply by email):\n\n{text}"
    sent, refusal = 0, None
    for organizer in organizers.order_by("pk"):
        try:
            contact_send(sender=member, recipient=organizer, message=about, share_email=False)
            sent += 1
        except ContactRefused as error:
            refusal = error
    if not sent:
        raise Refused(
            "organizers",
            str(refusal) if refusal else "This group has no organizer who can take messages.",
            link=link,
        )
    _finish(handling.inbound, InboundMail.Status.POSTED, f"sent to {sent} organizer(s)")
    if handling.reply.ignored_attachments:
        _answer(
            handling,
            to=member.email,
            subject=f"Re: {occurrence.mail_thread().title}",
            template="mailin_attachments_ignored",
            context={
                "link": link,
                "files": handling.reply.ignored_attachments,
                "organizers": True,
            },
        )


def _share(handling: Handling) -> None:
    """share@: a draft from a member's verified address, and a link to review and publish it
    (nothing is published straight from email). A forged From gets no further than a draft
    the member is told about at their own address, where the link goes."""
    sender = _from_address(handling.message)
    member = _member_by_verified_address(sender)
    if member is None:
        raise Refused(
            "unknown_sender",
            "Stories are taken only from a verified address of a member's account. Send it "
            "from the address you sign in with, or write it on the site.",
        )
    handling.inbound.member = member
    if not member.is_active:
        raise Refused("suspended", "Your account is suspended, so nothing can be posted from it.")
    new_story = settings.SITE_URL + reverse("stories:create")
    title = _story_title(handling.message.subject or "")
    if not title:
        raise Refused("no_title", "Put your story's title in the subject line.", link=new_story)
    text = _text_or_refuse(handling, new_story)
    if limited := posting_limited(member, "story"):
        raise Refused("limit", limited, link=new_story)
    draft = DraftByEmailForm(data={"title": title, "situation": text})
    if not draft.is_valid():
        problems = [str(error) for errors in draft.errors.values() for error in errors]
        raise Refused("invalid", " ".join(problems), link=new_story)
    story = story_create(author=member, data=draft.cleaned_data, publish=False)
    _finish(handling.inbound, InboundMail.Status.POSTED, f"draft story {story.pk}")
    _answer(
        handling,
        to=member.email,
        subject=f"Your draft: {story.title}",
        template="mailin_share_draft",
        context={
            "story": story,
            "link": settings.SITE_URL + reverse("stories:update", kwargs={"pk": story.pk}),
        },
    )


# --- checks ---------------------------------------------------------------------------------


def _machine_sent(message, envelope_sender: str) -> str:
    if reason := automatic_reason(message, envelope_sender):
        return reason
    sender = _from_address(message)
    ours = {
        parseaddr(address)[1].lower()
        for address in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL)
    }
    if sender in ours or sender.endswith("@" + settings.REPLY_DOMAIN):
        return "sent by this site"
    return ""


def _sender_member(handling: Handling, *, member_id: int) -> User:
    """The member the reply address was made for, if the message comes from one of their
    verified addresses (a reply address forwarded to someone else does not make them the
    member)."""
    member = User.objects.filter(pk=member_id).first()
    sender = _from_address(handling.message)
    if member is None or not _is_verified_address_of(member, sender):
        raise Refused(
            "not_your_address",
            "Replies are taken only from the address the email was sent to (a verified "
            "address of the member's account). Reply from that address, or write on the site.",
        )
    handling.inbound.member = member
    if not member.is_active:
        raise Refused("suspended", "Your account is suspended, so nothing can be posted from it.")
    return member


def _require_fresh(token: ReplyToken, *, link: str) -> None:
    if token.expired:
        raise Refused(
            "expired",
            f"Reply addresses work for {settings.REPLY_BY_EMAIL_DAYS} days and this one has "
            "expired. Reply on the site instead.",
            link=link,
        )


def _text_or_refuse(handling: Handling, link: str) -> str:
    if not handling.reply.text:
        raise Refused(
            "empty",
            "We found no new text in your email once the quoted message and your signature "
            "were taken out. Write above the quoted message and send it again.",
            link=link,
        )
    return handling.reply.text


def _from_address(message) -> str:
    return parseaddr(str(message.get("From") or ""))[1].strip().lower()


def _is_verified_address_of(member: User, address: str) -> bool:
    return bool(address) and (
        EmailAddress.objects.filter(user=member, email__iexact=address, verified=True).exists()
    )


def _member_by_verified_address(address: str) -> User | None:
    if not address:
        return None
    found = EmailAddress.objects.filter(email__iexact=address, verified=True).select_related("user")
    return found[0].user if found else None


def _story_title(subject: str) -> str:
    title = " ".join(subject.split())
    while title.lower().startswith(SUBJECT_PREFIXES):
        title = title.split(":", 1)[1].strip()
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
    return title


# --- answering ------------------------------------------------------------------------------


def _refuse(handling: Handling, refusal: Refused) -> None:
    _finish(handling.inbound, InboundMail.Status.REFUSED, f"{refusal.reason}: {refusal}")
    # RFC 3834: an automatic answer goes to the envelope sender (the Return-Path), never to the
    # null sender; when a provider did not say, to the From address
    sender = handling.inbound.envelope_sender
    if sender == NULL_SENDER:
        return
    to = sender or _from_address(handling.message)
    _answer(
        handling,
        to=to,
        subject=f"Not posted: {handling.message.subject or 'your email'}",
        template="mailin_refused",
        context={
            "explanation": refusal.explanation,
            "link": refusal.link,
            "text": handling.reply.text[:QUOTED_IN_REFUSAL],
            "shortened": len(handling.reply.text) > QUOTED_IN_REFUSAL,
        },
    )


def _answer(handling: Handling, *, to: str, subject: str, template: str, context: dict) -> None:
    """One short email back, marked as automatic so auto-responders leave it alone; none to
    our own addresses, and at most a few a day to one address."""
    inbound = handling.inbound
    to = (to or "").strip().lower()
    if not to or to.endswith("@" + settings.REPLY_DOMAIN):
        return
    since = timezone.now() - timedelta(days=1)
    if InboundMail.objects.answered_to(to, since=since).count() >= ANSWERS_PER_ADDRESS_PER_DAY:
        inbound.outcome = f"{inbound.outcome} (not answered: enough answers to {to} today)"[:300]
        inbound.save(update_fields=["outcome"])
        return
    inbound.answered_to = to
    inbound.save(update_fields=["answered_to"])
    their_id = str(handling.message.get("Message-ID") or "").strip()
    headers = {
        "Message-ID": new_message_id(),
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
    }
    if their_id:
        headers |= {"In-Reply-To": their_id, "References": their_id}
    context = {**context, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    email_message_send.defer(
        subject=f"[{settings.SITE_NAME}] {subject}"[:250],
        body=render_to_string(f"emails/{template}.txt", context).strip() + "\n",
        to=[to],
        headers=headers,
    )


def _finish(inbound: InboundMail, status: str, outcome: str) -> None:
    inbound.status = status
    inbound.outcome = outcome[:300]
    inbound.handled_at = timezone.now()
    inbound.save(update_fields=["status", "outcome", "member", "handled_at"])
