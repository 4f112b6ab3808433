"""Hosted email services' inbound webhooks, one URL each:
/mail/inbound/<provider>/ (e.g. https://user:secret@commons.example.org/mail/inbound/mailgun/).

Served only when ANYMAIL_WEBHOOK_SECRET is set: each call must carry it (HTTP basic auth), and
Mailgun's and MailerSend's calls are signed as well (their signing keys are required then).
Another provider django-anymail supports takes one line below, and a test with its payload.
"""

from functools import wraps

from anymail.webhooks.mailersend import MailerSendInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.http import Http404
from django.urls import path

app_name = "mailin"

INBOUND_WEBHOOKS = {
    "mailgun": MailgunInboundWebhookView,
    "mailersend": MailerSendInboundWebhookView,
    "postmark": PostmarkInboundWebhookView,
    "sendgrid": SendGridInboundWebhookView,
}


def secret_required(view):
    """No shared secret configured: no webhook (anymail alone would take unsigned calls).
    Only a POST delivers mail; anymail answers the rest itself (405, or 200 to HEAD)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method == "POST" and not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            raise Http404("Inbound webhooks are not configured.")
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    path(f"inbound/{name}/", secret_required(view.as_view()), name=f"inbound_{name}")
    for name, view in INBOUND_WEBHOOKS.items()
]
