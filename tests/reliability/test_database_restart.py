"""PostgreSQL restarts while the site is under traffic: /healthz and every page that needs the
database say 503 (with Retry-After and the site's outage page) while it is down, the pages that
need no database keep working, and the same gunicorn workers recover by themselves once it is
back (persistent connections are health-checked, CONN_HEALTH_CHECKS)."""

import time

import pytest

from tests.servers import (
    Browser,
    GunicornServer,
    Load,
    postgres_start,
    postgres_stop,
    production_env,
)

pytestmark = pytest.mark.processes


def test_pages_are_503_while_the_database_is_down_and_the_site_recovers_alone(
    own_postgres, own_site_database, production_static, tmp_path
):
    socket_dir = own_postgres.get_postmaster_info().socket_dir
    env = production_env(own_site_database, DJANGO_STATIC_ROOT=production_static)
    with GunicornServer(env, tmp_path / "gunicorn.log") as site:
        workers = site.worker_pids()
        health, robots = site.url("/healthz"), site.url("/robots.txt")
        stories = site.url("/stories/")
        with Load([health, health, robots, stories], threads=3, pause=0.02) as load:
            load.wait_for(lambda r: r[2] == health and r[3] == 200, 10, "healthy answer")
            load.wait_for(lambda r: r[2] == stories and r[3] == 200, 10, "a page")

            postgres_stop(own_postgres)
            down_from = time.monotonic()
            load.wait_for(lambda r: r[0] > down_from and r[3] == 503, 10, "503 while down")
            page = Browser().get(stories)
            time.sleep(1)
            up_from = time.monotonic()
            postgres_start(own_postgres, socket_dir)
            up_at = time.monotonic()
            load.wait_for(lambda r: r[0] > up_at and r[2] == health and r[3] == 200, 15, "recovery")
            time.sleep(0.5)
        results = load.snapshot()

        assert site.worker_pids() == workers, "the app was restarted"
        assert site.process.poll() is None
    for url in (health, stories):
        while_down = [r[3] for r in results if r[2] == url and down_from < r[0] and r[1] < up_from]
        assert while_down, f"no requests for {url} while the database was down"
        assert set(while_down) == {503}
        after = [r[3] for r in results if r[2] == url and r[0] > up_at]
        assert after[-2:] == [200, 200]
    # the page said so as the site does, with no details of what failed
    assert page.status == 503
    assert int(page["Retry-After"]) > 0
    assert "We’ll be back in a moment" in page.text
    assert "Librarian Commons" in page.text
    for leak in ("OperationalError", "psycopg", "PGSQL", "Traceback"):
        assert leak not in page.text
    # a page that needs no database never noticed; nothing answered 500 or dropped a connection
    assert {r[3] for r in results if r[2] == robots} == {200}
    assert {r[3] for r in results} <= {200, 503}
