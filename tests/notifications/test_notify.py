import pytest
from django.core import mail

from notifications.kinds import NotificationKind
from notifications.models import Notification
from notifications.services import notify


@pytest.fixture
def notice_template(settings, tmp_path):
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "notice.txt").write_text("Hello {{ recipient }}: {{ message }}")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    return "notice"


def send(member, template, **extra):
    return notify(
        recipient=member,
        kind=NotificationKind.STORY_COMMENT,
        subject="New comment",
        template=template,
        context={"message": "someone replied"},
        url="/stories/1/",
        **extra,
    )


@pytest.mark.django_db
def test_notify_records_in_app_and_queues_email(member, task_queue, notice_template):
    assert send(member, notice_template) is True

    notification = Notification.objects.get(recipient=member)
    assert (notification.text, notification.url, notification.is_unread) == (
        "New comment",
        "/stories/1/",
        True,
    )
    assert mail.outbox == []  # never inside the caller's request
    task_queue.run_all()
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "[Librarian Commons] New comment"
    assert message.body.startswith(f"Hello {member}: someone replied")
    assert "/notifications/unsubscribe/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "someone replied" in html
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_a_switched_off_kind_gets_no_email_but_still_shows_in_app(
    member, task_queue, notice_template
):
    member.profile.email_preferences = {NotificationKind.STORY_COMMENT: False}
    member.profile.save()

    assert send(member, notice_template) is False
    assert task_queue.jobs() == []
    assert Notification.objects.filter(recipient=member).count() == 1


@pytest.mark.django_db
def test_reply_to_is_set_only_when_given(member, task_queue, notice_template):
    send(member, notice_template, reply_to="sender@libraries.example")
    send(member, notice_template)
    task_queue.run_all()

    assert [m.reply_to for m in mail.outbox] == [["sender@libraries.example"], []]
