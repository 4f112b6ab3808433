"""The embedded PostgreSQL of a fresh checkout, asked for by several processes at the same moment
(parallel test workers, `make run` beside `make test`): each one gets the same server and
database, none fails."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.processes

PROCESSES = 4
ATTACH = """
import sys, time
from pathlib import Path
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.001)
from kit.embedded_db import embedded_database_url
print(embedded_database_url())
"""


def test_processes_starting_at_once_share_one_server_and_database():
    # outside pytest's temporary folders: as root the server runs as a user of its own, and every
    # pytest process starting closes those folders to other users again
    with tempfile.TemporaryDirectory(prefix="lc-embedded-db-") as folder:
        go = Path(folder) / "go"
        env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
        env["EMBEDDED_PG_DIR"] = str(Path(folder) / "pgdata")
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", ATTACH, str(go)],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(PROCESSES)
        ]
        time.sleep(1)  # all of them started and waiting
        go.touch()
        outcomes = [process.communicate(timeout=120) for process in processes]

        failures = [err for (_, err), p in zip(outcomes, processes, strict=True) if p.returncode]
        assert failures == []
        urls = {out.strip() for out, _ in outcomes}
        assert len(urls) == 1
        assert urls.pop().startswith("postgresql://postgres:@/librarian_commons?host=")
