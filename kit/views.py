import sys

import psycopg
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from kit.context_processors import layout_urls

# how long proxies, monitors and browsers are asked to wait before trying again in an outage
RETRY_AFTER_SECONDS = 30
# SQLSTATEs that mean there is no database to talk to, rather than a fault in one query:
# connection exceptions (class 08), the server shutting down, crashed or starting up (57P01–3)
# and no connection slots left (53300). A connection that failed before reaching the server
# has none at all.
UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not: for load balancers and Docker."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # drop the broken connection so the next request reconnects by itself
        connection.close_if_unusable_or_obsolete()
        response = JsonResponse({"status": "unavailable", "database": "down"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


ROBOTS_TXT = """\
User-agent: *
Disallow: /accounts/
Disallow: /admin/
"""


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """For crawlers. It touches no database, so the benchmarks use it as their ceiling."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


def bad_request(
    request: HttpRequest, exception: Exception | None = None, *, problem: str = ""
) -> HttpResponse:
    """Django's 400s (a bad Host header, too many fields…) and NullCharactersMiddleware's."""
    return render(request, "400.html", {"problem": problem}, status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler for any uncaught exception (outside DEBUG), called while it is being
    handled: 503 if it says the database is unreachable, else 500."""
    if database_unreachable(sys.exc_info()[1]):
        return database_unavailable()
    return HttpResponseServerError(_render_standalone("500.html"))


def database_unavailable() -> HttpResponse:
    """The outage page: 503 with Retry-After, so proxies and monitors see an outage rather
    than a bug, and never kept by a cache."""
    response = HttpResponse(_render_standalone("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def database_unreachable(exc: BaseException | None) -> bool:
    """Whether `exc`, or the error it was raised from or while handling, says the database
    cannot be reached (stopped, restarting, connection lost) rather than that one query failed
    (a deadlock, a timeout, a constraint), which remains a server error."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, InterfaceError | psycopg.InterfaceError):
            return True  # the connection is closed
        if isinstance(exc, psycopg.OperationalError):
            return exc.sqlstate is None or exc.sqlstate.startswith(UNREACHABLE_SQLSTATES)
        if isinstance(exc, OperationalError) and exc.__cause__ is None:
            return True  # Django's own, with no driver error to tell otherwise
        exc = exc.__cause__ or exc.__context__
    return False


def _render_standalone(template_name: str) -> str:
    # no request, so no context processors that could touch the database: the database may be
    # why we are here
    return render_to_string(
        template_name, {"SITE_NAME": settings.SITE_NAME, "layout": layout_urls()}
    )
