from django import template
from django.utils.safestring import SafeString

from kit.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """`{{ story.what_we_did|markdown }}`: safe HTML from a member's Markdown."""
    return render_markdown(text)
