"""Pages kept by each app process — as visitors see them, and as each signed-in browser was
shown them — and dropped the moment anything on the site changes.

A visitor's page depends only on its address and the site's content, a member's also on who
they are: rendering it again for every request costs 20–40 ms of CPU, serving a kept copy well
under one. Copies are keyed by the site's generation number (kit/generations.py), read
from the shared cache on every request, which moves on

- after every request that changes data (any POST, PUT, PATCH or DELETE that did not fail, in
  any process: sign-ups, stories, comments, RSVPs, admin edits), and after any request in
  which one of the site's models was saved or deleted;
- when a model is saved or deleted outside a request (background tasks, management commands),
  at once and after commit.

Bulk `update()`s outside a request send no signal: what they change (e.g. the background job
that extends a series' dates) reaches visitors within TIMEOUT, which also bounds how long a
page shows the passing of time late ("upcoming" lists).

A visitor's copy is kept only when it cannot hold anything personal: a GET without a session or
messages cookie, answered 200, that set no cookie, did not touch the session, showed no message
and put no CSRF token in its HTML.

A signed-in member's copy is that member's own page, kept for the one browser that asked for
it: its key holds the session cookie and the CSRF cookie (so the tokens in its forms are the
ones that browser sends back), and it is kept only from a page rendered for a valid session
with no message waiting. KeptPagesMiddleware serves it before the session is read: whatever
ends or changes a session (signing out, a password change, an admin's edit, a deleted session
row) is a change that drops every copy. A session that simply expires could still be shown the
page it was last given until the copy lapses (TIMEOUT); anything it then asks to do is checked
against the real session. Requests with a session cookie that is not signed in are always
rendered."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db.models.signals import post_delete
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from kit.generations import Generation

SITE = Generation("site:generation")
TIMEOUT = 60
# app labels whose saves change what pages show: groups' label is meetup_groups; allauth's
# `account` holds members' email addresses, `notifications` what members are told
CONTENT_APPS = frozenset(
    {"accounts", "account", "stories", "meetup_groups", "cooperatives", "taggit", "notifications"}
)

# Inside a request: a list the signal receiver appends to, so the site moves on once, after
# the response, instead of once per saved row.
_changes_in_request: ContextVar[list | None] = ContextVar("changes_in_request", default=None)


def kept_until_change(view):
    """Serves a kept copy of the page while the site has not changed (see the module's notes)."""

    @wraps(view)
    def view_or_kept_copy(request: HttpRequest, *args, **kwargs):
        reader = _reader(request)
        if reader is None:
            return view(request, *args, **kwargs)
        # read before rendering (a change committed meanwhile moves on past this key), once a
        # request: KeptPagesMiddleware may have read it already
        generation = getattr(request, "site_generation", None)
        if generation is None:
            generation = request.site_generation = SITE.current()
        key = _key(request, reader, generation)
        kept = caches["pages"].get(key)
        if kept is not None:
            return _restored(kept)
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response.render()
        # the kept copy and this response both say they differ for signed-in members
        patch_vary_headers(response, ["Cookie"])
        if _is_keepable(request, response, reader):
            caches["pages"].set(key, _frozen(response), TIMEOUT)
        return response

    view_or_kept_copy.kept_until_change = True  # for KeptPagesMiddleware; wraps() carries it
    return view_or_kept_copy


class KeptPagesMiddleware:
    """Serves a member's kept copy before the session and the member are loaded from the
    database (the onboarding middleware after this one would load them): the copy was made
    for this very session cookie by a page that checked both, and signing out, password
    changes and onboarding are all changes that move the site on. Visitors' copies are served
    by the view's decorator, which costs them nothing more."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "kept_until_change", False):
            return None
        reader = _reader_by_cookies(request)
        if not reader:
            return None
        request.site_generation = SITE.current()
        kept = caches["pages"].get(_key(request, reader, request.site_generation))
        return None if kept is None else _restored(kept)


def kept_figures(request: HttpRequest, name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept by this process while the site has not changed (or for TIMEOUT), and
    shared by every address that shows it: a map's counts beside a list are the same on every
    page and filter of that list, so only the first page rendered after a change pays their
    aggregate query. `name` must say whose figures they are when they depend on the viewer.
    Costs nothing more in a page kept with `kept_until_change`, which has read the generation
    already."""
    generation = getattr(request, "site_generation", None)
    if generation is None:
        generation = request.site_generation = SITE.current()
    return caches["process"].get_or_set(f"figures:{generation}:{name}", compute, TIMEOUT)


def _reader(request: HttpRequest) -> str | None:
    """Whose copies this request may read and keep: "" for a visitor, the signed-in browser's
    own key, or None when the page must be rendered (a message waiting, a stale session)."""
    reader = _reader_by_cookies(request)
    if not reader:
        return reader
    session_cookie = request.COOKIES[settings.SESSION_COOKIE_NAME]
    signed_in = request.user.is_authenticated and request.session.session_key == session_cookie
    if not signed_in or len(get_messages(request)):
        return None
    return reader


def _reader_by_cookies(request: HttpRequest) -> str | None:
    """What the cookies alone say: "" for a visitor, a key for the session cookie and the CSRF
    cookie together (the CSRF tokens in a member's page are masked from that cookie), None for
    anything but a GET or a request with a messages cookie."""
    if request.method != "GET" or CookieStorage.cookie_name in request.COOKIES:
        return None
    session_cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session_cookie is None:
        return ""
    browser = (session_cookie, request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""))
    return hashlib.blake2b(repr(browser).encode(), digest_size=16).hexdigest()


def _key(request: HttpRequest, reader: str, generation: int) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"page:{generation}:{reader}:{digest}"


def _is_keepable(request: HttpRequest, response: HttpResponse, reader: str) -> bool:
    cache_control = response.get("Cache-Control", "")
    shared_caching_refused = (
        ("no-store", "no-cache") if reader else ("private", "no-store", "no-cache")
    )
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and _sets_no_new_cookie(request, reader)
        and not request.session.modified
        and not len(get_messages(request))
        and not any(word in cache_control for word in shared_caching_refused)
    )


def _sets_no_new_cookie(request: HttpRequest, reader: str) -> bool:
    """The view set no cookie, and the CSRF middleware will not set a new one after it: a
    visitor's page holds no CSRF token; a member's tokens are masked from the CSRF cookie their
    browser sent (the middleware only renews it)."""
    if not reader:
        return not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    sent = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    return sent is not None and request.META.get("CSRF_COOKIE", sent) == sent


def _frozen(response: HttpResponse) -> tuple:
    return response.status_code, response.content, list(response.headers.items())


def _restored(frozen: tuple) -> HttpResponse:
    status, content, headers = frozen
    return HttpResponse(content, status=status, headers=dict(headers))


def content_saved_or_deleted(sender, signal=None, **kwargs) -> None:
    """Signal receiver for every model: changes to the site's own content move it on, and so
    does a session ending (members' copies are served without reading their session)."""
    ends_a_session = sender._meta.label == "sessions.Session" and signal is post_delete
    if sender._meta.app_label not in CONTENT_APPS and not ends_a_session:
        return
    changes = _changes_in_request.get()
    if changes is not None:
        changes.append(sender)
    else:
        SITE.changed()


class SiteChangesMiddleware:
    """Moves the site's generation on after each request that changed something."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        changes: list = []
        token = _changes_in_request.set(changes)
        try:
            response = self.get_response(request)
        finally:
            _changes_in_request.reset(token)
        writes = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        if changes or (writes and response.status_code < 400):
            SITE.move_on()  # after the view's transactions committed: no request-wide atomic
        return response
