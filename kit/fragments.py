"""Parts of pages — a story card, a meetup date in a list, a discussion — kept by each app
process under the versions of what they show (kit/scopes.py), so that a page rendered
afresh renders again only the parts a change touched.

A fragment's key is its name, the values that make it differ (the viewer's answer, a heading
level, a search snippet) and the versions it shows: the version of the row it lists (read in
the same query as the row, `scopes.version_of`) and of the wider scopes it reads (a story
card's author name is `members`). Those wider scopes must be ones the page declared before
reading anything (`kept_until_change(shows=…)`): a version read in the middle of rendering
could be newer than the data beside it. A fragment whose scopes the page did not declare, or
whose row came without its version, is rendered every time and keeps the page from being kept:
a forgotten declaration costs speed, never freshness. A fragment that holds a CSRF token is
never kept (tokens belong to one browser).

Each fragment also tells the page being rendered what it shows, so the page's kept copy is
dropped when one of its rows changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import caches
from django.utils.safestring import SafeString, mark_safe

from kit import scopes

TIMEOUT = 60 * 60
CSRF_FIELD = "csrfmiddlewaretoken"


def kept_fragment(
    name: str,
    parts: Iterable[object],
    render: Callable[[], str],
    *,
    shows: Iterable[str] = (),
    row: tuple[str, int | None] | None = None,
) -> SafeString:
    """The HTML `render()` returns, kept under `name`, `parts`, the version of `row` (a scope
    name and the version read with the row) and those of the scopes it `shows`."""
    reading = scopes.current_reading()
    if reading is None:
        # not part of a kept page (an email, a test's template)
        return mark_safe(render())  # noqa: S308 — a template's output, escaped as it rendered
    versions = _declared(reading, [scopes.SITE, *shows])
    if row is not None:
        scopes.saw(*row)
        if row[1] is None:
            versions = None
    if versions is None:
        reading.mixed = True  # see the module's notes: never stale, only slower
        return mark_safe(render())  # noqa: S308 — a template's output, escaped as it rendered
    key = _key(name, parts, row, versions)
    fragments = caches["fragments"]
    html: str | None = fragments.get(key)
    if html is None:
        html = render()
        if CSRF_FIELD not in html:
            fragments.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 — a template's output, escaped as it rendered


def _declared(reading: scopes.Reading, names: list[str]) -> tuple[int, ...] | None:
    """The versions of `names` the page declared, or None if it did not declare them all."""
    try:
        return tuple(reading.shown[name] for name in names)
    except KeyError:
        return None


def _key(
    name: str,
    parts: Iterable[object],
    row: tuple[str, int | None] | None,
    versions: tuple[int, ...],
) -> str:
    digest = hashlib.blake2b(repr((tuple(parts), row, versions)).encode(), digest_size=16)
    return f"fragment:{name}:{digest.hexdigest()}"
