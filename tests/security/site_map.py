"""Every URL pattern of the site, classified, with concrete addresses built from demo-like data.

`ROUTES` is the one place a URL pattern is classified. A pattern the resolver knows but this
table does not (a new view) fails `test_url_walker.test_every_url_pattern_is_classified`, so
each new view must say who may see it and whether it writes.

- `PUBLIC`: anyone may read it.
- `MEMBERS`: signed-in members only; visitors are sent to log in.
- `OWNER`: one member's (or a group organizer's) object; any other member gets 403 or 404.
- `TOKEN`: authorised by a secret in the address (calendar key, signed unsubscribe token).

`writes=True` marks a view that changes data on POST: it must not change anything on GET and
must refuse a POST without a CSRF token.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

PUBLIC, MEMBERS, OWNER, TOKEN = "public", "members", "owner", "token"


@dataclass(frozen=True)
class Route:
    access: str
    writes: bool = False
    kwargs: str = ""  # how to fill the pattern from the World (see World.kwargs_for)
    csrf_exempt: str = ""  # the reason, when a writing view deliberately takes no CSRF token


ROUTES: dict[str, Route] = {
    "home": Route(PUBLIC),
    "search": Route(PUBLIC),
    "healthz": Route(PUBLIC),
    "robots_txt": Route(PUBLIC),
    # accounts
    "accounts:list": Route(PUBLIC),
    "accounts:onboarding": Route(MEMBERS, writes=True),
    "accounts:me": Route(MEMBERS),
    "accounts:detail": Route(PUBLIC, kwargs="owner"),
    "accounts:contact": Route(MEMBERS, writes=True, kwargs="other"),
    "accounts:update": Route(OWNER, writes=True, kwargs="owner"),
    "accounts:settings": Route(OWNER, writes=True, kwargs="owner"),
    "accounts:export": Route(OWNER, kwargs="owner"),
    "accounts:delete": Route(OWNER, writes=True, kwargs="owner"),
    # stories
    "stories:list": Route(PUBLIC),
    "stories:create": Route(MEMBERS, writes=True),
    "stories:mine": Route(MEMBERS),
    "stories:saved": Route(MEMBERS),
    "stories:feed": Route(PUBLIC),
    "stories:feed_tag": Route(PUBLIC, kwargs="tag"),
    "stories:feed_kind": Route(PUBLIC, kwargs="kind"),
    "stories:detail_short": Route(PUBLIC, kwargs="story"),
    "stories:detail": Route(PUBLIC, kwargs="story_slug"),
    "stories:update": Route(OWNER, writes=True, kwargs="story"),
    "stories:delete": Route(OWNER, writes=True, kwargs="story"),
    "stories:publish": Route(OWNER, writes=True, kwargs="draft"),
    "stories:helpful": Route(MEMBERS, writes=True, kwargs="story"),
    "stories:save": Route(MEMBERS, writes=True, kwargs="story"),
    "stories:report": Route(MEMBERS, writes=True, kwargs="story"),
    "stories:comment_create": Route(MEMBERS, writes=True, kwargs="story"),
    "stories:answer_unmark": Route(OWNER, writes=True, kwargs="question"),
    "stories:ask": Route(MEMBERS, writes=True, kwargs="story"),
    "stories:coauthors": Route(OWNER, kwargs="story"),
    "stories:coauthor_add": Route(OWNER, writes=True, kwargs="story"),
    "stories:coauthor_remove": Route(OWNER, writes=True, kwargs="story"),
    "stories:comment_update": Route(OWNER, writes=True, kwargs="comment"),
    "stories:comment_delete": Route(OWNER, writes=True, kwargs="comment"),
    "stories:comment_report": Route(MEMBERS, writes=True, kwargs="comment"),
    "stories:answer_mark": Route(OWNER, writes=True, kwargs="answer"),
    # groups and meetups
    "groups:list": Route(PUBLIC),
    "groups:create": Route(MEMBERS, writes=True),
    "groups:mine": Route(MEMBERS),
    "groups:calendar_reset": Route(MEMBERS, writes=True),
    "groups:my_feed": Route(TOKEN),
    "groups:detail": Route(PUBLIC, kwargs="group"),
    "groups:update": Route(OWNER, writes=True, kwargs="group"),
    "groups:members": Route(MEMBERS, kwargs="group"),
    "groups:past": Route(PUBLIC, kwargs="group"),
    "groups:join": Route(MEMBERS, writes=True, kwargs="group"),
    "groups:leave": Route(MEMBERS, writes=True, kwargs="group"),
    "groups:feed": Route(PUBLIC, kwargs="group"),
    "groups:membership_approve": Route(OWNER, writes=True, kwargs="membership"),
    "groups:membership_decline": Route(OWNER, writes=True, kwargs="membership"),
    "groups:membership_promote": Route(OWNER, writes=True, kwargs="membership"),
    "groups:membership_demote": Route(OWNER, writes=True, kwargs="membership"),
    "groups:membership_remove": Route(OWNER, writes=True, kwargs="membership"),
    "groups:meetup_create": Route(OWNER, writes=True, kwargs="group"),
    "groups:meetup": Route(PUBLIC, kwargs="meetup"),
    "groups:meetup_update": Route(OWNER, writes=True, kwargs="meetup"),
    "groups:meetup_reschedule": Route(OWNER, writes=True, kwargs="meetup"),
    "groups:meetup_pause": Route(OWNER, writes=True, kwargs="meetup"),
    "groups:pause_delete": Route(OWNER, writes=True, kwargs="pause"),
    "groups:series_rsvp": Route(MEMBERS, writes=True, kwargs="meetup"),
    "groups:occurrence": Route(PUBLIC, kwargs="occurrence"),
    "groups:rsvp": Route(MEMBERS, writes=True, kwargs="occurrence"),
    "groups:occurrence_ics": Route(PUBLIC, kwargs="occurrence"),
    "groups:occurrence_cancel": Route(OWNER, writes=True, kwargs="occurrence"),
    "groups:occurrence_restore": Route(OWNER, writes=True, kwargs="occurrence"),
    "groups:occurrence_move": Route(OWNER, writes=True, kwargs="occurrence"),
    "groups:credit": Route(MEMBERS),
    "groups:certificate": Route(OWNER, kwargs="attendance"),
    "groups:verify": Route(TOKEN, kwargs="certificate"),
    "groups:upcoming": Route(PUBLIC),
    "groups:calendar": Route(PUBLIC),
    "groups:month": Route(PUBLIC, kwargs="group"),
    "groups:attendance_mark": Route(OWNER, writes=True, kwargs="occurrence"),
    "groups:confirm": Route(OWNER, writes=True, kwargs="occurrence"),
    "groups:message": Route(OWNER, writes=True, kwargs="occurrence"),
    "groups:check_in": Route(MEMBERS, writes=True, kwargs="occurrence"),
    "groups:attendees_csv": Route(OWNER, kwargs="occurrence"),
    # directory of cooperatives
    "cooperatives:list": Route(PUBLIC),
    "cooperatives:suggest": Route(MEMBERS, writes=True),
    "cooperatives:suggestions": Route(MEMBERS),
    "cooperatives:detail": Route(PUBLIC, kwargs="organisation"),
    "cooperatives:affiliation": Route(MEMBERS, writes=True, kwargs="organisation"),
    "cooperatives:suggest_correction": Route(MEMBERS, writes=True, kwargs="organisation"),
    # notifications
    "notifications:list": Route(MEMBERS),
    "notifications:open": Route(OWNER, writes=True, kwargs="notification"),
    "notifications:read_all": Route(MEMBERS, writes=True),
    "notifications:following": Route(MEMBERS),
    "notifications:follow": Route(MEMBERS, writes=True, kwargs="follow"),
    "notifications:unsubscribe": Route(
        TOKEN,
        writes=True,
        kwargs="unsubscribe",
        csrf_exempt="RFC 8058 one-click unsubscribe: mail clients POST; the token is the key",
    ),
    "notifications:mailing_list": Route(MEMBERS, writes=True),
    "notifications:list_stop": Route(
        TOKEN,
        writes=True,
        kwargs="list_stop",
        csrf_exempt="RFC 8058 one-click unsubscribe: mail clients POST; the token is the key",
    ),
}

# Third-party URL sets left out of the walk, and why.
SKIPPED_NAMESPACES = {"admin": "Django's admin: staff only, covered by test_admin_is_staff_only"}
SKIPPED_MODULE_PREFIXES = {
    "anymail.": "hosted email services' inbound webhooks (mailin/urls.py): no CSRF by design, "
    "a shared secret and the provider's signature instead, tested with signed and forged calls "
    "in tests/mailin/test_webhooks.py",
    "allauth.": "allauth's own views (login, signup, reset…): CSRF tested in test_allauth_forms_"
    "need_a_csrf_token, open redirects in test_open_redirects, rate limits in test_rate_limits",
}


def url_patterns() -> list[tuple[str, str]]:
    """(name, route) of every pattern the resolver serves, admin and allauth left out."""
    found = []

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                module = getattr(pattern.callback, "__module__", "") or ""
                if module.startswith(tuple(SKIPPED_MODULE_PREFIXES)):
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append(
                    (name or f"<unnamed {prefix}{pattern.pattern}>", prefix + str(pattern.pattern))
                )

    walk(get_resolver().url_patterns, "", None)
    return found


@dataclass
class World:
    """Demo-like data: `owner` writes a story, a question and a comment, organizes a group
    with a meetup, has a notification; `other` is a plain member (also of the group)."""

    owner: object
    other: object
    objects: dict = field(default_factory=dict)

    def kwargs_for(self, key: str) -> dict:
        o = self.objects
        if not key:
            return {}
        return {
            "owner": lambda: {"pk": self.owner.pk},
            "other": lambda: {"pk": self.other.pk},
            "tag": lambda: {"slug": o["tag"].slug},
            "kind": lambda: {"kind": o["story"].kind},
            "story": lambda: {"pk": o["story"].pk},
            "story_slug": lambda: {"pk": o["story"].pk, "slug": o["story"].slug},
            "draft": lambda: {"pk": o["draft"].pk},
            "question": lambda: {"pk": o["question"].pk},
            "comment": lambda: {"pk": o["comment"].pk},
            "answer": lambda: {"pk": o["answer"].pk},
            "group": lambda: {"slug": o["group"].slug},
            "membership": lambda: {"slug": o["group"].slug, "pk": o["pending"].pk},
            "meetup": lambda: {"slug": o["group"].slug, "pk": o["meetup"].pk},
            "pause": lambda: {
                "slug": o["group"].slug,
                "pk": o["meetup"].pk,
                "pause_pk": o["pause"].pk,
            },
            "occurrence": lambda: {"slug": o["group"].slug, "pk": o["occurrence"].pk},
            "organisation": lambda: {"slug": o["organisation"].slug},
            "attendance": lambda: {"pk": o["attendance"].pk},
            "certificate": lambda: {"code": o["attendance"].verification_code},
            "notification": lambda: {"pk": o["notification"].pk},
            "follow": lambda: {"kind": "member", "pk": self.owner.pk},
            "unsubscribe": lambda: {"token": o["unsubscribe_token"]},
            "list_stop": lambda: {"token": o["list_stop_token"]},
        }[key]()

    def url(self, name: str) -> str:
        url = reverse(name, kwargs=self.kwargs_for(ROUTES[name].kwargs))
        if name == "groups:my_feed":
            url += f"?key={self.objects['calendar_token'].token}"
        return url


def build_world(**overrides) -> World:
    """Make the data every pattern needs. `overrides` go to the owner's objects' factories as
    `<object>__<field>` (e.g. `story__title="…"`), so the XSS corpus can reuse it."""
    from groups import services as group_services
    from groups.models import Attendance, Membership
    from notifications.mailing_list import list_stop_token
    from notifications.models import Notification
    from notifications.services import unsubscribe_token
    from tests.factories import (
        CommentFactory,
        GroupFactory,
        MeetupFactory,
        MembershipFactory,
        OrganisationFactory,
        StoryFactory,
        UserFactory,
    )

    def fields(prefix):
        return {k.split("__", 1)[1]: v for k, v in overrides.items() if k.startswith(prefix + "__")}

    owner = UserFactory(display_name="Olive Owner", **fields("owner"))
    other = UserFactory(display_name="Otto Other")
    o = {}
    o["story"] = StoryFactory(author=owner, **fields("story"))
    o["story"].tags.add("makerspace")
    o["tag"] = o["story"].tags.get()
    o["draft"] = StoryFactory(author=owner, status="draft", published_at=None)
    o["question"] = StoryFactory(author=owner, kind="challenge")
    o["answer"] = CommentFactory(story=o["question"], author=other)
    o["comment"] = CommentFactory(story=o["story"], author=owner, **fields("comment"))
    o["group"] = GroupFactory(organizer=owner, **fields("group"))
    MembershipFactory(group=o["group"], member=other)
    o["pending"] = MembershipFactory(
        group=o["group"], status=Membership.Status.PENDING, joined_at=None
    )
    first = timezone.localdate() + dt.timedelta(days=7)
    byday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][first.weekday()]
    o["meetup"] = MeetupFactory(
        group=o["group"],
        start_date=first,
        rrule=f"FREQ=WEEKLY;BYDAY={byday};COUNT=6",
        **fields("meetup"),
    )
    o["occurrence"] = o["meetup"].occurrences.order_by("start").first()
    today = timezone.localdate()
    o["pause"], _ = group_services.meetup_pause(
        meetup=o["meetup"],
        by=owner,
        starts_on=today + dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=70),
        note="Summer break",
    )
    o["calendar_token"] = group_services.calendar_token_reset(member=owner)
    o["attendance"] = Attendance.objects.create(
        occurrence=o["occurrence"],
        member=owner,
        marked_by=owner,
        method=Attendance.Method.ORGANIZER,
        hours=1,
        verification_code="walker-certificate-code-0001",
    )
    o["organisation"] = OrganisationFactory(**fields("organisation"))
    o["notification"] = Notification.objects.create(
        recipient=owner,
        kind="story_comment",
        text="Someone commented on your story",
        url="/stories/",
    )
    o["unsubscribe_token"] = unsubscribe_token(member=owner, kind="story_comment")
    o["list_stop_token"] = list_stop_token(member=owner)
    return World(owner=owner, other=other, objects=o)


def database_fingerprint() -> dict[str, str]:
    """A checksum of every row of every table (sessions and caches aside): equal fingerprints
    mean nothing was written."""
    ignored = {"django_session", "django_cache"}
    with connection.cursor() as cursor:
        tables = [
            t
            for t in connection.introspection.table_names(cursor)
            if t not in ignored and not t.startswith("procrastinate")
        ]
        parts = [
            f"SELECT '{t}', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "
            f'FROM "{t}" x'
            for t in tables
        ]
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def browser_sign_in(page, base_url: str, user) -> None:
    """Give the browser `user`'s session cookie (the login form itself is tested elsewhere)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    page.goto(base_url + "/")  # the onboarding middleware's first look
