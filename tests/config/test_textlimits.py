"""Every text members write has a limit: the form says it and refuses more with the text kept,
and the database refuses more whatever wrote it (kit/textlimits.py)."""

import importlib

import pytest
from django import forms
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from kit.textlimits import LimitedTextField
from tests.factories import (
    CommentFactory,
    GroupFactory,
    MeetupFactory,
    OrganisationFactory,
    StoryFactory,
    SuggestionFactory,
    UserFactory,
)

PROJECT_APPS = {"accounts", "stories", "meetup_groups", "cooperatives", "notifications", "config"}
# texts the site writes itself, never a member or curator: a profile's search text, and the
# spelling vocabulary's words, split by PostgreSQL's triggers from texts that have their limits
DERIVED = {("accounts", "profile", "search_text"), ("config", "searchword", "word")}


def project_text_fields() -> list[tuple[type[models.Model], models.TextField]]:
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField)
        and (model._meta.app_label, model._meta.model_name, field.name) not in DERIVED
    ]


def database_limit(model: type[models.Model], column: str) -> int | None:
    """The N of a `CHECK (length(column) <= N)` on the table, read from PostgreSQL itself."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'c'",
            [model._meta.db_table],
        )
        definitions = [row[0] for row in cursor.fetchall()]
    for definition in definitions:
        text = definition.lower().replace('"', "")
        prefix = f"check ((length({column}) <= "
        if text.startswith(prefix):
            return int(text[len(prefix) :].split(")")[0])
    return None


def test_there_are_texts_to_check():
    names = {f"{model.__name__}.{field.name}" for model, field in project_text_fields()}
    assert {"Profile.bio", "Group.description", "Meetup.description", "Comment.body"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field"),
    project_text_fields(),
    ids=lambda item: getattr(item, "__name__", None) or getattr(item, "name", ""),
)
def test_every_text_has_a_limit_the_database_keeps(model, field):
    assert field.max_length, f"{model.__name__}.{field.name} has no max_length"
    assert database_limit(model, field.column) == field.max_length


def longer(field_owner, name: str) -> str:
    return "x" * (field_owner._meta.get_field(name).max_length + 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: UserFactory().profile, "bio"),
        (GroupFactory, "description"),
        (MeetupFactory, "description"),
        (StoryFactory, "situation"),
        (StoryFactory, "summary"),
        (CommentFactory, "body"),
        (OrganisationFactory, "description"),
        (SuggestionFactory, "note"),
    ],
)
def test_the_database_refuses_a_longer_text_whatever_writes_it(make, field):
    row = make()
    model = type(row)
    limit = model._meta.get_field(field).max_length
    model.objects.filter(pk=row.pk).update(**{field: "é" * limit})  # characters, not bytes

    with pytest.raises(IntegrityError, match=f"{field}_length"), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: "é" * (limit + 1)})

    row.refresh_from_db()
    assert len(getattr(row, field)) == limit


def test_the_form_field_states_the_limit_and_does_not_cut_a_paste_short():
    field = LimitedTextField(max_length=4000, help_text="Markdown works.")

    assert field.help_text == "Markdown works. Up to 4,000 characters."
    attrs = field.widget.attrs
    assert attrs["data-maxlength"] == "4000"
    assert "maxlength" not in attrs  # a browser would cut a longer paste short without a word
    assert 'data-maxlength="4000"' in field.widget.render("bio", "")


def test_the_form_field_refuses_a_longer_text_with_a_clear_message():
    field = LimitedTextField(max_length=10)

    with pytest.raises(Exception, match="shorten this to 10 characters or fewer: it has 11"):
        field.clean("x" * 11)
    with pytest.raises(Exception, match="Null characters are not allowed"):
        field.clean("a\x00b")
    assert field.clean("x" * 10) == "x" * 10


def test_line_breaks_count_once_as_on_the_page():
    # browsers send CRLF; the counter on the page counts each line break as one character
    field = LimitedTextField(max_length=5)

    assert field.clean("ab\r\ncd") == "ab\ncd"
    assert field.clean("a\r\nb\r\nc") == "a\nb\nc"


MEMBER_FORM_MODULES = [f"{app}.forms" for app in ("members", "stories", "groups", "cooperatives")]


def member_textareas() -> list[tuple[str, str, forms.Field]]:
    found = []
    for module in map(importlib.import_module, MEMBER_FORM_MODULES):
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, forms.BaseForm):
                for name, field in form.base_fields.items():
                    if isinstance(field.widget, forms.Textarea):
                        found.append((form.__name__, name, field))
    return found


def test_every_long_text_members_type_is_a_limited_text_field():
    textareas = member_textareas()

    assert len(textareas) >= 15
    unlimited = [f"{form}.{name}" for form, name, field in textareas if not limited(field)]
    assert unlimited == []


def limited(field: forms.Field) -> bool:
    return isinstance(field, LimitedTextField) and bool(field.max_length)
