"""The pages `make bench` measures: one `Page` line each.

A page's `url` is a string or a function called once, after the data set is built, inside a
Django process connected to the benchmark database, so it can look up the object it needs:

    Page("story with 50 comments", lambda: first(
        Story.objects.annotate(n=Count("comments")).filter(n=50), "a story with 50 comments"
    ).get_absolute_url()),

`member=True` sends the demo member's session cookie (seed_demo's demo account), for pages
that members see differently or only members see. Put model imports inside the function: this
module is imported before Django is set up.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Page:
    name: str
    url: str | Callable[[], str]
    member: bool = False

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

PAGES: list[Page] = [
    Page("home, anonymous", named("home")),
    Page("home, member dashboard", named("home"), member=True),
    Page("health check", named("healthz")),
    Page("story list", named("stories:list")),
    Page("groups", named("groups:list")),
    Page("member directory", named("accounts:list"), member=True),
    Page("cooperative directory", named("cooperatives:list")),
    # Issue 9 adds, as the apps land (one line each, e.g.):
    # Page("story list, filtered", named("stories:list", "tag=storytime")),
    # Page("search", named("search", "q=makerspace+grant")),
    # Page("story with 50 comments", lambda: first(<query>, "story with 50 comments")...),
    # Page("group page", lambda: first(Group.objects.all(), "group").get_absolute_url()),
    # Page("meetup occurrence", lambda: first(<next occurrence>, "occurrence")...),
    # Page("member directory near me", named("accounts:list", "sort=near"), member=True),
    # Page("group iCal feed", lambda: reverse("groups:ical", kwargs={...})),
]
