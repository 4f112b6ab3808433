from django import forms

from cooperatives.models import (
    SUGGESTIBLE_FIELDS,
    SUGGESTION_NOTE_MAX_LENGTH,
    Activity,
    Affiliation,
    Kind,
    Organisation,
    Status,
)
from cooperatives.querysets import AREAS
from kit.textlimits import LimitedTextField
from kit.vocabularies import US_STATES, LibraryType


def _any(label: str, choices) -> list:
    return [("", label), *choices]


class DirectoryFilterForm(forms.Form):
    """Browse and search; every field optional, read from the query string."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="A name, an acronym (UPRLC) or words from the description.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=_any("Any kind", Kind.choices))
    state = forms.ChoiceField(
        label="State or territory", required=False, choices=_any("Anywhere", AREAS + US_STATES)
    )
    library_type = forms.ChoiceField(
        label="Serves libraries of type",
        required=False,
        choices=_any("Any type", LibraryType.choices),
    )
    activity = forms.ChoiceField(
        label="What it does", required=False, choices=_any("Anything", Activity.choices)
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=_any("Any status", Status.choices)
    )

    FILTERS = {
        "kind": "of_kind",
        "state": "in_area",
        "library_type": "serving",
        "activity": "doing",
        "status": "with_status",
    }

    def filter(self, queryset, correction=None):
        """Apply the valid fields; a field with a bad value is ignored (and shows its error).
        `correction`: the close words of the search's misspelt ones (kit.spelling)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        for name, method in self.FILTERS.items():
            if data.get(name):
                queryset = getattr(queryset, method)(data[name])
        if data.get("q"):
            queryset = queryset.search(data["q"], correction)
        return queryset

    @property
    def text(self) -> str:
        """The words searched for, once the form is validated."""
        return getattr(self, "cleaned_data", {}).get("q") or ""

    @property
    def active(self) -> bool:
        return any(getattr(self, "cleaned_data", {}).get(name) for name in self.fields)

    @property
    def filtered(self) -> bool:
        """Any filter but the words (which say nothing of filters when they find nothing)."""
        return any(getattr(self, "cleaned_data", {}).get(name) for name in self.FILTERS)


class AffiliationForm(forms.Form):
    role = forms.ChoiceField(
        label="Your role",
        choices=Affiliation.Role.choices,
        initial=Affiliation.Role.MEMBER,
        widget=forms.RadioSelect,
    )


class SuggestionForm(forms.ModelForm):
    """A proposed new entry, or a correction to an existing one (bound to `instance`)."""

    website = forms.URLField(required=False, max_length=300, assume_scheme="https")
    note = LimitedTextField(
        label="Note for the curators",
        required=False,
        max_length=SUGGESTION_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What is wrong or missing, and where you saw it (a web address helps).",
    )

    class Meta:
        model = Organisation
        fields = list(SUGGESTIBLE_FIELDS)
        field_classes = dict.fromkeys(
            ["description", "address", "membership_notes"], LimitedTextField
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "address": forms.Textarea(attrs={"rows": 3}),
            "membership_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_correction = self.instance.pk is not None
        self.fields["status"].choices = [
            (value, label) for value, label in Status.choices if value != Status.MERGED
        ]
        self.fields["status"].help_text = "Tell us if it has closed or stopped meeting."
        if not self.is_correction or self.instance.status == Status.MERGED:
            del self.fields["status"]
        self.fields["founded_year"].widget.attrs.update({"inputmode": "numeric"})

    def clean(self):
        cleaned = super().clean()
        if self.is_correction and not self.proposed() and not cleaned.get("note", "").strip():
            raise forms.ValidationError(
                "Change at least one detail, or explain the correction in the note."
            )
        return cleaned

    def proposed(self) -> dict:
        """{field: value} the member proposes, ready for a JSONField."""
        data = getattr(self, "cleaned_data", {})
        names = self.changed_data if self.is_correction else self.fields
        proposed = {}
        for name in names:
            if name not in SUGGESTIBLE_FIELDS or name not in data:
                continue
            value = data[name]
            if not self.is_correction and value in ("", None, [], False):
                continue
            proposed[name] = list(value) if isinstance(value, list | tuple) else value
        return proposed
