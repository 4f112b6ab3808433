"""Versions of what pages show, so that a change drops only the kept pages, fragments and
figures that show it — and nothing stale is ever served.

A *scope* names one part of the site's content, as pages show it:

- `site`: everything no narrower scope names; every kept page shows it. Moved on by what no
  app maps to something narrower (a renamed topic) and by a write that named nothing.
- `stories`: which stories each list and search holds, newest or best match first, their
  counts, popular topics. A story written, edited, published, hidden, deleted or re-tagged.
- `stories:helpful`, `stories:discussed`: the order of the "most helpful" and "most
  discussed" sorts. A helpful vote; a comment.
- `story:<pk>`: one story as every page shows it: text, counts, topics, co-authors, its
  discussion. Any of those changing.
- `members`: what anyone may see of members: names, profiles, affiliations. A profile edit, a
  sign-up; not a sign-in.
- `member:<pk>`: what only that member is shown: unread notifications, saves, votes, follows,
  RSVPs. Their own saves, votes, notifications read; sessions ending.
- `groups`: the Meetups pages but a date's answers: groups, members and counts, series, dates
  moved, cancelled or paused. Any of those.
- `occurrence:<pk>`: one meetup date's RSVPs, seats, who is going, attendance. An RSVP.
- `directory`: the cooperative directory. An entry edited.
- `spelling`: the vocabulary misspelt search words are corrected against (kit/spelling.py).
  PostgreSQL moves it on itself, at the commit of whatever changed the vocabulary: a word no
  row held before, a word now public, the nightly recount (kit/migrations/
  0004_search_words.py). Search pages that looked a word up show it.

Each scope has a version in the database (`ScopeVersion`; 0 until it first changes).

Reading: a page reads the versions of the scopes it shows *before* the content they cover
(`kept_until_change(shows=…)` declares them, `shows()` adds more) and keeps its copy with
them; rows a page lists bring their own version, read in the same query as the row
(`version_of()`, recorded with `saw()`). A copy is served only while every version it was made
with is still current: a change committed after they were read moves one of them on, so no
copy made before it is served again; one committed between reading the versions and reading
the content only makes the copy fresher than its versions say.

Figures: a few numbers every page of a kind shows — the unread count in a member's header — are
read in the same query as the versions (`figure`, `member_pages_show`): one snapshot, and no
query of their own.

Writing: `changed(*scopes)`. Every model save or delete calls it through the signal receiver
(`content_saved_or_deleted`) with the scopes each app maps its models to (`shown_by`, in the
apps' `caching` modules, which the kit imports once every model is loaded: kit/apps.py) —
services, the admin, background jobs and data fixes alike; services call it themselves for bulk
`update()`s, which send no signal. Versions move on from a sequence (a number is never used
twice), once the change has committed: inside a request after the response (views' transactions
have committed by then), elsewhere on commit. A member's request that changed rows of a table
pages show (a POST that did not fail) but named no scope moves `site` on; one that changed
nothing moves nothing (an RSVP given twice, "mark all read" with nothing unread).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, Model, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.db.models.signals import m2m_changed, post_delete
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse

from kit.statements import StatementWatcher

SITE = "site"
STORIES = "stories"
STORIES_HELPFUL = "stories:helpful"
STORIES_DISCUSSED = "stories:discussed"
MEMBERS = "members"
GROUPS = "groups"
DIRECTORY = "directory"
SPELLING = "spelling"

# app labels whose rows pages show; a model of theirs that no app maps moves `site` on
# (groups' label is meetup_groups; allauth's `account` holds members' email addresses)
CONTENT_APPS = frozenset(
    {"accounts", "account", "stories", "meetup_groups", "cooperatives", "taggit", "notifications"}
)


def story(pk: object) -> str:
    return f"story:{pk}"


def occurrence(pk: object) -> str:
    return f"occurrence:{pk}"


def member(pk: object) -> str:
    return f"member:{pk}"


# --- reading ------------------------------------------------------------------------------
@dataclass
class Reading:
    """One request's (or one page's) use of versions: those read so far, what the page being
    rendered shows, and what the request changed."""

    in_request: bool = False
    known: dict[str, int] = field(default_factory=dict)
    shown: dict[str, int] = field(default_factory=dict)
    mixed: bool = False  # one scope shown at two versions: a change landed mid-render
    changes: set[str] = field(default_factory=set)
    wrote: bool = False
    until: datetime | None = None  # the first moment what is shown changes by itself (`until`)

    def start_page(self) -> None:
        """A page is about to be rendered in this reading: what it shows starts empty (the
        versions already read stay known)."""
        self.shown.clear()
        self.mixed = False
        self.until = None

    def show(self, name: str, version: int) -> None:
        if self.shown.setdefault(name, version) != version:
            self.mixed = True

    @property
    def keepable(self) -> bool:
        """Whether what was rendered may be kept: nothing changed in this request (its changes
        are not committed or not yet counted), no scope seen at two versions."""
        return not (self.wrote or self.mixed)


_reading: ContextVar[Reading | None] = ContextVar("scopes_reading", default=None)


@contextlib.contextmanager
def reading(*, in_request: bool = False) -> Iterator[Reading]:
    """The reading the code inside works in: this request's (ScopesMiddleware), or a new one."""
    current = _reading.get()
    if current is not None and not in_request:
        yield current
        return
    new = Reading(in_request=in_request)
    token = _reading.set(new)
    try:
        yield new
    finally:
        _reading.reset(token)


