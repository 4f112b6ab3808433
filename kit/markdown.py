"""Markdown written by members, rendered with markdown-it-py and sanitised by nh3 (allowlist)."""

import re
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)


# Rendering is a pure function of the text, and a busy page (a story with 50 comments) renders
# the same texts on every view: each worker process keeps the most recent ones.
CACHED_RENDERINGS = 1024
CACHED_TEXT_LENGTH = 5000


def render_markdown(text: str | None) -> SafeString:
    text = text or ""
    if len(text) <= CACHED_TEXT_LENGTH:
        return mark_safe(_render_cached(text))  # noqa: S308 — cleaned by nh3 in _render
    return mark_safe(_render(text))  # noqa: S308 — cleaned by nh3 in _render


@lru_cache(maxsize=CACHED_RENDERINGS)
def _render_cached(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    html = _markdown.render(text)
    # headings start at h2: the page's own title is the only h1
    for level in range(5, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    html = without_skipped_levels(html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
    return cleaned


def without_skipped_levels(html: str, *, after: int = 2) -> str:
    """Members' text always sits under a section's h2 (story sections, "Discussion", "About"):
    a heading may go at most one level deeper than the one before it, so "### Tip" written
    straight under that h2 becomes an h3, not an h4 that skips a level for screen-reader
    users (WCAG 1.3.1; axe and Lighthouse's `heading-order`)."""
    previous = after

    def clamp(match: re.Match[str]) -> str:
        nonlocal previous
        level = min(int(match[1]), previous + 1)
        previous = level
        return f"<h{level}>{match[2]}</h{level}>"

    return HEADING.sub(clamp, html)
