"""The pages `make bench` measures: one `Page` line each.

A page's `url` is a string or a function called once, after the data set is built, inside a
Django process connected to the benchmark database, so it can look up the object it needs:

    Page("story with 50 comments", lambda: first(
        Story.objects.annotate(n=Count("comments")).filter(n=50), "a story with 50 comments"
    ).get_absolute_url()),

`member=True` sends the demo member's session and CSRF cookies (seed_demo's demo account), as
their browser would, for pages that members see differently or only members see. Pages are
served from each process's kept copy (kit/pagecache.py) after the first request, visitors'
and each signed-in browser's own; `rendered=True` makes every request ask for its own address
(an ignored `fresh=` parameter), measuring the page rendered afresh — what a first view, or a
page not asked for since the last change, costs. `new_queries=True` (searches) goes further:
every request searches for something else (`SEARCHES_AFRESH`), so nothing computed for one
search (a count, a page of results) can answer the next.

The mixed workload (benchmarks/mixed.py) reads `MIXED_PAGES` and `SEARCHES` in rotation
while members write.

Put model imports inside the function: this module is imported before Django is set up.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Page:
    name: str
    url: str | Callable[[], str]
    member: bool = False
    rendered: bool = False
    new_queries: bool = False

    def resolve(self) -> str:
        return self.url() if callable(self.url) else self.url


def named(name: str, query: str = "", **kwargs) -> Callable[[], str]:
    """The URL of a named route, optionally with a query string: `named("stories:list", "q=x")`."""
    return lambda: reverse(name, kwargs=kwargs or None) + (f"?{query}" if query else "")


def first(queryset, what: str):
    """The first object of a queryset, or a clear error naming what the seed data lacks."""
    obj = queryset.first()
    if obj is None:
        raise LookupError(f"the benchmark data has no {what}: extend the app's seed step")
    return obj


# The ceiling: a real page that does no database work, measured alternately with each page.
TRIVIAL = Page("trivial view (robots.txt, no database)", named("robots_txt"))


def story_with_50_comments() -> str:
    from stories.models import Story

    story = first(
        Story.objects.published().filter(comment_count=50), "published story with 50 comments"
    )
    return story.get_absolute_url()


def demo_group():
    """The long lunch on the second Tuesday: the source document's own recurring meetup."""
    from groups.demo import DEMO_GROUPS
    from groups.models import Group

    return first(Group.objects.filter(name=DEMO_GROUPS[0]["name"]), "demo long-lunch group")


def next_date_of_demo_group() -> str:
    from django.utils import timezone

    from groups.models import Occurrence

    occurrence = first(
        Occurrence.objects.scheduled()
        .filter(meetup__group=demo_group(), start__gt=timezone.now())
        .order_by("start"),
        "upcoming date of the demo group",
    )
    return occurrence.get_absolute_url()


def demo_series() -> str:
    return first(demo_group().meetups.order_by("pk"), "demo group's meetup").get_absolute_url()


PAGES: list[Page] = [
    Page("home, anonymous", named("home")),
    Page("home, member dashboard", named("home"), member=True),
    Page("story list", named("stories:list")),
    Page(
        "story list, filtered", named("stories:list", "kind=success&tag=reading+programs&state=MI")
    ),
    Page("story search", named("stories:list", "q=makerspace+nobody+used")),
    Page("site search", named("search", "q=summer+reading")),
    Page("story with 50 comments", story_with_50_comments),
    Page("group page", lambda: demo_group().get_absolute_url()),
    Page("group page (member)", lambda: demo_group().get_absolute_url(), member=True),
    Page("meetup date", next_date_of_demo_group),
    Page("upcoming meetups", named("groups:upcoming")),
    Page("member directory, near me", named("accounts:list", "sort=near"), member=True),
    Page("cooperative directory", named("cooperatives:list")),
    Page("group iCal feed", lambda: reverse("groups:feed", kwargs={"slug": demo_group().slug})),
    # pages with pictures (issue 18); the demo member organizes the demo group and is staff
    Page("cooperative directory, one state", named("cooperatives:list", "state=MI")),
    Page("member directory (member)", named("accounts:list"), member=True),
    Page("meetup series, organizer's chart (member)", demo_series, member=True),
    Page("my professional development (member)", named("groups:credit"), member=True),
    Page("community overview, admin (member)", named("admin:overview"), member=True),
    Page("health check", named("healthz")),
]

# Every page again, each request rendered afresh (no kept copy can answer).
PAGES += [
    Page(f"{page.name}, rendered afresh", page.url, member=page.member, rendered=True)
    for page in PAGES
    if page.name != "health check"
]
# …and the searches with a new query every time: no figure kept for one query answers another.
PAGES += [
    Page(
        "story search, a new query every request",
        named("stories:list", "q=makerspace+nobody+used"),
        rendered=True,
        new_queries=True,
    ),
    Page(
        "site search, a new query every request",
        named("search", "q=summer+reading"),
        rendered=True,
        new_queries=True,
    ),
]

# What librarians type into the search boxes: topics, programs, places, phrases, the
# websearch syntax ("quotes", or, -minus) and a few misspellings (the close-title fallback).
SEARCHES = [
    "summer reading", "makerspace", "makerspace nobody used", "book club",
    "reluctant readers", "source evaluation", "local news", "budget cuts",
    "keeping a collection current", "homework help", "after school", "library podcast",
    "substitutes", "attend meetups", "dual enrolment", "research consultations",
    "college readiness", "information literacy", "teen services", "graphic novels",
    "storytime", "STEM", "OER", "ebooks", "genealogy", "digital literacy", "grant writing",
    "advocacy", "outreach", "collaboration", "professional development",
    "school public partnership", "library card", "listserv", "database subscriptions",
    "long lunch", "PD credit", "teachers plan lessons", "joint research project",
    "reading programs", "middle school", "Upper Peninsula", "rural Missouri", "West Texas",
    "Chicago suburbs", "Florida Panhandle", "Kansas City", "central New Jersey",
    "northeast Ohio", '"local news"', "podcast -teen", "graphic novels or comics",
    "book club reluctant", "budget", "volunteers", "sign-ups fell", "cooperative",
    "makerspcae", "genealogyy", "storytiem", "advocasy", "podcst",
]  # fmt: skip

# For searches rendered afresh: every request another query, none repeated in a run of
# ordinary length (a query with a word more is another search, as people refine theirs).
REFINEMENTS = [
    "", "library", "school", "public", "teens", "students", "rural", "program", "ideas",
    "budget", "partnership", "grant", "volunteers", "community", "academic", "parents",
]  # fmt: skip
SEARCHES_AFRESH = [
    f"{query} {word}".strip() for word in REFINEMENTS for query in SEARCHES if '"' not in query
]

# The mixed workload's rotation: what visitors and members read while others write.
MIXED_PAGES = [
    "home, anonymous",
    "home, member dashboard",
    "story list",
    "story list, filtered",
    "story with 50 comments",
    "group page",
    "group page (member)",
    "meetup date",
    "upcoming meetups",
    "member directory, near me",
    "cooperative directory",
    "group iCal feed",
]
