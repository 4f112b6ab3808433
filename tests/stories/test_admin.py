"""Moderation in Django admin: the Moderators group, the reports queue, hide and unhide."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from stories import services
from stories.models import Report, Story
from tests.factories import CommentFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    return client


def test_the_moderators_group_has_what_moderation_needs():
    group = Group.objects.get(name="Moderators")

    assert sorted(group.permissions.values_list("codename", flat=True)) == [
        "change_comment",
        "change_report",
        "change_story",
        "hide_content",
        "view_comment",
        "view_report",
        "view_story",
    ]


def test_the_queue_opens_on_open_reports(moderator_client, story):
    services.report_create(reporter=UserFactory(), story=story, reason="spam", details="Ad")
    closed, _ = services.report_create(reporter=UserFactory(), story=story, reason="other")
    Report.objects.filter(pk=closed.pk).update(status="dismissed")

    response = moderator_client.get(reverse("admin:stories_report_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [Report.objects.get(status="open")]
    assert story.title in response.content.decode()


def test_hiding_from_the_queue_asks_why_then_tells_the_author(
    moderator_client, author, story, task_queue
):
    report, _ = services.report_create(
        reporter=UserFactory(), story=story, reason="personal", details="Names a student"
    )
    url = reverse("admin:stories_report_changelist")
    action = {"action": "hide_reported", "_selected_action": [report.pk]}

    confirm = moderator_client.post(url, action)
    assert confirm.status_code == 200
    assert "Names a student" in confirm.content.decode()  # the reason starts from the report
    assert not Story.objects.get(pk=story.pk).is_hidden

    done = moderator_client.post(
        url, {**action, "apply": "1", "reason": "It names a student; please remove the name."}
    )

    assert done.status_code == 302
    story.refresh_from_db()
    assert story.is_hidden
    report.refresh_from_db()
    assert report.status == "hidden"
    task_queue.run_all()
    assert [message.to for message in mail.outbox] == [[author.email]]
    assert "please remove the name" in mail.outbox[0].body

    # on the queue's "Content hidden" view
    moderator_client.post(
        url + "?status=hidden", {"action": "unhide_reported", "_selected_action": [report.pk]}
    )
    story.refresh_from_db()
    assert not story.is_hidden


def test_a_reason_is_required(moderator_client, story):
    url = reverse("admin:stories_story_changelist")

    response = moderator_client.post(
        url, {"action": "hide", "_selected_action": [story.pk], "apply": "1", "reason": ""}
    )

    assert response.status_code == 200
    assert not Story.objects.get(pk=story.pk).is_hidden
    page = response.content.decode()
    # drawn as every form of the site is: summed up above, the field marked and tied to its error
    assert '<div class="error-summary" role="alert">' in page
    assert '<a href="#id_reason">' in page
    textarea = re.search(r"<textarea[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in textarea
    assert 'aria-describedby="id_reason_helptext id_reason_error"' in textarea


def test_hiding_a_comment_from_its_list(moderator_client, story):
    comment = CommentFactory(story=story)

    moderator_client.post(
        reverse("admin:stories_comment_changelist"),
        {"action": "hide", "_selected_action": [comment.pk], "apply": "1", "reason": "Rude"},
    )

    comment.refresh_from_db()
    assert comment.is_hidden
    assert comment.hidden_reason == "Rude"


def test_moderators_cannot_delete_or_rewrite_what_members_wrote(moderator_client, story):
    delete = moderator_client.get(reverse("admin:stories_story_delete", args=[story.pk]))
    assert delete.status_code == 403

    moderator_client.post(
        reverse("admin:stories_story_change", args=[story.pk]), {"title": "Rewritten"}
    )
    story.refresh_from_db()
    assert story.title == "Monthly long lunch for middle-school librarians"


def test_staff_outside_the_group_cannot_moderate(client, story):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("admin:stories_report_changelist")).status_code == 403
    assert client.get(reverse("admin:stories_story_changelist")).status_code == 403


def test_the_site_stays_usable_for_a_hidden_comment(client, story):
    comment = CommentFactory(story=story, body="Something rude")
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    services.comment_hide(comment=comment, by=moderator, reason="Rude")

    page = client.get(story.get_absolute_url()).content.decode()
    assert "Something rude" not in page
    assert "hidden by a moderator" in page

    client.force_login(comment.author)
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Something rude" in page
    assert "The reason given: Rude" in page


def test_story_list_in_admin_is_searchable(moderator_client):
    StoryFactory(title="Budget cuts and the bookmobile")

    response = moderator_client.get(reverse("admin:stories_story_changelist"), {"q": "bookmobile"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
