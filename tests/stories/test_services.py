import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from notifications.kinds import NotificationKind
from stories import services
from stories.models import Comment, HelpfulVote, Report, SavedStory, Story
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

STORY_DATA = {
    "kind": "success",
    "title": "Reading buddies with the public library",
    "summary": "Two ongoing programs bring both library staffs together.",
    "situation": "Our **school district** and the public library both wanted more readers.",
    "what_we_did": "- Shared a calendar\n- Swapped storytimes",
    "results": "Circulation rose 18%.",
    "do_differently": "Start in September.",
    "resources": "Toolkit https://example.org/toolkit",
    "library_types": ["public", "elementary_school"],
    "audiences": ["children"],
    "country": "US",
    "state": "MI",
}


@pytest.fixture
def moderator():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def fresh(story: Story) -> Story:
    return Story.objects.get(pk=story.pk)


# --- stories ------------------------------------------------------------------------------
def test_story_create_saves_a_draft_with_tags_and_a_search_vector(author):
    story = services.story_create(author=author, data=STORY_DATA, tags=["reading programs"])

    assert story.status == "draft"
    assert story.published_at is None
    assert story.slug == "reading-buddies-with-the-public-library"
    assert list(story.tags.names()) == ["reading programs"]
    assert list(Story.objects.search("storytimes")) == [story]


def test_story_create_can_publish_at_once(author):
    story = services.story_create(author=author, data=STORY_DATA, publish=True)

    assert story.status == "published"
    assert story.published_at is not None


def test_only_authors_and_coauthors_may_update_publish_or_delete(author, draft):
    stranger, coauthor = UserFactory(), UserFactory()
    draft.coauthors.add(coauthor)

    with pytest.raises(PermissionDenied):
        services.story_update(story=draft, by=stranger, data={"title": "Mine now"}, tags=[])
    with pytest.raises(PermissionDenied):
        services.story_publish(story=draft, by=stranger)
    with pytest.raises(PermissionDenied):
        services.story_delete(story=draft, by=stranger)

    services.story_update(story=draft, by=coauthor, data={"title": "Better title"}, tags=[])
    services.story_publish(story=draft, by=coauthor)
    assert fresh(draft).title == "Better title"
    assert fresh(draft).status == "published"


def test_editing_a_published_story_marks_it_updated_but_a_draft_does_not(author, story, draft):
    services.story_update(story=draft, by=author, data={"title": "Draft v2"}, tags=[])
    assert fresh(draft).edited_at is None

    services.story_update(story=story, by=author, data={"title": story.title}, tags=[])
    assert fresh(story).edited_at is None  # nothing changed

    services.story_update(story=story, by=author, data={"title": "A new title"}, tags=[])
    story = fresh(story)
    assert story.edited_at is not None
    assert story.slug == "a-new-title"


def test_a_challenge_turned_into_a_success_story_loses_its_pinned_answer(author, challenge):
    services.answer_mark(comment=CommentFactory(story=challenge), by=author)

    services.story_update(story=challenge, by=author, data={"kind": "success"}, tags=[])

    assert fresh(challenge).solved_answer is None


def test_story_delete_removes_it_with_its_discussion(author, story):
    CommentFactory(story=story)

    services.story_delete(story=story, by=author)

    assert not Story.objects.filter(pk=story.pk).exists()
    assert not Comment.objects.filter(story_id=story.pk).exists()


def test_coauthors_are_added_by_the_author_and_may_leave(author, story):
    colleague, stranger = UserFactory(), UserFactory()

    with pytest.raises(PermissionDenied):
        services.coauthor_add(story=story, member=stranger, by=stranger)
    services.coauthor_add(story=story, member=colleague, by=author)
    assert story.is_editor(colleague)
    with pytest.raises(ValidationError):
        services.coauthor_add(story=story, member=author, by=author)

    services.coauthor_remove(story=story, member=colleague, by=colleague)
    assert not fresh(story).is_editor(colleague)


