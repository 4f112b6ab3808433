"""`make run` (manage.py devserver): the address it gives its children as SITE_URL. Serving,
restarting the worker and the links in emails are exercised with real processes in
tests/reliability/test_make_run.py."""

import io

import pytest

from config.management.commands.devserver import served_url


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


@pytest.fixture
def devserver_run(monkeypatch, db):
    """Run devserver with fake children; `lifetimes[name]` says when each start of that child
    exits (a list, one per start). Returns the started processes and the pauses taken."""
    from django.core.management import call_command

    from config.management.commands import devserver
    from tests.factories import UserFactory

    UserFactory()  # not a first run: no demo seeding
    started, pauses = [], []

    def run(lifetimes, environ=None):
        def popen(command, env, **kwargs):
            name = "web" if "runserver" in command else "worker"
            process = FakeProcess(command, env, lifetimes[name].pop(0))
            started.append((name, process))
            return process

        monkeypatch.setattr(devserver, "call_command", lambda *a, **k: None)
        monkeypatch.setattr(devserver.subprocess, "Popen", popen)
        monkeypatch.setattr(devserver, "_signal_group", lambda child, signum: None)
        monkeypatch.setattr(devserver.signal, "signal", lambda *a: None)
        monkeypatch.setattr(devserver.time, "sleep", pauses.append)
        for name, value in (environ or {}).items():
            monkeypatch.setenv(name, value)
        call_command("devserver", "--port", "8765", stdout=io.StringIO(), stderr=io.StringIO())
        return started, pauses

    monkeypatch.delenv("SITE_URL", raising=False)
    return run


def test_both_children_link_to_the_port_served(devserver_run):
    started, _ = devserver_run({"web": [0], "worker": [None]})

    assert {name: process.env["SITE_URL"] for name, process in started} == {
        "web": "http://127.0.0.1:8765",
        "worker": "http://127.0.0.1:8765",
    }


def test_an_explicit_site_url_wins(devserver_run):
    started, _ = devserver_run(
        {"web": [0], "worker": [None]}, environ={"SITE_URL": "https://commons.example"}
    )

    assert {process.env["SITE_URL"] for _, process in started} == {"https://commons.example"}


def test_a_stopped_worker_is_started_again_waiting_longer_each_time(devserver_run):
    # the worker stops at once three times (the database is away), then keeps running
    started, pauses = devserver_run({"web": [12], "worker": [0, 0, 0, None]})

    assert [name for name, _ in started] == ["web", "worker", "worker", "worker", "worker"]
    restart_pauses = [pause for pause in pauses if pause != 0.5]
    assert restart_pauses == [1, 2, 4]


def test_the_site_stops_when_its_web_server_does(devserver_run):
    started, _ = devserver_run({"web": [2], "worker": [None]})

    assert [name for name, _ in started] == ["web", "worker"]
