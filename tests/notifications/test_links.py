"""Every in-app notification links to what it is about."""

import pytest
from django.urls import reverse

from cooperatives.services import suggestion_reject
from groups.services import membership_approve, membership_join, occurrence_cancel, rsvp_set
from notifications.models import Notification
from stories.services import answer_mark, comment_create
from tests.factories import (
    GroupFactory,
    MeetupFactory,
    MembershipFactory,
    StoryFactory,
    SuggestionFactory,
    UserFactory,
    make_curator,
)

pytestmark = pytest.mark.django_db


def notice_url(member, kind):
    return Notification.objects.get(recipient=member, kind=kind).url


def test_comment_and_answer_marked_link_to_the_comment(task_queue):
    story = StoryFactory(kind="challenge")
    helper = UserFactory()
    comment = comment_create(story=story, author=helper, body="Try a rota.")
    answer_mark(comment=comment, by=story.author)
    task_queue.run_all()

    assert notice_url(story.author, "story_comment") == comment.get_absolute_url()
    assert notice_url(helper, "answer_marked") == comment.get_absolute_url()


def test_group_requests_answers_changes_and_waitlist_link_somewhere(task_queue):
    organizer, asker, first, second = (UserFactory() for _ in range(4))
    group = GroupFactory(organizer=organizer, join_policy="approval")
    membership = membership_join(group=group, member=asker)
    task_queue.run_all()  # the organizers hear of the request while it is pending
    membership_approve(membership=membership, by=organizer)
    for member in (first, second):
        MembershipFactory(group=group, member=member)
    occurrence = MeetupFactory(group=group, capacity=1).occurrences.first()
    rsvp_set(occurrence=occurrence, member=first, going=True)
    rsvp_set(occurrence=occurrence, member=second, going=True)  # waiting list
    rsvp_set(occurrence=occurrence, member=first, going=False)  # second gets the seat
    occurrence_cancel(occurrence=occurrence, by=organizer, reason="Snow")
    task_queue.run_all()

    assert notice_url(organizer, "group_join_request") == reverse(
        "groups:members", kwargs={"slug": group.slug}
    )
    assert notice_url(asker, "group_join_answer") == group.get_absolute_url()
    assert notice_url(second, "waitlist_promoted") == occurrence.get_absolute_url()
    assert notice_url(second, "meetup_changed") == occurrence.meetup.get_absolute_url()


def test_directory_suggestion_answer_links_to_my_suggestions():
    suggestion = SuggestionFactory()
    suggestion_reject(suggestion=suggestion, by=make_curator(), reason="Already listed.")
    assert notice_url(suggestion.submitted_by, "suggestion_answer") == reverse(
        "cooperatives:suggestions"
    )
