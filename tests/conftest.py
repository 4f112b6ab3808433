import os

import pytest
from django.core.cache import caches
from django.db import connection
from procrastinate.contrib.django import app as procrastinate_app
from procrastinate.testing import InMemoryConnector

from kit import scopes
from tests.databases import django_db_setup  # noqa: F401  (replaces pytest-django's)
from tests.factories import TEST_PASSWORD, UserFactory
from tests.servers import (  # noqa: F401  (fixtures)
    own_postgres,
    own_site_database,
    production_static,
    server_database_url,
)


def pytest_xdist_auto_num_workers(config):
    # `-n auto`: a worker per core and one more, which runs while the browser and process tests
    # of the others wait on Chromium, gunicorn or PostgreSQL
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items):
    # browser tests last: they are the slowest and keep an event loop in the main thread
    items.sort(key=lambda item: "/tests/browser/" in str(item.path))


@pytest.fixture(autouse=True)
def _clear_cache():
    # rate-limit counters and cached fragments must not leak from one test into another
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _forget_jobs_in_the_database(request, django_db_blocker):
    """Django's flush after a transactional test empties only managed tables, and the task
    queue's are not: jobs that real processes (workers, the mail receiver, gunicorn) stored in
    the test database would be run by the next test's worker."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in (
        request.fixturenames
    )
    if not (transactional or (marker and marker.kwargs.get("transaction"))):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%'"
        )
        tables = cursor.fetchone()[0]
        if tables:
            cursor.execute(f"TRUNCATE {tables} CASCADE")


@pytest.fixture(autouse=True)
def _scopes_move_on_at_once(monkeypatch):
    # a test's transaction never commits, so Django never runs on-commit callbacks in it: what
    # a change outside a request (a factory, a task) changes moves on at once instead
    monkeypatch.setattr(scopes, "after_commit", lambda move_on: move_on())


@pytest.fixture(autouse=True)
def _vocabulary_moves_on_at_once(request):
    """The same for the vocabulary of search words (kit/spelling.py): PostgreSQL moves the
    `spelling` scope on when a change to it commits (a deferred trigger); in a test's
    transaction, at the end of each statement instead. Tests that commit need nothing."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        return
    if marker is not None and marker.kwargs.get("transaction"):
        return
    if marker is None and "db" not in names:
        return
    request.getfixturevalue("db")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS search_words_move_on IMMEDIATE")


class TaskQueue:
    """Deferred jobs held in memory; `run_all()` runs them here, in the test's own transaction."""

    def __init__(self, app, connector):
        self.app = app
        self.connector = connector

    def jobs(self, task_name: str | None = None) -> list[dict]:
        return [
            job
            for job in self.connector.jobs.values()
            if task_name is None or job["task_name"].endswith(task_name)
        ]

    def run_all(self) -> int:
        ran = 0
        while todo := [job for job in self.connector.jobs.values() if job["status"] == "todo"]:
            for job in todo:
                job["status"] = "doing"
                self.app.tasks[job["task_name"]](**job["args"])
                job["status"] = "succeeded"
                ran += 1
        return ran


def _run_to_completion(coroutine):
    """The in-memory connector's coroutines never wait on anything: finish them right here,
    so deferring also works in a thread with a running event loop (Playwright's)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the in-memory task queue unexpectedly waited")


class SyncInMemoryConnector(InMemoryConnector):
    def execute_query(self, query, **arguments):
        return _run_to_completion(self.execute_query_async(query, **arguments))

    def execute_query_one(self, query, **arguments):
        return _run_to_completion(self.execute_query_one_async(query, **arguments))

    def execute_query_all(self, query, **arguments):
        return _run_to_completion(self.execute_query_all_async(query, **arguments))

    def execute_query_one_with_connection(self, connection, query, **arguments):
        return self.execute_query_one(query, **arguments)

    def execute_query_all_with_connection(self, connection, query, **arguments):
        return self.execute_query_all(query, **arguments)


@pytest.fixture(autouse=True)
def task_queue():
    connector = SyncInMemoryConnector()
    with procrastinate_app.replace_connector(connector) as app:
        yield TaskQueue(app, connector)


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
