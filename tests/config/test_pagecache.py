"""Kept copies of pages: served while what they show has not changed, never stale, never
personal."""

import re
import time

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.contrib.sessions.backends.db import SessionStore as DatabaseSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kit import pagecache, scopes
from kit.pagecache import kept_figures, kept_until_change
from kit.scopes import DIRECTORY, GROUPS, SITE, ScopesMiddleware, versions
from stories.models import SavedStory, Story
from tests.factories import (
    GroupFactory,
    MeetupFactory,
    MembershipFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_visitor_gets_the_kept_copy_until_what_it_shows_changes(
    client, django_assert_num_queries
):
    StoryFactory(title="Makerspace on a shoestring")
    first = client.get(reverse("stories:list"))

    with django_assert_num_queries(1):  # the versions of what it shows
        again = client.get(reverse("stories:list"))
    assert again.content == first.content
    assert "Cookie" in again["Vary"]

    StoryFactory(title="Banned books week with the seventh grade")  # a save, outside a request

    assert "Banned books week" in client.get(reverse("stories:list")).text


def test_each_address_is_its_own_copy(client):
    StoryFactory(title="Makerspace on a shoestring")
    StoryFactory(title="Banned books week with the seventh grade")

    found = client.get(reverse("stories:list"), {"q": "makerspace"}).text

    assert "Makerspace on a shoestring" in found
    assert "Banned books week" not in found
    assert "Banned books week" in client.get(reverse("stories:list")).text


def test_what_a_member_posts_is_seen_by_visitors_at_once(client):
    story = StoryFactory()
    assert "Ask the PTA" not in client.get(story.get_absolute_url()).text

    member = Client()
    member.force_login(UserFactory())
    response = member.post(
        reverse("stories:comment_create", args=[story.pk]), {"body": "Ask the PTA to fund it."}
    )
    assert response.status_code == 302

    assert "Ask the PTA" in client.get(story.get_absolute_url()).text


def test_members_never_get_a_visitors_copy(client):
    client.get(reverse("home"))  # the visitors' front page, now kept
    member = UserFactory(display_name="Rosa Parks-Wheeler")
    client.force_login(member)

    page = client.get(reverse("home")).text

    assert "Rosa Parks-Wheeler" in page
    assert 'action="/accounts/logout/"' in page


def _post_as(rf, user):
    request = rf.post("/")
    request.user = user
    return request


def test_a_members_successful_post_that_named_no_change_moves_the_site_on(rf):
    member = UserFactory()
    before = versions([SITE])

    ScopesMiddleware(lambda request: HttpResponse(status=403))(_post_as(rf, member))
    ScopesMiddleware(lambda request: HttpResponse())(rf.get("/"))
    # a visitor's post sent to log in: no visitor can have every kept page dropped
    ScopesMiddleware(lambda request: HttpResponse(status=302))(_post_as(rf, AnonymousUser()))
    assert versions([SITE]) == before  # refused writes and reads change nothing

    def changes_nothing(request):
        list(Story.objects.all())
        session = DatabaseSession()  # sessions are no page's content
        session["seen"] = True
        session.save()
        return HttpResponse(status=302)

    ScopesMiddleware(changes_nothing)(_post_as(rf, member))
    assert versions([SITE]) == before  # nothing changed: nothing kept is dropped

    def bulk_update(request):
        Story.objects.update(title="Changed by a bulk update")  # no signal, nothing named
        return HttpResponse(status=302)

    ScopesMiddleware(bulk_update)(_post_as(rf, member))
    assert versions([SITE]) != before


def test_a_members_post_that_changed_nothing_drops_no_kept_page(client):
    date = MeetupFactory().occurrences.get()
    member = MembershipFactory(group=date.meetup.group).member
    client.force_login(member)
    rsvp = reverse("groups:rsvp", kwargs={"slug": date.meetup.group.slug, "pk": date.pk})
    client.post(rsvp, {"answer": "going"})
    before = versions([SITE, scopes.occurrence(date.pk)])

    answered_again = client.post(rsvp, {"answer": "going"})  # a double click: nothing to save

    assert answered_again.status_code == 302
    assert versions([SITE, scopes.occurrence(date.pk)]) == before


def test_a_post_that_named_its_changes_moves_only_those_on(rf):
    story = StoryFactory()
    member = UserFactory()
    before = versions([SITE, scopes.STORIES, scopes.member(member.pk)])

    def save(request):
        SavedStory.objects.create(story=story, member=member)  # only the member sees it
        return HttpResponse(status=302)

    ScopesMiddleware(save)(rf.post("/"))

    after = versions([SITE, scopes.STORIES, scopes.member(member.pk)])
    assert after[SITE] == before[SITE]
    assert after[scopes.STORIES] == before[scopes.STORIES]
    assert after[scopes.member(member.pk)] != before[scopes.member(member.pk)]


def test_saves_during_a_request_move_on_once_after_the_response(rf):
    before = versions([scopes.STORIES])
    seen_during = []

    def view(request):
        StoryFactory.create_batch(3)
        seen_during.append(versions([scopes.STORIES]))
        return HttpResponse()

    with CaptureQueriesContext(connection) as queries:
        ScopesMiddleware(view)(rf.get("/"))

    assert seen_during == [before]
    assert versions([scopes.STORIES]) != before
    moves = [q for q in queries.captured_queries if "INSERT INTO config_scopeversion" in q["sql"]]
    assert len(moves) == 1


def _counting(view_body):
    calls = []

    @kept_until_change
    def view(request):
        calls.append(1)
        return view_body(request)

    return view, calls


def _visitor_get(rf, **cookies):
    request = rf.get("/probe/")
    request.COOKIES.update(cookies)
    # what the middleware gives a view: a session and message storage
    request.session = SessionStore()
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(
    "personal",
    [
        pytest.param(lambda request: HttpResponse(get_token(request)), id="csrf token"),
        pytest.param(
            lambda request: (messages.info(request, "Saved."), HttpResponse("x"))[1], id="message"
        ),
        pytest.param(
            lambda request: (request.session.__setitem__("k", 1), HttpResponse("x"))[1],
            id="session write",
        ),
        pytest.param(lambda request: HttpResponse(status=404), id="not found"),
    ],
)
def test_pages_with_anything_personal_or_failed_are_not_kept(rf, personal):
    view, calls = _counting(personal)

    view(_visitor_get(rf))
    view(_visitor_get(rf))

    assert len(calls) == 2


def test_requests_with_a_session_or_messages_cookie_are_always_rendered(rf, settings):
    view, calls = _counting(lambda request: HttpResponse("public"))

    view(_visitor_get(rf))
    view(_visitor_get(rf))
    assert len(calls) == 1

    view(_visitor_get(rf, **{settings.SESSION_COOKIE_NAME: "abc"}))
    view(_visitor_get(rf, messages="abc"))
    assert len(calls) == 3


def _signed_in(user, **client_options) -> Client:
    member = Client(**client_options)
    member.force_login(user)
    member.get(reverse("home"))  # first page: the session learns onboarding is done, CSRF cookie
    return member


def test_a_member_gets_their_own_kept_copy_until_what_it_shows_changes(
    django_assert_num_queries,
):
    rosa = _signed_in(UserFactory(display_name="Rosa Parks-Wheeler"))
    first = rosa.get(reverse("home"))  # now kept: the session and CSRF cookie are settled

    with django_assert_num_queries(1):  # the versions only: not the session, not the member
        again = rosa.get(reverse("home"))
    assert again.content == first.content
    assert _signed_in_as(again) == "Rosa Parks-Wheeler"

    rosa.get(reverse("stories:list"))  # kept too
    StoryFactory(title="Banned books week with the seventh grade")

    assert "Banned books week" in rosa.get(reverse("stories:list")).text


def _signed_in_as(response) -> str:
    """The name the header's account menu links to the member's own profile."""
    account_menu = response.text.split('aria-label="Account"')[1].split("</nav>")[0]
    return re.findall(r">([^<>]+)</a>", account_menu)[1]


def test_a_members_copy_is_never_served_to_another_member_or_session(client):
    rosa = UserFactory(display_name="Rosa Parks-Wheeler")
    first_browser = _signed_in(rosa)
    # the same member in a second browser, signed in before the first one's copies are made
    # (signing in moves the site on)
    second_browser = _signed_in(rosa, enforce_csrf_checks=True)
    ben = _signed_in(UserFactory(display_name="Ben Brook"))
    for page in ("home", "stories:list", "home", "stories:list"):  # each kept by the second look
        first_browser.get(reverse(page))
    assert _signed_in_as(first_browser.get(reverse("home"))) == "Rosa Parks-Wheeler"

    assert _signed_in_as(ben.get(reverse("home"))) == "Ben Brook"
    assert 'action="/accounts/logout/"' not in client.get(reverse("home")).text  # nor a visitor

    # not the first browser's kept list, whose tokens are masked from the first browser's CSRF
    # cookie, but its own
    page = second_browser.get(reverse("stories:list")).text
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    logged_out = second_browser.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert logged_out.status_code == 302


def test_forms_in_a_members_kept_copy_carry_a_token_their_browser_can_post(
    django_assert_num_queries,
):
    story = StoryFactory()
    member = _signed_in(UserFactory(), enforce_csrf_checks=True)
    member.get(story.get_absolute_url())
    with django_assert_num_queries(1):
        page = member.get(story.get_absolute_url()).text  # the kept copy
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    posted = member.post(
        reverse("stories:comment_create", args=[story.pk]),
        {"body": "Ask the PTA to fund it.", "csrfmiddlewaretoken": token},
    )

    assert posted.status_code == 302
    assert "Ask the PTA" in member.get(story.get_absolute_url()).text


def _member_get(rf, member, *, csrf=None, message=None):
    """A GET as the middleware hands it to a view: a live session signed in as `member`."""
    session = SessionStore()
    session.create()
    session.modified = False  # saved: as the session middleware would have loaded it
    cookies = {settings.SESSION_COOKIE_NAME: session.session_key}
    if csrf:
        cookies[settings.CSRF_COOKIE_NAME] = csrf
    request = _visitor_get(rf, **cookies)
    request.session = session
    request.user = member
    if csrf:
        request.META["CSRF_COOKIE"] = csrf
    if message:
        messages.info(request, message)
    return request


def test_a_member_with_a_message_waiting_gets_the_page_rendered(rf):
    view, calls = _counting(lambda request: HttpResponse("mine"))
    member = UserFactory()
    request = _member_get(rf, member, csrf="c" * 32)

    view(request)
    view(request)
    assert len(calls) == 1
    view(_member_get(rf, member, csrf="c" * 32, message="Saved."))
    assert len(calls) == 2


def test_a_member_without_a_csrf_cookie_yet_is_not_kept(rf):
    view, calls = _counting(lambda request: HttpResponse(get_token(request)))
    request = _member_get(rf, UserFactory())

    view(request)
    view(request)
    assert len(calls) == 2  # each page's token came from a new secret the browser lacked


def test_a_save_outside_a_request_moves_on_what_it_changes():
    before = versions([SITE, GROUPS])
    GroupFactory()  # the groups app's label is meetup_groups, not groups
    after = versions([SITE, GROUPS])
    assert after[GROUPS] != before[GROUPS]
    assert after[SITE] == before[SITE]


@pytest.mark.parametrize("how", ["password changed", "session deleted"])
def test_a_member_whose_session_ended_is_not_served_their_copy(how):
    user = UserFactory(display_name="Rosa Parks-Wheeler")
    rosa = _signed_in(user)
    rosa.get(reverse("home"))
    assert _signed_in_as(rosa.get(reverse("home"))) == "Rosa Parks-Wheeler"  # the kept copy

    if how == "password changed":
        user.set_password("a whole new secret")
        user.save()
    else:
        Session.objects.all().delete()

    assert 'action="/accounts/logout/"' not in rosa.get(reverse("home")).text


# --- figures kept beside the pages (a map's counts) --------------------------------------------
def test_kept_figures_are_worked_out_once_until_what_they_count_changes():
    worked_out = []

    def figures():
        worked_out.append(1)
        return len(worked_out)

    def kept(name="map"):
        return kept_figures(name, figures, shows=[DIRECTORY])

    first, again = kept(), kept()
    someone_else = kept("map:member:7")
    scopes.move_on([GROUPS])
    after_another_change = kept()
    scopes.move_on([DIRECTORY])
    after_a_change = kept()
    scopes.move_on([SITE])
    after_a_site_change = kept()

    assert (first, again, someone_else, after_another_change) == (1, 1, 2, 1)
    assert (after_a_change, after_a_site_change) == (3, 4)


def test_figures_from_what_this_request_changed_are_not_kept():
    with scopes.reading(in_request=True):
        scopes.changed(DIRECTORY)
        worked_out = [kept_figures("map", lambda: "before it moves on", shows=[DIRECTORY])]
    worked_out.append(kept_figures("map", lambda: "counted afresh", shows=[DIRECTORY]))
    assert worked_out == ["before it moves on", "counted afresh"]


@pytest.fixture
def clock(monkeypatch):
    """The pages' clock, moved by the test (the cache backend's own expiry is real time)."""
    now = {"at": time.time()}
    monkeypatch.setattr(pagecache, "_now", lambda: now["at"])
    return now


def kept(client, url, data=None) -> bool:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return getattr(response, "kept_copy", False) and len(queries) == 1


def test_pages_that_show_the_passing_of_time_lapse_after_a_minute(client, clock):
    GroupFactory(name="Quilting librarians")
    client.get(reverse("groups:list"))
    assert kept(client, reverse("groups:list"))

    clock["at"] += pagecache.TIMEOUT

    assert not kept(client, reverse("groups:list"))


def test_timeless_pages_are_kept_for_visitors_until_what_they_show_changes(client, clock):
    story = StoryFactory(title="Makerspace on a shoestring")
    for url in (reverse("stories:list"), story.get_absolute_url(), reverse("cooperatives:list")):
        client.get(url)
        clock["at"] += pagecache.TIMEOUT * 5
        assert kept(client, url), url

    clock["at"] += pagecache.KEPT_LONGEST

    assert not kept(client, reverse("stories:list"))


def test_a_members_copy_of_a_timeless_page_lapses_after_a_minute(client, clock):
    member = UserFactory()
    client.force_login(member)
    client.get("/")  # onboarding and the CSRF cookie, as a browser's first page
    client.get(reverse("stories:list"))
    assert kept(client, reverse("stories:list"))

    clock["at"] += pagecache.TIMEOUT

    assert not kept(client, reverse("stories:list"))


def test_a_search_listing_meetups_lapses_when_the_first_date_it_shows_ends(client, clock):
    date = MeetupFactory(title="Quilting bee and book swap").occurrences.get()
    clock["at"] = date.end.timestamp() - 100
    client.get(reverse("search"), {"q": "quilting"})

    clock["at"] += 60
    assert kept(client, reverse("search"), {"q": "quilting"})
    clock["at"] += 41

    assert not kept(client, reverse("search"), {"q": "quilting"})
