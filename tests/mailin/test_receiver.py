"""`manage.py receive_mail` as the site's mail server meets it: real SMTP and LMTP over
127.0.0.1, with smtplib as the sending server, on the test database."""

import io
import smtplib

import pytest
from django.core.management import call_command
from django.db import connection

from mailin.models import InboundMail
from stories.models import Comment
from tests.mailin.conftest import an_email
from tests.mailin.processes import (
    DatabasePassThrough,
    MailReceiver,
    process_env,
    run_worker_once,
)

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver(tmp_path, process_database_url):
    with MailReceiver(process_env(process_database_url), tmp_path / "receiver.log") as running:
        yield running


def smtp(receiver) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", receiver.port, timeout=20)


def test_only_our_addresses_are_taken(receiver, reply_to, share_to, replier, settings):
    with smtp(receiver) as client:
        client.ehlo()
        client.mail(replier.email)
        assert client.rcpt(f"someone@{settings.REPLY_DOMAIN}")[0] == 550
        assert client.rcpt("reply+abc@elsewhere.example")[0] == 550
        assert client.rcpt(f"reply+@{settings.REPLY_DOMAIN}")[0] == 550
        assert client.rcpt(reply_to)[0] == 250
        assert client.rcpt(share_to)[0] == 250
        code, _ = client.data(an_email(to=reply_to, sender=replier.email))
        assert code == 250

    kept = InboundMail.objects.order_by("envelope_recipient")
    assert [m.envelope_recipient for m in kept] == sorted([reply_to.lower(), share_to])
    assert {m.envelope_sender for m in kept} == {replier.email}
    assert {m.source for m in kept} == {"smtp"}


def test_a_message_over_the_size_limit_is_refused(
    tmp_path, reply_to, replier, process_database_url
):
    env = process_env(process_database_url, MAIL_RECEIVER_MAX_BYTES="20000")
    big = an_email(to=reply_to, sender=replier.email, text=("x" * 70 + "\n") * 450)
    with MailReceiver(env, tmp_path / "receiver.log") as receiver, smtp(receiver) as client:
        client.ehlo()
        assert client.has_extn("size")
        assert client.esmtp_features["size"] == "20000"
        client.mail(replier.email)  # a sender that does not declare the size
        client.rcpt(reply_to)
        code, text = client.data(big)
        assert code == 552, text
    assert InboundMail.objects.count() == 0


def test_a_reply_is_posted_once_the_worker_has_run(receiver, reply_to, replier, story):
    with smtp(receiver) as client:
        client.sendmail(replier.email, [reply_to], an_email(to=reply_to, sender=replier.email))
    assert Comment.objects.count() == 0  # nothing is done inside the SMTP conversation

    worker = run_worker_once(receiver.env)

    assert InboundMail.objects.get().status == InboundMail.Status.POSTED, worker.stderr[-3000:]
    assert Comment.objects.get().author == replier


def test_lmtp_answers_once_per_recipient(
    tmp_path, reply_to, share_to, replier, process_database_url
):
    env = process_env(process_database_url)
    with MailReceiver(env, tmp_path / "receiver.log", lmtp=True) as receiver:
        client = smtplib.LMTP("127.0.0.1", receiver.port, timeout=20)
        try:
            refused = client.sendmail(
                replier.email, [reply_to, share_to], an_email(to=reply_to, sender=replier.email)
            )
        finally:
            client.quit()
    assert refused == {}
    assert InboundMail.objects.count() == 2


def test_while_the_database_is_away_mail_is_deferred_and_the_retry_is_kept(
    tmp_path, reply_to, replier
):
    """The sending server gets 451 (try later) — never 5xx, never a lost 250 — and its retry
    after the database is back is kept, by the same receiver process."""
    with DatabasePassThrough(connection.settings_dict) as database:
        env = process_env(database.url)
        with MailReceiver(env, tmp_path / "receiver.log") as receiver:
            first = an_email(to=reply_to, sender=replier.email, text="Before the outage")
            with smtp(receiver) as client:
                client.sendmail(replier.email, [reply_to], first)

            database.cut()
            during = an_email(to=reply_to, sender=replier.email, text="During the outage")
            with smtp(receiver) as client, pytest.raises(smtplib.SMTPDataError) as deferred:
                client.sendmail(replier.email, [reply_to], during)
            assert deferred.value.smtp_code == 451

            database.restore()
            with smtp(receiver) as client:  # the sending server's retry
                client.sendmail(replier.email, [reply_to], during)
            assert receiver.process.poll() is None

    assert InboundMail.objects.count() == 2


def test_send_test_mail_reaches_the_receiver(receiver, reply_to, replier):
    """What `make run` tells developers to type."""
    call_command(
        "send_test_mail",
        "--port",
        str(receiver.port),
        "--from",
        replier.email,
        "--to",
        reply_to,
        "Trying it out",
        stdout=io.StringIO(),
    )
    kept = InboundMail.objects.get()
    assert b"Trying it out" in bytes(kept.raw)
