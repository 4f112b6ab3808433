"""`manage.py send_test_mail`: send one email to the local receiver, as a member's mail client
would — to try replying by email with `make run`."""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Send a test email (a reply, or a new story to share@) to the local mail receiver."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, help="reply+…@REPLY_DOMAIN or share@…")
        parser.add_argument("--from", dest="sender", required=True, help="a member's address")
        parser.add_argument("--subject", default="Re: a test reply")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("text", help="what the member writes")

    def handle(self, *args, to, sender, subject, host, port, text, **options):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, to, subject
        message["Message-ID"] = make_msgid(domain="test.invalid")
        message.set_content(text)
        try:
            with smtplib.SMTP(host, port, timeout=10) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise CommandError(f"The receiver at {host}:{port} did not take it: {error}") from error
        self.stdout.write(f"Sent to {to}; the worker posts it in a moment.")
