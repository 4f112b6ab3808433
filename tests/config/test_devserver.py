"""`make run` (devserver) starts the mail receiver beside the web server and the worker, and
says how to send it a test reply."""

import io

import pytest
from django.core.management import call_command

from config.management.commands import devserver
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class ExitedChild:
    pid = -1

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def started(monkeypatch):
    commands = []
    monkeypatch.setattr(devserver, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(
        devserver.subprocess,
        "Popen",
        lambda command, **k: commands.append(command) or ExitedChild(),
    )
    monkeypatch.setattr(devserver, "_signal_group", lambda child, signum: None)
    monkeypatch.setattr(devserver.signal, "signal", lambda *a: None)
    UserFactory()  # not a first run
    return commands


def test_make_run_starts_the_mail_receiver_and_says_how_to_reply(started, settings):
    out = io.StringIO()
    call_command("devserver", "--port", "8001", stdout=out)

    receivers = [c for c in started if "receive_mail" in c]
    assert len(receivers) == 1
    assert receivers[0][-2:] == ["--port", "2526"], "the mail port follows the web port"
    printed = out.getvalue()
    assert "send_test_mail --port 2526" in printed
    assert f"reply+…@{settings.REPLY_DOMAIN}" in printed


def test_the_mail_port_can_be_chosen(started, monkeypatch):
    monkeypatch.setenv("MAIL_RECEIVER_PORT", "3025")
    call_command("devserver", stdout=io.StringIO())
    assert next(c for c in started if "receive_mail" in c)[-1] == "3025"
