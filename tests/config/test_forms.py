"""The form renderer writes selects and inputs exactly as Django's widget templates do."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from kit.forms import FormRenderer
from kit.vocabularies import US_STATES


class Filters(forms.Form):
    q = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    state = forms.ChoiceField(required=False, choices=[("", "Anywhere"), *US_STATES])
    grouped = forms.ChoiceField(
        choices=[("Near", [("mi", "Michigan & Ohio"), ("nj", "New <Jersey>")]), ("x", "Other")]
    )
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    count = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"min": 1}))
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    flag = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"disabled": True, "hidden": False})
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": 'summer "reading" <b>', "state": "MI", "grouped": "nj", "many": ["a", "b"]},
        {"state": "not a state", "count": "3", "secret": "x&y"},
    ],
)
def test_widgets_are_written_as_djangos_templates_write_them(data):
    django_form = Filters(data or None, renderer=DjangoTemplates())
    ours = Filters(data or None, renderer=FormRenderer())

    for name in django_form.fields:
        assert str(ours[name]) == str(django_form[name]), name
        assert ours[name].as_field_group() == django_form[name].as_field_group(), name


def test_a_select_with_options_of_its_own_template_is_left_to_it():
    class Fancy(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    widget = Fancy(choices=[("a", "A")])

    assert widget.render("x", "a", renderer=FormRenderer()) == widget.render(
        "x", "a", renderer=DjangoTemplates()
    )
