"""`make bench`: build the data set, serve the site as in production, load each page with wrk.

    python -m benchmarks.run                         # the issue's scale (--scale 500)
    python -m benchmarks.run --scale 5 --duration 2  # a smoke run (1,000 stories)

Steps: (1) a database of its own (`librarian_commons_bench_<scale>` on the embedded server, or
DATABASE_URL) is migrated and filled by `manage.py seed_demo --scale N` — each app's bulk seed
step; (2) gunicorn serves it with the production settings and the Dockerfile's command line on
127.0.0.1; (3) for each page in benchmarks/pages.py, wrk alternates the trivial view and the
page, `--rounds` times, and the medians are reported: requests/s, p50/p95 latency as the client
sees it, server-side p95 and database queries per request (from the app's request log), HTML
bytes and the page's throughput as a share of the trivial view's measured just before it;
(4) the mixed workload (benchmarks/mixed.py): wrk reads a rotation of pages and searches while
members post `--writes` changes a second, each round beside the trivial view and the same
rotation with nobody writing.
Results go to benchmarks/RESULTS.md (newest first) and benchmarks/results/<time>-scale<N>.json.
Nothing is installed and only loopback addresses are used.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.pages import Page

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "benchmarks"
RESULTS_MD = BENCH_DIR / "RESULTS.md"
RESULTS_DIR = BENCH_DIR / "results"
WORK_DIR = BASE_DIR / "var" / "bench"
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
QUERIES_FILE = WORK_DIR / "queries.txt"
ROTATION_FILE = WORK_DIR / "rotation.txt"
VENV_BIN = Path(sys.executable).parent
RUNS_MARKER = "<!-- bench:runs (newest first; written by benchmarks/run.py) -->"

# Targets from issue 9, at 8 concurrent clients on this 2-core machine.
TARGET_RATIO = 0.35
TARGET_P95_MS = 100.0
TARGET_QUERIES = 10
# Targets from issue 15: the mixed workload at 5 writes a second, and pages rendered afresh.
TARGET_MIXED_RATIO = 0.25
TARGET_MIXED_P99_MS = 200.0
TARGET_MIXED_SERVER_P95_MS = 100.0
TARGET_AFRESH_RATIO = 0.12
TARGET_AFRESH_MEMBER_RATIO = 0.06
TARGET_AFRESH_SEARCH_SERVER_P95_MS = 50.0

STORIES_PER_SCALE = 200  # seed_demo's scale unit: 40 members, 200 stories, 4 groups, 2 entries
INSTALL_WRK = (
    "make bench needs wrk, an HTTP load generator: `apt-get install wrk` (Debian/Ubuntu) or "
    "`brew install wrk` (macOS)."
)
LOG_LINE = re.compile(
    r'method=(?P<method>\w+) path="(?P<path>[^"]*)" status=(?P<status>\d+) '
    r"duration_ms=(?P<ms>[\d.]+) queries=(?P<queries>\d+)"
)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    from benchmarks.pages import PAGES, TRIVIAL

    pages = [p for p in PAGES if not args.pages or any(s in p.name for s in args.pages)]
    if args.mixed_only:
        pages = []
    elif not pages:
        print(f"No page matches {args.pages}; pages: {[p.name for p in PAGES]}", file=sys.stderr)
        return 2

    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    database_url = bench_database(args.scale, fresh=args.fresh)
    env = production_env(database_url)
    prepare(env)
    data = {} if args.skip_seed else build_data(env, args.scale)

    # This process signs the member's session and builds page URLs with the same settings.
    os.environ.update(env)
    import django

    django.setup()
    urls = {page.name: page.resolve() for page in [TRIVIAL, *pages]}
    mixed = None if args.no_mixed else plan_mixed()
    cookie = member_cookie() if mixed or any(p.member for p in pages) else ""
    write_queries_file()
    machine = describe_machine(load_before)

    from django.db import connections

    connections.close_all()

    log_path = WORK_DIR / "gunicorn.log"
    with serve(env, log_path) as server:
        machine["gunicorn_workers"] = server.workers
        print(f"Serving on {server.base} with {server.workers} gunicorn workers; log {log_path}")
        bench = Bench(server, log_path, args, cookie)
        trivial = bench.measure_page(TRIVIAL, urls[TRIVIAL.name])
        results = [bench.measure_page(page, urls[page.name]) for page in pages]
        bench.run_rounds(trivial, results)
        mixed_report = bench.run_mixed(trivial, *mixed) if mixed else None

    machine["load_average_after"] = round(os.getloadavg()[0], 2)
    # gunicorn.conf.py recycles each worker after about 2,000 requests, as in production
    booted = log_path.read_text(errors="replace").count("Booting worker with pid")
    machine["worker_restarts"] = max(0, booted - machine["gunicorn_workers"])
    report = {
        "command": " ".join(["python -m benchmarks.run", *(argv or sys.argv[1:])]),
        "date": started.isoformat(timespec="seconds"),
        "scale": args.scale,
        "stories_expected": args.scale * STORIES_PER_SCALE,
        "data": data,
        "machine": machine,
        "load": {
            "tool": f"wrk -t{args.threads} -c{args.connections}",
            "duration_s": args.duration,
            "rounds": args.rounds,
        },
        "trivial": trivial.summary(),
        "pages": [r.summary(trivial) for r in results],
        "mixed": mixed_report,
    }
    print_table(report)
    if not args.no_write:
        json_path = write_results(report)
        print(f"\nWrote {json_path.relative_to(BASE_DIR)} and a new entry in benchmarks/RESULTS.md")
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=500, help="seed_demo scale (500 = issue 9)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--pages", nargs="*", help="only pages whose name contains one of these")
    parser.add_argument("--skip-seed", action="store_true", help="reuse the data as it is")
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark database first")
    parser.add_argument("--no-write", action="store_true", help="print, don't record")
    parser.add_argument("--writes", type=float, default=5.0, help="mixed workload: writes a second")
    parser.add_argument("--no-mixed", action="store_true", help="skip the mixed workload")
    parser.add_argument(
        "--mixed-warmup", type=int, default=30, help="mixed workload: seconds of reading first"
    )
    parser.add_argument("--mixed-only", action="store_true", help="only the mixed workload")
    args = parser.parse_args(argv)
    args.threads = max(1, min(args.threads, args.connections))
    return args


# --- the database and the data --------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def bench_database(scale: int, *, fresh: bool) -> str:
    """DATABASE_URL when given (a server you chose), else a database of the benchmark's own on
    the embedded server, which this process keeps running until it exits."""
    if os.environ.get("DATABASE_URL"):
        print("Using DATABASE_URL as it is (seed_demo tops it up to the scale).")
        return os.environ["DATABASE_URL"]
    import psycopg

    from kit.embedded_db import embedded_database_url

    url = embedded_database_url()
    name = f"librarian_commons_bench_{scale}"
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(url, name)


def production_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_STATIC_ROOT=str(WORK_DIR / "static"),
        DATABASE_URL=database_url,
        HOST="127.0.0.1",
        PORT=str(free_port()),
        GUNICORN_LOG_LEVEL="info",  # its "Booting worker" lines count worker recycling
        # production recycles a worker every ~2,000 requests: minutes at a real site's rate,
        # but about every second under wrk, which would measure cold workers, not pages
        GUNICORN_MAX_REQUESTS="100000",
        DJANGO_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare(env: dict) -> None:
    for step in (("migrate", "--noinput"), ("createcachetable",), ("collectstatic", "--noinput")):
        manage(env, *step, "-v", "0")


def build_data(env: dict, scale: int) -> dict:
    print(f"Building the data set: seed_demo --scale {scale} …", flush=True)
    began = time.monotonic()
    output = manage(env, "seed_demo", "--scale", str(scale))
    seconds = round(time.monotonic() - began, 1)
    # what autovacuum does soon after a bulk load in production: planner statistics and the
    # visibility map (index-only scans) — measuring before it would measure a cold database
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    counts = {
        label: int(count)
        for label, count in re.findall(r"^\s*([\w ,-]+):\s*(\d+)\s*$", output, re.MULTILINE)
    }
    print(f"  {counts} in {seconds} s")
    return {"counts": counts, "seed_seconds": seconds}


def plan_mixed() -> tuple[list, dict]:
    """The mixed workload's rotation of reads and the writes its writer makes (members signed
    in here, in the shared session table)."""
    from benchmarks.mixed import plan_writes, rotation
    from benchmarks.pages import MIXED_PAGES, PAGES, SEARCHES

    by_name = {page.name: page for page in PAGES}
    urls = {name: by_name[name].resolve() for name in MIXED_PAGES}
    members = {name: by_name[name].member for name in MIXED_PAGES}
    return rotation(urls, members, SEARCHES), plan_writes()


def write_queries_file() -> Path:
    """The queries a search rendered afresh asks in turn (wrk_report.lua, BENCH_QUERIES)."""
    from benchmarks.pages import SEARCHES_AFRESH

    QUERIES_FILE.write_text(
        "".join(urllib.parse.quote_plus(query) + "\n" for query in SEARCHES_AFRESH)
    )
    return QUERIES_FILE


def member_cookie() -> str:
    """A signed-in session for the demo member, stored in the shared session table, and the
    CSRF cookie a browser would have been given on its first page."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.test import Client
    from django.utils.crypto import get_random_string

    from config.management.commands.seed_demo import DEMO_EMAIL

    client = Client()
    client.force_login(get_user_model().objects.get(email=DEMO_EMAIL))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"


