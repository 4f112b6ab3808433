"""How every form on the site is drawn (settings.FORM_RENDERER).

One field partial, `templates/includes/_field.html`, draws each field wherever a template asks
for it (`{{ form.title.as_field_group }}`), `{{ form }}` or allauth's pages: its label (a legend
for a group of choices), "(required)", help text, errors and widget, with the help and the
errors tied to the widget by `aria-describedby` and `aria-invalid` on a field that is wrong.
One summary, `templates/includes/_form_errors.html` (`{% form_errors form %}`), says above a
form what needs checking and links to each field. The renderer reads the project's template
settings (Django's own reads only its widget templates and the apps' folders), so the partials
in `templates/` are found; `django.forms` is in INSTALLED_APPS for the widget templates.

<select> and <input> widgets are written here, in Python, as the same HTML Django's widget
templates make.

A filter form's selects (every US state, every library type, sorts, kinds) cost one template
render per option and another for each option's attributes: the directory's filters alone
rendered about 100 templates per page view. Written directly they cost a few string joins.
Widgets whose template is not Django's own (a custom option template, a custom widget) are
rendered by their templates as before; tests/config/test_forms.py holds the output to what the
templates make.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {conditional_escape(name)}"
        + ("" if value is True else f'="{conditional_escape(str(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


def _option(option: dict[str, Any]) -> str:
    """django/forms/widgets/select_option.html"""
    value = conditional_escape(str(option["value"]))
    label = conditional_escape(option["label"])
    return f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: dict[str, Any]) -> str | None:
    """django/forms/widgets/select.html"""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(f"\n  {_option(option)}\n")  # the option template's last line
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html"""
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


WRITTEN = {
    "django/forms/widgets/select.html": _select,
    **{
        f"django/forms/widgets/{kind}.html": _input
        for kind in ("input", "text", "search", "email", "url", "number", "hidden", "date")
    },
}


class FormRenderer(TemplatesSetting):
    form_template_name = "includes/_form.html"
    field_template_name = "includes/_field.html"

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        write = WRITTEN.get(template_name)
        if write is not None and "widget" in context:
            html = write(context["widget"])
            if html is not None:
                return mark_safe(html)  # noqa: S308 — each value in it is conditional_escape'd
        return super().render(template_name, context, request=request)
