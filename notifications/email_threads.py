"""Emails that thread and can be answered.

Every email about one story (or one meetup date) belongs to one thread: the same subject, a
stable Message-ID, and In-Reply-To/References naming the thread's root message, so Gmail,
Outlook, Apple Mail and Thunderbird group them. An email may also carry a reply address for
its recipient and that thing — `reply+<token>@REPLY_DOMAIN`, signed and expiring — which the
inbound mail app (`mailin/`) reads back to know who replied about what.

The token fits an address's local part (at most 64 characters) and survives mail servers that
lower-case it: `<kind><id>.<member>.<day>.<signature>`, numbers in base 36, the signature a
truncated HMAC in lower-case base 32.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import make_msgid
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.crypto import salted_hmac

REPLY_SALT = "notifications.email_threads.reply"
REPLY_PREFIX = "reply+"
SIGNATURE_BYTES = 15  # 120 bits, 24 base-32 characters
EPOCH = date(1970, 1, 1)

# what a reply can be about: the name used in code → the letter in the token
REPLY_KINDS = {"story": "s", "occurrence": "o"}
REPLY_HINTS = {
    "story": (
        "Reply to this email to add a comment to the story: it is posted under your name, "
        "for everyone who can see the story."
    ),
    "occurrence": "Reply to this email to write to the organizers only.",
}


@dataclass(frozen=True)
class MailThread:
    """One story, or one meetup date, as a thread in a mail client."""

    kind: str  # a key of REPLY_KINDS
    pk: int
    title: str

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"

    @property
    def subject(self) -> str:
        return f"[{settings.SITE_NAME}] {self.title}"

    @property
    def root_message_id(self) -> str:
        return f"<{self.key}@{message_id_domain()}>"

    def message_id(self, event: str = "") -> str:
        """The Message-ID of the email about `event` ("comment-12"), the same every time it
        is sent (a retried job, or several recipients); no event names the root itself."""
        return f"<{self.key}.{event}@{message_id_domain()}>" if event else self.root_message_id

    def headers(self, event: str = "") -> dict[str, str]:
        headers = {"Message-ID": self.message_id(event)}
        if event:
            headers["In-Reply-To"] = self.root_message_id
            headers["References"] = self.root_message_id
        return headers


def message_id_domain() -> str:
    return settings.REPLY_DOMAIN or urlsplit(settings.SITE_URL).hostname or "localhost"


def new_message_id() -> str:
    """A Message-ID for a one-off email (a refusal, a confirmation)."""
    return make_msgid(domain=message_id_domain())


# --- reply addresses ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyToken:
    kind: str
    pk: int
    member_id: int
    issued: date

    @property
    def expired(self) -> bool:
        return _today() - self.issued > timedelta(days=settings.REPLY_BY_EMAIL_DAYS)


def reply_address(*, member, thread: MailThread) -> str | None:
    """The address `member` replies to about `thread`, or None when replying by email is off
    (no REPLY_DOMAIN)."""
    if not settings.REPLY_DOMAIN:
        return None
    token = reply_token(member_id=member.pk, kind=thread.kind, pk=thread.pk)
    return f"{REPLY_PREFIX}{token}@{settings.REPLY_DOMAIN}"


def reply_mailto(*, member, thread: MailThread) -> str | None:
    """A mailto: link that starts a reply about `thread` (for lists of several things, such as
    the weekly digest, where one Reply-To cannot serve them all)."""
    address = reply_address(member=member, thread=thread)
    if address is None:
        return None
    return f"mailto:{address}?subject={quote('Re: ' + thread.subject)}"


def reply_token(*, member_id: int, kind: str, pk: int, issued: date | None = None) -> str:
    issued = issued or _today()
    payload = ".".join((REPLY_KINDS[kind] + _b36(pk), _b36(member_id), _b36((issued - EPOCH).days)))
    return f"{payload}.{_signature(payload, settings.SECRET_KEY)}"


def reply_token_read(token: str) -> ReplyToken | None:
    """What a token names (check `.expired`), or None when it is malformed or forged."""
    token = (token or "").lower()
    payload, _, signature = token.rpartition(".")
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not payload or not any(
        hmac.compare_digest(signature, _signature(payload, key)) for key in keys
    ):
        return None
    try:
        target, member, day = payload.split(".")
        kind = {letter: name for name, letter in REPLY_KINDS.items()}[target[0]]
        return ReplyToken(
            kind=kind,
            pk=int(target[1:], 36),
            member_id=int(member, 36),
            issued=EPOCH + timedelta(days=int(day, 36)),
        )
    except (KeyError, ValueError, IndexError, OverflowError):
        return None


def reply_token_in(address: str) -> str | None:
    """The token of a `reply+<token>@REPLY_DOMAIN` address, or None for any other address."""
    local, _, domain = (address or "").strip().strip("<>").rpartition("@")
    if domain.lower() != (settings.REPLY_DOMAIN or "").lower():
        return None
    if not local.lower().startswith(REPLY_PREFIX):
        return None
    return local[len(REPLY_PREFIX) :] or None


def _signature(payload: str, key: str) -> str:
    digest = salted_hmac(REPLY_SALT, payload, secret=key, algorithm="sha256").digest()
    return base64.b32encode(digest[:SIGNATURE_BYTES]).decode("ascii").lower()


def _b36(number: int) -> str:
    if number < 0:
        raise ValueError("only positive numbers")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _today() -> date:
    return datetime.now(UTC).date()
