from __future__ import annotations

from typing import cast

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models

from accounts.geo import lookup_us_zip, normalize_us_zip
from accounts.models import OPEN_TO_FIELDS, Profile
from accounts.services import PROFILE_FIELDS
from kit.textlimits import LimitedTextField
from kit.vocabularies import COUNTRIES, US_STATE_NAMES, US_STATES, Audience, LibraryType
from members.services import CONTACT_MAX_LENGTH
from notifications.kinds import NotificationKind

MAX_TAGS = 20
STATE_NAME_TO_CODE = {name.lower(): code for code, name in US_STATES}


class TopicsField(forms.Field):
    """Comma-separated topics ("makerspace, college readiness"); spaces stay inside a topic,
    unlike taggit's own field, which splits "college readiness" in two."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value) -> list[str]:
        text = str(value or "")
        # a plain Field has no CharField validators; PostgreSQL refuses NUL in a tag's name
        ProhibitNullCharactersValidator()(text)
        if len(text) > 1000:
            raise ValidationError("That is too much text for topics.", code="max_length")
        names, seen = [], set()
        for part in text.split(","):
            name = " ".join(part.split())
            if name and name.lower() not in seen:
                seen.add(name.lower())
                names.append(name)
        return names

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_TAGS:
            raise ValidationError(f"Choose at most {MAX_TAGS} topics.", code="too_many")
        if any(len(name) > 100 for name in value):
            raise ValidationError("Keep each topic under 100 characters.", code="too_long")


class LocationFormMixin:
    """Country, state or province, city and postal code, checked against the ZIP table."""

    def clean_state(self):
        state = " ".join((self.cleaned_data.get("state") or "").split())
        if self.cleaned_data.get("country") == "US" and state:
            code = state.upper() if state.upper() in US_STATE_NAMES else None
            code = code or STATE_NAME_TO_CODE.get(state.lower())
            if code is None:
                raise ValidationError(
                    "Use the state's two-letter code (for example MI) or its full name."
                )
            return code
        return state

    def clean_postal_code(self):
        return " ".join((self.cleaned_data.get("postal_code") or "").split()).upper()

    def clean(self):
        cleaned = super().clean()
        country = cleaned.get("country")
        postal_code = cleaned.get("postal_code")
        if country == "US" and postal_code:
            if normalize_us_zip(postal_code) is None:
                self.add_error("postal_code", "A US ZIP code has five digits, like 48104.")
                return cleaned
            place = lookup_us_zip(postal_code)
            if place is None:
                self.add_error(
                    "postal_code",
                    f"We don't know the ZIP code {postal_code}. Check it, or leave it blank.",
                )
                return cleaned
            state = cleaned.get("state")
            if "state" in self.errors:
                return cleaned
            if not state:
                cleaned["state"] = place.state
            elif state != place.state:
                self.add_error(
                    "postal_code",
                    f"ZIP code {place.zip_code} is in {US_STATE_NAMES.get(place.state)}, "
                    f"not {US_STATE_NAMES.get(state, state)}.",
                )
            if not cleaned.get("city"):
                cleaned["city"] = place.city
        if not cleaned.get("state") and "state" not in self.errors:
            self.add_error("state", "Tell colleagues which state or province you work in.")
        return cleaned


LOCATION_HELP = {
    "state": "For the United States, the two-letter code or the name (MI or Michigan).",
    "city": "Where your library is. Colleagues in the same place are shown first.",
    "postal_code": (
        "US libraries: your library's ZIP code, so colleagues can see roughly how far away "
        "you are. Only the distance is shown, never the code."
    ),
}


class MemberNameForm(forms.Form):
    """ "Your name": asked at sign-up, shown again (filled in) at onboarding, and on the profile."""

    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="How other members see you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Tell colleagues your name."},
    )

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise ValidationError("Tell colleagues your name.")
        return name


class OnboardingForm(LocationFormMixin, MemberNameForm, forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["library_type", "library_name", "country", "state", "city", "postal_code"]
        labels = {"library_name": "Library name", "postal_code": "ZIP or postal code"}
        help_texts = {**LOCATION_HELP, "library_type": "Pick the closest; you can change it."}
        widgets = {
            "state": forms.TextInput(attrs={"list": "us-states", "autocomplete": "address-level1"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postal_code": forms.TextInput(
                attrs={"autocomplete": "postal-code", "inputmode": "text", "size": 10}
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].initial = user.display_name
        self.fields["library_type"].required = True
        self.fields["library_type"].choices = [("", "Choose a library type"), *LibraryType.choices]
        self.fields["state"].required = False  # checked with the country in clean()
        self.order_fields(["display_name", "library_type", "library_name"])


class ProfileForm(LocationFormMixin, MemberNameForm, forms.ModelForm):
    audiences = forms.MultipleChoiceField(
        label="Audiences you serve",
        choices=Audience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    can_help_with = TopicsField(
        label="I can help with",
        help_text="Topics separated by commas, for example: makerspace, grant writing, OER.",
        widget=forms.TextInput(attrs={"list": "topic-suggestions", "data-topics": ""}),
    )
    want_to_learn = TopicsField(
        label="I want to learn about",
        help_text="Topics separated by commas, for example: summer reading, ebooks.",
        widget=forms.TextInput(attrs={"list": "topic-suggestions", "data-topics": ""}),
    )
    website = forms.URLField(
        label="Website",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="Your library's or your own site.",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    social_url = forms.URLField(
        label="Social profile link",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="A link to your profile elsewhere, for example on Mastodon or LinkedIn.",
    )

    class Meta:
        model = Profile
        fields = list(PROFILE_FIELDS)
        field_classes = {"bio": LimitedTextField}
        labels = {
            "job_title": "Job title",
            "library_name": "Library name",
            "postal_code": "ZIP or postal code",
            "bio": "About you",
        }
        help_texts = {
            **LOCATION_HELP,
            "bio": (
                "What you do, what you are proud of, what you are stuck on. Markdown works: "
                "*italic*, **bold**, [a link](https://example.org), lists with “- ”."
            ),
        }
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 8}),
            "state": forms.TextInput(attrs={"list": "us-states", "autocomplete": "address-level1"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "size": 10}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.instance
        self.fields["display_name"].initial = profile.user.display_name
        if profile.pk and not self.is_bound:
            self.fields["can_help_with"].initial = sorted(profile.can_help_with.names())
            self.fields["want_to_learn"].initial = sorted(profile.want_to_learn.names())
        self.fields["library_type"].required = True
        self.fields["library_type"].choices = [("", "Choose a library type"), *LibraryType.choices]
        self.fields["state"].required = False
        self.order_fields(["display_name", "job_title", "library_name", "library_type"])

    @property
    def open_to_fields(self):
        return [self[name] for name in OPEN_TO_FIELDS]

    @property
    def location_fields(self):
        return [self[name] for name in ("country", "state", "city", "postal_code")]


class SettingsForm(forms.Form):
    """Email on/off per kind of notification, and privacy."""

    visibility = forms.ChoiceField(
        label="Who can see my profile",
        choices=Profile.Visibility.choices,
        widget=forms.RadioSelect,
        help_text="Your email address is never shown to anyone, whatever you choose here.",
    )
    accepts_help_requests = forms.BooleanField(
        label="Colleagues may ask me to look at their challenges",
        required=False,
        help_text="Switch off to opt out of being asked for help.",
    )

    def __init__(self, *args, profile: Profile, **kwargs):
        kwargs["initial"] = {
            "visibility": profile.visibility,
            "accepts_help_requests": profile.accepts_help_requests,
            **{f"email_{kind}": profile.wants_email(kind) for kind in NotificationKind.optional()},
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        for kind in NotificationKind.optional():
            self.fields[f"email_{kind.value}"] = forms.BooleanField(
                label=kind.label, required=False
            )

    @property
    def email_fields(self):
        return [self[f"email_{kind}"] for kind in NotificationKind.optional()]

    @property
    def email_preferences(self) -> dict[str, bool]:
        return {kind: self.cleaned_data[f"email_{kind}"] for kind in NotificationKind.optional()}


class ContactForm(forms.Form):
    message = LimitedTextField(
        label="Your message",
        max_length=CONTACT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text. Say who you are and why you are writing.",
    )
    share_email = forms.BooleanField(
        label="Let them reply to my email address",
        required=False,
        help_text=(
            "Off: they see your name and can answer through your profile's Contact link. "
            "On: their reply goes to your email address, which they will then know."
        ),
    )


class AccountDeleteForm(forms.Form):
    KEEP, DELETE = "keep", "delete"
    stories = forms.ChoiceField(
        label="What should happen to the stories and comments you wrote?",
        choices=[
            (KEEP, "Keep them for others to read, attributed to “a former member”"),
            (DELETE, "Delete them too"),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To be sure it is you.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your password.")
        return password

    @property
    def keep_stories(self) -> bool:
        return self.cleaned_data["stories"] == self.KEEP


OPEN_TO_CHOICES = [
    (name.removeprefix("open_to_"), str(field.verbose_name).capitalize())
    for name in OPEN_TO_FIELDS
    if isinstance(field := Profile._meta.get_field(name), models.Field)
]
SORT_CHOICES = [
    ("", "Best match"),
    ("near", "Nearest first"),
    ("name", "Name"),
    ("new", "Newest members"),
]
DISTANCE_CHOICES = [("", "Any distance")] + [(str(m), f"{m} miles") for m in (10, 25, 50, 100, 250)]


class DirectoryFilterForm(forms.Form):
    """The member directory's search and filters (GET)."""

    q = forms.CharField(
        label="Search names, libraries and topics",
        required=False,
        max_length=200,
        widget=forms.SearchInput(),
    )
    library_type = forms.MultipleChoiceField(
        label="Library type",
        choices=LibraryType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    country = forms.ChoiceField(label="Country", required=False)
    state = forms.CharField(
        label="State or province",
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"list": "us-states"}),
    )
    open_to = forms.MultipleChoiceField(
        label="Open to",
        choices=OPEN_TO_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    help = forms.CharField(
        label="Can help with",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "topic-suggestions"}),
    )
    within = forms.ChoiceField(label="Within", choices=DISTANCE_CHOICES, required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, can_use_distance: bool, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", "Any country"), *COUNTRIES]
        if not can_use_distance:
            del self.fields["within"]

    def clean_state(self):
        state = " ".join(self.cleaned_data["state"].split())
        return STATE_NAME_TO_CODE.get(state.lower(), state)


class SignupForm(MemberNameForm, allauth_forms.SignupForm):
    """allauth's sign-up (ACCOUNT_FORMS["signup"]) with the name members will see, which
    onboarding then shows filled in."""

    field_order = ["email", "display_name", "password1", "password2"]

    def try_save(self, request):
        if self.account_already_exists:
            # a new account costs a password hash (a quarter of a second in production) and
            # a taken address cost nothing, so the answer's timing told which it was: hash the
            # password given here too, then send the "you already have an account" email
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class AddEmailForm(allauth_forms.AddEmailForm):
    """allauth's "change email" form (ACCOUNT_FORMS["add_email"]), its field named for what the
    page asks: the new address (the current one is shown above it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "New email address"
        self.fields["email"].widget.attrs.pop("placeholder", None)
