"""Every kind of write against every kept page: after it, each page is served exactly as it
would be rendered afresh (nothing stale), the pages that show the change show it, and pages
that do not show it keep their copy (invalidation as narrow as the change, issue 15).

The table is WRITES: each write runs on a small world in which every page has something to
show, once every page has been kept (visitors' copies and a signed-in member's own); then each
page is fetched as kept, and again with every kept page, fragment and figure dropped, and the
two must match. `changes` lists pages the write must visibly change (so the check above can
fail for it), `keeps` pages whose kept copy must survive it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts_services
from cooperatives import services as directory_services
from groups import services as groups_services
from groups import tasks as groups_tasks
from groups.models import Attendance, Occurrence
from home import tasks as home_tasks
from kit import bulk
from members import services as members_services
from notifications import services as notifications_services
from notifications.models import Notification
from stories import services as stories_services
from stories import tasks as stories_tasks
from tests.factories import (
    AffiliationFactory,
    CommentFactory,
    HelpfulVoteFactory,
    MeetupFactory,
    MembershipFactory,
    OrganisationFactory,
    StoryFactory,
    UserFactory,
    make_curator,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+')
ICS_STAMP = re.compile(r"DTSTAMP:\d+T\d+Z")


@dataclass
class World:
    rosa: User  # the member whose own pages are kept (signed in)
    ben: User  # an author and organizer, listed in the directory
    carla: User  # a commenter and group member
    moderator: User
    story: object  # Ben's open challenge about summer reading, discussed by Carla
    other: object  # Carla's success story
    draft: object  # Ben's draft
    extra: object  # Carla's newest story
    dana: User  # a member of no group
    curator: User
    group: object
    meetup: object
    date: object  # the group's next date: Rosa and Carla are going
    attended: object  # a date of the group's last week that Rosa attended: her credit
    organisation: object
    visitor: Client = field(default_factory=Client)
    member: Client = field(default_factory=Client)


@pytest.fixture
def world() -> World:
    rosa = UserFactory(display_name="Rosa Parks-Wheeler")
    rosa.profile.library_type, rosa.profile.state = "public", "MI"
    rosa.profile.save()
    ben = UserFactory(display_name="Ben Brook")
    ben.profile.visibility = "public"
    ben.profile.save()
    carla = UserFactory(display_name="Carla Reyes")
    story = StoryFactory(
        author=ben,
        kind="challenge",
        title="Summer reading sign-ups fell by a third",
        tags=["summer reading"],
    )
    CommentFactory.create_batch(2, story=story, author=carla, body="We moved sign-ups online.")
    HelpfulVoteFactory(story=story, member=carla)
    other = StoryFactory(
        author=carla, title="Graphic novels for reluctant readers", tags=["ebooks"]
    )
    draft = StoryFactory(author=ben, status="draft", title="A draft about makerspaces")
    extra = StoryFactory(author=carla, title="Our first library podcast", tags=["podcasts"])
    meetup = MeetupFactory(
        title="Long lunch",
        rrule="FREQ=WEEKLY;COUNT=4",
        start_date=(timezone.now() + timedelta(days=3)).date(),
    )
    group = meetup.group
    MembershipFactory(group=group, member=ben, role="organizer")
    MembershipFactory(group=group, member=rosa)
    MembershipFactory(group=group, member=carla)
    date = meetup.occurrences.order_by("start").first()
    attended = _started_date(meetup, days_ago=7)
    groups_services.attendance_mark(occurrence=attended, by=ben, present={rosa.pk})
    groups_services.rsvp_set(occurrence=date, member=rosa, going=True)
    groups_services.rsvp_set(occurrence=date, member=carla, going=True)
    organisation = OrganisationFactory(name="Upper Peninsula Library Cooperative")
    group.organisations.add(organisation)
    AffiliationFactory(member=ben, organisation=organisation)
    for text in ("Carla commented on your story", "A new date for Long lunch"):
        Notification.objects.create(recipient=rosa, kind="story_comment", text=text)
    notifications_services.follow_toggle(member=rosa, target=story.tags.get())
    world = World(
        rosa=rosa,
        ben=ben,
        carla=carla,
        moderator=UserFactory(is_staff=True, is_superuser=True),
        story=story,
        other=other,
        draft=draft,
        extra=extra,
        dana=UserFactory(display_name="Dana Lee"),
        curator=make_curator(),
        group=group,
        meetup=meetup,
        date=date,
        attended=attended,
        organisation=organisation,
    )
    world.member.force_login(rosa)
    world.member.get(reverse("home"))  # onboarding settled, CSRF cookie given
    return world


# --- the pages ----------------------------------------------------------------------------
VISITOR_PAGES = {
    "home": lambda w: reverse("home"),
    "stories": lambda w: reverse("stories:list"),
    "stories, most helpful": lambda w: reverse("stories:list") + "?sort=helpful",
    "stories, most discussed": lambda w: reverse("stories:list") + "?sort=discussed",
    "open challenges": lambda w: reverse("stories:list") + "?open=on",
    "story search": lambda w: reverse("stories:list") + "?q=summer+reading",
    "story": lambda w: _fresh(w.story).get_absolute_url(),  # its address follows its title
    "other story": lambda w: w.other.get_absolute_url(),
    "site search": lambda w: reverse("search") + "?q=summer+reading",
    "members": lambda w: reverse("accounts:list"),
    "member": lambda w: reverse("accounts:detail", args=[w.ben.pk]),
    "directory": lambda w: reverse("cooperatives:list"),
    "directory entry": lambda w: w.organisation.get_absolute_url(),
    "groups": lambda w: reverse("groups:list"),
    "group": lambda w: w.group.get_absolute_url(),
    "meetup": lambda w: reverse("groups:meetup", args=[w.group.slug, w.meetup.pk]),
    "date": lambda w: w.date.get_absolute_url(),
    "upcoming": lambda w: reverse("groups:upcoming"),
    "month": lambda w: reverse("groups:calendar"),
    "group calendar": lambda w: reverse("groups:feed", args=[w.group.slug]),
}
MEMBER_PAGES = {
    "dashboard (Rosa)": lambda w: reverse("home"),
    "stories (Rosa)": lambda w: reverse("stories:list"),
    "story (Rosa)": lambda w: _fresh(w.story).get_absolute_url(),
    "member (Rosa)": lambda w: reverse("accounts:detail", args=[w.ben.pk]),
    "members near (Rosa)": lambda w: reverse("accounts:list") + "?sort=near",
    "group (Rosa)": lambda w: w.group.get_absolute_url(),
    "date (Rosa)": lambda w: w.date.get_absolute_url(),
    "upcoming (Rosa)": lambda w: reverse("groups:upcoming"),
    "directory entry (Rosa)": lambda w: w.organisation.get_absolute_url(),
    "credit (Rosa)": lambda w: reverse("groups:credit"),
}
ALL_PAGES = {**VISITOR_PAGES, **MEMBER_PAGES}
STORY_PAGES = {"stories", "stories, most helpful", "stories, most discussed", "open challenges"}
MEETUP_PAGES = {"groups", "group", "meetup", "date", "upcoming", "month", "group calendar"}
DIRECTORY_PAGES = {"directory", "directory entry"}


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _get(world: World, page: str):
    client = world.member if page in MEMBER_PAGES else world.visitor
    return client.get(ALL_PAGES[page](world), secure=True)


def _html(response) -> str:
    """What a reader sees (the status, the page), but for the per-render CSRF mask and the
    calendar's timestamp. A page may be gone after a write (hidden: 404; members only now: a
    redirect to log in), as long as it is gone as a new render would say it is."""
    assert response.status_code in (200, 302, 404), response.status_code
    text = response.content.decode()
    return f"{response.status_code} " + ICS_STAMP.sub("DTSTAMP:-", CSRF_TOKEN.sub(r"\1-", text))


def _drop_everything_kept() -> None:
    for name in ("pages", "fragments", "process"):
        caches[name].clear()


# --- the writes ---------------------------------------------------------------------------
def _as_carla_over_http(world: World, url: str, data: dict | None = None) -> None:
    """A write through a request, as a browser makes it (Carla's: Rosa's cookies stay)."""
    carla = Client()
    carla.force_login(world.carla)
    response = carla.post(url, data or {}, secure=True)
    assert response.status_code == 302, response.status_code


class _FormFields(HTMLParser):
    """The values a browser would send back from a page's forms (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.setdefault(self._select, []).append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.values.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def _without_extra_inline_forms(values: dict[str, list[str]]) -> dict[str, list[str]]:
    """As a browser sends them when the blank rows an inline offers are left blank."""
    values = dict(values)
    for total in [key for key in values if key.endswith("-TOTAL_FORMS")]:
        prefix = total.removesuffix("-TOTAL_FORMS")
        initial = int(values[f"{prefix}-INITIAL_FORMS"][0])
        values[total] = [str(initial)]
        for key in [key for key in values if re.fullmatch(rf"{prefix}-(\d+)-.*", key)]:
            if int(key.removeprefix(f"{prefix}-").split("-")[0]) >= initial:
                del values[key]
    return values


