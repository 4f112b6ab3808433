from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.urls import reverse

from accounts.models import Profile
from kit.tasks import email_message_send


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "")  # members.forms.SignupForm
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            Profile.objects.get_or_create(user=user)
        return user

    def pre_authenticate(self, request, **credentials):
        """Before each password check, count it against the account from this address
        (ACCOUNT_RATE_LIMITS["login_failed_from_address"]), then, as allauth does, against the
        account and the address. A guesser is stopped here before their attempts count against
        the account everywhere or against everyone behind their address; a successful log-in
        takes its count back, as allauth does with its own. (This leans on allauth's
        internals, as its own adapter does; tests/security/test_rate_limits.py pins it.)"""
        account = self._get_login_attempts_cache_key(request, **credentials)
        here = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_from_address",
            key=f"{account}@{ratelimit.get_ip(request)}",
        )
        if not here:
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)
        self._login_failed_rl_usage.usage.extend(here.usage)  # rolled back together on success

    def get_signup_redirect_url(self, request):
        """A new member tells colleagues their library type and region first."""
        return reverse("accounts:onboarding")

    def send_mail(self, template_prefix, email, context):
        """Render allauth's message now, send it from the task queue, never in the request."""
        message = self.render_mail(template_prefix, email, context)
        email_message_send.defer(**serialize_message(message))


def serialize_message(message) -> dict:
    html = next(
        (
            content
            for content, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        None,
    )
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "html": html,
        "headers": dict(message.extra_headers),
    }
