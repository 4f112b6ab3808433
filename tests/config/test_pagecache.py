"""Visitors' copies of public pages: served while nothing changed, never stale, never personal."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse

from config.pagecache import SITE, SiteChangesMiddleware, for_visitors
from stories.models import Story
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_gets_the_kept_copy_until_the_site_changes(client, django_assert_num_queries):
    StoryFactory(title="Makerspace on a shoestring")
    first = client.get(reverse("stories:list"))

    with django_assert_num_queries(0):  # tests use a local shared cache: no query to read it
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


def test_changes_that_send_no_signal_move_the_site_on_after_a_successful_post(rf):
    before = SITE.current()

    SiteChangesMiddleware(lambda request: HttpResponse(status=403))(rf.post("/"))
    SiteChangesMiddleware(lambda request: HttpResponse())(rf.get("/"))
    assert SITE.current() == before  # refused writes and reads change nothing

    def bulk_update(request):
        Story.objects.update(title="Changed by a bulk update")  # no signal
        return HttpResponse(status=302)

    SiteChangesMiddleware(bulk_update)(rf.post("/"))
    assert SITE.current() > before


def test_a_save_during_a_read_moves_the_site_on_once_after_the_response(rf):
    before = SITE.current()
    seen_during = []

    def view(request):
        StoryFactory.create_batch(3)
        seen_during.append(SITE.current())
        return HttpResponse()

    SiteChangesMiddleware(view)(rf.get("/"))

    assert seen_during == [before]
    assert SITE.current() == before + 1


def _counting(view_body):
    calls = []

    @for_visitors
    def view(request):
        calls.append(1)
        return view_body(request)

    return view, calls


def _visitor_get(rf, **cookies):
    request = rf.get("/probe/")
    request.COOKIES.update(cookies)
    # what the middleware gives a view: a session and message storage
    request.session = SessionStore()
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
