"""Where a page's time goes, in one process: database, template engine, the rest.

    python -m benchmarks.profile --scale 500                      # every page, rendered afresh
    python -m benchmarks.profile --scale 500 --pages "story list" --cprofile
    python -m benchmarks.profile --scale 500 --kept               # served from kept copies

Runs on the benchmark's database (`librarian_commons_bench_<scale>`, built by `make bench` or
`python -m benchmarks.run --scale N`) with the production settings, through Django's test
client and the whole middleware stack, with no server and no load generator: figures that a
shared, noisy machine disturbs far less than throughput. Each request asks for its own
address (an ignored `fresh=` parameter, as `make bench`'s "rendered afresh" runs do) unless
`--kept`. For each page: the median time per request, and how much of it was spent waiting on
the database and inside the template engine (its own work, database time during rendering
taken out); `--cprofile` adds the functions that took the most time.
"""

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from itertools import count

from benchmarks import run

_fresh = count()


class Timers:
    """Database time (every query), template time (top-level renders only), and each
    template's own time (its includes' and the queries' taken out), by template name."""

    def __init__(self):
        self.db = 0.0
        self.db_in_render = 0.0
        self.render = 0.0
        self.queries = 0
        self._depth = 0
        self.by_template: dict[str, list] = {}
        self._stack: list[list] = []

    def reset(self):
        by_template = self.by_template
        self.__init__()
        self.by_template = by_template

    def query(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.db += spent
            self.queries += 1
            if self._depth:
                self.db_in_render += spent
            if self._stack:
                self._stack[-1][1] += spent  # not the template's own time

    def wrap_render(self, render):
        def timed(template, *args, **kwargs):
            self._depth += 1
            started = time.perf_counter()
            try:
                return render(template, *args, **kwargs)
            finally:
                self._depth -= 1
                if not self._depth:
                    self.render += time.perf_counter() - started

        return timed

    def wrap_each_template(self, render):
        """Each template's own time: what its includes and queries took is taken out."""

        def timed(template, context):
            frame = [time.perf_counter(), 0.0]
            self._stack.append(frame)
            try:
                return render(template, context)
            finally:
                self._stack.pop()
                spent = time.perf_counter() - frame[0]
                if self._stack:
                    self._stack[-1][1] += spent
                own = self.by_template.setdefault(template.origin.template_name or "?", [0, 0.0])
                own[0] += 1
                own[1] += spent - frame[1]

        return timed


def fresh_address(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}fresh=profile-{next(_fresh)}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=500)
    parser.add_argument("--pages", nargs="*", help="only pages whose name contains one of these")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--kept", action="store_true", help="serve kept copies (same address)")
    parser.add_argument("--cprofile", action="store_true", help="print the costliest functions")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--templates", action="store_true", help="each template's own time, per request"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(run.BASE_DIR))
    os.chdir(run.BASE_DIR)
    run.WORK_DIR.mkdir(parents=True, exist_ok=True)
    env = run.production_env(run.bench_database(args.scale, fresh=False))
    run.prepare(env)  # migrations and static files, as `make bench` does before serving
    env["DJANGO_ALLOWED_HOSTS"] = "testserver"
    env["DJANGO_LOG_LEVEL"] = "WARNING"  # no request log lines between the figures
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.template import base as template_base
    from django.template.backends.django import Template
    from django.test import Client

    from benchmarks.pages import PAGES
    from config.management.commands.seed_demo import DEMO_EMAIL

    pages = [p for p in PAGES if not p.rendered and p.name != "health check"]
    if args.pages:
        pages = [p for p in pages if any(s in p.name for s in args.pages)]
    timers = Timers()
    Template.render = timers.wrap_render(Template.render)
    if args.templates:
        template_base.Template.render = timers.wrap_each_template(template_base.Template.render)
    visitor = Client()
    member = Client()
    member.force_login(get_user_model().objects.get(email=DEMO_EMAIL))
    rows = []
    with connection.execute_wrapper(timers.query):
        for page in pages:
            client = member if page.member else visitor
            url = page.resolve()

            def get(client=client, url=url, name=page.name):
                address = url if args.kept else fresh_address(url)
                response = client.get(address, secure=True)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {address} answered {response.status_code}")
                return response

            for _ in range(3):  # warm the process: connections, templates, per-process caches
                get()
            spent, db, template, queries = [], [], [], []
            timers.by_template = {}
            for _ in range(args.requests):
                timers.reset()
                started = time.perf_counter()
                get()
                spent.append((time.perf_counter() - started) * 1000)
                db.append(timers.db * 1000)
                template.append((timers.render - timers.db_in_render) * 1000)
                queries.append(timers.queries)
            rows.append((page, url, spent, db, template, queries))
            if args.templates:
                print_templates(page.name, timers.by_template, args.requests, args.top)
            if args.cprofile:
                print_profile(page.name, get, args.top)
    print_table(rows, kept=args.kept)
    return 0


def print_profile(name: str, get, top: int) -> None:
    profiler = cProfile.Profile()
    with profiler:
        for _ in range(10):
            get()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    print(f"\n## {name}: 10 requests, the functions with the most time of their own\n")
    print(out.getvalue())


def print_templates(name: str, by_template: dict, requests: int, top: int) -> None:
    print(f"\n## {name}: each template's own time per request\n")
    print("| template | renders | ms |")
    print("| --- | ---: | ---: |")
    ranked = sorted(by_template.items(), key=lambda item: -item[1][1])
    for template_name, (renders, seconds) in ranked[:top]:
        print(f"| {template_name} | {renders / requests:g} | {seconds * 1000 / requests:.2f} |")


def print_table(rows, *, kept: bool) -> None:
    how = "kept copies" if kept else "rendered afresh"
    print(f"\n| page ({how}) | ms/request | database ms | template ms | other ms | queries |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for page, url, spent, db, template, queries in rows:
        total, db_ms, tpl_ms = map(statistics.median, (spent, db, template))
        who = " (member)" if page.member else ""
        print(
            f"| {page.name}{who} `{url}` | {total:.1f} | {db_ms:.1f} | {tpl_ms:.1f} | "
            f"{max(total - db_ms - tpl_ms, 0):.1f} | {max(queries)} |"
        )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
