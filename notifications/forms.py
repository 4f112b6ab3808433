from django import forms

from notifications.models import MailingListMode


class MailingListForm(forms.Form):
    enabled = forms.BooleanField(
        label=(
            "Email me every new story and comment in the topics, groups and people I follow, "
            "as they happen"
        ),
        required=False,
    )
    daily_cap = forms.TypedChoiceField(
        label="At most this many emails a day",
        choices=[(cap, f"{cap} a day") for cap in MailingListMode.DAILY_CAPS],
        coerce=int,
        initial=20,
        help_text="When you reach it, the rest of the day’s stories and comments wait on the site.",
    )
