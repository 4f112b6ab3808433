"""What Lighthouse's SEO and best-practice audits read from the HTML of the pages it scores
(benchmarks/lighthouse.py): one non-empty title, one non-empty meta description that names the
page's subject, a language, and a viewport that lets people zoom. Lighthouse itself runs
outside the test suite (`make lighthouse`); these keep the pages from regressing under it."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import GroupFactory, OrganisationFactory, StoryFactory

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.titles: list[str] = []
        self.descriptions: list[str] = []
        self.viewports: list[str] = []
        self._in_title = False
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "head":
            self._in_head = True
        elif tag == "title" and self._in_head:  # an SVG picture's <title> names the picture
            self._in_title = True
            self.titles.append("")
        elif tag == "meta" and attrs.get("name") == "description":
            self.descriptions.append(attrs.get("content") or "")
        elif tag == "meta" and attrs.get("name") == "viewport":
            self.viewports.append(attrs.get("content") or "")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self._in_head = False

    def handle_data(self, data):
        if self._in_title:
            self.titles[-1] += data


def head_of(client, url: str) -> Head:
    response = client.get(url)
    assert response.status_code == 200, url
    head = Head()
    head.feed(response.content.decode())
    return head


@pytest.fixture
def pages():
    story = StoryFactory(title="Weeding the reference shelf", summary="We weeded half of it.")
    group = GroupFactory(name="Thumb Area school librarians")
    entry = OrganisationFactory(
        name="Valley Library Consortium", description="Shares one catalog and a courier van."
    )
    bare = OrganisationFactory(name="Lakeshore Library System", description="")
    return {
        "home": (reverse("home"), ""),
        "story list": (reverse("stories:list"), ""),
        "story": (story.get_absolute_url(), "We weeded half of it."),
        "meetup groups": (reverse("groups:list"), ""),
        "group": (group.get_absolute_url(), "Thumb Area school librarians"),
        "cooperative directory": (reverse("cooperatives:list"), ""),
        "directory entry": (entry.get_absolute_url(), "Shares one catalog and a courier van."),
        "directory entry without a description": (
            bare.get_absolute_url(),
            "Lakeshore Library System",
        ),
        "search results": (reverse("search") + "?q=library", ""),
        "log in": (reverse("account_login"), ""),
    }


def test_every_scored_page_has_a_title_description_language_and_zoomable_viewport(client, pages):
    for name, (url, subject) in pages.items():
        head = head_of(client, url)
        assert head.lang == "en", name
        assert len(head.titles) == 1, (name, head.titles)
        assert head.titles[0].strip(" ·"), (name, head.titles)
        assert head.titles[0].endswith("· Librarian Commons"), (name, head.titles)
        assert len(head.descriptions) == 1, (name, head.descriptions)
        description = head.descriptions[0].strip()
        assert len(description) >= 20, (name, description)
        assert subject in description, (name, description)
        assert head.viewports == ["width=device-width, initial-scale=1"], name


def test_the_signed_in_dashboard_has_a_description_too(member_client):
    member_client.get("/")
    head = head_of(member_client, reverse("home"))
    assert len(head.descriptions) == 1
    assert head.descriptions[0].strip()
