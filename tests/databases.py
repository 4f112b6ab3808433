"""The test databases: a template database migrated once, and a copy of it for each xdist worker
(`make test` runs several), made with CREATE DATABASE … TEMPLATE in a fraction of a second.

The first worker to arrive migrates the template while the others wait (a PostgreSQL advisory
lock); each worker then runs on its own fresh copy, dropped at the end. The template is kept:
with `--reuse-db` the next run copies it again as long as no migration changed (a fingerprint of
every migration file is the template's comment); without it (CI) each run migrates it once
afresh. So every run starts from exactly the migrated data — the groups and permissions data
migrations create included — which a database kept from an earlier run would not have:
transactional tests empty every table when they end.

`django_db_setup` below replaces pytest-django's fixture of that name (tests/conftest.py offers
it); tests asking for `serialized_rollback` are not supported (none do).
"""

import hashlib
import sys
import uuid
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader


def migrations_fingerprint() -> str:
    """Changes when any migration of any app (ours or a dependency's), or Django, changes."""
    digest = hashlib.sha256(django.get_version().encode())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key, migration in sorted(loader.disk_migrations.items()):
        digest.update(repr(key).encode())
        digest.update(Path(sys.modules[migration.__module__].__file__).read_bytes())
    return digest.hexdigest()


def _template_comment(admin, template: str) -> str | None:
    admin.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [template],
    )
    row = admin.fetchone()
    return row[0] if row else None


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_modify_db_settings,  # names the database after the xdist worker: test_…_gw0
    django_db_keepdb,
    django_db_createdb,
):
    worker_db = connection.creation._get_test_db_name()
    worker_input = getattr(request.config, "workerinput", {})
    template = worker_db.removesuffix(f"_{worker_input.get('workerid')}") + "_template"
    wanted = migrations_fingerprint()
    if not django_db_keepdb or django_db_createdb:
        # migrate afresh once in this run: the workers share the run's id
        wanted += f" run {worker_input.get('testrunuid') or uuid.uuid4().hex}"

    with django_db_blocker.unblock():
        with connection._nodb_cursor() as admin:
            admin.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
            if _template_comment(admin, template) != wanted:
                connection.settings_dict["TEST"]["NAME"] = template
                connection.creation.create_test_db(
                    verbosity=request.config.option.verbose, autoclobber=True, serialize=False
                )
                connection.close()  # a database being copied may have no one connected
                admin.execute(f"COMMENT ON DATABASE {_quoted(template)} IS %s", [wanted])
            admin.execute(f"DROP DATABASE IF EXISTS {_quoted(worker_db)} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {_quoted(worker_db)} TEMPLATE {_quoted(template)}")
            admin.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
        settings.DATABASES["default"]["NAME"] = worker_db
        connection.settings_dict["NAME"] = worker_db
        connection.settings_dict["TEST"]["NAME"] = worker_db

    yield

    with django_db_blocker.unblock():
        connection.close()
        with connection._nodb_cursor() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {_quoted(worker_db)} WITH (FORCE)")
