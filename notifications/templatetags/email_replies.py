"""`{% reply_mailto story recipient as mailto %}`: a link that starts a reply about one item of
an email listing several (the weekly digest), where one Reply-To cannot serve them all."""

from django import template

from notifications.email_threads import reply_mailto as _reply_mailto

register = template.Library()


@register.simple_tag
def reply_mailto(item, recipient) -> str:
    """`item` is anything with a `mail_thread()` (a story, a meetup date)."""
    return _reply_mailto(member=recipient, thread=item.mail_thread()) or ""
