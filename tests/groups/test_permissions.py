"""Only organizers may edit a group or its meetups: every organizer-only view, for anonymous
visitors, non-members, members and organizers."""

import pytest
from django.urls import reverse

from groups import urls as groups_urls
from groups.models import Attendance, Group, Meetup, MeetupPause, Membership, Occurrence
from groups.recurrence import Repeat, RuleSpec
from groups.services import meetup_pause
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# url name → (kwargs builder, methods); POST-only actions answer GET with 405
ORGANIZER_VIEWS = {
    "update": (lambda w: {"slug": w.group.slug}, ["get", "post"]),
    "meetup_create": (lambda w: {"slug": w.group.slug}, ["get", "post"]),
    "meetup_update": (lambda w: {"slug": w.group.slug, "pk": w.meetup.pk}, ["get", "post"]),
    "meetup_reschedule": (lambda w: {"slug": w.group.slug, "pk": w.meetup.pk}, ["get", "post"]),
    "meetup_pause": (lambda w: {"slug": w.group.slug, "pk": w.meetup.pk}, ["get", "post"]),
    "pause_delete": (
        lambda w: {"slug": w.group.slug, "pk": w.meetup.pk, "pause_pk": w.pause.pk},
        ["post"],
    ),
    "occurrence_cancel": (lambda w: {"slug": w.group.slug, "pk": w.occurrence.pk}, ["get", "post"]),
    "occurrence_restore": (lambda w: {"slug": w.group.slug, "pk": w.cancelled.pk}, ["post"]),
    "occurrence_move": (lambda w: {"slug": w.group.slug, "pk": w.occurrence.pk}, ["get", "post"]),
    "membership_approve": (lambda w: {"slug": w.group.slug, "pk": w.pending.pk}, ["post"]),
    "membership_decline": (lambda w: {"slug": w.group.slug, "pk": w.pending.pk}, ["post"]),
    "membership_promote": (lambda w: {"slug": w.group.slug, "pk": w.plain.pk}, ["post"]),
    "membership_demote": (lambda w: {"slug": w.group.slug, "pk": w.co_organizer.pk}, ["post"]),
    "membership_remove": (lambda w: {"slug": w.group.slug, "pk": w.plain.pk}, ["post"]),
    "attendance_mark": (lambda w: {"slug": w.group.slug, "pk": w.occurrence.pk}, ["post"]),
    "attendees_csv": (lambda w: {"slug": w.group.slug, "pk": w.occurrence.pk}, ["get"]),
    "message": (lambda w: {"slug": w.group.slug, "pk": w.occurrence.pk}, ["get", "post"]),
    "confirm": (lambda w: {"slug": w.group.slug, "pk": w.occurrence.pk}, ["post"]),
}
CASES = [(name, method) for name, (_, methods) in ORGANIZER_VIEWS.items() for method in methods]


def _is_organizer_only(pattern) -> bool:
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None)
    dispatch = getattr(view_class, "dispatch", None)
    return getattr(callback, "organizer_only", False) or getattr(dispatch, "organizer_only", False)


def test_every_organizer_only_view_is_in_this_matrix():
    guarded = {p.name for p in groups_urls.urlpatterns if _is_organizer_only(p)}
    assert guarded == set(ORGANIZER_VIEWS)


class World:
    def __init__(self, create_meetup, group, organizer):
        self.group = group
        self.organizer = organizer
        self.meetup = create_meetup(
            spec=RuleSpec(repeat=Repeat.MONTHLY_NTH, weekday=2, week_of_month=2)
        )
        dates = list(self.meetup.occurrences.order_by("start"))
        self.occurrence, self.cancelled = dates[0], dates[1]
        Occurrence.objects.filter(pk=self.cancelled.pk).update(status="cancelled")
        last = dates[-1].local_start.date()
        self.pause, _ = meetup_pause(meetup=self.meetup, by=organizer, starts_on=last, ends_on=last)
        self.member = MembershipFactory(group=group).member
        self.plain = MembershipFactory(group=group)
        self.co_organizer = MembershipFactory(group=group, role=Membership.Role.ORGANIZER)
        self.pending = MembershipFactory(group=group, status=Membership.Status.PENDING)
        self.stranger = UserFactory()

    def snapshot(self):
        """Everything an organizer action could change."""
        return (
            list(Group.objects.values()),
            list(Membership.objects.order_by("pk").values()),
            list(Meetup.objects.order_by("pk").values()),
            list(Occurrence.objects.order_by("pk").values()),
            list(MeetupPause.objects.order_by("pk").values()),
            list(Attendance.objects.order_by("pk").values()),
        )


