"""While the database cannot be reached, every page answers 503 with Retry-After and the site's
own page, so proxies and monitors see an outage rather than a bug; a fault in one query is
still a 500. (tests/reliability/test_database_restart.py does the same with a stopped server.)"""

from contextlib import contextmanager
from unittest import mock

import psycopg
import pytest
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client
from django.urls import reverse

from kit.views import database_unreachable
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def server_stopped():
    """What psycopg raises when the server is stopped."""
    return psycopg.OperationalError(
        'connection failed: connection to server on socket "/srv/pgdata/.s.PGSQL.5432" failed: '
        "No such file or directory"
    )


@contextmanager
def database_failing_with(error):
    """Every query fails with `error()`, raised by the driver as a lost server raises it."""

    def create_cursor(self, name=None):
        raise error()

    with mock.patch.object(DatabaseWrapper, "create_cursor", create_cursor):
        yield


@pytest.fixture
def visitor():
    # the test client re-raises a view's exception by default; a browser gets the response
    return Client(raise_request_exception=False)


def assert_outage_page(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]  # never kept by a proxy once we are back
    page = response.content.decode()
    assert "Librarian Commons" in page
    assert '<main id="main"' in page
    assert "<h1>" in page
    # nothing about what failed, or where
    for leak in ("OperationalError", "psycopg", "PGSQL", "socket", "Traceback", "/srv/"):
        assert leak not in page


def test_every_kind_of_page_answers_503_while_the_database_is_down(visitor):
    story = StoryFactory()
    member = UserFactory()
    pages = [
        reverse("home"),
        reverse("stories:list"),
        story.get_absolute_url(),
        member.get_absolute_url(),
        reverse("groups:list"),
        reverse("cooperatives:list"),
        reverse("search") + "?q=rota",
        reverse("account_login"),
    ]

    with database_failing_with(server_stopped):
        for page in pages:
            assert_outage_page(visitor.get(page))
        # a form sent meanwhile: not stored, and said so in the same way
        assert_outage_page(
            visitor.post(reverse("account_login"), {"login": "a@b.example", "password": "x"})
        )


def test_a_signed_in_member_gets_the_outage_page_too(visitor):
    visitor.force_login(UserFactory())

    with database_failing_with(server_stopped):
        assert_outage_page(visitor.get(reverse("notifications:list")))


def test_a_connection_closed_under_the_site_is_an_outage(visitor):
    with database_failing_with(lambda: psycopg.InterfaceError("the connection is closed")):
        assert_outage_page(visitor.get(reverse("stories:list")))


def test_the_server_shutting_down_is_an_outage(visitor):
    def shutting_down():
        return psycopg.errors.AdminShutdown("terminating connection due to administrator command")

    with database_failing_with(shutting_down):
        assert_outage_page(visitor.get(reverse("stories:list")))


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.DeadlockDetected,
        psycopg.errors.QueryCanceled,
        psycopg.errors.UndefinedTable,
    ],
    ids=["deadlock", "statement timeout", "missing table"],
)
def test_a_fault_in_a_query_is_still_a_server_error(visitor, error):
    with database_failing_with(lambda: error("one query failed")):
        response = visitor.get(reverse("stories:list"))

    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    assert b"Something went wrong on our side" in response.content


def test_healthz_tells_monitors_when_to_look_again(client):
    with database_failing_with(server_stopped):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("error", "unreachable"),
    [
        (server_stopped(), True),
        (psycopg.InterfaceError("the connection is closed"), True),
        (psycopg.errors.AdminShutdown("terminating connection"), True),
        (psycopg.errors.CannotConnectNow("the database system is starting up"), True),
        (psycopg.errors.TooManyConnections("too many clients already"), True),
        (psycopg.errors.DeadlockDetected("deadlock detected"), False),
        (psycopg.errors.UniqueViolation("duplicate key"), False),
        (ValueError("not a database error"), False),
        (None, False),
    ],
)
def test_what_counts_as_the_database_being_unreachable(error, unreachable):
    assert database_unreachable(error) is unreachable


def test_an_error_raised_from_a_lost_connection_is_still_an_outage():
    def defer_email():
        try:
            raise server_stopped()
        except psycopg.OperationalError as lost:
            raise RuntimeError("could not defer the email") from lost

    with pytest.raises(RuntimeError) as raised:
        defer_email()

    assert database_unreachable(raised.value)
