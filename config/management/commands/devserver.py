"""`make run`: prepare the database, then serve the site, a task worker and the mail receiver
side by side."""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from config.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Migrate, load the directory, load demo data on the first run, then run the web "
        "server and a task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--mail-port",
            type=int,
            default=None,
            help="the mail receiver's port (default MAIL_RECEIVER_PORT, else 2525 for port "
            "8000, 2526 for 8001…)",
        )

    def handle(self, *args, host, port, mail_port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        # the directory's starting content: idempotent, and it keeps curators' changes
        call_command("load_directory", verbosity=0)
        if not get_user_model().objects.exists():
            self.stdout.write("First run: loading demo content…")
            call_command("seed_demo")

        url = f"http://{host}:{port}/"
        self.stdout.write(
            self.style.SUCCESS(f"\nLibrarian Commons is running at {url}\n")
            + f"  Log in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}\n"
            + "  (also a Django admin at /admin/). Emails, with their links, print below.\n"
            + "  Press Ctrl-C to stop the web server, the worker, the mail receiver and the "
            "database.\n"
        )
        mail_port = mail_port or int(os.environ.get("MAIL_RECEIVER_PORT", 2525 + port - 8000))
        self.stdout.write(
            f"  Reply by email: the mail receiver takes reply+…@{settings.REPLY_DOMAIN} and "
            f"share@{settings.REPLY_DOMAIN} on {host}:{mail_port}. Copy the Reply-To address of "
            "an email printed below, then:\n"
            f"    DJANGO_DEBUG=1 {sys.executable} manage.py send_test_mail --port {mail_port} "
            f"--from {DEMO_EMAIL} --to 'reply+…@{settings.REPLY_DOMAIN}' 'My reply'\n"
            "  and the worker posts it as a comment.\n"
        )

        # Children reuse our database URL, so this process alone holds the embedded server and
        # stops it once they have exited.
        env = {**os.environ, "DATABASE_URL": settings.DATABASE_URL, "PYTHONUNBUFFERED": "1"}
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        # each child leads its own process group so that stopping it also stops what it
        # started (runserver's auto-reloader runs the site in a grandchild)
        children = [
            subprocess.Popen([*manage, cmd, *args], env=env, start_new_session=True)
            for cmd, *args in (
                ("runserver", f"{host}:{port}"),
                ("procrastinate", "worker"),
                ("receive_mail", "--host", host, "--port", str(mail_port)),
            )
        ]
        # Ctrl-C, or a TERM from a process manager, stops everything in order
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _interrupt)
        try:
            # if either child dies, stop the other too rather than half-run the site
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            # a second Ctrl-C must not cut the orderly shutdown short
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            for child in children:
                _signal_group(child, signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    _signal_group(child, signal.SIGKILL)
            self.stdout.write(
                "Stopped the web server, the worker and the mail receiver; stopping PostgreSQL."
            )


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
