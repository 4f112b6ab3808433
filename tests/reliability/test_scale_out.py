"""Two app servers on different ports, sharing one database, behave as one site: sessions, rate
limits (in the database cache) and the task queue are shared, nothing lives in one process."""

import subprocess
import sys

import psycopg
import pytest

from tests.factories import TEST_PASSWORD, UserFactory
from tests.servers import (
    BASE_DIR,
    Browser,
    GunicornServer,
    clear_shared_cache,
    production_env,
    production_password,
    serving,
)

pytestmark = pytest.mark.processes


@pytest.fixture(scope="module")
def servers(server_database_url, production_static, tmp_path_factory):
    logs = tmp_path_factory.mktemp("gunicorn")
    a, b = (
        GunicornServer(
            production_env(server_database_url, DJANGO_STATIC_ROOT=production_static),
            logs / f"{name}.log",
        )
        for name in "ab"
    )
    with serving(a, b):
        yield a, b


@pytest.fixture
def shared_member(transactional_db, server_database_url):
    """A member the servers can see (committed), with a password they can check."""
    clear_shared_cache(server_database_url)
    user = UserFactory()
    production_password(user, TEST_PASSWORD)
    yield user
    clear_shared_cache(server_database_url)


def test_a_member_signed_in_through_one_server_is_signed_in_on_the_other(servers, shared_member):
    a, b = servers
    browser = Browser()

    assert browser.log_in(a, shared_member.email, TEST_PASSWORD).status == 302
    page = browser.get(b.url("/notifications/"))

    assert page.status == 200
    assert "Log out" in page.text
    # the control: without the session cookie, B sends a visitor to the login page
    assert Browser().get(b.url("/notifications/")).status == 302


def test_failed_logins_counted_on_one_server_lock_the_account_on_the_other(servers, shared_member):
    a, b = servers

    for _ in range(5):
        attempt = Browser().log_in(a, shared_member.email, "not-the-password")
        assert attempt.status == 200
        assert "Too many failed login attempts" not in attempt.text
    sixth = Browser().log_in(b, shared_member.email, TEST_PASSWORD)

    assert sixth.status == 200, "signed in despite five failures on the other server"
    assert "Too many failed login attempts" in sixth.text


def test_a_task_deferred_through_one_server_is_run_by_a_worker_beside_the_other(
    servers, shared_member, server_database_url
):
    a, b = servers
    with psycopg.connect(server_database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM procrastinate_jobs WHERE status = 'todo'")

    reset = Browser().submit(a.url("/accounts/password/reset/"), {"email": shared_member.email})
    assert reset.status == 302
    with psycopg.connect(server_database_url, autocommit=True) as conn:
        jobs = conn.execute(
            "SELECT id FROM procrastinate_jobs WHERE task_name LIKE %s AND status = 'todo'",
            ["%email_message_send"],
        ).fetchall()
    assert len(jobs) == 1, "the password-reset email was not queued"

    worker = subprocess.run(
        [sys.executable, "manage.py", "procrastinate", "worker", "--one-shot"],
        cwd=BASE_DIR,
        env=b.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert worker.returncode == 0, worker.stderr
    assert f"To: {shared_member.email}" in worker.stdout  # the console email backend's output
    assert "/accounts/password/reset/key/" in worker.stdout
    with psycopg.connect(server_database_url, autocommit=True) as conn:
        status = conn.execute(
            "SELECT status FROM procrastinate_jobs WHERE id = %s", [jobs[0][0]]
        ).fetchone()[0]
    assert status == "succeeded"
