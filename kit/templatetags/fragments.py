"""`{% kept %}`: a part of a page kept under the versions of what it shows (kit/fragments.py).

    {% load fragments %}
    {% kept "story-card" heading_level story.headline row=story row_scope="story" shows="members" %}
      …the card…
    {% endkept %}

The first argument names the fragment; the other positional ones are the values its HTML
depends on besides what it shows (everything the block reads that is not in a version: the
viewer, a heading level). `row` is the object it shows, with the `scope_version` its query
annotated (`scopes.version_of(row_scope)`); `shows` the wider scopes it reads, separated by
spaces, which the page must have declared.
"""

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString

from kit.fragments import kept_fragment

register = template.Library()


class KeptNode(template.Node):
    def __init__(
        self,
        nodelist: NodeList,
        name: FilterExpression,
        parts: list[FilterExpression],
        options: dict[str, FilterExpression],
    ) -> None:
        self.nodelist = nodelist
        self.name = name
        self.parts = parts
        self.options = options

    def render(self, context: Context) -> SafeString:
        options = {key: value.resolve(context) for key, value in self.options.items()}
        row: tuple[str, Any] | None = None
        if "row" in options:
            obj = options["row"]
            row = (f"{options['row_scope']}:{obj.pk}", getattr(obj, "scope_version", None))
        return kept_fragment(
            self.name.resolve(context),
            [part.resolve(context) for part in self.parts],
            lambda: self.nodelist.render(context),
            shows=(options.get("shows") or "").split(),
            row=row,
        )


@register.tag
def kept(parser: Parser, token: Token) -> KeptNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% kept %} needs a fragment name")
    parts: list[FilterExpression] = []
    options: dict[str, FilterExpression] = {}
    for bit in bits[2:]:
        key, equals, value = bit.partition("=")
        if equals and key in ("row", "row_scope", "shows"):
            options[key] = parser.compile_filter(value)
        else:
            parts.append(parser.compile_filter(bit))
    if ("row" in options) != ("row_scope" in options):
        raise template.TemplateSyntaxError("{% kept %}: give row and row_scope together")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, parser.compile_filter(bits[1]), parts, options)
