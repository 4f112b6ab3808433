"""One way to tell a member something: `notify()`. It respects their email preferences and
sends through the task queue, so callers never send mail inside a request."""

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from accounts.models import Profile, User
from config.tasks import email_message_send


def notify(
    *,
    recipient: User,
    kind: str,
    subject: str,
    template: str,
    context: dict,
    reply_to: str | None = None,
) -> bool:
    """Email `recipient` about `kind` using templates/emails/<template>.txt (and .html if any).

    `reply_to` sets the Reply-To address (only when the person it belongs to agreed).
    Returns False when the member has switched that kind off or cannot receive mail.
    """
    if not recipient.is_active or not recipient.email:
        return False
    profile, _ = Profile.objects.get_or_create(user=recipient)
    if not profile.wants_email(kind):
        return False
    context = {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
    }
    body = render_to_string(f"emails/{template}.txt", context)
    try:
        html = render_to_string(f"emails/{template}.html", context)
    except TemplateDoesNotExist:
        html = None
    email_message_send.defer(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=body,
        to=[recipient.email],
        html=html,
        headers={"Reply-To": reply_to} if reply_to else None,
    )
    return True
