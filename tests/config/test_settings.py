"""Start-up in production mode: missing essentials stop it with one clear line."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
}


def run_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**PRODUCTION_ENV, **extra_env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("extra_env", "missing"),
    [
        ({"DATABASE_URL": "postgres://u@localhost/db"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "x" * 60}, "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without_essentials(extra_env, missing):
    result = run_check(extra_env)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"Configuration error: {missing} must be set when DJANGO_DEBUG is off "
        "(see README, 'Configuration')."
    ]


def test_database_connections_are_persistent_and_health_checked():
    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_time_zones_and_custom_user_model():
    assert settings.USE_TZ is True
    assert settings.AUTH_USER_MODEL == "accounts.User"


def production_cache_backend(**extra_env: str) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'])"
    )
    env = {
        **PRODUCTION_ENV,
        "DJANGO_SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://u@localhost/db",
        **extra_env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_shared_cache_is_the_default_outside_tests():
    # the suite itself swaps in a local-memory cache; production must share one across workers
    assert production_cache_backend() == "django.core.cache.backends.db.DatabaseCache"
    assert (
        production_cache_backend(REDIS_URL="redis://localhost:6379/0")
        == "django.core.cache.backends.redis.RedisCache"
    )
