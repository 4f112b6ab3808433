"""Search and discovery pages timed inside one Django process, each request rendered afresh.

    python -m benchmarks.inprocess --scale 500                 # every page below, 30 requests
    python -m benchmarks.inprocess --scale 500 --pages search --requests 50 --explain

On the benchmark's own database (`make bench` builds it; this only reads it), with the
production settings, through Django's test client: no server, no load generator, so figures
hold on a busy machine far better than wrk's. Every request asks for another address (another
query from SEARCHES, or an ignored `fresh=` parameter), so no kept copy answers and nothing a
process remembers for one query serves the next. Per page: median and p90 of the whole
request, of the time in the database, and the queries per request; `--explain` prints
EXPLAIN (ANALYZE, BUFFERS) of the slowest query of the slowest request.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent

# What people type: topics, places, names, programs, two or three words, some misspelt.
SEARCHES = [
    "summer reading",
    "makerspace nobody used",
    "makerspace",
    "college readiness",
    "long lunch",
    "book club",
    "reluctant readers",
    "podcast",
    "source evaluation",
    "dual enrolment",
    "budget cuts",
    "collection current",
    "grant writing",
    "storytime",
    "STEM",
    "OER",
    "ebooks",
    "information literacy",
    "research consultations",
    "school public partnership",
    "listserv",
    "professional development",
    "collaboration",
    "meetups",
    "teen advisory board",
    "genealogy",
    "bookmobile",
    "library card sign-up",
    "weeding",
    "banned books",
    "coding club",
    "english learners",
    "homework help",
    "summer slide",
    "reading programs",
    "Trenton",
    "Kansas City",
    "Marquette",
    "Upper Peninsula",
    "Michigan Library Association",
    "cooperative",
    "consortium delivery",
    "interlibrary loan",
    "Keweenaw",
    "Marisol Ortiz",
    "teacher librarian",
    "youth services",
    "archives",
    "summer readnig",
    "makerspce",
    "colege readiness",
    "libary podcast",
    "keweenaw cooprative",
    "storytme",
    "colaboration",
    "genealogy workshop",
    "mentoring new librarians",
]
PAGES = {
    "story search": ("/stories/", "q", False),
    "site search": ("/search/", "q", False),
    "site search (member)": ("/search/", "q", True),
    "member directory search": ("/members/", "q", True),
    "directory search": ("/directory/", "q", False),
    "upcoming meetups": ("/groups/upcoming/", None, False),
    "member dashboard": ("/", None, True),
    "member directory, near me": ("/members/?sort=near", None, True),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=500)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--pages", nargs="*", help="only pages whose name contains one of these")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--detail", action="store_true", help="each query of the last request")
    parser.add_argument(
        "--plans", action="store_true", help="each query of the last request, EXPLAINed again"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    from benchmarks.run import bench_database, production_env

    os.environ.update(production_env(bench_database(args.scale, fresh=False)))
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"  # not a request log line per request
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config.management.commands.seed_demo import DEMO_EMAIL

    member = get_user_model().objects.get(email=DEMO_EMAIL)
    print(f"{'page':28} {'median ms':>9} {'p90 ms':>7} {'db median':>9} {'db p90':>7} queries")
    for name, (path, param, signed_in) in PAGES.items():
        if args.pages and not any(part in name for part in args.pages):
            continue
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", secure=True)
        if signed_in:
            client.force_login(member)
        totals, db_times, counts, slowest = [], [], [], (0.0, None)
        for number in range(args.requests + 2):
            separator = "&" if "?" in path else "?"
            if param:
                text = SEARCHES[number % len(SEARCHES)]
                url = f"{path}{separator}{urlencode({param: text, 'fresh': number})}"
            else:
                url = f"{path}{separator}fresh={number}"
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 200:  # a failed page would measure an error page
                raise SystemExit(f"{url} answered {response.status_code}")
            if number < 2:  # warm-up: connections, templates, process caches of the page
                continue
            if args.plans:
                show_plans(connection, url, captured.captured_queries)
            in_db = sum(float(query["time"]) for query in captured.captured_queries) * 1000
            totals.append(elapsed)
            db_times.append(in_db)
            counts.append(len(captured.captured_queries))
            query = max(captured.captured_queries, key=lambda q: float(q["time"]))
            if float(query["time"]) > slowest[0]:
                slowest = (float(query["time"]), query["sql"], url)
        print(
            f"{name:28} {statistics.median(totals):9.1f} {p90(totals):7.1f} "
            f"{statistics.median(db_times):9.1f} {p90(db_times):7.1f} "
            f"{min(counts):>3}–{max(counts):<3}"
        )
        if args.detail:
            for query in captured.captured_queries:
                print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
        if args.explain and slowest[1]:
            print(f"  slowest query ({slowest[0] * 1000:.1f} ms, {slowest[2]}):")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[1])
                for (line,) in cursor.fetchall():
                    print("    " + line)
    return 0


def show_plans(connection, url: str, queries: list[dict]) -> None:
    """Each query EXPLAINed again (warm): its execution time and the blocks it read."""
    print(f"  {url}")
    for query in queries:
        plan, ms = explain(connection, query["sql"])
        blocks = plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
        print(f"  {ms:7.2f} ms {blocks:6} blocks  {' '.join(query['sql'].split())[:80]}")


def explain(connection, sql: str) -> tuple[dict, float]:
    """The top plan node (with its buffer counts) and the execution time, in ms."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        (result,) = cursor.fetchone()[0]
    return result["Plan"], result["Execution Time"]


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


if __name__ == "__main__":
    raise SystemExit(main())
