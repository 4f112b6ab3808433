"""After a meetup, its takeaways can be written up as a story linked to that date."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Occurrence
from stories.models import Story
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def past(create_meetup):
    occurrence = create_meetup(title="Long lunch").occurrences.get()
    start = timezone.now() - timedelta(days=2)
    Occurrence.objects.filter(pk=occurrence.pk).update(start=start, end=start + timedelta(hours=1))
    occurrence.refresh_from_db()
    return occurrence


def _story_data(**extra):
    return {
        "kind": "success",
        "title": "What we learned at lunch",
        "summary": "Short.",
        "situation": "We met.",
        "what_we_did": "We talked.",
        "results": "Ideas.",
        "do_differently": "",
        "resources": "",
        "country": "US",
        "state": "MI",
        "action": "publish",
        **extra,
    }


def test_organizer_is_invited_to_write_up_a_past_meetup(client, past, organizer):
    client.force_login(organizer)
    client.get("/")
    page = text(client.get(past.get_absolute_url()))
    link = f"{reverse('stories:create')}?occurrence={past.pk}"
    assert "Write up the takeaways as a story" in page
    assert link in page

    form = client.get(link)
    assert f'name="discussed_at" value="{past.pk}"' in form.content.decode()

    response = client.post(reverse("stories:create"), _story_data(discussed_at=past.pk))
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.discussed_at == past
    detail = text(client.get(story.get_absolute_url()))
    assert "Discussed at" in detail
    assert past.get_absolute_url() in detail


@pytest.mark.parametrize("occurrence", ["²", "9" * 5000, "-1", "1.5"])
def test_an_occurrence_that_is_no_id_starts_an_unlinked_story(client, occurrence):
    # "²" passed str.isdigit() and then failed int(): a server error
    client.force_login(UserFactory())
    client.get("/")

    response = client.get(reverse("stories:create"), {"occurrence": occurrence})

    assert response.status_code == 200
    assert 'name="discussed_at" value=' not in response.content.decode()


def test_members_are_not_invited(client, past, add_member):
    client.force_login(add_member())
    client.get("/")
    assert "Write up the takeaways" not in text(client.get(past.get_absolute_url()))


def test_a_future_meetup_cannot_be_linked(client, create_meetup):
    future = create_meetup().occurrences.get()
    client.force_login(UserFactory())
    client.get("/")
    response = client.post(reverse("stories:create"), _story_data(discussed_at=future.pk))
    assert response.status_code == 200
    assert "cannot be linked" in response.content.decode()
    assert not Story.objects.exists()


def test_visitors_do_not_see_a_members_only_meetup_on_a_public_story(client, past, organizer):
    Group.objects.filter(pk=past.meetup.group_id).update(visibility=Group.Visibility.MEMBERS)
    client.force_login(organizer)
    client.get("/")
    client.post(reverse("stories:create"), _story_data(discussed_at=past.pk))
    story = Story.objects.get()
    client.logout()
    page = text(client.get(story.get_absolute_url()))
    assert "Long lunch" not in page