# --- comments and notifications -----------------------------------------------------------
def test_a_comment_counts_and_emails_the_authors_from_the_queue(author, story, task_queue):
    coauthor, commenter = UserFactory(), UserFactory(display_name="Casey Commenter")
    story.coauthors.add(coauthor)

    comment = services.comment_create(story=story, author=commenter, body="We did this **too**.")

    assert fresh(story).comment_count == 1
    assert mail.outbox == []  # nothing sent inside the request
    assert len(task_queue.jobs("comment_notify")) == 1
    task_queue.run_all()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [author.email, coauthor.email]
    )
    body = mail.outbox[0].body
    assert "Casey Commenter commented on your story" in body
    assert f"{story.get_absolute_url()}#comment-{comment.pk}" in body


def test_comment_emails_respect_preferences_and_skip_the_commenter(author, story, task_queue):
    author.profile.email_preferences = {NotificationKind.STORY_COMMENT: False}
    author.profile.save()

    services.comment_create(story=story, author=UserFactory(), body="Hello")
    services.comment_create(story=story, author=author, body="Thanks!")
    task_queue.run_all()

    assert mail.outbox == []


def test_no_comments_on_drafts_or_hidden_stories(draft):
    with pytest.raises(ValidationError):
        services.comment_create(story=draft, author=UserFactory(), body="Early!")


def test_only_the_commenter_edits_or_deletes_their_comment(story):
    comment = services.comment_create(story=story, author=UserFactory(), body="First")
    stranger = UserFactory()

    with pytest.raises(PermissionDenied):
        services.comment_update(comment=comment, by=stranger, body="Changed")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, by=stranger)

    services.comment_update(comment=comment, by=comment.author, body="Second")
    comment.refresh_from_db()
    assert comment.body == "Second"
    assert comment.edited_at is not None

    services.comment_delete(comment=comment, by=comment.author)
    assert fresh(story).comment_count == 0


# --- what worked --------------------------------------------------------------------------
def test_the_author_marks_what_worked_and_the_helper_is_told(author, challenge, task_queue):
    helper = UserFactory()
    answer = services.comment_create(story=challenge, author=helper, body="Try the 4-H club.")
    task_queue.run_all()
    mail.outbox.clear()

    services.answer_mark(comment=answer, by=author)

    challenge = fresh(challenge)
    assert challenge.is_solved
    assert challenge.solved_answer == answer
    task_queue.run_all()
    assert [message.to for message in mail.outbox] == [[helper.email]]
    assert "marked your comment" in mail.outbox[0].body


def test_only_editors_mark_answers_and_only_on_challenges(author, story, challenge):
    answer = CommentFactory(story=challenge)

    with pytest.raises(PermissionDenied):
        services.answer_mark(comment=answer, by=answer.author)
    with pytest.raises(ValidationError):
        services.answer_mark(comment=CommentFactory(story=story), by=author)


def test_deleting_the_answer_reopens_the_challenge(author, challenge):
    answer = services.comment_create(story=challenge, author=UserFactory(), body="This")
    services.answer_mark(comment=answer, by=author)

    services.comment_delete(comment=answer, by=answer.author)

    assert fresh(challenge).is_open_challenge


def test_answer_unmark_reopens(author, challenge):
    services.answer_mark(comment=CommentFactory(story=challenge), by=author)

    services.answer_unmark(story=challenge, by=author)

    assert fresh(challenge).solved_answer is None


# --- helpful and saved --------------------------------------------------------------------
def test_helpful_is_one_per_member_and_counted(author, story):
    reader = UserFactory()

    assert services.helpful_toggle(story=story, member=reader) is True
    assert services.helpful_toggle(story=story, member=UserFactory()) is True
    assert fresh(story).helpful_count == 2

    assert services.helpful_toggle(story=story, member=reader) is False
    assert fresh(story).helpful_count == 1
    assert HelpfulVote.objects.filter(story=story).count() == 1


