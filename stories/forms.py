import re
from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.text import slugify
from taggit.forms import TagField

from groups.models import Occurrence
from kit.textlimits import LimitedTextField
from kit.vocabularies import US_STATE_NAMES, US_STATES, Audience, LibraryType
from stories.models import (
    ASK_NOTE_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    REPORT_DETAILS_MAX_LENGTH,
    Report,
    Story,
    StoryKind,
)
from stories.querysets import ASK_PER_STORY, SORTS
from stories.services import STORY_FIELDS

MAX_TAGS = 10
MAX_TAG_LENGTH = 50
URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
HONEYPOT_MESSAGE = (
    "We couldn’t accept this form because a field meant to stay empty was filled in. "
    "If you are a person, not a program, please send it again."
)


class HoneypotForm(forms.Form):
    """A field people never see (hidden by CSS) and programs fill in."""

    homepage = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("homepage"):
            raise ValidationError(HONEYPOT_MESSAGE, code="honeypot")
        return cleaned


def resource_lines(text: str) -> list[tuple[str, str | None]]:
    """Each non-empty line of a resources list as (label, url or None)."""
    links: list[tuple[str, str | None]] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = URL_RE.search(line)
        if not match:
            links.append((line, None))
            continue
        url = match.group(0).rstrip(").,;")
        label = (line[: match.start()] + line[match.end() :]).strip(" \t-–—:|()<>")
        links.append((label or url, url))
    return links


