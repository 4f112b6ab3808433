"""Project-wide middleware: one log line per request, and the Permissions-Policy header."""

import logging
import time

from django.conf import settings
from django.db import connections

logger = logging.getLogger("librarian_commons.requests")


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    """Logs `method path status duration queries` for every request, in logfmt."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _QueryCounter()
        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        logger.info(
            'method=%s path="%s" status=%s duration_ms=%.1f queries=%d',
            request.method,
            request.path.replace('"', "%22"),
            response.status_code,
            duration_ms,
            counter.count,
        )
        return response


class PermissionsPolicyMiddleware:
    """Adds the headers Django has no setting for: Permissions-Policy and CORP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response
