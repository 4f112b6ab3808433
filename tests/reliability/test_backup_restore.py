"""`make backup` then `make restore` into a fresh database loses nothing: every table has the
same rows (count and a checksum of their content) and every sequence the same position."""

import subprocess
import sys
import uuid

import psycopg
import pytest
from django.test import Client
from psycopg import sql

from tests.factories import UserFactory
from tests.servers import BASE_DIR

pytestmark = pytest.mark.processes

SCRIPT = BASE_DIR / "scripts" / "db_backup.py"


def with_database(url: str, name: str) -> str:
    head, _, tail = url.partition("?")
    return head.rsplit("/", 1)[0] + f"/{name}" + (f"?{tail}" if tail else "")


def run(action: str, database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), action, *args],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def snapshot(database_url: str) -> dict:
    """Row count and an md5 of the ordered rows of every table; every sequence's position."""
    state = {}
    with psycopg.connect(database_url) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        ).fetchall()
        for schema, table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                "FROM {} t"
            ).format(sql.Identifier(schema, table))
            state[f"{schema}.{table}"] = tuple(conn.execute(query).fetchone())
        for schema, name in conn.execute(
            "SELECT schemaname, sequencename FROM pg_sequences ORDER BY 1, 2"
        ).fetchall():
            query = sql.SQL("SELECT last_value, is_called FROM {}").format(
                sql.Identifier(schema, name)
            )
            state[f"sequence {schema}.{name}"] = tuple(conn.execute(query).fetchone())
        state["extensions"] = conn.execute("SELECT extname FROM pg_extension ORDER BY 1").fetchall()
    return state


@pytest.fixture
def empty_database(server_database_url):
    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = with_database(server_database_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield with_database(server_database_url, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_backup_and_restore_into_a_fresh_database_lose_nothing(
    transactional_db, server_database_url, empty_database, tmp_path
):
    members = UserFactory.create_batch(3)
    members[0].profile.bio = "Ünïcode, 'quotes', \"doubles\", tabs\tand\nnew lines — ✓ 📚"
    members[0].profile.save()
    Client().force_login(members[1])  # a session row too
    dump = tmp_path / "site.dump"

    backed_up = run("backup", server_database_url, "--file", str(dump))
    assert backed_up.returncode == 0, backed_up.stderr
    restored = run("restore", empty_database, "--file", str(dump))
    assert restored.returncode == 0, restored.stderr

    before, after = snapshot(server_database_url), snapshot(empty_database)
    assert before["public.accounts_user"][0] == 3
    assert before["public.django_session"][0] == 1
    assert after == before


def test_restore_refuses_to_overwrite_a_database_unless_forced(
    transactional_db, server_database_url, empty_database, tmp_path
):
    UserFactory()
    dump = tmp_path / "site.dump"
    assert run("backup", server_database_url, "--file", str(dump)).returncode == 0
    assert run("restore", empty_database, "--file", str(dump)).returncode == 0
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute("DELETE FROM django_session")
        conn.execute("UPDATE accounts_profile SET bio = 'changed after the backup'")

    refused = run("restore", empty_database, "--file", str(dump))
    assert refused.returncode == 1
    assert "--force" in refused.stderr
    with psycopg.connect(empty_database) as conn:
        bio = conn.execute("SELECT bio FROM accounts_profile").fetchone()[0]
    assert bio == "changed after the backup"

    forced = run("restore", empty_database, "--file", str(dump), "--force")
    assert forced.returncode == 0, forced.stderr
    assert snapshot(empty_database) == snapshot(server_database_url)


def test_a_failed_backup_leaves_no_file_behind(tmp_path):
    dump = tmp_path / "site.dump"

    failed = run("backup", "postgresql://nobody@127.0.0.1:1/nothing", "--file", str(dump))

    assert failed.returncode != 0
    assert "Backup failed" in failed.stderr
    assert list(tmp_path.iterdir()) == []
