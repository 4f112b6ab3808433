"""Public pages as a visitor (not signed in) sees them, kept by each app process and dropped the
moment anything on the site changes.

Most page views are by visitors, and a visitor's page depends only on its address and the
site's content: rendering it again for every request costs 20–40 ms of CPU, serving a kept copy
well under one. Copies are keyed by the site's generation number (config/generations.py), read
from the shared cache on every request, which moves on

- after every request that changes data (any POST, PUT, PATCH or DELETE that did not fail, in
  any process: sign-ups, stories, comments, RSVPs, admin edits), and after any request in
  which one of the site's models was saved or deleted;
- when a model is saved or deleted outside a request (background tasks, management commands),
  at once and after commit.

Bulk `update()`s outside a request send no signal: what they change (e.g. the background job
that extends a series' dates) reaches visitors within TIMEOUT, which also bounds how long a
page shows the passing of time late ("upcoming" lists).

A copy is kept only when it cannot hold anything personal: a GET without a session or messages
cookie, answered 200, that set no cookie, did not touch the session, showed no message and put
no CSRF token in its HTML. Signed-in members always get a freshly rendered page."""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from config.generations import Generation

SITE = Generation("site:generation")
TIMEOUT = 60
CONTENT_APPS = frozenset({"accounts", "stories", "groups", "cooperatives", "taggit"})

# Inside a request: a list the signal receiver appends to, so the site moves on once, after
# the response, instead of once per saved row.
_changes_in_request: ContextVar[list | None] = ContextVar("changes_in_request", default=None)


def for_visitors(view):
    """Serves visitors a kept copy of the page while the site has not changed."""

    @wraps(view)
    def view_or_kept_copy(request: HttpRequest, *args, **kwargs):
        if not _is_visitor(request):
            return view(request, *args, **kwargs)
        # read before rendering: a change committed meanwhile moves on past this key
        key = _key(request, SITE.current())
        kept = caches["pages"].get(key)
        if kept is not None:
            return _restored(kept)
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response.render()
        # the kept copy and this response both say they differ for signed-in members
        patch_vary_headers(response, ["Cookie"])
        if _is_impersonal(request, response):
            caches["pages"].set(key, _frozen(response), TIMEOUT)
        return response

    return view_or_kept_copy


def _is_visitor(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _key(request: HttpRequest, generation: int) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"page:{generation}:{hashlib.blake2b(address.encode(), digest_size=16).hexdigest()}"


def _is_impersonal(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a CSRF token is in the HTML
        and not request.session.modified
        and not len(get_messages(request))
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
    )


def _frozen(response: HttpResponse) -> tuple:
    return response.status_code, response.content, list(response.headers.items())


def _restored(frozen: tuple) -> HttpResponse:
    status, content, headers = frozen
    return HttpResponse(content, status=status, headers=dict(headers))


def content_saved_or_deleted(sender, **kwargs) -> None:
    """Signal receiver for every model: changes to the site's own content move it on."""
    if sender._meta.app_label not in CONTENT_APPS:
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
