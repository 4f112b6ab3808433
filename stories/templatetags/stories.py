import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from stories.querysets import HIGHLIGHT_START, HIGHLIGHT_STOP

register = template.Library()
MARKDOWN_MARKS = re.compile(r"\*{1,3}|_{2,3}|`+")
LINE_MARKS = re.compile(r"(?:^|\n)\s*(?:[-+*]|\d+\.|#{1,6}|>)\s+")


@register.filter
def highlight(headline: str | None):
    """A ts_headline snippet: the member's text escaped, then the match markers as <mark>."""
    # the snippet is Markdown source: drop emphasis and list markers, keep the words
    text = MARKDOWN_MARKS.sub("", headline or "")
    text = LINE_MARKS.sub(" ", text)
    text = escape(" ".join(text.split()))
    marked = text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    return mark_safe(marked)  # noqa: S308 — escaped above; only the markers become tags


@register.filter
def card_shown_to(profile, user) -> bool:
    """Whether `user` may see an author's profile details (library, region, topics):
    members always, visitors only when the profile is public."""
    if profile is None:
        return False
    return user.is_authenticated or profile.visibility == "public"
