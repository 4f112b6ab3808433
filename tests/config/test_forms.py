"""The project's form renderer (kit/forms.py): every field as templates/includes/_field.html
draws it, `{% form_errors %}` summing up the problems of one or more forms, and selects and inputs
written exactly as Django's widget templates write them."""

import re

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.template import Context, Template

from kit.forms import FormRenderer
from kit.vocabularies import US_STATES


class TemplatesOnly(FormRenderer):
    """The same renderer with every widget drawn by its template."""

    render = TemplatesSetting.render


class LibraryForm(forms.Form):
    name = forms.CharField(label="Library name", max_length=20, help_text="As on its sign.")
    kind = forms.ChoiceField(
        label="Kind", choices=[("school", "School"), ("public", "Public")], widget=forms.RadioSelect
    )
    open_late = forms.BooleanField(label="Open late", required=False, help_text="After 8 pm.")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)


class CheckedLibraryForm(LibraryForm):
    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


def bad_form() -> LibraryForm:
    form = CheckedLibraryForm({"name": "x" * 21, "kind": "castle", "open_late": "on"})
    form.is_valid()
    return form


def test_the_site_renderer_is_the_one_forms_use():
    assert isinstance(get_default_renderer(), FormRenderer)
    assert LibraryForm().renderer is get_default_renderer()


def test_a_field_has_its_label_help_and_errors_tied_to_the_widget():
    html = bad_form()["name"].as_field_group()

    assert html.startswith('<div class="field field-invalid">')
    assert (
        '<label for="id_name">Library name <span class="required">(required)</span></label>'
    ) in html
    assert '<div class="helptext" id="id_name_helptext">As on its sign.</div>' in html
    assert '<ul class="errorlist" id="id_name_error">' in html
    widget = re.search(r"<input [^>]*>", html).group(0)
    assert 'aria-describedby="id_name_helptext id_name_error"' in widget
    assert 'aria-invalid="true"' in widget


def test_a_group_of_choices_is_a_fieldset_with_a_legend_described_by_its_errors():
    html = bad_form()["kind"].as_field_group()

    assert '<fieldset aria-describedby="id_kind_error">' in html
    assert '<legend>Kind <span class="required">(required)</span></legend>' in html
    assert html.index("<legend>") < html.index('id="id_kind_error"') < html.index('id="id_kind_0"')


def test_a_checkbox_comes_before_its_label_and_a_valid_field_has_no_error_markup():
    html = bad_form()["open_late"].as_field_group()

    assert html.startswith('<div class="field field-checkbox">')
    assert re.search(r'<div class="checkbox"><input type="checkbox"[^>]*id="id_open_late"', html)
    assert '<label for="id_open_late">Open late</label>' in html
    assert "errorlist" not in html
    assert "aria-invalid" not in html


def test_a_whole_form_is_its_summary_then_its_fields():
    html = str(bad_form())

    assert html.index('class="error-summary"') < html.index('class="field field-invalid"')
    assert html.count('class="field') == 4
    assert "Something about the whole form." in html


def test_the_summary_counts_every_problem_and_links_to_each_field():
    first, second = bad_form(), CheckedLibraryForm({"kind": "school"})
    second.is_valid()

    html = Template("{% load forms %}{% form_errors first second %}").render(
        Context({"first": first, "second": second})
    )

    assert html.count('role="alert"') == 1
    assert "Please check these 5 things" in html  # 2 + 1 (first), 1 + 1 (second)
    assert '<a href="#id_name">Library name: ' in html
    assert '<a href="#id_kind_0">Kind: ' in html  # a group: its first choice
    assert html.count("Something about the whole form.") == 2


def test_no_summary_for_forms_without_problems():
    untouched, fine = LibraryForm(), LibraryForm({"name": "Lakeside", "kind": "school"})
    html = Template("{% load forms %}{% form_errors untouched fine %}").render(
        Context({"untouched": untouched, "fine": fine})
    )
    assert html.strip() == ""


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
    django_form = Filters(data or None, renderer=TemplatesOnly())
    ours = Filters(data or None, renderer=FormRenderer())

    for name in django_form.fields:
        assert str(ours[name]) == str(django_form[name]), name
        assert ours[name].as_field_group() == django_form[name].as_field_group(), name


def test_a_select_with_options_of_its_own_template_is_left_to_it():
    class Fancy(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    widget = Fancy(choices=[("a", "A")])

    assert widget.render("x", "a", renderer=FormRenderer()) == widget.render(
        "x", "a", renderer=TemplatesOnly()
    )
