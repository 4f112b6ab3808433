"""The self-hosted way in: an SMTP (or LMTP) server, built on aiosmtpd, that the site's mail
server relays REPLY_DOMAIN's mail to (`manage.py receive_mail`).

It takes only reply+…@ and share@ at REPLY_DOMAIN (any other recipient: 550), refuses messages
over MAIL_RECEIVER_MAX_BYTES (552, from aiosmtpd's SIZE limit), and keeps each accepted message
with its handling queued before it answers 250. While the database cannot take it, it answers
451 — a temporary failure — so the sending server keeps the message and tries again.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction

from mailin.addresses import recipient_accepted
from mailin.services import inbound_mail_receive

logger = logging.getLogger(__name__)

ACCEPTED = "250 2.0.0 Message accepted for delivery"
TRY_LATER = "451 4.3.0 Cannot take the message just now, please try again later"
NO_SUCH_ADDRESS = "550 5.1.1 No such address here"
IDENT = "Librarian Commons mail receiver"


class InboundHandler:
    """aiosmtpd's handler: the RCPT and DATA hooks."""

    def __init__(self, *, lmtp: bool = False):
        self.lmtp = lmtp
        self.source = "lmtp" if lmtp else "smtp"

    async def handle_RCPT(self, server, session: Session, envelope: Envelope, address, options):
        if not recipient_accepted(address):
            return NO_SUCH_ADDRESS
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session: Session, envelope: Envelope) -> str:
        try:
            await sync_to_async(keep_message, thread_sensitive=True)(
                raw=envelope.original_content or b"",
                recipients=list(envelope.rcpt_tos),
                envelope_sender=envelope.mail_from or "",
                source=self.source,
            )
        except DatabaseError:
            logger.warning("database unavailable: answered 451 to %s", session.peer)
            status = TRY_LATER
        else:
            status = ACCEPTED
        # LMTP answers DATA once per recipient (RFC 2033); all of ours share one fate
        return "\r\n".join([status] * len(envelope.rcpt_tos)) if self.lmtp else status


def keep_message(*, raw: bytes, recipients: list[str], envelope_sender: str, source: str) -> None:
    """All recipients' copies, or none (the sender's server retries the whole message)."""
    close_old_connections()  # a connection broken by a database restart is not reused
    try:
        with transaction.atomic():
            for recipient in recipients:
                inbound_mail_receive(
                    raw=raw,
                    envelope_recipient=recipient,
                    envelope_sender=envelope_sender,
                    source=source,
                )
    except DatabaseError:
        close_old_connections()
        raise


def server_factory(*, lmtp: bool = False):
    protocol = LMTP if lmtp else SMTP
    handler = InboundHandler(lmtp=lmtp)

    def make():
        return protocol(
            handler,
            data_size_limit=settings.MAIL_RECEIVER_MAX_BYTES,
            enable_SMTPUTF8=True,
            ident=IDENT,
            loop=asyncio.get_running_loop(),
        )

    return make
