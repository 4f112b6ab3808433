"""Upcoming meetups across groups (each series once, filtered) and series health."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import Group, Meetup, Occurrence
from groups.recurrence import Repeat, RuleSpec
from groups.tasks import meetups_health_check
from tests.factories import GroupFactory, MeetupFactory, UserFactory

pytestmark = pytest.mark.django_db

WEEKLY = RuleSpec(repeat=Repeat.WEEKLY, weekday=2)
URL = reverse("groups:upcoming")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_weekly_series_is_listed_once_with_its_next_date(client, create_meetup):
    meetup = create_meetup(spec=WEEKLY, title="Weekly book talk")
    create_meetup(title="One-off dinner")
    first = meetup.occurrences.order_by("start").first()

    page = text(client.get(URL))

    assert page.count("Weekly book talk") == 1
    assert "One-off dinner" in page
    assert first.get_absolute_url() in page
    assert "2 meetups" in page


def test_a_cancelled_next_date_gives_way_to_the_one_after(client, create_meetup, organizer):
    meetup = create_meetup(spec=WEEKLY, title="Weekly book talk")
    first, second = meetup.occurrences.order_by("start")[:2]
    services.occurrence_cancel(occurrence=first, by=organizer)
    page = text(client.get(URL))
    assert second.get_absolute_url() in page
    assert first.get_absolute_url() not in page


def test_filters_by_state_library_type_and_place(client, create_meetup, organizer):
    kansas = GroupFactory(
        organizer=organizer, state="KS", library_types=["academic"], name="Kansas academics"
    )
    create_meetup(title="Michigan lunch")  # group in MI, middle school + public, in person
    create_meetup(target_group=kansas, title="Kansas online", venue_kind="online")

    assert "Michigan lunch" not in text(client.get(URL, {"state": "KS"}))
    assert "Kansas online" in text(client.get(URL, {"state": "KS"}))
    by_type = text(client.get(URL, {"library_type": "academic"}))
    assert "Kansas online" in by_type
    assert "Michigan lunch" not in by_type
    online = text(client.get(URL, {"where": "online"}))
    assert "Kansas online" in online
    assert "Michigan lunch" not in online
    in_person = text(client.get(URL, {"where": "in_person"}))
    assert "Michigan lunch" in in_person
    assert "Kansas online" not in in_person


def test_near_me_uses_the_viewers_state(client, create_meetup, organizer):
    kansas = GroupFactory(organizer=organizer, state="KS", name="Kansas academics")
    create_meetup(title="Michigan lunch")
    create_meetup(target_group=kansas, title="Kansas supper")
    viewer = UserFactory()
    viewer.profile.state = "KS"
    viewer.profile.save()
    client.force_login(viewer)
    page = text(client.get(URL, {"near_me": "on"}))
    assert "Kansas supper" in page
    assert "Michigan lunch" not in page


def test_members_only_groups_stay_hidden_from_visitors(client, create_meetup):
    hidden = GroupFactory(visibility=Group.Visibility.MEMBERS)
    MeetupFactory(group=hidden, title="Secret supper")
    assert "Secret supper" not in text(client.get(URL))


def test_listing_stays_within_budget_as_series_grow(
    client, member, create_meetup, django_assert_max_num_queries
):
    client.force_login(member)
    client.get("/")
    create_meetup(spec=WEEKLY)
    with django_assert_max_num_queries(10):
        client.get(URL)
    for _ in range(6):
        create_meetup(spec=WEEKLY)
    with django_assert_max_num_queries(10):
        page = text(client.get(URL))
    assert "7 meetups" in page


# --- series health ------------------------------------------------------------------------


def _move(occurrence, delta):
    start = timezone.now() + delta
    Occurrence.objects.filter(pk=occurrence.pk).update(start=start, end=start + timedelta(hours=1))


def test_organizers_are_asked_once_and_unconfirmed_series_are_flagged_and_hidden(
    client, create_meetup, organizer, task_queue
):
    meetup = create_meetup(spec=WEEKLY, title="Weekly book talk")
    first = meetup.occurrences.order_by("start").first()
    _move(first, timedelta(days=2))
    mail.outbox.clear()
    stamp = int(timezone.now().timestamp())

    assert meetups_health_check(timestamp=stamp) == {"asked": 1, "flagged": 0}
    assert meetups_health_check(timestamp=stamp) == {"asked": 0, "flagged": 0}
    task_queue.run_all()
    assert [m.to for m in mail.outbox] == [[organizer.email]]
    # the date's thread subject; what is asked leads the body
    assert mail.outbox[0].subject == f"[Librarian Commons] {first.mail_thread().title}"
    assert "still on?" in mail.outbox[0].body.splitlines()[0]

    # the date comes and goes without a confirmation
    _move(first, timedelta(hours=-2))
    assert meetups_health_check(timestamp=stamp)["flagged"] == 1
    assert Meetup.objects.get(pk=meetup.pk).needs_confirmation
    assert "Weekly book talk" not in text(client.get(URL))

    # an organizer confirms the next date: back in the listing, and not flagged again
    second = meetup.occurrences.order_by("start")[1]
    client.force_login(organizer)
    response = client.post(
        reverse("groups:confirm", kwargs={"slug": meetup.group.slug, "pk": second.pk})
    )
    assert response.status_code == 302
    assert not Meetup.objects.get(pk=meetup.pk).needs_confirmation
    assert meetups_health_check(timestamp=stamp)["flagged"] == 0
    client.logout()
    assert "Weekly book talk" in text(client.get(URL))


def test_confirmed_dates_are_not_asked_about(create_meetup, organizer, task_queue):
    occurrence = create_meetup().occurrences.get()
    _move(occurrence, timedelta(days=2))
    services.occurrence_confirm(occurrence=occurrence, by=organizer)
    assert meetups_health_check(timestamp=0) == {"asked": 0, "flagged": 0}


def test_the_still_on_question_is_its_own_kind_of_notification(
    create_meetup, organizer, task_queue
):
    """Switching off meetup reminders must not silence the question that keeps a series listed;
    switching off the question itself still leaves it in the organizer's notifications."""
    from notifications.kinds import NotificationKind
    from notifications.models import Notification

    organizer.profile.email_preferences = {NotificationKind.MEETUP_REMINDER: False}
    organizer.profile.save()
    meetup = create_meetup(spec=WEEKLY, title="Weekly book talk")
    _move(meetup.occurrences.order_by("start").first(), timedelta(days=2))
    mail.outbox.clear()

    meetups_health_check(timestamp=int(timezone.now().timestamp()))
    task_queue.run_all()

    assert [m.to for m in mail.outbox] == [[organizer.email]]
    asked = Notification.objects.get(recipient=organizer)
    assert asked.kind == NotificationKind.MEETUP_CONFIRM
    assert NotificationKind.MEETUP_CONFIRM in NotificationKind.optional()

    organizer.profile.email_preferences = {NotificationKind.MEETUP_CONFIRM: False}
    organizer.profile.save()
    _move(meetup.occurrences.order_by("start")[1], timedelta(days=2, hours=1))
    mail.outbox.clear()
    meetups_health_check(timestamp=int(timezone.now().timestamp()))
    task_queue.run_all()

    assert mail.outbox == []
    assert Notification.objects.filter(recipient=organizer).count() == 2


