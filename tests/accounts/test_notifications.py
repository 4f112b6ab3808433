import copy

import pytest
from django.core import mail

from accounts.choices import NotificationKind
from accounts.notifications import notify


@pytest.fixture
def notice_template(settings, tmp_path):
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "notice.txt").write_text("Hello {{ recipient }}: {{ message }}")
    # assign (not mutate) so Django resets its cached template engines
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "notice"


@pytest.mark.django_db
def test_notify_sends_through_the_queue(member, task_queue, notice_template):
    sent = notify(
        recipient=member,
        kind=NotificationKind.STORY_COMMENT,
        subject="New comment",
        template=notice_template,
        context={"message": "someone replied"},
    )

    assert sent is True
    assert mail.outbox == []
    task_queue.run_all()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert mail.outbox[0].subject == "[Librarian Commons] New comment"
    assert mail.outbox[0].body == f"Hello {member}: someone replied"


@pytest.mark.django_db
def test_notify_respects_a_switched_off_kind(member, task_queue, notice_template):
    member.profile.email_preferences = {NotificationKind.STORY_COMMENT: False}
    member.profile.save()

    sent = notify(
        recipient=member,
        kind=NotificationKind.STORY_COMMENT,
        subject="x",
        template=notice_template,
        context={"message": "m"},
    )

    assert sent is False
    assert task_queue.jobs() == []


@pytest.mark.django_db
def test_notify_sets_reply_to_only_when_given(member, task_queue, notice_template):
    for reply_to in (None, "colleague@school.example"):
        notify(
            recipient=member,
            kind=NotificationKind.CONTACT_MESSAGE,
            subject="Message",
            template=notice_template,
            context={"message": "m"},
            reply_to=reply_to,
        )
    task_queue.run_all()

    assert "Reply-To" not in mail.outbox[0].extra_headers
    assert mail.outbox[1].extra_headers["Reply-To"] == "colleague@school.example"
    assert "Reply-To: colleague@school.example" in mail.outbox[1].message().as_string()
