"""Generation numbers in the shared cache: they move on with every change and never lapse."""

import pytest
from django.core.management import call_command
from django.db import connection

from kit.generations import Generation

pytestmark = pytest.mark.django_db


def test_a_generation_moved_on_in_the_database_cache_never_expires(settings):
    # Django's `incr` on the database cache rewrites the row with the default 5-minute timeout:
    # the number lapsed and came back as a new one, dropping every kept page and figure
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "test_generation_cache",
        },
    }
    call_command("createcachetable", verbosity=0)  # inside the test's transaction
    lists = Generation("test:generation")
    first = lists.current()

    lists.move_on()

    assert lists.current() == first + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM test_generation_cache")
        [(expires,)] = cursor.fetchall()
    assert expires.year == 9999  # the database cache's "never"
