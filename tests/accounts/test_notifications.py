import pytest
from django.core import mail

from accounts.choices import NotificationKind
from accounts.notifications import notify


@pytest.fixture
def notice_template(settings, tmp_path):
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "notice.txt").write_text("Hello {{ recipient }}: {{ message }}")
    settings.TEMPLATES[0]["DIRS"] = [tmp_path, *settings.TEMPLATES[0]["DIRS"]]
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
