"""How much members may write in each long text: said where they type it, kept by the database.

Django passes a TextField's `max_length` to its form field, never to the database. So each text
members write is a TextField with `max_length`, whose model lists `text_length_checks(...)` in
`Meta.constraints`, and forms edit it with `LimitedTextField`:

- the help text says the limit ("Up to 4,000 characters.") and static/js/character-count.js
  counts what is left as people type (the page works without it);
- a longer text is refused beside the field, with the text kept to shorten. There is on purpose
  no `maxlength` attribute: with one, a browser cuts a longer paste short without a word, and
  the end of what someone wrote is lost.

Limits fit each text's purpose (a bio is not a story section) and keep rendering cheap: the
worst Markdown costs about 5 ms of CPU per 1,000 characters (markdown-it-py on `[a](b)`
repeated), where a 1 MB bio cost seconds on every view of its page.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


def text_length_checks(prefix: str, **limits: int) -> list[models.BaseConstraint]:
    """One check constraint per `field=limit`, named `<prefix>_<field>_length`: the database
    refuses a longer text whatever wrote it (a form, a service, an import, a seeder)."""
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(field), limit),
            name=f"{prefix}_{field}_length",
            violation_error_code="max_length",
            violation_error_message=(
                f"{field.replace('_', ' ').capitalize()} can be at most {limit:,} characters."
            ),
        )
        for field, limit in limits.items()
    ]


class LimitedTextField(forms.CharField):
    """A long text with a limit: stated in the help text, counted by the page's script, and
    refused over it with a clear message (never cut short: no `maxlength`)."""

    widget = forms.Textarea

    def __init__(self, *, max_length: int, help_text: str = "", **kwargs: Any) -> None:
        hint = f"Up to {max_length:,} characters."
        super().__init__(
            max_length=max_length,
            help_text=f"{help_text} {hint}" if help_text else hint,
            **kwargs,
        )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs["data-maxlength"] = str(self.max_length)
        return attrs

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        if text is None:  # only with `empty_value=None`
            return None
        # browsers send each line break as CRLF: kept, and counted, as one character, as the
        # counter on the page counts it
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(
                f"Please shorten this to {self.max_length:,} characters or fewer: "
                f"it has {len(value):,}.",
                code="max_length",
            )
