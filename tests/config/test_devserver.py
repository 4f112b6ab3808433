"""`make run` (manage.py devserver): the address it gives its children as SITE_URL, restarting
the worker, and the mail receiver beside them. Serving, restarting the worker and the links in
emails are exercised with real processes in tests/reliability/test_make_run.py."""

import io

import pytest
from django.core.management import call_command

from config.management.commands import devserver
from config.management.commands.devserver import served_url
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8765, "http://127.0.0.1:8765"),
        ("localhost", 8000, "http://localhost:8000"),
        # every interface: a browser on this machine uses loopback
        ("0.0.0.0", 8001, "http://127.0.0.1:8001"),
        ("::", 8001, "http://127.0.0.1:8001"),
        ("::1", 8002, "http://[::1]:8002"),
    ],
)
def test_the_address_emails_link_to_is_the_one_served(host, port, url):
    assert served_url(host, port) == url


class FakeProcess:
    """Stands for a child process: `exits_after` polls, it has exited (None: never)."""

    def __init__(self, command, env, exits_after=None):
        self.command, self.env = command, env
        self.pid = -1
        self.polls_left = exits_after

    def poll(self):
        if self.polls_left is None:
            return None
        if self.polls_left > 0:
            self.polls_left -= 1
            return None
        return 1

    def wait(self, timeout=None):
        return 0


def child_name(command):
    if "runserver" in command:
        return "web"
    if "receive_mail" in command:
        return "receiver"
    return "worker"


@pytest.fixture
def devserver_run(monkeypatch, db):
    """Run devserver with fake children; `lifetimes[name]` says when each start of that child
    exits (a list, one per start). Returns the started processes and the pauses taken."""
    UserFactory()  # not a first run: no demo seeding
    started, pauses = [], []

    def run(lifetimes, environ=None, port="8765"):
        def popen(command, env, **kwargs):
            name = child_name(command)
            process = FakeProcess(command, env, lifetimes.get(name, [None]).pop(0))
            started.append((name, process))
            return process

        monkeypatch.setattr(devserver, "call_command", lambda *a, **k: None)
        monkeypatch.setattr(devserver.subprocess, "Popen", popen)
        monkeypatch.setattr(devserver, "_signal_group", lambda child, signum: None)
        monkeypatch.setattr(devserver.signal, "signal", lambda *a: None)
        monkeypatch.setattr(devserver.time, "sleep", pauses.append)
        for name, value in (environ or {}).items():
            monkeypatch.setenv(name, value)
        out = io.StringIO()
        call_command("devserver", "--port", port, stdout=out, stderr=io.StringIO())
        return started, pauses, out.getvalue()

    monkeypatch.delenv("SITE_URL", raising=False)
    return run


def test_both_children_link_to_the_port_served(devserver_run):
    started, _, _ = devserver_run({"web": [0], "worker": [None]})

    assert {name: process.env["SITE_URL"] for name, process in started} == {
        "web": "http://127.0.0.1:8765",
        "worker": "http://127.0.0.1:8765",
        "receiver": "http://127.0.0.1:8765",
    }


def test_an_explicit_site_url_wins(devserver_run):
    started, _, _ = devserver_run(
        {"web": [0], "worker": [None]}, environ={"SITE_URL": "https://commons.example"}
    )

    assert {process.env["SITE_URL"] for _, process in started} == {"https://commons.example"}


def test_a_stopped_worker_is_started_again_waiting_longer_each_time(devserver_run):
    # the worker stops at once three times (the database is away), then keeps running
    started, pauses, _ = devserver_run({"web": [12], "worker": [0, 0, 0, None]})

    assert [name for name, _ in started] == [
        "web",
        "worker",
        "receiver",
        "worker",
        "worker",
        "worker",
    ]
    restart_pauses = [pause for pause in pauses if pause != 0.5]
    assert restart_pauses == [1, 2, 4]


def test_the_site_stops_when_its_web_server_does(devserver_run):
    started, _, _ = devserver_run({"web": [2], "worker": [None]})

    assert [name for name, _ in started] == ["web", "worker", "receiver"]


def test_make_run_starts_the_mail_receiver_and_says_how_to_reply(devserver_run, settings):
    started, _, printed = devserver_run({"web": [0]}, port="8001")

    receivers = [process.command for name, process in started if name == "receiver"]
    assert len(receivers) == 1
    assert receivers[0][-2:] == ["--port", "2526"], "the mail port follows the web port"
    assert "send_test_mail --port 2526" in printed
    assert f"reply+…@{settings.REPLY_DOMAIN}" in printed


def test_the_mail_port_can_be_chosen(devserver_run):
    started, _, _ = devserver_run({"web": [0]}, environ={"MAIL_RECEIVER_PORT": "3025"})

    assert next(p.command for name, p in started if name == "receiver")[-1] == "3025"