def _admin_renames_topic(world: World) -> None:
    """As a moderator does it: the admin's change form, submitted with one field changed."""
    admin = Client()
    admin.force_login(world.moderator)
    url = reverse("admin:taggit_tag_change", args=[world.story.tags.get().pk])
    form = _FormFields()
    form.feed(admin.get(url, secure=True).content.decode())
    data = {**_without_extra_inline_forms(form.values), "name": ["Summer reading programs"]}
    response = admin.post(url, data, secure=True)
    assert response.status_code == 302, re.findall(r"errorlist.{0,300}", response.content.decode())


def _past_date(world: World):
    """A date of the group's that has started, for attendance (made as a past date is)."""
    return _started_date(world.meetup)


def _started_date(meetup, *, days_ago: int = 0):
    started = timezone.now() - timedelta(days=days_ago, hours=1)
    return Occurrence.objects.create(
        meetup=meetup,
        original_start=started,
        start=started,
        end=started + timedelta(hours=2),
    )


def _check_in(world: World) -> None:
    """Rosa checks in at a date that has just started, with the code the organizer shows."""
    started = _past_date(world)
    groups_services.attendance_check_in(
        occurrence=started, member=world.rosa, code=started.checkin_code
    )


def _hours_corrected(world: World) -> None:
    """A save outside the services (a data fix): Rosa's recorded credit for a date."""
    attendance = Attendance.objects.get(occurrence=world.attended, member=world.rosa)
    attendance.hours = Decimal("2.75")
    attendance.save()