def current_reading() -> Reading | None:
    return _reading.get()


def versions(names: Iterable[str]) -> dict[str, int]:
    """The versions of `names` now (0 for a scope never changed) — and the figures among them
    (`figure`). Within a request each is read once, and all those not read yet in one query."""
    names = list(dict.fromkeys(names))
    active = _reading.get()
    known = active.known if active is not None else {}
    missing = [name for name in names if name not in known]
    if missing:
        known.update(_read(missing))
    return {name: known[name] for name in names}


def _read(names: list[str]) -> dict[str, int]:
    scopes = [name for name in names if name.split(":", 1)[0] not in _figures]
    sql = ["SELECT name, version FROM config_scopeversion WHERE name = ANY(%s::varchar[])"]
    params: list[Any] = [scopes]
    for name in names:
        prefix, _, key = name.partition(":")
        if prefix in _figures:
            figure_sql, figure_params = _figures[prefix](key)
            sql.append(f"SELECT %s::varchar, ({figure_sql})::bigint")
            params += [name, *figure_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql), params)
        found = dict(cursor.fetchall())
    return {name: found.get(name, 0) for name in names}


def known_version(name: str) -> int | None:
    """The version of `name` this request has read already (the page it renders declared
    it), or None: what is computed from it now may be kept under that version."""
    active = _reading.get()
    if active is None or name in active.changes:
        return None
    return active.known.get(name)


def still_current(kept: dict[str, int]) -> bool:
    """Whether every scope a copy was made from is still at the version it was made with."""
    return versions(kept) == kept


def shows(*names: str) -> None:
    """The page being rendered shows these scopes: reads their versions now, before the
    content they cover (outside a reading nothing is kept, and nothing is read)."""
    active = _reading.get()
    if active is None:
        return
    for name, version in versions(names).items():
        active.show(name, version)


def until(moment: datetime) -> None:
    """What the page shows changes by itself at `moment`, with no write (the first date an
    "upcoming" list shows ends): a copy of it is not served from then on."""
    active = _reading.get()
    if active is not None and (active.until is None or moment < active.until):
        active.until = moment


def saw(name: str, version: int | None) -> None:
    """The page shows a row at the version read with it (`version_of`); a row that came
    without one keeps the page from being kept."""
    active = _reading.get()
    if active is None:
        return
    if version is None:
        active.mixed = True
    else:
        active.show(name, version)


def pending(name: str) -> bool:
    """Whether this request changed `name` and its version has not moved on yet: what is
    computed from it now must not be kept."""
    active = _reading.get()
    return active is not None and name in active.changes


def version_of(prefix: str, pk: str = "pk") -> Coalesce:
    """An annotation: the version of the scope `<prefix>:<pk>` of each row, read in the same
    query (one snapshot) as the row itself."""
    name = Concat(Value(f"{prefix}:"), Cast(OuterRef(pk), CharField()), output_field=CharField())
    # looked up, not imported: the apps import this module before models are loaded
    ScopeVersion = apps.get_model("config", "ScopeVersion")
    return Coalesce(
        Subquery(ScopeVersion._default_manager.filter(name=name).values("version")[:1]),
        Value(0),
        output_field=BigIntegerField(),
    )


# --- figures read with the versions -------------------------------------------------------
FigureSql = Callable[[str], tuple[str, list[Any]]]  # key -> (sql, its parameters)
_figures: dict[str, FigureSql] = {}
_member_pages_show: list[Callable[[int], str]] = []


def figure(prefix: str) -> Callable[[FigureSql], FigureSql]:
    """Registers `sql_for(key) -> (sql, params)`: a number read as `<prefix>:<key>` in the
    same query as the versions (a SELECT of one value)."""

    def register(sql_for: FigureSql) -> FigureSql:
        _figures[prefix] = sql_for
        return sql_for

    return register


def member_pages_show(name_for: Callable[[int], str]) -> Callable[[int], str]:
    """Registers a name (a scope or a figure) every page a signed-in member is shown holds."""
    _member_pages_show.append(name_for)
    return name_for


def shown_to_member(pk: int) -> list[str]:
    """What every page shown to member `pk` shows: their own scope, and what apps add."""
    return [member(pk), *(name_for(pk) for name_for in _member_pages_show)]


