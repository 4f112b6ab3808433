"""The Docker image's path without Docker: production settings, collectstatic, check --deploy,
then gunicorn started with the Dockerfile's own command line."""

import http.client
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent


def dockerfile_cmd() -> list[str]:
    text = (BASE_DIR / "Dockerfile").read_text()
    match = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert match, "the Dockerfile has no exec-form CMD"
    return json.loads(match.group(1))


def database_url_for(settings_dict: dict) -> str:
    host = settings_dict["HOST"] or settings_dict["OPTIONS"].get("host", "")
    name = settings_dict["NAME"]
    user = settings_dict["USER"]
    if host.startswith("/"):
        return f"postgresql://{user}@/{name}?host={host}"
    return f"postgresql://{user}:{settings_dict['PASSWORD']}@{host}:{settings_dict['PORT']}/{name}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_env(db, tmp_path):
    return {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "pN3w9kq-production-path-test-Zr8t2Lm5vXy7Qa1Bc4De6Fg0Hj3Kl9",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
    }


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def fetch(url: str, headers: dict | None = None):
    """GET without following redirects: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    client = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        client.request("GET", parts.path or "/", headers=headers or {})
        response = client.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        client.close()


def wait_until_serving(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer at {url}")


def test_check_deploy_is_clean(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_gunicorn_serves_health_and_static_files_with_production_settings(production_env):
    collected = manage(production_env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads(
        (Path(production_env["DJANGO_STATIC_ROOT"]) / "staticfiles.json").read_text()
    )
    hashed_css = manifest["paths"]["css/site.css"]

    command = dockerfile_cmd()
    assert command[0] == "gunicorn"
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), *command[1:]],
        cwd=BASE_DIR,
        env=production_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{production_env['PORT']}"
    try:
        wait_until_serving(base + "/healthz", process)

        status, headers, body = fetch(base + "/healthz")
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok"}

        # behind the TLS-terminating proxy the request arrives marked as https
        proxied = {"X-Forwarded-Proto": "https"}
        status, headers, body = fetch(f"{base}/static/{hashed_css}", proxied)
        assert status == 200
        assert b"--accent" in body
        assert "max-age=315360000" in headers["Cache-Control"]

        status, headers, _ = fetch(base + "/", proxied)
        assert status == 200
        assert headers["Strict-Transport-Security"].startswith("max-age=63072000")
        assert "default-src 'none'" in headers["Content-Security-Policy"]

        # plain http is sent to https
        status, headers, _ = fetch(base + "/")
        assert status == 301
        assert headers["Location"].startswith("https://")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert shlex.join(command) == "gunicorn config.wsgi --config gunicorn.conf.py"


def test_healthz_answers_503_when_the_database_is_unreachable(production_env):
    env = {**production_env, "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/x"}
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), *dockerfile_cmd()[1:]],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{env['PORT']}/healthz"
        wait_until_serving(url, process)
        status, _, body = fetch(url)
    finally:
        process.terminate()
        process.wait(timeout=30)

    assert status == 503
    assert json.loads(body)["database"] == "down"
