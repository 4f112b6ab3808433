"""Receiving email for the site: each message is kept and its handling queued in one
transaction (see `mailin/handling.py` for what a message does)."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from django.db import IntegrityError, transaction

from mailin.models import NULL_SENDER, InboundMail
from mailin.tasks import inbound_mail_handle_job


def inbound_mail_receive(
    *, raw: bytes, envelope_recipient: str, envelope_sender: str | None, source: str
) -> InboundMail | None:
    """Keep one message for one of our addresses and queue its handling, in one transaction:
    once this returns the message is safe. The same message delivered again (same Message-ID,
    same address) is kept once; returns None then. Database errors propagate, so the caller
    can ask the sender's server to try again later."""
    headers = BytesHeaderParser(policy=default_policy).parsebytes(raw)
    message_id = _text(str(headers.get("Message-ID") or ""))[:500]
    # "" when the provider did not say; the null sender of bounces stays recognisable
    sender = "" if envelope_sender is None else _text(envelope_sender).strip("<>") or NULL_SENDER
    try:
        with transaction.atomic():
            inbound = InboundMail.objects.create(
                raw=raw,
                envelope_recipient=_text(envelope_recipient).strip("<>").lower(),
                envelope_sender=sender,
                message_id=message_id,
                source=source,
            )
            inbound_mail_handle_job.defer(inbound_id=inbound.pk)
    except IntegrityError:
        return None
    return inbound


def _text(value: str) -> str:
    # PostgreSQL's text refuses NUL; a database error here would have the sender's server
    # retry the same message for days
    return value.replace("\x00", "").strip()
