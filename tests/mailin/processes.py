"""Real processes for the mail receiver's tests: `manage.py receive_mail` on the test database,
a one-shot task worker, and a TCP pass-through to PostgreSQL that a test can cut and restore
(the database "goes away" for the receiver while the test keeps its own connection)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.servers import BASE_DIR, database_url_for, free_port, manage


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    """Development settings (the test suite's secret key and REPLY_DOMAIN defaults), on the
    given database, with emails printed to stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=database_url,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def process_database_url(django_db_setup, django_db_blocker) -> str:
    """The test database as a URL for other processes, with the database cache table the
    development settings use (rate limits live there)."""
    with django_db_blocker.unblock():
        url = database_url_for(connection.settings_dict)
    manage(process_env(url), "createcachetable")
    return url


class MailReceiver:
    """`manage.py receive_mail` in a process of its own."""

    def __init__(self, env: dict, log_path: Path, *, lmtp: bool = False):
        self.env = env
        self.port = free_port()
        self.log_path = log_path
        self.lmtp = lmtp
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> MailReceiver:
        command = [sys.executable, "manage.py", "receive_mail", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, *(["--lmtp"] if self.lmtp else [])],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"receive_mail exited:\n{self.log()}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return self
            time.sleep(0.1)
        self.__exit__()
        raise AssertionError(f"receive_mail did not listen:\n{self.log()}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


def run_worker_once(env: dict) -> subprocess.CompletedProcess:
    """Run every queued job, then stop (what `make run`'s worker does continuously)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "procrastinate", "worker", "--one-shot"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


class DatabasePassThrough:
    """127.0.0.1:<port> → PostgreSQL's unix socket, byte for byte. `cut()` drops every
    connection and stops listening (to a client, the database is gone); `restore()` listens
    on the same port again."""

    def __init__(self, settings_dict: dict):
        host = settings_dict["HOST"] or settings_dict["OPTIONS"].get("host", "")
        assert host.startswith("/"), "the embedded test database listens on a unix socket"
        self.target = f"{host}/.s.PGSQL.{settings_dict['PORT'] or 5432}"
        self.name, self.user = settings_dict["NAME"], settings_dict["USER"]
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.name}"

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            if self.listener is not None:
                # shutdown wakes the thread blocked in accept(); close alone would not
                with contextlib.suppress(OSError):
                    self.listener.shutdown(socket.SHUT_RDWR)
                self.listener.close()
                self.listener = None
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.socket(socket.AF_UNIX)
            server.connect(self.target)
            with self.lock:
                self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> DatabasePassThrough:
        self.restore()
        return self

    def __exit__(self, *exc) -> None:
        self.cut()
