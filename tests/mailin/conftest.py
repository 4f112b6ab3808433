"""Building and receiving emails as mail clients and servers send them."""

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

import pytest
from django.conf import settings
from django.utils import timezone

from mailin.services import inbound_mail_receive
from notifications.email_threads import reply_address
from tests.factories import StoryFactory, UserFactory
from tests.mailin.processes import process_database_url  # noqa: F401


def an_email(
    *,
    to: str,
    sender: str,
    text: str | None = "Thanks, this is useful.",
    subject: str = "Re: [Librarian Commons] A story",
    html: str | None = None,
    headers: dict | None = None,
    attachments: tuple = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain="mail.example")
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for filename, data, mimetype in attachments:
        maintype, subtype = mimetype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=SMTP)  # CRLF line ends, as on the wire


@pytest.fixture
def receive(task_queue):
    """Receive one email as the receiver would (envelope sender defaults to From), then run
    the jobs it queued; returns the stored InboundMail."""

    def receive(raw: bytes, *, to: str, envelope_sender: str | None = "", source="receiver"):
        if envelope_sender == "":
            envelope_sender = parseaddr(message_from_bytes(raw)["From"])[1]
        inbound = inbound_mail_receive(
            raw=raw, envelope_recipient=to, envelope_sender=envelope_sender, source=source
        )
        task_queue.run_all()
        if inbound is not None:
            inbound.refresh_from_db()
        return inbound

    return receive


@pytest.fixture
def author(db):
    return UserFactory(display_name="Alex Author")


@pytest.fixture
def replier(db):
    return UserFactory(display_name="Maria Lopez")


@pytest.fixture
def story(author):
    return StoryFactory(author=author, title="Reading buddies for reluctant readers")


@pytest.fixture
def reply_to(replier, story):
    """The Reply-To address `replier` got in an email about `story`."""
    return reply_address(member=replier, thread=story.mail_thread())


@pytest.fixture
def share_to():
    return f"share@{settings.REPLY_DOMAIN}"