class StoryForm(HoneypotForm, forms.ModelForm):
    kind = forms.ChoiceField(
        label="What kind of story is this?",
        choices=StoryKind.choices,
        widget=forms.RadioSelect,
        help_text=(
            "A success story shares what worked; a challenge asks colleagues for help; a "
            "lesson learned tells what didn’t work, and why."
        ),
    )
    library_types = forms.MultipleChoiceField(
        label="Library types it applies to",
        choices=LibraryType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    audiences = forms.MultipleChoiceField(
        label="Audiences",
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    tags = TagField(
        label="Topics",
        required=False,
        help_text=(
            f"Separate topics with commas, e.g. reading programs, college readiness. "
            f"Up to {MAX_TAGS}."
        ),
    )

    class Meta:
        model = Story
        fields = [*STORY_FIELDS, "tags"]  # the template places each field
        field_classes = dict.fromkeys(
            ["summary", "situation", "what_we_did", "results", "do_differently", "resources"],
            LimitedTextField,
        )
        labels = {
            "title": "Title",
            "summary": "Summary",
            "situation": "The situation or challenge",
            "what_we_did": "What we did (or, for a challenge, what you have tried)",
            "results": "Results and evidence (or, for a challenge, what you need help with)",
            "do_differently": "What we would do differently",
            "resources": "Resources",
            "state": "State or province",
        }
        help_texts = {
            "title": "A headline a colleague would search for.",
            "summary": "Two or three sentences, plain text.",
            "situation": "What was going on, and for whom? Markdown: **bold**, lists, links.",
            "what_we_did": "The steps, partners and costs. Markdown.",
            "results": "What changed: numbers, feedback, evidence. Markdown.",
            "do_differently": "The advice you would give a colleague starting out. Markdown.",
            "resources": (
                "Links, one per line: a short description, then the address. For example: "
                "Reading program toolkit https://example.org/toolkit"
            ),
            "country": "Defaults to your profile’s region.",
            "state": "In the United States, the two-letter code (MI, NJ…).",
        }
        widgets = {
            "discussed_at": forms.HiddenInput,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "situation": forms.Textarea(attrs={"rows": 8}),
            "what_we_did": forms.Textarea(attrs={"rows": 8}),
            "results": forms.Textarea(attrs={"rows": 6}),
            "do_differently": forms.Textarea(attrs={"rows": 5}),
            "resources": forms.Textarea(attrs={"rows": 4}),
        }

    # summary and the first section are needed to publish, not to keep a draft
    PUBLISH_REQUIRED = ("summary", "situation")

    def __init__(self, *args, publishing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.publishing = publishing
        # a meetup that has taken place (or started); a wrong number is simply not linked

        field = cast(forms.ModelChoiceField, self.fields["discussed_at"])
        field.queryset = Occurrence.objects.scheduled().filter(start__lte=timezone.now())
        field.required = False
        field.error_messages["invalid_choice"] = (
            "That meetup cannot be linked: choose one that has taken place."
        )
        self.fields["title"].widget.attrs["maxlength"] = 160

    def clean_tags(self):
        names = []
        for raw in self.cleaned_data.get("tags") or []:
            name = " ".join(raw.split()).lower()
            if not name:
                continue
            if len(name) > MAX_TAG_LENGTH:
                raise ValidationError(
                    f"“{name[:20]}…” is too long: topics have at most {MAX_TAG_LENGTH} characters."
                )
            if not slugify(name):
                raise ValidationError(f"“{name}” needs at least one letter or digit.")
            if name not in names:
                names.append(name)
        if len(names) > MAX_TAGS:
            raise ValidationError(f"Choose at most {MAX_TAGS} topics (you have {len(names)}).")
        return names

    def clean_resources(self):
        text = self.cleaned_data.get("resources", "")
        validate = URLValidator(schemes=["http", "https"])
        problems = []
        for number, (_label, url) in enumerate(resource_lines(text), start=1):
            if url is None:
                problems.append(f"Line {number} has no address starting with https:// or http://.")
                continue
            try:
                validate(url)
            except ValidationError:
                problems.append(f"Line {number}: “{url[:60]}” is not a valid web address.")
        if problems:
            raise ValidationError(problems)
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())

    def clean_state(self):
        state = " ".join(self.cleaned_data.get("state", "").split())
        if self.cleaned_data.get("country") == "US" and state:
            by_name = {name.lower(): code for code, name in US_STATES}
            code = by_name.get(state.lower(), state.upper())
            if code not in US_STATE_NAMES:
                raise ValidationError("Use a US state’s two-letter code, like MI or NJ.")
            return code
        return state

    def clean(self):
        cleaned = super().clean()
        if self.publishing:
            for field in self.PUBLISH_REQUIRED:
                if not (cleaned.get(field) or "").strip() and field not in self.errors:
                    self.add_error(field, "Needed before you publish (a draft can wait).")
        return cleaned


class CommentForm(HoneypotForm):
    body = LimitedTextField(
        label="Your comment",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown: **bold**, lists, [links](https://example.org).",
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError("Write something first.")
        return body


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong?", choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    details = LimitedTextField(
        label="Anything moderators should know (optional)",
        required=False,
        max_length=REPORT_DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CandidateChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member):
        return str(member)  # the widget says more about each one under their name


class CandidateCheckboxes(forms.CheckboxSelectMultiple):
    """Each colleague a challenge can go to, with their job, library, region and what they can
    help with under their name."""

    template_name = "stories/_candidate_checkboxes.html"
    option_template_name = "stories/_candidate_option.html"


class AskForm(forms.Form):
    recipients = CandidateChoiceField(
        label="Colleagues to ask",
        queryset=None,
        widget=CandidateCheckboxes,
        help_text=f"Each gets one email. A challenge can go to {ASK_PER_STORY} colleagues in all.",
    )
    note = LimitedTextField(
        label="A short note (optional)",
        required=False,
        max_length=ASK_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Plain text, sent with the link to your challenge.",
    )

    def __init__(self, *args, candidates: list, remaining: int, **kwargs):
        """`candidates`: the members offered, in the order shown (nearest first), each with
        their profile and topics loaded."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["recipients"])
        field.label = f"Colleagues to ask, up to {remaining}"
        field.queryset = get_user_model().objects.filter(pk__in=[m.pk for m in candidates])
        field.choices = [
            (ModelChoiceIteratorValue(member.pk, member), field.label_from_instance(member))
            for member in candidates
        ]
        self.remaining = remaining

    def clean_recipients(self):
        chosen = self.cleaned_data["recipients"]
        if len(chosen) > self.remaining:
            raise ValidationError(
                f"You can ask {self.remaining} more colleague{'s' if self.remaining != 1 else ''} "
                "about this challenge."
            )
        return chosen


class CoauthorSearchForm(forms.Form):
    q = forms.CharField(label="Member’s name", max_length=100)


class CoauthorMemberForm(forms.Form):
    """The member a co-author button names (a hidden field): anything but a positive id is
    no one."""

    member = forms.IntegerField(min_value=1, max_value=2**31 - 1)

    def member_pk(self) -> int:
        return self.cleaned_data["member"] if self.is_valid() else 0


class StoryFilterForm(forms.Form):
    """The list page's filters, read from the query string (bad values are ignored)."""

    q = forms.CharField(
        label="Search stories",
        required=False,
        max_length=200,
        widget=forms.SearchInput,
        help_text='Use "quotes" for a phrase, or, and -word to leave a word out.',
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All kinds"), *StoryKind.choices]
    )
    # any topic's slug (a link may name one no longer popular); offered: see offer_topics()
    tag = forms.CharField(
        label="Topic", required=False, validators=[MaxLengthValidator(100)], widget=forms.Select
    )
    library_type = forms.ChoiceField(
        label="Library type",
        required=False,
        choices=[("", "All library types"), *LibraryType.choices],
    )
    state = forms.ChoiceField(label="State", required=False, choices=[("", "Anywhere"), *US_STATES])
    near = forms.BooleanField(label="Near me (authors in my state)", required=False)
    open = forms.BooleanField(label="Open challenges only", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("", "Best match or newest"),
            ("newest", "Newest"),
            ("helpful", "Most helpful"),
            ("discussed", "Most discussed"),
        ],
    )

    def clean_sort(self):
        sort = self.cleaned_data.get("sort")
        return sort if sort in SORTS else ""

    def offer_topics(self, popular, *, active=None) -> None:
        """The topic list: the one filtered on first, then the popular ones with their uses."""
        choices = [("", "All topics")]
        if active is not None:
            choices.append((active.slug, active.name))
        choices += [
            (tag.slug, f"{tag.name} ({tag.uses})")
            for tag in popular
            if active is None or tag.slug != active.slug
        ]
        self.fields["tag"].widget.choices = choices
