"""The benchmark harness's own parts: its page list works on demo data, it reads the request
log the app really writes, and it records results where RESULTS.md expects them."""

import logging
import urllib.parse
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from benchmarks import run
from benchmarks.mixed import WRITE_KINDS, continuing
from benchmarks.pages import PAGES, TRIVIAL, Page, first, named
from config.demo import seed
from config.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD


@pytest.mark.django_db
def test_every_benchmark_page_answers_on_the_bulk_demo_data(client):
    # scale 2 takes the bulk paths `make bench` takes at scale 500 (one seeding for all pages)
    seed(scale=2, demo_email=DEMO_EMAIL, demo_password=DEMO_PASSWORD)
    demo = get_user_model().objects.get(email=DEMO_EMAIL)
    failures = []
    for page in PAGES:
        client.logout()
        if page.member:
            client.force_login(demo)
        response = client.get(page.resolve(), secure=True)
        if response.status_code != 200:
            failures.append((page.name, response.status_code))

    assert failures == []


def test_the_trivial_page_does_no_database_work(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(TRIVIAL.resolve()).status_code == 200


@pytest.mark.django_db
def test_a_page_lacking_its_data_says_what_the_seed_must_add():
    page = Page("staff", lambda: first(get_user_model().objects.filter(is_staff=True), "staff"))

    with pytest.raises(LookupError, match="no staff: extend the app's seed step"):
        page.resolve()


def test_named_builds_a_url_with_a_query_string():
    assert named("stories:list", "tag=storytime")() == "/stories/?tag=storytime"


@pytest.mark.django_db
def test_the_harness_reads_the_request_log_line_the_app_writes(client, caplog):
    with caplog.at_level(logging.INFO, logger="librarian_commons.requests"):
        client.get("/healthz")
    line = next(r.getMessage() for r in caplog.records if r.name == "librarian_commons.requests")

    match = run.LOG_LINE.search(f"2026-01-01 12:00:00 INFO librarian_commons.requests {line}")

    assert match["path"] == "/healthz"
    assert match["status"] == "200"
    assert match["queries"] == "1"
    assert float(match["ms"]) >= 0


def test_percentile_picks_the_nearest_rank():
    values = sorted(float(n) for n in range(1, 101))

    assert run.percentile(values, 50) == 50.0
    assert run.percentile(values, 95) == 95.0
    assert run.percentile([7.0], 95) == 7.0


def fake_report(*, rps: float, p95: float, queries: int) -> dict:
    trivial = run.PageResult(TRIVIAL, "/robots.txt", 53)
    page = run.PageResult(Page("story list", "/stories/"), "/stories/", 4000)
    for _ in range(3):
        trivial.runs.append(run.Run(1000.0, 5.0, 9.0, 0, [1.0], [0]))
        page.runs.append(run.Run(rps, 10.0, p95, 0, [4.0, 6.0], [queries, queries]))
        page.ratios.append(rps / 1000.0)
    return {
        "command": "python -m benchmarks.run --scale 5",
        "date": "2026-01-02T03:04:05+00:00",
        "scale": 5,
        "stories_expected": 1000,
        "data": {"counts": {"members": 201}, "seed_seconds": 2.5},
        "machine": {
            "nproc": 2,
            "memory_gib": 23.5,
            "os": "Linux",
            "python": "3.11",
            "postgresql": "18.6",
            "gunicorn": "27",
            "gunicorn_workers": 5,
            "wrk": "wrk 4.1.0",
            "commit": "abc1234",
            "load_average_before": 1.0,
            "load_average_after": 1.5,
            "worker_restarts": 2,
        },
        "load": {"tool": "wrk -t2 -c8", "duration_s": 5, "rounds": 3},
        "trivial": trivial.summary(),
        "pages": [page.summary(trivial)],
    }


def test_results_are_recorded_newest_first_with_their_targets(tmp_path, monkeypatch):
    results_md = tmp_path / "RESULTS.md"
    results_md.write_text(f"# Results\n\n## Benchmark runs\n\n{run.RUNS_MARKER}\n\nolder entry\n")
    monkeypatch.setattr(run, "RESULTS_MD", results_md)
    monkeypatch.setattr(run, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(run, "BENCH_DIR", tmp_path)

    json_path = run.write_results(fake_report(rps=300.0, p95=120.0, queries=4))

    text = results_md.read_text()
    assert json_path.exists()
    assert text.index("scale 5") < text.index("older entry")
    assert "`python -m benchmarks.run --scale 5`" in text
    assert "2 CPUs (nproc)" in text
    assert "2 worker restarts" in text
    assert "| story list `/stories/` | 300 | 0.30 (0.30–0.30) |" in text
    assert "✗ ✗ ✓" in text  # ratio 0.30 < 0.35 and p95 120 ms missed; 4 queries met
    assert "some missed" in text


def test_compare_puts_each_pages_queries_at_two_scales_side_by_side():
    from benchmarks.compare import table

    def result(scale, queries):
        return {
            "scale": scale,
            "pages": [
                {"name": "story list", "member": False, "queries_median": queries,
                 "queries_max": queries, "server_p95_ms": 9.5},
                {"name": "dashboard", "member": True, "queries_median": 8,
                 "queries_max": 8 + scale // 500, "server_p95_ms": 20.0},
            ],
        }  # fmt: skip

    lines = table(result(5, 6), result(500, 7)).splitlines()

    assert lines[2] == "| story list | 6 | 7 | ✗ | 9.5 | 9.5 |"
    assert lines[3] == "| dashboard (member) | 8 | 8 (max 9) | ✓ | 20.0 | 20.0 |"


def _paths_wrk_asks_for(distinct: str) -> list[str]:
    """wrk runs the harness's own script against a server that records each path asked for;
    a server per run, so a late request of one run is never counted in the other."""
    import http.server
    import os
    import subprocess
    import threading

    paths = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/stories/?q=makerspace"
    try:
        subprocess.run(
            ["wrk", "-t2", "-c4", "-d1s", "-s", str(run.WRK_SCRIPT), url],
            env={**os.environ, "BENCH_DISTINCT": distinct},
            capture_output=True,
            check=True,
            timeout=30,
        )
    finally:
        server.shutdown()
    return list(paths)


def test_pages_rendered_afresh_ask_for_a_new_address_with_every_request():
    paths = _paths_wrk_asks_for(distinct="1")
    assert len(paths) > 10
    assert len(set(paths)) == len(paths)
    assert all(p.startswith("/stories/?q=makerspace&fresh=") for p in paths)

    assert set(_paths_wrk_asks_for(distinct="0")) == {"/stories/?q=makerspace"}


def _requests_wrk_makes(env: dict, url_path: str = "/stories/?q=makerspace") -> list[tuple]:
    """(path, Cookie header) of every request wrk makes with the harness's script and `env`,
    against a server of its own that records them."""
    import http.server
    import os
    import subprocess
    import threading

    seen = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Cookie")))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # wrk closes its connections mid-request when its time is up

    server = Server(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        subprocess.run(
            ["wrk", "-t2", "-c4", "-d1s", "-s", str(run.WRK_SCRIPT),
             f"http://127.0.0.1:{server.server_port}{url_path}"],
            env={**os.environ, **env},
            capture_output=True,
            check=True,
            timeout=30,
        )  # fmt: skip
    finally:
        server.shutdown()
    return list(seen)


def test_searches_rendered_afresh_ask_for_a_new_query_every_time(tmp_path):
    queries = [f"summer+reading+{n}" for n in range(5000)]
    (tmp_path / "queries.txt").write_text("\n".join(queries) + "\n")

    seen = _requests_wrk_makes(
        {"BENCH_DISTINCT": "1", "BENCH_QUERIES": str(tmp_path / "queries.txt")},
        "/stories/?q=makerspace&kind=success",
    )

    asked = [urllib.parse.parse_qs(urllib.parse.urlsplit(path).query) for path, _ in seen]
    assert len(asked) > 10
    assert len({query["q"][0] for query in asked}) == len(asked)  # no query twice
    assert all(query["q"][0].replace(" ", "+") in queries for query in asked)
    assert all(query["kind"] == ["success"] for query in asked)  # the rest of the address kept


def test_the_rotation_asks_for_every_address_in_turn_with_a_members_cookie_where_marked(
    tmp_path,
):
    (tmp_path / "rotation.txt").write_text("0 /\n1 /groups/\n0 /search/?q=summer+reading\n")

    seen = _requests_wrk_makes(
        {"BENCH_ROTATION": str(tmp_path / "rotation.txt"), "BENCH_COOKIE": "sessionid=abc"}
    )

    assert {path for path, _ in seen} == {"/", "/groups/", "/search/?q=summer+reading"}
    assert {cookie for path, cookie in seen if path == "/groups/"} == {"sessionid=abc"}
    assert {cookie for path, cookie in seen if path != "/groups/"} == {None}


def test_the_mixed_rotation_holds_every_page_and_fifty_distinct_searches():
    from benchmarks.mixed import rotation
    from benchmarks.pages import MIXED_PAGES, PAGES, SEARCHES

    names = {page.name for page in PAGES}
    assert set(MIXED_PAGES) <= names
    assert len(set(SEARCHES)) == len(SEARCHES) >= 50
    urls = {name: f"/{number}/" for number, name in enumerate(MIXED_PAGES)}

    entries = rotation(urls, dict.fromkeys(MIXED_PAGES, False), SEARCHES)

    searched = [url for _, url in entries if "q=" in url]
    assert len(set(searched)) == len(SEARCHES)
    assert {url for _, url in entries if "q=" not in url} == set(urls.values())


@pytest.mark.django_db(transaction=True)
def test_the_mixed_workloads_writer_posts_as_members_browsers_do(live_server):
    import queue

    from benchmarks import mixed
    from groups.models import RSVP
    from stories.models import Comment, HelpfulVote, SavedStory
    from tests.factories import MeetupFactory, MembershipFactory, StoryFactory

    meetup = MeetupFactory(
        start_date=(timezone.now() + timedelta(days=10)).date(), rrule="FREQ=WEEKLY;COUNT=3"
    )
    MembershipFactory.create_batch(3, group=meetup.group)
    StoryFactory.create_batch(4, status="published", published_at=timezone.now())
    plans = mixed.plan_writes(writers=3)
    assert all(plans[kind] for kind in mixed.WRITE_KINDS)
    out = queue.Queue()

    mixed.write_for(live_server.url, plans, per_second=20, seconds=1.0, out=out, scheme="http")

    log = out.get_nowait()
    assert log.done >= 15
    assert {key.split()[1] for key in log.statuses} == {"302"}  # all done, none refused
    assert {key.split()[0] for key in log.statuses} == set(mixed.WRITE_KINDS)
    assert Comment.objects.exists()
    assert RSVP.objects.exists()
    assert HelpfulVote.objects.exists() or SavedStory.objects.exists()


def test_the_mixed_workload_is_recorded_with_its_targets(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "RESULTS_MD", tmp_path / "RESULTS.md")
    monkeypatch.setattr(run, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(run, "BENCH_DIR", tmp_path)
    (tmp_path / "RESULTS.md").write_text("# Results\n")

    def reads(rps, p99, ms):
        paths = {"/": {"ms": [ms] * 20, "queries": [1] * 20, "status": {"200": 20}}}
        return {"rps": rps, "p50_ms": 2.0, "p95_ms": 9.0, "p99_ms": p99, "errors": 0,
                "by_path": paths}  # fmt: skip

    writes = {"writes": 25, "per_second": 5.0, "answered_ok": 25,
              "statuses": {"comment 302": 5, "rsvp 302": 20}, "p95_ms": 40.0}  # fmt: skip
    rounds = [
        {
            "trivial_rps": 1000.0,
            "quiet": reads(600.0, 30.0, 2.0),
            "busy": reads(300.0, 150.0, 120.0),
            "writes": writes,
        }
        for _ in range(3)
    ]
    summary = run.mixed_summary(rounds, [(False, "/"), (False, "/search/?q=x")], 5.0)
    report = fake_report(rps=400.0, p95=20.0, queries=4)
    report["mixed"] = summary

    run.write_results(report)

    text = (tmp_path / "RESULTS.md").read_text()
    assert summary["busy"]["ratio"] == 0.3
    assert summary["targets"] == {"ratio": True, "p99": True, "server_p95": False, "writes": True}
    assert "| 5.0 writes/s | 300 | 0.30 |" in text
    assert "| nobody writing | 600 | 0.60 |" in text
    assert "✓ ✓ ✗ ✓" in text  # the page at / answered in 120 ms at the server's p95
    assert "| `/` | 60 | 120.0 | 1 | 200: 60 |" in text
    assert "some missed" in text


def test_each_writing_window_goes_on_where_the_last_one_stopped():
    plans = {kind: [f"{kind} {n}" for n in range(7)] for kind in WRITE_KINDS}

    first = continuing(plans, per_second=5, seconds=2, window=0)
    third = continuing(plans, per_second=5, seconds=2, window=2)

    assert first["comment"][:2] == ["comment 0", "comment 1"]  # 2 of each kind a window
    assert third["comment"][:2] == ["comment 4", "comment 5"]
    assert sorted(third["comment"]) == sorted(plans["comment"])  # all of them, in turn