# --- one day's meetups (where the calendar's "more" links lead) --------------------------


def test_the_day_filter_lists_every_date_of_that_day_only(client, create_meetup, organizer):
    weekly = create_meetup(spec=WEEKLY, title="Weekly book talk")
    first, second = weekly.occurrences.order_by("start")[:2]
    services.occurrence_cancel(occurrence=second, by=organizer)
    day = second.local_start.date()

    page = text(client.get(URL, {"on": f"{day:%Y-%m-%d}"}))

    assert f"<h1>Meetups on {day:%A} {day.day} {day:%B} {day.year}</h1>" in page
    assert second.get_absolute_url() in page  # cancelled dates are shown, marked
    assert "Cancelled" in page
    assert first.get_absolute_url() not in page
    assert f"1 meetup on {day:%A} {day.day} {day:%B}" in page
    assert f'name="on" value="{day:%Y-%m-%d}"' in page
    assert f"month={day:%Y-%m}" in page  # back to that month's calendar


def test_the_day_filter_keeps_the_other_filters(client, create_meetup, organizer):
    kansas = GroupFactory(organizer=organizer, state="KS")
    michigan = create_meetup(title="Michigan lunch")
    create_meetup(target_group=kansas, title="Kansas supper")
    day = michigan.occurrences.get().local_start.date()
    page = text(client.get(URL, {"on": f"{day:%Y-%m-%d}", "state": "KS"}))
    assert "Kansas supper" in page
    assert "Michigan lunch" not in page


def test_a_day_without_meetups_says_so_kindly(client, create_meetup):
    create_meetup(title="Michigan lunch")
    page = text(client.get(URL, {"on": "2030-01-01"}))
    assert "<h1>Meetups on Tuesday 1 January 2030</h1>" in page
    assert "Michigan lunch" not in page
    assert "No meetups on Tuesday 1 January 2030." in page
    assert 'href="/groups/calendar/?month=2030-01"' in page


@pytest.mark.parametrize("value", ["tomorrow", "2026-02-30", "9999-12-31", "0001-01-01"])
def test_a_bad_day_is_a_clear_error_and_the_list_stays(client, create_meetup, value):
    create_meetup(title="Michigan lunch")
    response = client.get(URL, {"on": value})
    page = text(response)
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_on_error">' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_on_error"' in page
    assert "<h1>Upcoming meetups</h1>" in page
    assert "Michigan lunch" in page


def test_one_day_stays_within_budget_as_dates_grow(
    client, member, create_meetup, organizer, django_assert_max_num_queries
):
    client.force_login(member)
    client.get("/")
    day = create_meetup().occurrences.get().local_start.date()
    with django_assert_max_num_queries(10) as few:
        client.get(URL, {"on": f"{day:%Y-%m-%d}"})
    for _ in range(25):
        create_meetup(target_group=GroupFactory(organizer=organizer))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(client.get(URL, {"on": f"{day:%Y-%m-%d}"}))
    assert "26 meetups on" in page
    assert "Page 1 of 2" in page


def test_pages_list_every_series_once_and_count_them(client, create_meetup, monkeypatch):
    monkeypatch.setattr("groups.views.discovery.PER_PAGE", 3)
    titles = [f"Series {number}" for number in range(7)]
    for title in titles:
        create_meetup(spec=WEEKLY, title=title)

    seen = []
    for number in (1, 2, 3):
        page = text(client.get(URL, {"page": number}))
        assert "7 meetups" in page
        seen += [title for title in titles if f"{title}<" in page or f"{title} " in page]

    assert sorted(seen) == titles
