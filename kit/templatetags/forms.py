from typing import Any

from django import template
from django.forms import BaseForm

register = template.Library()


@register.inclusion_tag("includes/_form_errors.html")
def form_errors(*forms: BaseForm) -> dict[str, Any]:
    """`{% form_errors form %}` (or `{% form_errors details schedule %}` for forms posted
    together): one summary of their problems, each linking to its field."""
    with_errors = [form for form in forms if getattr(form, "errors", None)]
    count = sum(
        len(form.non_field_errors()) + sum(len(field.errors) for field in form)
        for form in with_errors
    )
    return {"forms": with_errors, "count": count}
