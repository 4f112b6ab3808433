"""Hosted email services' inbound webhooks (django-anymail): each provider's signed call,
shaped as the provider sends it, feeds the same path as the receiver and posts the reply; a
forged or unsigned call changes nothing."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.urls import reverse

from mailin.models import InboundMail
from stories.models import Comment
from tests.mailin.conftest import an_email

pytestmark = pytest.mark.django_db

BASIC_USER, BASIC_PASSWORD = "commons", "s3cret-webhook-password"
MAILGUN_KEY = "key-mailgun-signing-0123456789"
MAILERSEND_SECRET = "mailersend-inbound-secret-0123456789"


@pytest.fixture(autouse=True)
def providers(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": f"{BASIC_USER}:{BASIC_PASSWORD}",
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
        "MAILERSEND_INBOUND_SECRET": MAILERSEND_SECRET,
    }


def basic_auth(password: str = BASIC_PASSWORD) -> dict:
    token = base64.b64encode(f"{BASIC_USER}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def url(provider: str) -> str:
    return reverse("mailin:inbound_" + provider)


# --- each provider's call, as it sends it ----------------------------------------------------


def mailgun_call(client, raw: bytes, *, sender: str, to: str, key=MAILGUN_KEY, auth=None):
    """Mailgun's "forward" route to a URL, raw MIME variant, signed with the webhook key."""
    timestamp, token = str(int(time.time())), "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "recipient": to,
        "sender": sender,
        "body-mime": raw.decode(),
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }
    return client.post(url("mailgun"), data, **(auth if auth is not None else basic_auth()))


def postmark_call(client, raw: bytes, *, sender: str, to: str, password=BASIC_PASSWORD):
    """Postmark's inbound JSON with "include raw email content" switched on."""
    payload = {
        "FromFull": {"Email": sender, "Name": ""},
        "ToFull": [{"Email": to, "Name": ""}],
        "OriginalRecipient": to,
        "Subject": "Re: [Librarian Commons] A story",
        "MessageID": "5d6c0b9c-1f6e-4c7e-9a55-0c1f3f8b2a11",
        "Headers": [{"Name": "Return-Path", "Value": f"<{sender}>"}],
        "RawEmail": raw.decode(),
        "TextBody": "",
        "Attachments": [],
    }
    return client.post(
        url("postmark"),
        json.dumps(payload),
        content_type="application/json",
        **basic_auth(password),
    )


def sendgrid_call(client, raw: bytes, *, sender: str, to: str, password=BASIC_PASSWORD):
    """SendGrid's Inbound Parse with "POST the raw, full MIME message" checked."""
    data = {
        "email": raw.decode(),
        "envelope": json.dumps({"to": [to], "from": sender}),
        "spam_score": "0.1",
        "charsets": json.dumps({"to": "UTF-8", "from": "UTF-8", "subject": "UTF-8"}),
    }
    return client.post(url("sendgrid"), data, **basic_auth(password))


def mailersend_call(client, raw: bytes, *, sender: str, to: str, secret=MAILERSEND_SECRET):
    """MailerSend's inbound route: JSON, its body signed with the route's secret."""
    body = json.dumps(
        {
            "type": "inbound.message",
            "data": {
                "id": "6400f1d9b4a1a5c6d20e7a11",
                "created_at": "2026-03-03T15:02:11.000000Z",
                "raw": raw.decode(),
                "sender": {"email": sender},
                "recipients": {"rcptTo": [{"email": to}]},
            },
        }
    ).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        url("mailersend"),
        body,
        content_type="application/json",
        HTTP_SIGNATURE=signature,
        **basic_auth(),
    )


CALLS = {
    "mailgun": mailgun_call,
    "postmark": postmark_call,
    "sendgrid": sendgrid_call,
    "mailersend": mailersend_call,
}


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning")
@pytest.mark.parametrize("provider", CALLS)
def test_a_signed_call_posts_the_reply(client, provider, task_queue, replier, story, reply_to):
    raw = an_email(to=reply_to, sender=replier.email, text=f"Sent through {provider}.")
    response = CALLS[provider](client, raw, sender=replier.email, to=reply_to)
    assert response.status_code == 200, response.content

    inbound = InboundMail.objects.get()
    assert (inbound.source, inbound.envelope_sender) == (provider, replier.email)
    task_queue.run_all()
    comment = Comment.objects.get()
    assert (comment.story, comment.author, comment.body) == (
        story,
        replier,
        f"Sent through {provider}.",
    )


FORGED = {
    "mailgun, signed with another key": lambda c, raw, **kw: mailgun_call(
        c, raw, key="key-not-ours", **kw
    ),
    "mailgun, no basic auth": lambda c, raw, **kw: mailgun_call(c, raw, auth={}, **kw),
    "postmark, wrong secret": lambda c, raw, **kw: postmark_call(c, raw, password="guess", **kw),
    "sendgrid, wrong secret": lambda c, raw, **kw: sendgrid_call(c, raw, password="guess", **kw),
    "mailersend, signed with another secret": lambda c, raw, **kw: mailersend_call(
        c, raw, secret="not-ours", **kw
    ),
}


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning")
@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_a_forged_call_is_refused_and_changes_nothing(
    client, forged, task_queue, replier, reply_to
):
    raw = an_email(to=reply_to, sender=replier.email)
    response = forged(client, raw, sender=replier.email, to=reply_to)

    assert response.status_code == 400
    assert InboundMail.objects.count() == 0
    assert task_queue.jobs() == []


def test_a_mailgun_call_replayed_with_another_message_is_refused(client, replier, reply_to, story):
    """Mailgun signs the timestamp and token only: a captured signature with a new body must
    not become someone's comment — the Message-ID is kept once, and the token is checked."""
    raw = an_email(to=reply_to, sender=replier.email)
    assert mailgun_call(client, raw, sender=replier.email, to=reply_to).status_code == 200
    assert mailgun_call(client, raw, sender=replier.email, to=reply_to).status_code == 200
    assert InboundMail.objects.count() == 1, "the same message is kept once"


def test_without_a_shared_secret_there_is_no_webhook(client, settings, replier, reply_to):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    raw = an_email(to=reply_to, sender=replier.email)
    assert mailgun_call(client, raw, sender=replier.email, to=reply_to, auth={}).status_code == 404
    assert InboundMail.objects.count() == 0


def test_mail_for_other_addresses_is_not_kept(client, replier, settings):
    raw = an_email(to="someone@elsewhere.example", sender=replier.email)
    response = postmark_call(client, raw, sender=replier.email, to="someone@elsewhere.example")
    assert response.status_code == 200  # taken, so the provider does not retry it forever
    assert InboundMail.objects.count() == 0
