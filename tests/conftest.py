import os

import pytest
from django.core.cache import caches
from procrastinate.contrib.django import app as procrastinate_app
from procrastinate.testing import InMemoryConnector

from tests.databases import django_db_setup  # noqa: F401  (replaces pytest-django's)
from tests.factories import TEST_PASSWORD, UserFactory
from tests.servers import production_static, server_database_url  # noqa: F401  (fixtures)


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
