"""`make run`: prepare the database, then serve the site, a task worker and the mail receiver
side by side.

The worker stops when it loses the database (procrastinate stops a worker whose connection
fails, and leaves restarting it to what runs it), so this command starts it again, waiting a
little longer each time while the database stays away. The site itself keeps running: its
pages answer 503 until the database is back.
"""

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

# seconds before starting a stopped worker again: longer each time it stops soon after
# starting, back to the first once it has run for WORKER_SETTLED seconds
WORKER_RESTART_DELAYS = (1, 2, 4, 8)
WORKER_SETTLED = 60


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

        url = served_url(host, port)
        self.stdout.write(
            self.style.SUCCESS(f"\nLibrarian Commons is running at {url}/\n")
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
        # stops it once they have exited. Links in emails and feeds (SITE_URL) point at the
        # address served here unless SITE_URL is set: the worker writes most emails, so it
        # needs the same value as the web server.
        env = {
            **os.environ,
            "DATABASE_URL": settings.DATABASE_URL,
            "SITE_URL": os.environ.get("SITE_URL") or url,
            "PYTHONUNBUFFERED": "1",
        }
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        web = _Child([*manage, "runserver", f"{host}:{port}"], env)
        worker = _Child([*manage, "procrastinate", "worker"], env)
        receiver = _Child([*manage, "receive_mail", "--host", host, "--port", str(mail_port)], env)
        children = [web, worker, receiver]
        # Ctrl-C, or a TERM from a process manager, stops everything in order
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _interrupt)
        try:
            for child in children:
                child.start()
            # the site runs as long as the web server does; a stopped worker is started again
            restarts = 0
            while web.running():
                if not worker.running():
                    ran_for = worker.ran_for()
                    restarts = 0 if ran_for >= WORKER_SETTLED else restarts
                    delay = WORKER_RESTART_DELAYS[min(restarts, len(WORKER_RESTART_DELAYS) - 1)]
                    self.stderr.write(
                        self.style.WARNING(
                            f"The task worker stopped (exit code {worker.returncode()}) after "
                            f"{ran_for:.0f} s; starting it again in {delay} s."
                        )
                    )
                    time.sleep(delay)
                    restarts += 1
                    if web.running():
                        worker.start()
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            # a second Ctrl-C must not cut the orderly shutdown short
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                child.wait_or_kill(timeout=10)
            self.stdout.write(
                "Stopped the web server, the worker and the mail receiver; stopping PostgreSQL."
            )


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine uses for a server listening on host:port."""
    if host in ("", "0.0.0.0", "::"):  # every interface: this machine reaches it on loopback
        host = "127.0.0.1"
    if ":" in host:  # an IPv6 address
        host = f"[{host.strip('[]')}]"
    return f"http://{host}:{port}"


class _Child:
    """A command run in a process group of its own, so that stopping it also stops what it
    started (runserver's auto-reloader runs the site in a grandchild)."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command = command
        self.env = env
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env, start_new_session=True)
        self.started_at = time.monotonic()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def returncode(self) -> int | None:
        return self.process.poll() if self.process else None

    def ran_for(self) -> float:
        return time.monotonic() - self.started_at

    def send_signal(self, signum: int) -> None:
        if self.process is not None:
            _signal_group(self.process, signum)

    def wait_or_kill(self, *, timeout: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(self.process, signal.SIGKILL)


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
