"""What every page's layout (templates/base.html) needs, worked out as little as possible.

The layout links to a dozen fixed places and two static files. Reversing a URL costs about as
much as rendering the rest of the header, and `{% url %}` / `{% static %}` did it on every
request, so those addresses are worked out once per process (per script prefix, in case the
site is mounted under one) and reused: routes and the static manifest do not change while a
process runs. A test that overrides the URLconf or the static settings clears them.
"""

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

# name in the template → URL name
LAYOUT_ROUTES = {
    "home": "home",
    "search": "search",
    "stories": "stories:list",
    "groups": "groups:list",
    "members": "accounts:list",
    "directory": "cooperatives:list",
    "notifications": "notifications:list",
    "login": "account_login",
    "signup": "account_signup",
    "logout": "account_logout",
}
LAYOUT_STATIC = {
    "css": "css/site.css",
    "favicon": "favicon.svg",
    # counts what is left of any long text's limit (kit/textlimits.py), on every page
    "character_count": "js/character-count.js",
}

_layout_urls: dict[str, dict[str, str]] = {}


def layout_urls() -> dict[str, str]:
    prefix = get_script_prefix()
    urls = _layout_urls.get(prefix)
    if urls is None:
        urls = {name: reverse(route) for name, route in LAYOUT_ROUTES.items()}
        urls.update({name: static(path) for name, path in LAYOUT_STATIC.items()})
        _layout_urls[prefix] = urls
    return urls


@receiver(setting_changed)
def _forget_layout_urls(*, setting: str, **kwargs: Any) -> None:
    if setting in {"ROOT_URLCONF", "STATIC_URL", "STORAGES", "FORCE_SCRIPT_NAME"}:
        _layout_urls.clear()


def site(request: HttpRequest) -> dict[str, Any]:
    return {"SITE_NAME": settings.SITE_NAME, "layout": layout_urls()}
