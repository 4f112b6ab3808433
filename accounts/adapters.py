from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from accounts.models import Profile
from config.tasks import email_message_send


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "")  # accounts.forms.SignupForm
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            Profile.objects.get_or_create(user=user)
        return user

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
