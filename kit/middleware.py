"""Project-wide middleware: one log line per request, the Permissions-Policy header, and a
400 for NUL characters outside form bodies."""

import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

from kit.statements import StatementWatcher
from kit.views import bad_request

NUL = "\x00"
# a control character or a quote in a logged path would end the field or forge a line
UNSAFE_IN_LOG = re.compile(r'[\x00-\x1f\x7f"]')

logger = logging.getLogger("librarian_commons.requests")


class _QueryCounter(StatementWatcher):
    def __init__(self) -> None:
        self.count = 0

    def saw(self, sql: str) -> None:
        self.count += 1


class RequestLogMiddleware:
    """Logs `method path status duration queries` for every request, in logfmt."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        logger.info(
            'method=%s path="%s" status=%s duration_ms=%.1f queries=%d',
            request.method,
            UNSAFE_IN_LOG.sub(lambda match: f"%{ord(match[0]):02X}", request.path),
            response.status_code,
            duration_ms,
            counter.count,
        )
        return response


class PermissionsPolicyMiddleware:
    """Adds the headers Django has no setting for: Permissions-Policy and CORP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response


class NullCharactersMiddleware:
    """Answers 400 (the site's own page) when the address, the query string, a cookie or a
    header carries a NUL character.

    PostgreSQL cannot store or compare text with NUL in it, so such a value failed as a 500
    wherever it reached the database: a view's lookup or filter, the session store (a cookie
    may escape NUL as "\\000", which Django unquotes), a cache key. No address, cookie or header
    of this site needs one, so they are refused here, in one place, before any view, session
    or cache sees them. Form bodies are left to the forms, whose fields refuse NUL beside the
    field and keep the rest of what was typed."""

    PROBLEM = (
        "The link, or something your browser sent with it, contains a null character (%00), "
        "which no page here accepts. Check the link; if this keeps happening, clear this "
        "site’s cookies in your browser."
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            return bad_request(request, problem=self.PROBLEM)
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path:
        return True
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return True
    if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
        return True
    return any(
        NUL in value
        for name, value in request.META.items()
        if name.startswith("HTTP_") and isinstance(value, str)
    )