def test_the_database_refuses_a_second_helpful_vote(story):
    reader = UserFactory()
    HelpfulVote.objects.create(story=story, member=reader)

    with pytest.raises(IntegrityError), transaction.atomic():
        HelpfulVote.objects.create(story=story, member=reader)


def test_authors_cannot_find_their_own_story_helpful(author, story, draft):
    with pytest.raises(ValidationError):
        services.helpful_toggle(story=story, member=author)
    with pytest.raises(ValidationError):
        services.helpful_toggle(story=draft, member=UserFactory())


def test_save_toggle(story):
    reader = UserFactory()

    assert services.save_toggle(story=story, member=reader) is True
    assert SavedStory.objects.filter(story=story, member=reader).exists()
    assert services.save_toggle(story=story, member=reader) is False
    assert not SavedStory.objects.exists()


# --- reports and moderation ---------------------------------------------------------------
def test_reporting_twice_while_open_keeps_one_report(story):
    reporter = UserFactory()

    first, created = services.report_create(reporter=reporter, story=story, reason="spam")
    again, created_again = services.report_create(reporter=reporter, story=story, reason="abuse")

    assert created
    assert not created_again
    assert first == again
    assert Report.objects.count() == 1


def test_hiding_needs_the_moderator_permission(story):
    with pytest.raises(PermissionDenied):
        services.story_hide(story=story, by=UserFactory(is_staff=True), reason="No")


def test_hiding_a_story_tells_the_author_why_and_resolves_reports(
    author, story, moderator, task_queue
):
    # even a member who switched every kind off is told why a moderator hid their post
    author.profile.email_preferences = dict.fromkeys(NotificationKind.values, False)
    author.profile.save()
    report, _ = services.report_create(reporter=UserFactory(), story=story, reason="spam")

    services.story_hide(story=story, by=moderator, reason="Advertising a vendor's product.")

    story = fresh(story)
    assert story.is_hidden
    assert story not in Story.objects.visible_to(UserFactory())
    assert story in Story.objects.visible_to(author)
    report.refresh_from_db()
    assert report.status == "hidden"
    assert report.resolved_by == moderator
    task_queue.run_all()
    assert [message.to for message in mail.outbox] == [[author.email]]
    assert "Advertising a vendor's product." in mail.outbox[0].body

    services.story_unhide(story=story, by=moderator)
    assert fresh(story) in Story.objects.visible_to(UserFactory())


def test_a_reason_is_required_to_hide(story, moderator):
    with pytest.raises(ValidationError):
        services.story_hide(story=story, by=moderator, reason="  ")
    assert not fresh(story).is_hidden


def test_hiding_a_comment_uncounts_and_unpins_it_and_unhiding_counts_it_again(
    author, challenge, moderator
):
    answer = services.comment_create(story=challenge, author=UserFactory(), body="Buy ads!")
    services.answer_mark(comment=answer, by=author)

    services.comment_hide(comment=answer, by=moderator, reason="Spam")
    services.comment_hide(comment=answer, by=moderator, reason="Spam")  # twice: counted once

    challenge = fresh(challenge)
    assert challenge.comment_count == 0
    assert challenge.solved_answer is None

    services.comment_unhide(comment=answer, by=moderator)
    assert fresh(challenge).comment_count == 1


def test_report_dismiss(story, moderator):
    report, _ = services.report_create(reporter=UserFactory(), story=story, reason="other")

    services.report_dismiss(report=report, by=moderator)

    report.refresh_from_db()
    assert report.status == "dismissed"
    assert not fresh(story).is_hidden


def test_the_story_form_edits_exactly_the_fields_the_services_write():
    from stories.forms import StoryForm
    from stories.services import STORY_FIELDS

    assert set(StoryForm._meta.fields) == {*STORY_FIELDS, "tags"}
    assert set(StoryForm.base_fields) == {*STORY_FIELDS, "tags", "homepage"}