@dataclass
class Write:
    name: str
    do: object
    changes: set = field(default_factory=set)
    keeps: set = field(default_factory=set)
    setup: object = None  # before the pages are kept


PERSONAL = set(VISITOR_PAGES)  # what only its member sees leaves every visitor's copy
# pages that show no member's name or profile, no story, no directory entry
MEETUPS_ONLY = {"groups", "meetup", "upcoming", "month", "group calendar"}

WRITES = [
    # --- stories
    Write(
        "comment (service)",
        lambda w: stories_services.comment_create(story=w.story, author=w.carla, body="Try this."),
        changes={"story", "story (Rosa)", "stories", "stories (Rosa)"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES | {"other story", "members", "member"},
    ),
    Write(
        "comment (over HTTP)",
        lambda w: _as_carla_over_http(
            w, reverse("stories:comment_create", args=[w.story.pk]), {"body": "Try this."}
        ),
        changes={"story", "story (Rosa)", "stories"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES | {"other story", "members", "member"},
    ),
    Write(
        "helpful vote",
        lambda w: stories_services.helpful_toggle(story=w.story, member=w.rosa),
        changes={"story", "story (Rosa)", "stories", "stories, most helpful"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES | {"other story", "members", "member"},
    ),
    Write(
        "helpful vote taken back",
        lambda w: stories_services.helpful_toggle(story=w.story, member=w.carla),
        changes={"story", "stories"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES | {"other story"},
    ),
    Write(
        "save for later",
        lambda w: stories_services.save_toggle(story=w.story, member=w.rosa),
        changes={"story (Rosa)"},
        keeps=PERSONAL,  # and her own pages, but those show her saves
    ),
    Write(
        "save for later (over HTTP)",
        lambda w: _as_carla_over_http(w, reverse("stories:save", args=[w.story.pk])),
        keeps=PERSONAL | set(MEMBER_PAGES),
    ),
    Write(
        "story published",
        lambda w: stories_services.story_create(
            author=w.carla,
            data={"title": "Summer reading with the public library", "summary": "It worked."},
            tags=["summer reading"],
            publish=True,
        ),
        changes={"home", "stories", "story search", "site search", "stories (Rosa)"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "story edited",
        lambda w: stories_services.story_update(
            story=w.story, by=w.ben, data={"title": "Summer reading sign-ups halved"}, tags=[]
        ),
        changes={"story", "stories", "home", "story search"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "draft published",
        lambda w: stories_services.story_publish(story=w.draft, by=w.ben),
        changes={"stories", "home"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "story deleted",
        lambda w: stories_services.story_delete(story=w.extra, by=w.carla),
        changes={"stories", "home"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "answer marked",
        lambda w: stories_services.answer_mark(comment=w.story.comments.first(), by=w.ben),
        changes={"story", "open challenges", "stories"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "answer unmarked",
        lambda w: stories_services.answer_unmark(story=w.story, by=w.ben),
        setup=lambda w: stories_services.answer_mark(comment=w.story.comments.first(), by=w.ben),
        changes={"story", "open challenges", "stories"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "story hidden by a moderator",
        lambda w: stories_services.story_hide(story=w.story, by=w.moderator, reason="Spam."),
        changes={"stories", "home", "story search", "site search"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "comment hidden by a moderator",
        lambda w: stories_services.comment_hide(
            comment=w.story.comments.first(), by=w.moderator, reason="Off topic."
        ),
        changes={"story", "stories"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "co-author added",
        lambda w: stories_services.coauthor_add(story=w.story, member=w.carla, by=w.ben),
        changes={"story"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "story reported",
        lambda w: stories_services.report_create(reporter=w.carla, story=w.story, reason="spam"),
        keeps=set(ALL_PAGES),  # moderators see reports in the admin only
    ),
    # --- members
    Write(
        "profile edited (name)",
        lambda w: accounts_services.profile_update(
            profile=w.ben.profile, display_name="Ben Brooks"
        ),
        changes={"story", "member", "stories", "directory entry", "group (Rosa)"},
        keeps=MEETUPS_ONLY | {"directory"},
    ),
    Write(
        "privacy settings",
        lambda w: members_services.profile_settings_update(
            profile=w.ben.profile,
            email_preferences={},
            visibility="members",
            accepts_help_requests=False,
        ),
        changes={"members", "story"},
        keeps=MEETUPS_ONLY | {"directory"},
    ),
    Write(
        "signed in",
        lambda w: Client().force_login(w.carla),
        keeps=PERSONAL | set(MEMBER_PAGES),
    ),
    Write(
        "signed in (over HTTP)",
        lambda w: Client().post(
            reverse("account_login"),
            {"login": w.carla.email, "password": "correct-horse-battery"},
            secure=True,
        ),
        keeps=PERSONAL | set(MEMBER_PAGES),
    ),
    Write(
        "account deleted, stories kept",
        lambda w: accounts_services.account_delete(user=w.carla, keep_stories=True),
        changes={"story", "other story", "date (Rosa)"},
    ),
    # --- groups and meetups
    Write(
        "RSVP (going)",
        lambda w: groups_services.rsvp_set(occurrence=w.date, member=w.ben, going=True),
        changes={"date", "group", "meetup", "date (Rosa)"},
        keeps=STORY_PAGES | DIRECTORY_PAGES | {"story", "member", "members", "month"},
    ),
    Write(
        "RSVP (over HTTP)",
        lambda w: _as_carla_over_http(
            w, reverse("groups:rsvp", args=[w.group.slug, w.date.pk]), {"answer": "not_going"}
        ),
        changes={"date", "group", "date (Rosa)"},
        keeps=STORY_PAGES | DIRECTORY_PAGES | {"story", "member", "members", "month"},
    ),
    Write(
        "RSVP: the member's own answer",
        lambda w: groups_services.rsvp_set(occurrence=w.date, member=w.rosa, going=False),
        changes={"date", "date (Rosa)", "group (Rosa)", "dashboard (Rosa)"},
        keeps=STORY_PAGES | DIRECTORY_PAGES | {"story", "member"},
    ),
    Write(
        "comes every time",
        lambda w: groups_services.series_rsvp_set(meetup=w.meetup, member=w.ben, going=True),
        changes={"meetup", "group"},
        keeps=STORY_PAGES | {"directory", "members"},
    ),
    Write(
        "joined a group",
        lambda w: groups_services.membership_join(group=w.group, member=w.dana),
        changes={"group", "groups"},
        keeps=STORY_PAGES | {"directory"},
    ),
    Write(
        "left a group",
        lambda w: groups_services.membership_leave(group=w.group, member=w.carla),
        changes={"group", "date", "date (Rosa)"},
        keeps=STORY_PAGES | {"directory"},
    ),
    Write(
        "group edited",
        lambda w: groups_services.group_update(group=w.group, by=w.ben, name="Long lunchers"),
        changes={"group", "groups", "date", "directory entry", "upcoming", "credit (Rosa)"},
        keeps=STORY_PAGES | {"members"},
    ),
    Write(
        "meetup edited",
        lambda w: groups_services.meetup_update(
            meetup=w.meetup, by=w.ben, details={"title": "Longer lunch"}
        ),
        changes={
            "meetup",
            "date",
            "group",
            "upcoming",
            "home",
            "group calendar",
            "credit (Rosa)",
        },
        keeps=STORY_PAGES | {"directory", "members"},
    ),
    Write(
        "date cancelled",
        lambda w: groups_services.occurrence_cancel(occurrence=w.date, by=w.ben, reason="Snow."),
        changes={"date", "group", "meetup", "group calendar"},
        keeps=STORY_PAGES | {"directory", "members"},
    ),
    Write(
        "date moved",
        lambda w: groups_services.occurrence_move(
            occurrence=w.date,
            by=w.ben,
            start=w.date.start + timedelta(hours=1),
            end=w.date.end + timedelta(hours=1),
        ),
        changes={"date", "group", "meetup", "group calendar"},
        keeps=STORY_PAGES | {"directory", "members"},
    ),
    Write(
        "series paused",
        lambda w: groups_services.meetup_pause(
            meetup=w.meetup,
            by=w.ben,
            starts_on=w.date.start.date(),
            ends_on=w.date.start.date() + timedelta(days=1),
        ),
        changes={"date", "group", "meetup"},
        keeps=STORY_PAGES | {"directory", "members"},
    ),
    Write(
        "date confirmed",
        lambda w: groups_services.occurrence_confirm(occurrence=w.date, by=w.ben),
        setup=lambda w: Occurrence.objects.filter(pk=w.date.pk).update(
            confirmation_requested_at=timezone.now()
        ),
        keeps=STORY_PAGES | {"directory", "members"},
    ),
    Write(
        "attendance marked",
        lambda w: groups_services.attendance_mark(
            occurrence=_past_date(w), by=w.ben, present={w.rosa.pk}
        ),
        changes={"group", "credit (Rosa)"},
        keeps=STORY_PAGES | {"directory", "members"},
    ),
    Write(
        "checked in with the code",
        _check_in,
        changes={"credit (Rosa)"},
        keeps=STORY_PAGES | {"directory", "members"},
    ),
    Write(
        "attendance taken off by the organizer",
        lambda w: groups_services.attendance_mark(occurrence=w.attended, by=w.ben, present=set()),
        changes={"credit (Rosa)"},
        keeps=STORY_PAGES | DIRECTORY_PAGES | {"members", "member", "groups", "upcoming", "month"},
    ),
    Write(
        "credit hours corrected (a save outside the services)",
        _hours_corrected,
        changes={"credit (Rosa)"},
        keeps=STORY_PAGES | DIRECTORY_PAGES | {"members", "member", "groups", "upcoming", "month"},
    ),
    # --- notifications and follows
    Write(
        "notifications marked read",
        lambda w: notifications_services.notifications_mark_all_read(member=w.rosa),
        changes={"dashboard (Rosa)", "story (Rosa)", "group (Rosa)"},
        keeps=PERSONAL,
    ),
    Write(
        "one notification opened",
        lambda w: notifications_services.notification_open(
            notification=w.rosa.notifications.first()
        ),
        changes={"dashboard (Rosa)"},
        keeps=PERSONAL,
    ),
    Write(
        "followed a group",
        lambda w: notifications_services.follow_toggle(member=w.rosa, target=w.group),
        changes={"group (Rosa)"},
        keeps=PERSONAL,
    ),
    Write(
        "email preference",
        lambda w: notifications_services.email_preference_set(
            member=w.ben, kind="contact_message", enabled=False
        ),
        changes={"member (Rosa)"},
        keeps=MEETUPS_ONLY | {"directory"},
    ),
    # --- the directory
    Write(
        "affiliation listed",
        lambda w: directory_services.affiliation_set(
            member=w.rosa, organisation=w.organisation, role="chair"
        ),
        changes={"directory entry (Rosa)"},
        keeps=MEETUPS_ONLY,
    ),
    Write(
        "entries marked inactive",
        lambda w: directory_services.organisations_mark_inactive(
            organisations=type(w.organisation).objects.filter(pk=w.organisation.pk),
            by=w.curator,
        ),
        changes={"directory", "directory entry"},
        keeps=STORY_PAGES | {"story", "date", "upcoming"},
    ),
    Write(
        "correction suggested",
        lambda w: directory_services.suggestion_submit(
            by=w.carla, proposed={"website": "https://up.example.org/"}, organisation=w.organisation
        ),
        keeps=set(VISITOR_PAGES),
    ),
    # --- the admin, bulk inserts, background jobs
    Write(
        "topic renamed in the admin",
        _admin_renames_topic,
        changes={"story", "stories", "home"},
    ),
    Write(
        "story edited in the admin (a save outside the services)",
        lambda w: (setattr(w.story, "title", "Sign-ups fell"), w.story.save()),
        changes={"story", "stories", "home"},
        keeps=MEETUP_PAGES | DIRECTORY_PAGES,
    ),
    Write(
        "stories inserted in bulk",
        lambda w: bulk.insert_built(StoryFactory, 2, author=w.carla, title="Bulk story"),
        changes={"stories", "home"},
    ),
    Write(
        "followers told of a new story (background job)",
        lambda w: stories_tasks.story_followers_notify(
            story_id=StoryFactory(author=w.carla, tags=["summer reading"]).pk
        ),
        changes={"dashboard (Rosa)"},
    ),
    Write(
        "meetup reminders (background job)",
        lambda w: groups_tasks.meetup_reminders_send(int(timezone.now().timestamp())),
        setup=lambda w: Occurrence.objects.filter(pk=w.date.pk).update(
            start=timezone.now() + timedelta(hours=20), end=timezone.now() + timedelta(hours=22)
        ),
        keeps=set(ALL_PAGES),  # reminders go by email only
    ),
    Write(
        "series extended (background job)",
        lambda w: groups_tasks.meetups_extend_horizon(int(timezone.now().timestamp())),
        keeps=STORY_PAGES | {"directory", "members"},
    ),
    Write(
        "weekly digest (background job)",
        lambda w: home_tasks.weekly_digest(int(timezone.now().timestamp())),
        keeps=set(VISITOR_PAGES),
    ),
]


@pytest.mark.parametrize("write", WRITES, ids=[write.name for write in WRITES])
def test_after_every_kind_of_write_every_page_is_as_fresh_as_a_new_render(world, write):
    if write.setup:
        write.setup(world)
        _drop_everything_kept()
    before = {page: _html(_get(world, page)) for page in ALL_PAGES}  # now all kept
    assert all(html.startswith("200 ") for html in before.values())
    write.do(world)

    served = {page: _get(world, page) for page in ALL_PAGES}
    _drop_everything_kept()
    fresh = {page: _html(_get(world, page)) for page in ALL_PAGES}

    stale = [page for page in ALL_PAGES if _html(served[page]) != fresh[page]]
    assert stale == [], f"{write.name}: stale {stale}"
    unchanged = [page for page in write.changes if fresh[page] == before[page]]
    assert unchanged == [], f"{write.name}: these pages should show it {unchanged}"
    dropped = [page for page in write.keeps if not getattr(served[page], "kept_copy", False)]
    assert dropped == [], f"{write.name}: dropped though they do not show it {dropped}"