# --- writing ------------------------------------------------------------------------------
def changed(*names: str) -> None:
    """These scopes changed: their versions move on once the change has committed. Called
    with no scope at all, it says that the write changed nothing pages show."""
    active = _reading.get()
    if active is not None and active.in_request:
        active.wrote = True
        active.changes.update(names)
    elif names:
        after_commit(partial(move_on, frozenset(names)))


def after_commit(func: Callable[[], None]) -> None:
    # tests replace this: their transaction never commits (tests/conftest.py)
    transaction.on_commit(func)


def move_on(names: Iterable[str]) -> None:
    """New versions for `names`, in one statement that locks their rows in one order."""
    names = sorted(set(names))
    if not names:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO config_scopeversion (name, version) "
            "SELECT name, nextval('config_scope_version_seq') "
            "FROM unnest(%s::varchar[]) WITH ORDINALITY AS names(name, position) "
            "ORDER BY position "
            "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version",
            [names],
        )


SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# the table a statement changes rows of, and the tables whose rows no page shows: sessions,
# the database cache (rate-limit counters), the versions themselves, the task queue
_CHANGED_TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
_UNSHOWN = re.compile(r"django_session|django_cache|config_scopeversion|procrastinate_\w+")


class _ContentWrites(StatementWatcher):
    """Notes whether a request changed rows pages may show: a member's post that changed
    nothing (an answer given twice, "mark all read" with nothing unread) must not drop every
    kept page of the site."""

    seen = False

    def saw(self, sql: str) -> None:
        if not self.seen and (table := _CHANGED_TABLE.match(sql)):
            self.seen = not _UNSHOWN.fullmatch(table[1])


class ScopesMiddleware:
    """Gives each request its reading, and moves on what it changed after the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        statements = _ContentWrites()
        with reading(in_request=True) as active:
            if request.method in SAFE_METHODS:
                response = self.get_response(request)
            else:
                with connection.execute_wrapper(statements):
                    response = self.get_response(request)
        names = set(active.changes)
        unseen = statements.seen and not active.wrote
        if unseen and self._may_have_written_unseen(request, response):
            names.add(SITE)  # a change that sent no signal and named nothing
        move_on(names)
        return response

    @staticmethod
    def _may_have_written_unseen(request: HttpRequest, response: HttpResponse) -> bool:
        """A member's write that did not fail. A visitor's writes (signing up or in, a password
        reset) all save rows, which name their scopes; one refused (sent to log in) changed
        nothing — and no visitor can make every kept page be dropped by posting anywhere."""
        user = getattr(request, "user", None)
        return (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and user is not None
            and user.is_authenticated
        )


# --- what each model's rows change --------------------------------------------------------
# scopes_of(instance, **signal_kwargs), scopes_of(instance, reverse, pk_set)
ScopesOfRow = Callable[..., Iterable[str]]
_saved: dict[type[Model], ScopesOfRow] = {}
_linked: dict[type[Model], ScopesOfRow] = {}


def shown_by(*models: type[Model]) -> Callable[[ScopesOfRow], ScopesOfRow]:
    """Registers `scopes_of(instance, **signal_kwargs)`: the scopes a save or delete of a row
    of `models` changes (an empty list: nothing pages show)."""

    def register(scopes_of: ScopesOfRow) -> ScopesOfRow:
        for model in models:
            _saved[model] = scopes_of
        return scopes_of

    return register


def linked_by(*throughs: type[Model]) -> Callable[[ScopesOfRow], ScopesOfRow]:
    """Registers `scopes_of(instance, reverse, pk_set)` for changes to a many-to-many
    relation (`m2m_changed`); `pk_set` is None when it was cleared."""

    def register(scopes_of: ScopesOfRow) -> ScopesOfRow:
        for through in throughs:
            _linked[through] = scopes_of
        return scopes_of

    return register


def content_saved_or_deleted(
    sender: type[Model], signal: Signal | None = None, instance: Any = None, **kwargs: Any
) -> None:
    """Signal receiver for every model (post_save, post_delete, m2m_changed)."""
    if signal is m2m_changed:
        if not kwargs["action"].startswith("post_"):
            return
        scopes_of = _linked.get(sender)
        if scopes_of is not None:
            changed(*scopes_of(instance, kwargs["reverse"], kwargs["pk_set"]))
            return
        sender = type(instance)
    elif sender._meta.label == "sessions.Session" and signal is post_delete:
        # a member's kept copies are served without reading their session: one ending
        # (signing out) drops them
        user_id = instance.get_decoded().get("_auth_user_id")
        changed(*([member(user_id)] if user_id else []))
        return
    scopes_of = _saved.get(sender)
    if scopes_of is not None:
        changed(*scopes_of(instance, **kwargs))
    elif sender._meta.app_label in CONTENT_APPS:
        user_id = getattr(instance, "user_id", None)
        if sender._meta.app_label == "account" and user_id is not None:
            changed(member(user_id))  # allauth's email addresses: shown to their member only
        else:
            changed(SITE)
