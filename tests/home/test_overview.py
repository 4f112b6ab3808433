"""The staff's community overview (an admin page): weekly figures checked against rows dated
by hand, entries needing verification by state, and staff only."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from groups.models import RSVP, Attendance
from home.overview import WEEKS, first_week, overview
from stories.models import Comment, Story
from tests.factories import CommentFactory, StoryFactory, UserFactory
from tests.pictures import build_pictures_world

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("admin:overview")


def at(day, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_weekly_figures_are_the_rows_of_each_week():
    world = build_pictures_world()
    today = timezone.localdate()
    start = first_week(today)
    # dated by hand: 2 members in the first week, 3 stories in the fifth, comments this week
    stories = StoryFactory.create_batch(3)
    StoryFactory(status="draft", published_at=None)  # not published: not counted
    Comment.objects.update(created_at=at(start - timedelta(weeks=2)))  # before the window
    CommentFactory.create_batch(4, story=stories[0])  # now: this week
    Story.objects.update(published_at=at(start - timedelta(weeks=1)))
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(
        published_at=at(start + timedelta(weeks=4, days=6), hour=23)
    )
    joined = [UserFactory(), UserFactory()]
    User.objects.update(date_joined=at(start - timedelta(days=3)))
    User.objects.filter(pk__in=[u.pk for u in joined]).update(date_joined=at(start))

    picture = overview(today=today)
    joined_chart, stories_chart, comments_chart, rsvps_chart, attended_chart = picture.charts

    assert len(picture.weeks) == WEEKS
    assert picture.weeks[0] == start
    assert picture.weeks[-1] <= today < picture.weeks[-1] + timedelta(days=7)
    assert joined_chart.values[0] == 2
    assert sum(joined_chart.values) == 2
    assert stories_chart.values[4] == 3
    assert sum(stories_chart.values) == 3
    assert comments_chart.values[-1] == 4
    assert sum(comments_chart.values) == 4
    assert sum(rsvps_chart.values) == RSVP.objects.count()  # all made today
    for index, week in enumerate(picture.weeks):
        held = Attendance.objects.filter(
            occurrence__start__gte=at(week, 0), occurrence__start__lt=at(week + timedelta(7), 0)
        ).count()
        assert attended_chart.values[index] == held, week
    assert sum(attended_chart.values) == sum(
        1 for a in world.past_dates for _ in a.attendance.all()
    )
    assert stories_chart.description.startswith("3 stories published in the last 26 weeks, 0 this")
    assert joined_chart.description.endswith(f"began {start:%-d %B} (2).")


def test_the_overview_maps_entries_needing_verification(client):
    world = build_pictures_world()
    client.force_login(world.organizer)  # staff

    html = client.get(OVERVIEW).content.decode()

    assert "Community overview" in html
    assert 'aria-label="Michigan: 2 entries needing verification"' in html
    assert 'aria-label="Texas: no entries needing verification"' in html
    changelist = reverse("admin:cooperatives_organisation_changelist")
    assert f'href="{changelist}?needs_verification__exact=1&amp;state=MI"' in html
    assert "Nationwide, no single state: 1" in html
    assert html.count('role="img"') == 5  # the five weekly line charts


def test_each_tile_leads_to_the_admin_list_of_its_entries(client):
    world = build_pictures_world()
    client.force_login(world.organizer)
    changelist = reverse("admin:cooperatives_organisation_changelist")

    michigan = client.get(changelist, {"needs_verification__exact": 1, "state": "MI"})
    nationwide = client.get(changelist, {"needs_verification__exact": 1, "state": "nationwide"})

    assert michigan.context["cl"].result_count == 2
    assert nationwide.context["cl"].result_count == 1


def test_the_overview_is_for_staff_only(client):
    world = build_pictures_world()

    assert client.get(OVERVIEW)["Location"].startswith(reverse("admin:login"))
    client.force_login(world.member)
    assert client.get(OVERVIEW)["Location"].startswith(reverse("admin:login"))


def test_the_admin_index_links_to_the_overview(client):
    world = build_pictures_world()
    client.force_login(world.organizer)

    assert f'href="{OVERVIEW}"' in client.get(reverse("admin:index")).content.decode()


def test_the_overview_uses_few_queries_whatever_the_size(client, django_assert_max_num_queries):
    world = build_pictures_world()
    client.force_login(world.organizer)
    with django_assert_max_num_queries(10) as few:
        client.get(OVERVIEW)
    StoryFactory.create_batch(5)
    CommentFactory.create_batch(5)
    UserFactory.create_batch(3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(OVERVIEW)
