"""Pages kept by each app process — as visitors see them, and as each signed-in browser was
shown them — each with the versions of what it shows (kit/scopes.py), and served only while
those are all still current: a change drops the pages that show it and no others.

A visitor's page depends only on its address and the site's content, a member's also on who
they are: rendering it again for every request costs milliseconds of CPU, serving a kept copy
a fraction of one. A page says what it shows: `kept_until_change(shows=…)` names the scopes
read before the view runs (`site` always, and `member:<pk>` — with the figures every member's
page shows, such as their unread count — for a member's page), the view may
name more with `scopes.shows()`, and the rows it lists record their own versions
(`scopes.saw()`, the fragments in kit/fragments.py). A kept copy costs one query to check:
the current versions of everything it was made from.

Whatever shows the passing of time ("upcoming" lists) is shown late by at most TIMEOUT. A page
that shows only what the site holds (`kept_until_change(timeless=True)`: stories, searches,
the directory) is kept for visitors up to KEPT_LONGEST, or until the moment it names with
`scopes.until()` (the first "upcoming" date it lists ends): re-rendering such a page every
minute in every process would cost more than all the writes that drop it. Each copy lapses at
a moment drawn from the last quarter of its life, so copies made together — after a restart or
a deploy — are not all rendered again in the same second.

A visitor's copy is kept only when it cannot hold anything personal: a GET without a session or
messages cookie, answered 200, that set no cookie, did not touch the session, showed no message
and put no CSRF token in its HTML.

A signed-in member's copy is that member's own page, kept for the one browser that asked for
it: its key holds the session cookie and the CSRF cookie (so the tokens in its forms are the
ones that browser sends back), and it is kept only from a page rendered for a valid session
with no message waiting. KeptPagesMiddleware serves it before the session is read: whatever
ends or changes a session (signing out, a password change, an admin's edit, a deleted session
row) moves that member's scope on, which every one of their copies shows. A session that simply
expires could still be shown the page it was last given until the copy lapses (TIMEOUT);
anything it then asks to do is checked against the real session. Requests with a session
cookie that is not signed in are always rendered. Nothing is kept from a request that changed
something (its changes are not counted yet)."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast, overload

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from kit import scopes

TIMEOUT = 60
KEPT_LONGEST = 15 * 60

Shows = Iterable[str] | Callable[..., Iterable[str]]
View = TypeVar("View", bound=Callable[..., HttpResponse])
# what a kept copy is kept as: status, body, headers
Frozen = tuple[int, bytes, list[tuple[str, str]]]
# and the versions it was made from, and the moment it lapses
Kept = tuple[dict[str, int], Frozen, float]


class KeptCopy(HttpResponse):
    """A page served from its kept copy, not rendered for this request."""

    kept_copy = True  # for tests and debugging


@overload
def kept_until_change(view: View, *, shows: Shows = (), timeless: bool = False) -> View: ...
@overload
def kept_until_change(
    view: None = None, *, shows: Shows = (), timeless: bool = False
) -> Callable[[View], View]: ...
def kept_until_change(
    view: View | None = None, *, shows: Shows = (), timeless: bool = False
) -> View | Callable[[View], View]:
    """Serves a kept copy of the page while what it shows has not changed (see the module's
    notes). `shows`: scope names, or a function of the view's arguments that returns them,
    read before the view runs; `site` and the member's own scope are always added.
    `timeless`: the page shows nothing that the passing of time changes but what it names
    with `scopes.until()`."""
    if view is None:
        return lambda view: kept_until_change(view, shows=shows, timeless=timeless)

    @wraps(view)
    def view_or_kept_copy(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reader = _reader(request)
        if reader is None:
            return view(request, *args, **kwargs)
        with scopes.reading() as reading:
            declared = [
                scopes.SITE,
                *(shows(request, *args, **kwargs) if callable(shows) else shows),
            ]
            if reader:
                # a member's pk: `_reader` gave a key only to a signed-in member
                declared += scopes.shown_to_member(cast(int, request.user.pk))
            key = _key(request, reader)
            kept = _unlapsed(caches["pages"].get(key))
            # one query: the kept copy's versions and those the page would be rendered with
            current = scopes.versions([*declared, *(kept[0] if kept else ())])
            if kept is not None and all(current[name] == v for name, v in kept[0].items()):
                return _restored(kept[1])
            reading.start_page()
            scopes.shows(*declared)
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)  # a TemplateResponse is rendered now
            if callable(render):
                render()
            # the kept copy and this response both say they differ for signed-in members
            patch_vary_headers(response, ["Cookie"])
            if reading.keepable and _is_keepable(request, response, reader):
                life = _life(KEPT_LONGEST if timeless and not reader else TIMEOUT, reading.until)
                if life > 0:
                    kept = (dict(reading.shown), _frozen(response), _now() + life)
                    caches["pages"].set(key, kept, life)
        return response

    # for KeptPagesMiddleware; wraps() carries it. A function's own attributes have no type.
    view_or_kept_copy.kept_until_change = True  # type: ignore[attr-defined]
    # the view's own signature: the wrapper takes and returns what it does
    return cast(View, view_or_kept_copy)


class KeptPagesMiddleware:
    """Serves a member's kept copy before the session and the member are loaded from the
    database (the onboarding middleware after this one would load them): the copy was made
    for this very session cookie by a page that checked both, and signing out, password
    changes and onboarding all move the member's scope on, which the copy shows. Visitors'
    copies are served by the view's decorator, which costs them nothing more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not getattr(view_func, "kept_until_change", False):
            return None
        reader = _reader_by_cookies(request)
        if not reader:
            return None
        kept = _unlapsed(caches["pages"].get(_key(request, reader)))
        # the versions read here are this request's: the view reuses them if it renders
        if kept is None or not scopes.still_current(kept[0]):
            return None
        return _restored(kept[1])


