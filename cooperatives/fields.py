"""Form-friendly array fields: a list of choices edited as checkboxes, a list of lines."""

from django import forms
from django.contrib.postgres.fields import ArrayField
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models


class ChoiceArrayField(ArrayField):
    """An ArrayField of choices that forms edit as a set of checkboxes, not comma-separated text."""

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.base_field.choices,
            "coerce": self.base_field.to_python,
            "widget": forms.CheckboxSelectMultiple,
            "show_hidden_initial": False,
        }
        defaults.update(kwargs)
        # skip ArrayField.formfield (SimpleArrayField); Field.formfield honours form_class
        return super(ArrayField, self).formfield(**defaults)


class LinesArrayFormField(forms.CharField):
    """One item per line (addresses may contain commas); blank lines are ignored."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *, base_field: forms.Field, **kwargs):
        self.base_field = base_field
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        # clean() below skips CharField's validators, and a base field may not check for NUL
        ProhibitNullCharactersValidator()(value or "")
        lines = [line.strip() for line in (value or "").splitlines()]
        return [line for line in lines if line]

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        items = self.to_python(value)
        self.validate(items)
        errors = []
        cleaned = []
        for number, item in enumerate(items, 1):
            try:
                cleaned.append(self.base_field.clean(item))
            except forms.ValidationError as error:
                errors.append(f"Line {number} ({item}): {' '.join(error.messages)}")
        if errors:
            raise forms.ValidationError(errors)
        return cleaned

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial or []) != self.to_python(data)
        except forms.ValidationError:
            return True


class LinesArrayField(ArrayField):
    """An ArrayField whose form is a textarea with one item per line."""

    def formfield(self, **kwargs):
        defaults = {
            "form_class": LinesArrayFormField,
            "base_field": self.base_field.formfield(
                **(
                    {"assume_scheme": "https"}
                    if isinstance(self.base_field, models.URLField)
                    else {}
                )
            ),
            "show_hidden_initial": False,
        }
        defaults.update(kwargs)
        return super(ArrayField, self).formfield(**defaults)

    def _base_formfield_kwargs(self) -> dict:
        return {"assume_scheme": "https"} if isinstance(self.base_field, models.URLField) else {}