@pytest.fixture
def world(create_meetup, group, organizer):
    return World(create_meetup, group, organizer)


def _call(client, world, name, method):
    kwargs_for, _ = ORGANIZER_VIEWS[name]
    url = reverse(f"groups:{name}", kwargs=kwargs_for(world))
    return url, getattr(client, method)(url)


@pytest.mark.parametrize(("name", "method"), CASES)
def test_visitors_are_sent_to_log_in(client, world, name, method):
    before = world.snapshot()
    url, response = _call(client, world, name, method)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert world.snapshot() == before


@pytest.mark.parametrize(("name", "method"), CASES)
@pytest.mark.parametrize("who", ["stranger", "member"])
def test_non_organizers_are_refused(client, world, name, method, who):
    before = world.snapshot()
    client.force_login(getattr(world, who))
    _url, response = _call(client, world, name, method)
    assert response.status_code == 403
    assert world.snapshot() == before


@pytest.mark.parametrize(("name", "method"), CASES)
def test_organizers_get_through(client, world, name, method):
    client.force_login(world.organizer)
    _url, response = _call(client, world, name, method)
    assert response.status_code in (200, 302)
    if method == "get":
        assert response.status_code == 200


@pytest.mark.parametrize(
    "name", [name for name, (_, m) in ORGANIZER_VIEWS.items() if m == ["post"]]
)
def test_one_off_actions_do_not_answer_get(client, world, name):
    client.force_login(world.organizer)
    before = world.snapshot()
    _url, response = _call(client, world, name, "get")
    assert response.status_code == 405
    assert world.snapshot() == before


def test_organizers_of_another_group_are_refused(client, world, create_meetup):
    from tests.factories import GroupFactory

    other_organizer = UserFactory()
    GroupFactory(organizer=other_organizer)
    client.force_login(other_organizer)
    response = client.post(
        reverse(
            "groups:occurrence_cancel", kwargs={"slug": world.group.slug, "pk": world.occurrence.pk}
        )
    )
    assert response.status_code == 403
    world.occurrence.refresh_from_db()
    assert not world.occurrence.is_cancelled


def test_an_occurrence_of_another_group_is_not_found_through_mine(client, world, create_meetup):
    """Organizers of one group cannot reach another group's dates by mixing URLs."""
    from tests.factories import GroupFactory

    mine = GroupFactory(organizer=world.organizer)
    client.force_login(world.organizer)
    response = client.post(
        reverse("groups:occurrence_cancel", kwargs={"slug": mine.slug, "pk": world.occurrence.pk})
    )
    assert response.status_code == 404


def test_members_only_groups_are_hidden_from_visitors_on_every_page(client, world):
    Group.objects.filter(pk=world.group.pk).update(visibility=Group.Visibility.MEMBERS)
    slug = world.group.slug
    urls = [
        reverse("groups:detail", kwargs={"slug": slug}),
        reverse("groups:past", kwargs={"slug": slug}),
        reverse("groups:feed", kwargs={"slug": slug}),
        reverse("groups:meetup", kwargs={"slug": slug, "pk": world.meetup.pk}),
        reverse("groups:occurrence", kwargs={"slug": slug, "pk": world.occurrence.pk}),
        reverse("groups:occurrence_ics", kwargs={"slug": slug, "pk": world.occurrence.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert world.group.name not in client.get(reverse("groups:list")).content.decode()
    client.force_login(world.stranger)
    for url in urls:
        assert client.get(url).status_code == 200, url