def describe_machine(load_before: float) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    mem_kib = 0
    with contextlib.suppress(OSError):
        meminfo = Path("/proc/meminfo").read_text()
        mem_kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=BASE_DIR
    ).stdout.strip()
    import gunicorn

    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": pg_version,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version.split(" [")[0].strip(),
        "commit": commit,
        "load_average_before": round(load_before, 2),
    }


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dockerfile_command() -> list[str]:
    text = (BASE_DIR / "Dockerfile").read_text()
    return json.loads(re.search(r"^CMD (\[.*\])$", text, re.MULTILINE).group(1))


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    workers: int = 0


@contextlib.contextmanager
def serve(env: dict, log_path: Path):
    """gunicorn with the Dockerfile's own command line, bound to 127.0.0.1."""
    import psutil

    command = dockerfile_command()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / command[0]), *command[1:]],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{env['PORT']}", process)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {log_path}")
            with contextlib.suppress(OSError):
                if fetch(server.base + "/healthz", {})[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer within 60 s: see {log_path}")
            time.sleep(0.3)
        server.workers = len(psutil.Process(process.pid).children())
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(url: str, headers: dict) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(url)
    client = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        client.request("GET", path, headers=headers)
        response = client.getresponse()
        return response.status, response.read()
    finally:
        client.close()


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Run:
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int
    server_ms: list[float]
    queries: list[int]


@dataclass
class PageResult:
    page: "Page"
    url: str
    html_bytes: int
    runs: list[Run] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path

    def summary(self, trivial: "PageResult | None" = None) -> dict:
        server_ms = sorted(ms for run in self.runs for ms in run.server_ms)
        queries = [q for run in self.runs for q in run.queries]
        out = {
            "name": self.page.name,
            "url": self.url,
            "member": self.page.member,
            "rendered": self.page.rendered,
            "rps": round(statistics.median(r.rps for r in self.runs), 1),
            "p50_ms": round(statistics.median(r.p50_ms for r in self.runs), 2),
            "p95_ms": round(statistics.median(r.p95_ms for r in self.runs), 2),
            "server_p95_ms": round(percentile(server_ms, 95), 1) if server_ms else None,
            "queries_median": statistics.median(queries) if queries else None,
            "queries_max": max(queries) if queries else None,
            "html_bytes": self.html_bytes,
            "errors": sum(r.errors for r in self.runs),
            "runs": [
                {
                    "rps": round(r.rps, 1),
                    "p50_ms": round(r.p50_ms, 2),
                    "p95_ms": round(r.p95_ms, 2),
                    "errors": r.errors,
                    "requests_logged": len(r.queries),
                }
                for r in self.runs
            ],
        }
        if trivial is not None:
            out["ratio"] = round(statistics.median(self.ratios), 3)
            out["ratios"] = [round(r, 3) for r in self.ratios]
            out["target_ratio"] = self.target_ratio
            out["targets"] = {
                "ratio": out["ratio"] >= self.target_ratio,
                "p95": self.p95_met(out),
                "queries": out["queries_max"] is not None and out["queries_max"] <= TARGET_QUERIES,
            }
        return out

    @property
    def target_ratio(self) -> float:
        """Issue 9's for kept copies; issue 15's for pages rendered afresh (members' less)."""
        if not self.page.rendered:
            return TARGET_RATIO
        return TARGET_AFRESH_MEMBER_RATIO if self.page.member else TARGET_AFRESH_RATIO

    def p95_met(self, out: dict) -> bool:
        """p95 under 100 ms as the client sees it; searches rendered afresh: 50 ms at the
        server (issue 15)."""
        if self.page.rendered and "search" in self.page.name:
            server = out["server_p95_ms"]
            return server is not None and server < TARGET_AFRESH_SEARCH_SERVER_P95_MS
        return out["p95_ms"] < TARGET_P95_MS


def percentile(sorted_values: list[float], pct: float) -> float:
    index = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


class Bench:
    def __init__(self, server: Server, log_path: Path, args, cookie: str):
        self.server = server
        self.log_path = log_path
        self.args = args
        self.cookie = cookie

    def headers(self, page) -> dict:
        # as behind the TLS-terminating proxy: the production settings redirect plain http
        headers = {"X-Forwarded-Proto": "https"}
        if page.member:
            headers["Cookie"] = self.cookie
        return headers

    def measure_page(self, page, url: str) -> PageResult:
        status, body = fetch(self.server.base + url, self.headers(page))
        if status != 200:
            raise SystemExit(f"{page.name} ({url}) answered {status}, not 200: not measured")
        result = PageResult(page, url, len(body))
        # warm every worker's caches and connections before anything is timed
        self.wrk(result, duration=1)
        return result

    def run_rounds(self, trivial: PageResult, results: list[PageResult]) -> None:
        total = self.args.rounds * len(results) * 2 * self.args.duration
        print(f"Measuring {len(results)} pages × {self.args.rounds} rounds: about {total} s")
        for round_number in range(1, self.args.rounds + 1):
            for result in results:
                ceiling = self.wrk(trivial, record=True)
                run = self.wrk(result, record=True)
                result.ratios.append(run.rps / ceiling.rps if ceiling.rps else 0.0)
                print(
                    f"  round {round_number} {result.page.name}: {run.rps:.0f} req/s "
                    f"({result.ratios[-1]:.2f}× trivial), p95 {run.p95_ms:.1f} ms",
                    flush=True,
                )

    def wrk(self, result: PageResult, *, duration: int | None = None, record=False) -> Run:
        scripted = {"BENCH_DISTINCT": "1" if result.page.rendered else "0"}
        if result.page.new_queries:
            scripted["BENCH_QUERIES"] = str(QUERIES_FILE)
        summary, log = self.run_wrk(
            result.url, self.headers(result.page), scripted, duration=duration
        )
        lines = [m for m in LOG_LINE.finditer(log) if m["path"] == result.path]
        run = Run(
            rps=summary["requests"] / (summary["duration_us"] / 1e6),
            p50_ms=summary["p50_us"] / 1000,
            p95_ms=summary["p95_us"] / 1000,
            errors=sum(summary["errors"].values()),
            server_ms=[float(m["ms"]) for m in lines],
            queries=[int(m["queries"]) for m in lines],
        )
        if record:
            result.runs.append(run)
        return run

    def run_wrk(
        self, url: str, headers: dict, scripted: dict, *, duration: int | None = None
    ) -> tuple[dict, str]:
        """One wrk run (wrk_report.lua, told by `scripted` environment variables what to ask):
        its summary and the server's request log lines written meanwhile."""
        duration = duration or self.args.duration
        command = [
            "wrk",
            f"-t{self.args.threads}",
            f"-c{self.args.connections}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "-s",
            str(WRK_SCRIPT),
            *(arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")),
            self.server.base + url,
        ]
        log_start = self.log_path.stat().st_size
        finished = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=duration + 30,
            check=True,
            env={**os.environ, **scripted},
        )
        time.sleep(0.05)  # let the workers' last log lines land
        summary = json.loads(finished.stdout.split("WRK_JSON ", 1)[1].splitlines()[0])
        with self.log_path.open() as log:
            log.seek(log_start)
            return summary, log.read()

    # --- the mixed workload ---------------------------------------------------------------
    def run_mixed(self, trivial: PageResult, entries: list, plans: dict) -> dict:
        """Rounds of: the trivial view, the rotation with nobody writing, the rotation while
        the writer writes `--writes` a second (benchmarks/mixed.py)."""
        from benchmarks.mixed import start_writer, summarise_writes

        ROTATION_FILE.write_text("".join(f"{int(member)} {url}\n" for member, url in entries))
        paths = {urllib.parse.urlsplit(url).path for _, url in entries}
        print(f"Mixed workload: {len(entries)} addresses in rotation, {self.args.writes} writes/s")
        # long enough for every worker to keep its copy of every address, as a running site
        # has them (a first render of each search costs what "a new query every request" does)
        print(f"  warming up for {self.args.mixed_warmup} s")
        self.wrk_rotation(paths, duration=self.args.mixed_warmup)
        rounds = []
        for number in range(1, self.args.rounds + 1):
            ceiling = self.wrk(trivial, record=not trivial.runs or self.args.mixed_only)
            quiet = self.wrk_rotation(paths)
            writer, out = start_writer(
                self.server.base, plans, self.args.writes, self.args.duration + 0.5
            )
            busy = self.wrk_rotation(paths)
            writes = out.get(timeout=self.args.duration + 60)
            writer.join(timeout=30)
            rounds.append({"trivial_rps": ceiling.rps, "quiet": quiet, "busy": busy})
            rounds[-1]["writes"] = summarise_writes([writes])
            print(
                f"  round {number}: trivial {ceiling.rps:.0f} req/s; reads {quiet['rps']:.0f} "
                f"req/s nobody writing, {busy['rps']:.0f} req/s at "
                f"{rounds[-1]['writes']['per_second']} writes/s "
                f"({busy['rps'] / ceiling.rps:.2f}× trivial), p99 {busy['p99_ms']:.0f} ms",
                flush=True,
            )
        return mixed_summary(rounds, entries, self.args.writes)

    def wrk_rotation(self, paths: set[str], *, duration: int | None = None) -> dict:
        """wrk reading the rotation (wrk_report.lua, BENCH_ROTATION): its figures and, from
        the request log, each address path's server-side times and queries."""
        summary, log = self.run_wrk(
            "/",
            {"X-Forwarded-Proto": "https"},
            {"BENCH_ROTATION": str(ROTATION_FILE), "BENCH_COOKIE": self.cookie},
            duration=duration,
        )
        by_path: dict[str, dict] = {}
        for line in LOG_LINE.finditer(log):
            if line["method"] != "GET" or line["path"] not in paths:
                continue
            seen = by_path.setdefault(line["path"], {"ms": [], "queries": [], "status": {}})
            seen["ms"].append(float(line["ms"]))
            seen["queries"].append(int(line["queries"]))
            seen["status"][line["status"]] = seen["status"].get(line["status"], 0) + 1
        return {
            "rps": summary["requests"] / (summary["duration_us"] / 1e6),
            "p50_ms": summary["p50_us"] / 1000,
            "p95_ms": summary["p95_us"] / 1000,
            "p99_ms": summary["p99_us"] / 1000,
            "errors": sum(summary["errors"].values()),
            "by_path": by_path,
        }


def mixed_summary(rounds: list[dict], entries: list, writes_per_second: float) -> dict:
    """Medians over the rounds, each address path's server p95 over all of them, the targets."""

    def median(values):
        return round(statistics.median(values), 2)

    def pooled(which: str) -> list[dict]:
        paths: dict[str, dict] = {}
        for one in rounds:
            for path, seen in one[which]["by_path"].items():
                pool = paths.setdefault(path, {"ms": [], "queries": [], "status": {}})
                pool["ms"] += seen["ms"]
                pool["queries"] += seen["queries"]
                for status, count in seen["status"].items():
                    pool["status"][status] = pool["status"].get(status, 0) + count
        return [
            {
                "path": path,
                "requests": len(pool["ms"]),
                "server_p95_ms": round(percentile(sorted(pool["ms"]), 95), 1),
                "queries_max": max(pool["queries"]),
                "statuses": pool["status"],
            }
            for path, pool in sorted(paths.items())
        ]

    writes: dict = {"writes": 0, "statuses": {}, "answered_ok": 0}
    for one in rounds:
        writes["writes"] += one["writes"]["writes"]
        writes["answered_ok"] += one["writes"]["answered_ok"]
        for key, count in one["writes"]["statuses"].items():
            writes["statuses"][key] = writes["statuses"].get(key, 0) + count
    writes["per_second"] = median([one["writes"]["per_second"] for one in rounds])
    writes["p95_ms"] = median([one["writes"]["p95_ms"] or 0 for one in rounds])
    summary = {
        "addresses": len(entries),
        "searches": sum(1 for _, url in entries if "q=" in url),
        "writes_asked_per_second": writes_per_second,
        "trivial_rps": median([one["trivial_rps"] for one in rounds]),
        "rounds": [
            {
                "trivial_rps": round(one["trivial_rps"], 1),
                **{
                    which: {
                        key: round(one[which][key], 2)
                        for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "errors")
                    }
                    for which in ("quiet", "busy")
                },
                "writes": one["writes"],
            }
            for one in rounds
        ],
        "writes": writes,
    }
    for which in ("quiet", "busy"):
        summary[which] = {
            "rps": median([one[which]["rps"] for one in rounds]),
            "ratio": median([one[which]["rps"] / one["trivial_rps"] for one in rounds]),
            "p50_ms": median([one[which]["p50_ms"] for one in rounds]),
            "p95_ms": median([one[which]["p95_ms"] for one in rounds]),
            "p99_ms": median([one[which]["p99_ms"] for one in rounds]),
            "errors": sum(one[which]["errors"] for one in rounds),
            "paths": pooled(which),
        }
    busy = summary["busy"]
    summary["targets"] = {
        "ratio": busy["ratio"] >= TARGET_MIXED_RATIO,
        "p99": busy["p99_ms"] < TARGET_MIXED_P99_MS,
        "server_p95": all(p["server_p95_ms"] < TARGET_MIXED_SERVER_P95_MS for p in busy["paths"]),
        "writes": writes["per_second"] >= 0.9 * writes_per_second
        and writes["answered_ok"] == writes["writes"],
    }
    return summary


