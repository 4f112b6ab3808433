"""A member follows a story's discussion and replies from a mail client: the email the site
sent is answered over real SMTP to `manage.py receive_mail`, a worker handles it, and the
reply is on the story's page in a browser — without the quoted email or the signature."""

import email
import email.policy
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail
from playwright.sync_api import expect

from notifications.services import follow_toggle
from stories.services import story_publish
from tests.factories import StoryFactory, UserFactory
from tests.mailin.processes import (
    MailReceiver,
    process_database_url,  # noqa: F401
    process_env,
    run_worker_once,
)

pytestmark = pytest.mark.processes


def gmail_reply(original: email.message.EmailMessage, *, sender: str, text: str) -> bytes:
    """A top-posted reply to `original`, quoting it as Gmail does."""
    quoted = "\n".join(
        f"> {line}" for line in original.get_body(("plain",)).get_content().splitlines()
    )
    reply = EmailMessage(policy=email.policy.SMTP)
    reply["From"] = sender
    reply["To"] = original["Reply-To"]
    reply["Subject"] = f"Re: {original['Subject']}"
    reply["Message-ID"] = make_msgid(domain="mail.example")
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = original["Message-ID"]
    reply.set_content(
        f"{text}\n\nBest regards,\nMaria\n\n"
        f"On Tue, Mar 3, 2026 at 9:14 AM Librarian Commons <{original['Reply-To']}> wrote:\n\n"
        f"{quoted}\n"
    )
    return reply.as_bytes()


def test_a_reply_sent_by_smtp_is_on_the_story_page(
    page,
    live_server,
    process_database_url,  # noqa: F811 (the fixture imported above)
    task_queue,
    tmp_path,
):
    author = UserFactory(display_name="Alex Author")
    maria = UserFactory(display_name="Maria Lopez")
    follow_toggle(member=maria, target=author)
    story = StoryFactory(author=author, status="draft", title="Reading buddies that worked")
    story_publish(story=story, by=author)
    task_queue.run_all()
    [announcement] = [
        email.message_from_bytes(m.message().as_bytes(), policy=email.policy.default)
        for m in mail.outbox
        if m.to == [maria.email]
    ]
    reply_to = announcement["Reply-To"].addresses[0].addr_spec

    env = process_env(process_database_url)
    with MailReceiver(env, tmp_path / "receiver.log") as receiver:
        raw = gmail_reply(announcement, sender=maria.email, text="We paired them by level.")
        with smtplib.SMTP("127.0.0.1", receiver.port, timeout=20) as smtp:
            refused = smtp.sendmail(maria.email, [reply_to], raw)
        assert refused == {}
    run_worker_once(env)

    page.goto(live_server.url + story.get_absolute_url())
    discussion = page.get_by_role("region", name="Discussion")
    comment = discussion.get_by_role("article").filter(has_text="Maria Lopez")
    expect(comment).to_contain_text("We paired them by level.")
    expect(comment).not_to_contain_text("Best regards")
    expect(comment).not_to_contain_text("wrote:")
