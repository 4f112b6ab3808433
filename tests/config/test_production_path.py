"""The Docker image's path without Docker: production settings, collectstatic, check --deploy,
then gunicorn started with the Dockerfile's own command line (through tests/servers.py)."""

import json
import shlex
from pathlib import Path

import pytest

from tests.servers import (
    Browser,
    GunicornServer,
    dockerfile_cmd,
    free_port,
    manage,
    production_env,
)

pytestmark = pytest.mark.processes


@pytest.fixture
def env(transactional_db, server_database_url, production_static):
    return production_env(server_database_url, DJANGO_STATIC_ROOT=production_static)


def test_check_deploy_is_clean(env):
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert "System check identified no issues" in result.stdout


def test_gunicorn_serves_health_and_static_files_with_production_settings(env, tmp_path):
    manifest = json.loads((Path(env["DJANGO_STATIC_ROOT"]) / "staticfiles.json").read_text())
    hashed_css = manifest["paths"]["css/site.css"]
    command = dockerfile_cmd()
    assert shlex.join(command) == "gunicorn config.wsgi --config gunicorn.conf.py"

    with GunicornServer(env, tmp_path / "gunicorn.log") as server:
        health = Browser().get(server.url("/healthz"))
        assert health.status == 200
        assert json.loads(health.body) == {"status": "ok", "database": "ok"}

        # behind the TLS-terminating proxy the request arrives marked as https
        css = Browser().get(server.url(f"/static/{hashed_css}"))
        assert css.status == 200
        assert b"--accent" in css.body
        assert "max-age=315360000" in css["Cache-Control"]

        home = Browser().get(server.url("/"))
        assert home.status == 200
        assert home["Strict-Transport-Security"].startswith("max-age=63072000")
        assert "default-src 'none'" in home["Content-Security-Policy"]

        # plain http is sent to https
        plain = Browser(https=False).get(server.url("/"))
        assert plain.status == 301
        assert plain["Location"].startswith("https://")


def test_healthz_answers_503_when_the_database_is_unreachable(env, tmp_path):
    down = {**env, "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/x"}

    with GunicornServer(down, tmp_path / "gunicorn.log") as server:
        health = Browser().get(server.url("/healthz"))

    assert health.status == 503
    assert json.loads(health.body)["database"] == "down"