def kept_figures(name: str, compute: Callable[[], Any], *, shows: Iterable[str]) -> Any:
    """`compute()`, kept by this process under the versions of the scopes it is counted from
    (`shows`, and the site), and shared by every address that shows it: a map's counts beside
    a list are the same on every page and filter of that list, so only the first page rendered
    after a change to those scopes pays their aggregate query. The page being rendered shows
    those scopes too, so its own copy is dropped with them. `name` must say whose figures they
    are when they depend on the viewer."""
    names = [scopes.SITE, *shows]
    if any(scopes.pending(scope) for scope in names):
        return compute()  # changed in this request, not counted yet: nothing to keep
    scopes.shows(*names)
    current = scopes.versions(names)
    key = "figures:{}:{}".format(name, ":".join(str(current[scope]) for scope in names))
    return caches["process"].get_or_set(key, compute, TIMEOUT)


def _now() -> float:
    return time.time()


def _life(longest: float, until: datetime | None) -> float:
    """Seconds to keep a copy: `longest` (KEPT_LONGEST for a visitor's timeless page, TIMEOUT
    for the others — a member's too, so a session that expires is not shown its pages for
    long), or to `until` when the page named an earlier moment; cut to a moment drawn from the
    last quarter of that life."""
    if until is not None:
        longest = min(longest, until.timestamp() - _now())
    return longest * random.uniform(0.75, 1.0)  # noqa: S311 (spreading lapses, not a secret)


def _unlapsed(kept: Kept | None) -> Kept | None:
    """The kept copy, unless its moment has passed (the cache's own expiry is not exact)."""
    if kept is None or kept[2] <= _now():
        return None
    return kept


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


def _key(request: HttpRequest, reader: str) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"page:{reader}:{digest}"


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


def _frozen(response: HttpResponse) -> Frozen:
    return response.status_code, response.content, list(response.headers.items())


def _restored(frozen: Frozen) -> HttpResponse:
    status, content, headers = frozen
    return KeptCopy(content, status=status, headers=dict(headers))