# --- reporting ----------------------------------------------------------------------------


def print_table(report: dict) -> None:
    print()
    if report["pages"]:
        print(markdown_table(report))
    if report.get("mixed"):
        print()
        print(mixed_markdown(report["mixed"]))


def mixed_markdown(mixed: dict) -> str:
    """The mixed workload: reads with nobody writing and while members write, beside the
    trivial view; what the writes got; each address path's server p95 while writing."""
    writes = mixed["writes"]
    targets = mixed["targets"]
    asked = mixed["writes_asked_per_second"]
    rows = [
        f"**Mixed workload**: wrk (same clients) reads {mixed['addresses']} addresses in "
        f"rotation — pages for visitors and for the demo member, and {mixed['searches']} "
        f"searches, each its own query — while members post {asked:g} writes a second "
        "(RSVP, comment, helpful, save, notifications read in turn). Medians of the rounds; "
        f"trivial view {mixed['trivial_rps']:.0f} req/s.",
        "",
        "| reads | req/s | × trivial | p50 ms | p95 ms | p99 ms | errors | targets "
        f"(×{TARGET_MIXED_RATIO:g} · p99 < {TARGET_MIXED_P99_MS:.0f} ms · every server p95 "
        f"< {TARGET_MIXED_SERVER_P95_MS:.0f} ms · writes) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for which, label in (("quiet", "nobody writing"), ("busy", f"{writes['per_second']} writes/s")):
        one = mixed[which]
        cells = "—"
        if which == "busy":
            cells = " ".join(mark(targets[key]) for key in ("ratio", "p99", "server_p95", "writes"))
        rows.append(
            f"| {label} | {one['rps']:.0f} | {one['ratio']:.2f} | {one['p50_ms']:.1f} | "
            f"{one['p95_ms']:.1f} | {one['p99_ms']:.1f} | {one['errors']} | {cells} |"
        )
    statuses = ", ".join(f"{key}: {count}" for key, count in writes["statuses"].items())
    rows += [
        "",
        f"Writes: {writes['writes']} posted, {writes['answered_ok']} answered 302/200 "
        f"({statuses}); p95 {writes['p95_ms']} ms.",
        "",
        "| address path (while writing) | requests | server p95 ms | queries (max) | statuses |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for path in mixed["busy"]["paths"]:
        statuses = ", ".join(f"{key}: {count}" for key, count in path["statuses"].items())
        rows.append(
            f"| `{path['path']}` | {path['requests']} | {path['server_p95_ms']} | "
            f"{path['queries_max']} | {statuses} |"
        )
    return "\n".join(rows)


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def markdown_table(report: dict) -> str:
    t = report["trivial"]
    rows = [
        "| page | req/s | × trivial (range) | p50 ms | p95 ms | server p95 ms | queries "
        "| HTML bytes | targets (× trivial · p95 · queries) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {t['name']} `{t['url']}` | {t['rps']:.0f} | 1.00 | {t['p50_ms']:.1f} | "
        f"{t['p95_ms']:.1f} | {t['server_p95_ms']} | {t['queries_max']} | {t['html_bytes']} "
        "| ceiling |",
    ]
    for p in report["pages"]:
        queries = f"{p['queries_median']:g}"
        if p["queries_max"] != p["queries_median"]:
            queries += f" (max {p['queries_max']})"
        targets = " ".join(mark(p["targets"][k]) for k in ("ratio", "p95", "queries"))
        targets += f" (×{p.get('target_ratio', TARGET_RATIO):g})"
        if p["errors"]:
            targets += f" — {p['errors']} errors"
        who = " (member)" if p["member"] else ""
        ratio = f"{p['ratio']:.2f}"
        if len(p["ratios"]) > 1:
            ratio += f" ({min(p['ratios']):.2f}–{max(p['ratios']):.2f})"
        rows.append(
            f"| {p['name']}{who} `{p['url']}` | {p['rps']:.0f} | {ratio} | "
            f"{p['p50_ms']:.1f} | {p['p95_ms']:.1f} | {p['server_p95_ms']} | {queries} | "
            f"{p['html_bytes']} | {targets} |"
        )
    return "\n".join(rows)


def write_results(report: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = report["date"].replace(":", "").replace("-", "")[:13]
    json_path = RESULTS_DIR / f"{stamp}-scale{report['scale']}.json"
    json_path.write_text(json.dumps(report, indent=2) + "\n")

    m, load, data = report["machine"], report["load"], report["data"]
    counts = ", ".join(f"{v:,} {k}" for k, v in data.get("counts", {}).items()) or "as it was"
    mixed = report.get("mixed")
    met = all(all(p["targets"].values()) for p in report["pages"])
    met = met and (mixed is None or all(mixed["targets"].values()))
    entry = "\n".join(
        [
            f"### {report['date'][:16].replace('T', ' ')} UTC — scale {report['scale']} "
            f"({report['stories_expected']:,} stories when the stories app seeds them)",
            "",
            f"- Command: `{report['command']}` (commit {m['commit']})",
            f"- Machine: {m['nproc']} CPUs (nproc), {m['memory_gib']} GiB RAM, {m['os']}, "
            f"Python {m['python']}, PostgreSQL {m['postgresql']}, gunicorn {m['gunicorn']} "
            f"({m['gunicorn_workers']} sync workers, Dockerfile command; "
            f"{m.get('worker_restarts', '?')} worker restarts by max_requests), {m['wrk']}; load "
            f"average {m['load_average_before']} before, {m['load_average_after']} after "
            "(a shared machine)",
            f"- Load: `{load['tool']}`, {load['rounds']} rounds of {load['duration_s']} s per "
            "page, each run right after one of the trivial view; medians shown",
            f"- Data: {counts}"
            + (f" (seed_demo took {data['seed_seconds']} s)" if "seed_seconds" in data else ""),
            f"- Raw figures: `{json_path.relative_to(BENCH_DIR)}`",
            f"- Targets: {'all met' if met else 'some missed (✗)'}",
            "",
            markdown_table(report) if report["pages"] else "",
            "",
            *([mixed_markdown(mixed), ""] if mixed else []),
        ]
    )
    record_entry(RESULTS_MD, "Benchmark runs", RUNS_MARKER, entry)
    return json_path


def record_entry(results_md: Path, section: str, marker: str, entry: str) -> None:
    """Put `entry` first under `marker` in RESULTS.md (newest first), adding the section
    with its marker at the end the first time."""
    text = results_md.read_text()
    if marker not in text:
        text += f"\n## {section}\n\n{marker}\n"
    results_md.write_text(text.replace(marker, f"{marker}\n\n{entry}", 1))


if __name__ == "__main__":
    sys.exit(main())
