"""Ask a colleague. Depends on `Profile.accepts_help_requests` from the accounts branch (the
opt-out); `stories.querysets.ask_candidates` is the one place that filters on it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import NotificationKind
from stories import services
from stories.models import AskRequest
from stories.querysets import ASK_PER_STORY, ask_candidates
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asker():
    return UserFactory(
        display_name="Asking Author",
        profile__library_type="middle_school",
        profile__state="MI",
        profile__city="Marquette",
    )


@pytest.fixture
def open_challenge(asker):
    return StoryFactory(
        author=asker, kind="challenge", title="Getting teachers to the library", tags=["outreach"]
    )


def colleague(name, *, library_type="public", state="NJ", city="", helps_with=(), **profile):
    member = UserFactory(
        display_name=name,
        profile__library_type=library_type,
        profile__state=state,
        profile__city=city,
        **{f"profile__{key}": value for key, value in profile.items()},
    )
    if helps_with:
        member.profile.can_help_with.add(*helps_with)
    return member


def test_candidates_match_library_type_or_topic_nearest_first(open_challenge):
    far_same_type = colleague("Far Same Type", library_type="middle_school", state="CA")
    same_state_topic = colleague("Same State Topic", state="MI", helps_with=["outreach"])
    same_town = colleague("Same Town", library_type="middle_school", state="MI", city="marquette")
    colleague("No Match", library_type="academic", state="MI", helps_with=["budgets"])

    assert list(ask_candidates(open_challenge)) == [same_town, same_state_topic, far_same_type]


def test_candidates_leave_out_authors_opted_out_hidden_inactive_and_already_asked(
    asker, open_challenge
):
    coauthor = colleague("Coauthor", library_type="middle_school")
    open_challenge.coauthors.add(coauthor)
    colleague("Opted Out", library_type="middle_school", accepts_help_requests=False)
    colleague("Hidden Profile", library_type="middle_school", visibility="hidden")
    inactive = colleague("Inactive", library_type="middle_school")
    inactive.is_active = False
    inactive.save()
    asked = colleague("Already Asked", library_type="middle_school")
    AskRequest.objects.create(story=open_challenge, asked_by=asker, recipient=asked)
    welcome = colleague("Welcome", library_type="middle_school")

    assert list(ask_candidates(open_challenge)) == [welcome]


def test_members_asked_twice_this_week_are_left_alone(asker, open_challenge):
    busy = colleague("Busy", library_type="middle_school")
    for _ in range(2):
        AskRequest.objects.create(
            story=StoryFactory(kind="challenge"), asked_by=UserFactory(), recipient=busy
        )

    assert busy not in ask_candidates(open_challenge)

    AskRequest.objects.filter(recipient=busy).update(created_at=timezone.now() - timedelta(days=8))
    assert busy in ask_candidates(open_challenge)


def test_asking_sends_one_notification_each_from_the_queue(asker, open_challenge, task_queue):
    first = colleague("First", library_type="middle_school")
    second = colleague("Second", helps_with=["outreach"])
    second.profile.email_preferences = {NotificationKind.ASKED_FOR_HELP: False}
    second.profile.save()

    asks = services.colleagues_ask(
        story=open_challenge, by=asker, recipients=[first, second, first], note="Any ideas?"
    )

    assert [ask.recipient for ask in asks] == [first, second]
    assert mail.outbox == []
    task_queue.run_all()
    assert [message.to for message in mail.outbox] == [[first.email]]  # second opted out of email
    assert "Asking Author is working on a challenge" in mail.outbox[0].body
    assert "Any ideas?" in mail.outbox[0].body


def test_a_challenge_goes_to_a_few_colleagues_at_most(asker, open_challenge):
    members = [colleague(f"M{n}", library_type="middle_school") for n in range(ASK_PER_STORY + 1)]
    services.colleagues_ask(story=open_challenge, by=asker, recipients=members[:2])

    with pytest.raises(ValidationError, match="1 left"):
        services.colleagues_ask(story=open_challenge, by=asker, recipients=members[2:])
    assert AskRequest.objects.count() == 2


def test_an_author_asks_at_most_ten_colleagues_a_day(asker):
    for _ in range(10):
        AskRequest.objects.create(
            story=StoryFactory(author=asker, kind="challenge"),
            asked_by=asker,
            recipient=UserFactory(),
        )
    challenge = StoryFactory(author=asker, kind="challenge", title="Eleventh")
    helper = colleague("Helper", library_type="middle_school")

    with pytest.raises(ValidationError, match="a day"):
        services.colleagues_ask(story=challenge, by=asker, recipients=[helper])


def test_only_matching_members_can_be_asked_and_only_about_open_challenges(asker, open_challenge):
    stranger = colleague("Stranger", library_type="academic")
    match = colleague("Match", library_type="middle_school")

    with pytest.raises(ValidationError):
        services.colleagues_ask(story=open_challenge, by=asker, recipients=[stranger])
    success = StoryFactory(author=asker, kind="success")
    with pytest.raises(ValidationError):
        services.colleagues_ask(story=success, by=asker, recipients=[match])
    assert not AskRequest.objects.exists()


def test_the_ask_page_lists_candidates_and_sends(client, asker, open_challenge, task_queue):
    match = colleague("Match Person", library_type="middle_school")
    client.force_login(asker)

    page = client.get(reverse("stories:ask", args=[open_challenge.pk]))
    assert page.status_code == 200
    assert "Match Person" in page.content.decode()

    response = client.post(
        reverse("stories:ask", args=[open_challenge.pk]),
        {"recipients": [match.pk], "note": "Would love your view."},
    )

    assert response.status_code == 302
    assert AskRequest.objects.get().recipient == match
    task_queue.run_all()
    assert mail.outbox[0].to == [match.email]


def test_the_ask_page_refuses_someone_not_offered(client, asker, open_challenge):
    stranger = colleague("Stranger", library_type="academic")
    client.force_login(asker)

    response = client.post(
        reverse("stories:ask", args=[open_challenge.pk]), {"recipients": [stranger.pk]}
    )

    assert response.status_code == 200
    assert not AskRequest.objects.exists()
