"""In-process timing of whole requests (middleware, view, templates), without a load tool.

Renders each page many times through Django's WSGI stack and prints the median wall time, its
ratio to the trivial view (robots.txt) and the queries per request. Use it with the production
settings (DEBUG off) against a database that `seed_demo` filled, e.g.:

    DATABASE_URL=… DJANGO_SECRET_KEY=… DJANGO_STATIC_ROOT=… DJANGO_ALLOWED_HOSTS=testserver \
        python manage.py collectstatic --noinput
    … python scripts/profile_pages.py --runs 300 2>results.txt >/dev/null
    … python scripts/profile_pages.py --profile "/stories/" 2>profile.txt >/dev/null

Results go to stderr (stdout carries the request log lines). Timings are of one process on an
idle core; compare them with each other, never across machines.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def pages():
    from config.management.commands.seed_demo import DEMO_EMAIL
    from cooperatives.models import Organisation
    from groups.models import Group
    from stories.models import Story

    group = Group.objects.order_by("pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    story = Story.objects.order_by("pk").first()
    rows = [
        ("trivial view", "/robots.txt", False),
        ("layout only (404 page)", "/no-such-page/", False),
        ("layout only (404 page, member)", "/no-such-page/", True),
        ("home, anonymous", "/", False),
        ("story list", "/stories/", False),
        ("cooperative directory", "/directory/", False),
        ("home, member dashboard", "/", True),
        ("story list (member)", "/stories/", True),
    ]
    if story:
        rows.append(("story detail (member)", story.get_absolute_url(), True))
    if group:
        rows.append(("group page (member)", group.get_absolute_url(), True))
    if organisation:
        rows.append(("organisation page (member)", organisation.get_absolute_url(), True))
    return rows, DEMO_EMAIL


def client_for(member_email):
    from django.contrib.auth import get_user_model

    client = Client(HTTP_HOST="localhost")
    if member_email:
        client.force_login(get_user_model().objects.get(email=member_email))
        client.get("/", secure=True)  # the session's first request records onboarding
    return client


def measure(client, url, runs):
    for _ in range(20):
        response = client.get(url, secure=True)
    assert response.status_code == (404 if "no-such" in url else 200), (url, response.status_code)
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)
    ):
        client.get(url, secure=True)
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url, secure=True)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return statistics.median(wall), statistics.median(cpu), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--profile", help="cProfile one URL (as a member with --member)")
    parser.add_argument("--member", action="store_true")
    args = parser.parse_args()
    rows, email = pages()
    anonymous, member = client_for(None), client_for(email)
    if args.profile:
        client = member if args.member else anonymous
        measure(client, args.profile, 5)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(200):
            client.get(args.profile, secure=True)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        out.write("\n--- by own time ---\n")
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        sys.stderr.write(out.getvalue())
        return
    trivial = None
    sys.stderr.write(
        f"{'page':32} {'wall ms':>8} {'app CPU ms':>10} {'× trivial (CPU)':>16} {'queries':>8}\n"
    )
    for name, url, signed_in in rows:
        wall, cpu, queries = measure(member if signed_in else anonymous, url, args.runs)
        trivial = trivial or cpu
        sys.stderr.write(f"{name:32} {wall:8.2f} {cpu:10.2f} {trivial / cpu:16.2f} {queries:8d}\n")


if __name__ == "__main__":
    main()
