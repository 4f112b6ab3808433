"""The staff's community overview (an admin page): weekly figures checked against rows dated
by hand, entries needing verification by state, and staff only; kept for a few minutes, saying
when it was counted, and counted again on a staff member's request."""

from datetime import datetime, time, timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from groups.models import RSVP, Attendance
from home.overview import KEPT_FOR, WEEKS, first_week, kept_overview, overview
from kit.models import ScopeVersion
from stories.models import Comment, Story
from tests.factories import CommentFactory, StoryFactory, UserFactory
from tests.pictures import build_pictures_world

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("admin:overview")
RECOUNT = reverse("admin:overview_recount")


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


def comments_this_week(html: str) -> str:
    return html.split("comments in the last 26 weeks, ")[1].split(" this week")[0]


def test_the_overview_is_kept_for_a_few_minutes_and_says_when_it_was_counted(
    client, django_assert_num_queries
):
    world = build_pictures_world()
    client.force_login(world.organizer)
    CommentFactory.create_batch(2)
    before = timezone.localtime().strftime("%H:%M")
    first = client.get(OVERVIEW).content.decode()
    after = timezone.localtime().strftime("%H:%M")
    CommentFactory.create_batch(3)

    with django_assert_num_queries(2):  # the session and the staff member: no count
        again = client.get(OVERVIEW).content.decode()

    assert comments_this_week(first) == comments_this_week(again) == "2"
    assert any(
        f">{counted} UTC</time>; counted again every 10 minutes at most." in again
        for counted in {before, after}
    )
    assert "Count again now" in again


def test_kept_counts_are_the_counts_of_the_database_until_they_are_ten_minutes_old():
    world = build_pictures_world()
    now = timezone.now()
    counted = kept_overview(now=now)
    fresh = overview()
    assert [c.values for c in counted.charts] == [c.values for c in fresh.charts]
    assert counted.verification_map == fresh.verification_map
    assert counted.counted_at == now
    CommentFactory(story=StoryFactory(author=world.member))

    almost = kept_overview(now=now + KEPT_FOR - timedelta(seconds=1))
    later = kept_overview(now=now + KEPT_FOR)

    assert almost.counted_at == now
    assert almost.charts[2].values[-1] == counted.charts[2].values[-1]
    assert later.counted_at == now + KEPT_FOR
    assert later.charts[2].values[-1] == counted.charts[2].values[-1] + 1
    assert later.charts[1].values[-1] == counted.charts[1].values[-1] + 1  # the story


def test_count_again_now_counts_afresh_and_drops_no_kept_page(client):
    world = build_pictures_world()
    client.force_login(world.organizer)
    client.get(OVERVIEW)
    CommentFactory.create_batch(3)
    site = list(ScopeVersion.objects.filter(name="site").values_list("version", flat=True))

    response = client.post(RECOUNT, follow=True)

    assert response.redirect_chain == [(OVERVIEW, 302)]
    assert comments_this_week(response.content.decode()) == "3"
    assert "Counted again: the numbers below are as of now." in response.content.decode()
    assert list(ScopeVersion.objects.filter(name="site").values_list("version", flat=True)) == site


def test_count_again_is_for_staff_only_and_needs_the_forms_token(client):
    world = build_pictures_world()
    staff = Client()
    staff.force_login(world.organizer)
    CommentFactory()
    staff.get(OVERVIEW)
    CommentFactory.create_batch(3)

    assert client.post(RECOUNT)["Location"].startswith(reverse("admin:login"))
    client.force_login(world.member)
    assert client.post(RECOUNT)["Location"].startswith(reverse("admin:login"))
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(world.organizer)
    assert guarded.post(RECOUNT).status_code == 403  # no CSRF token
    assert staff.get(RECOUNT).status_code == 405

    assert comments_this_week(staff.get(OVERVIEW).content.decode()) == "1"  # still as kept


def test_the_pictures_are_drawn_once_for_the_numbers_they_show(client):
    caches["process"].clear()  # drawn by an earlier test of this process with the same numbers
    world = build_pictures_world()
    client.force_login(world.organizer)
    drawn = "includes/_line_chart.html"

    first, again = client.get(OVERVIEW), client.get(OVERVIEW)
    CommentFactory()
    recounted = client.post(RECOUNT, follow=True)

    assert drawn in [t.name for t in first.templates]
    assert drawn not in [t.name for t in again.templates]  # the same numbers: kept
    assert drawn in [t.name for t in recounted.templates]  # new numbers: drawn again
    assert again.content.decode().count("<svg") == first.content.decode().count("<svg")
