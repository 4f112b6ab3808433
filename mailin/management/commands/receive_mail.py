"""`manage.py receive_mail`: take REPLY_DOMAIN's mail over SMTP (or LMTP) from the site's mail
server; see mailin/receiver.py and the README's production section."""

import asyncio
import os
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mailin.receiver import server_factory


class Command(BaseCommand):
    help = (
        "Receive replies (reply+…@REPLY_DOMAIN) and new stories (share@REPLY_DOMAIN) over SMTP "
        "or LMTP, and hand each message to the task queue."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("MAIL_RECEIVER_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("MAIL_RECEIVER_PORT", 2525))
        )
        parser.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")

    def handle(self, *args, host, port, lmtp, **options):
        if not settings.REPLY_DOMAIN:
            raise CommandError("Set REPLY_DOMAIN: the receiver takes mail for that domain only.")
        asyncio.run(self.serve(host, port, lmtp))

    async def serve(self, host: str, port: int, lmtp: bool) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(server_factory(lmtp=lmtp), host, port)
        stopped = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopped.set)
        self.stdout.write(
            f"Receiving {'LMTP' if lmtp else 'SMTP'} on {host}:{port} for "
            f"reply+…@{settings.REPLY_DOMAIN} and share@{settings.REPLY_DOMAIN} "
            f"(at most {settings.MAIL_RECEIVER_MAX_BYTES:,} bytes a message)."
        )
        self.stdout.flush()
        async with server:
            await stopped.wait()
        self.stdout.write("Mail receiver stopped.")
