"""What views of every app share: a service's refusal shown to the member, and where a `next`
address may lead. Views are written as README.md ("Development") says; a helper two apps'
views need goes here, not into a copy."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def error_text(error: ValidationError) -> str:
    """A service's refusal as one message (`messages.error(request, error_text(error))`)."""
    return " ".join(error.messages)


def show_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form that was sent: beside the field it names, when the form
    has that field, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def on_this_site(request: HttpRequest, url: str) -> bool:
    """Whether `url` leads to this site (so redirecting there is no open redirect)."""
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where the form's or the link's `next` leads, when that is on this site; else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if on_this_site(request, target) else fallback
