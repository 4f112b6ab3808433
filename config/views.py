from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not: for load balancers and Docker."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # drop the broken connection so the next request reconnects by itself
        connection.close_if_unusable_or_obsolete()
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


ROBOTS_TXT = """\
User-agent: *
Disallow: /accounts/
Disallow: /admin/
"""


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """For crawlers. It touches no database, so the benchmarks use it as their ceiling."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


def bad_request(request, exception=None, *, problem: str = ""):
    """Django's 400s (a bad Host header, too many fields…) and NullCharactersMiddleware's."""
    return render(request, "400.html", {"problem": problem}, status=400)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def server_error(request):
    # no context processors that could touch the database: the database may be why we are here
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
