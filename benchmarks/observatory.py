"""Mozilla HTTP Observatory scan of the production settings, on loopback only.

    npm install --no-save --ignore-scripts @mdn/mdn-http-observatory   # once
    python -m benchmarks.observatory          # records grade and score in benchmarks/RESULTS.md

The scanner only looks at ports 80 and 443 of a host, so this binds two gunicorn servers with
the production settings and the Dockerfile's command line to 127.0.0.1: HTTPS on 443 (a
throw-away self-signed certificate the scanner is told to trust) and plain HTTP on 80 (which
must redirect to HTTPS). Binding those ports needs root (or CAP_NET_BIND_SERVICE). With
`--if-available` (as `make bench` calls it) a missing scanner, node or port is reported and
skipped instead of failing.
"""

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.run import (
    BASE_DIR,
    BENCH_DIR,
    RESULTS_DIR,
    RESULTS_MD,
    VENV_BIN,
    dockerfile_command,
    manage,
    production_env,
    record_entry,
)

WORK_DIR = BASE_DIR / "var" / "observatory"
MARKER = "<!-- observatory:runs (newest first; written by benchmarks/observatory.py) -->"
PACKAGE = Path(
    os.environ.get("OBSERVATORY_DIR", BASE_DIR / "node_modules" / "@mdn" / "mdn-http-observatory")
)
INSTALL = (
    "The Observatory scanner is not installed: run "
    "`npm install --no-save --ignore-scripts @mdn/mdn-http-observatory` in the project folder "
    "(or set OBSERVATORY_DIR to where it is)."
)
TARGET_SCORE = 120


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--if-available", action="store_true", help="skip, don't fail")
    parser.add_argument("--no-write", action="store_true", help="print, don't record")
    args = parser.parse_args(argv)

    problem = missing_prerequisite()
    if problem:
        print(f"Observatory scan skipped: {problem}", file=sys.stderr)
        return 0 if args.if_available else 2

    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    # the scanner reads Chrome's HSTS preload list from here; an empty one is fine offline
    preload = PACKAGE / "conf" / "hsts-preload.json"
    if not preload.exists():
        preload.write_text("{}\n")
    cert, key = self_signed_certificate()

    env = production_env(database_url())
    env["DJANGO_STATIC_ROOT"] = str(WORK_DIR / "static")
    env["WEB_CONCURRENCY"] = "1"
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")

    with gunicorn(env, 443, "--certfile", str(cert), "--keyfile", str(key)), gunicorn(env, 80):
        scan = subprocess.run(
            ["node", "src/scan.js", "127.0.0.1"],
            cwd=PACKAGE,
            env={**os.environ, "NODE_EXTRA_CA_CERTS": str(cert)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    try:
        result = json.loads(scan.stdout)
    except json.JSONDecodeError:
        print(f"The scanner failed:\n{scan.stdout}\n{scan.stderr}", file=sys.stderr)
        return 1
    if "error" in result:
        print(f"The scanner failed: {result['error']}", file=sys.stderr)
        return 1

    summary = summarise(result)
    print(report_markdown(summary))
    if not args.no_write:
        record(summary, result)
    return 0 if summary["score"] >= TARGET_SCORE else 1


def missing_prerequisite() -> str:
    if not shutil.which("node"):
        return "node is not installed."
    if not (PACKAGE / "src" / "scan.js").exists():
        return INSTALL
    if not shutil.which("openssl"):
        return "openssl is not installed (it makes the self-signed certificate)."
    for port in (80, 443):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except PermissionError:
                return f"binding port {port} needs root (the scanner only scans 80 and 443)."
            except OSError:
                return f"127.0.0.1:{port} is in use."
    return ""


def database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    from kit.embedded_db import embedded_database_url

    return embedded_database_url()  # kept running while this process lives


def self_signed_certificate() -> tuple[Path, Path]:
    cert, key = WORK_DIR / "cert.pem", WORK_DIR / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextlib.contextmanager
def gunicorn(env: dict, port: int, *extra: str):
    command = dockerfile_command()
    log = (WORK_DIR / f"gunicorn-{port}.log").open("w")
    process = subprocess.Popen(
        [str(VENV_BIN / command[0]), *command[1:], *extra],
        cwd=BASE_DIR,
        env={**env, "PORT": str(port), "HOST": "127.0.0.1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn on port {port} exited: see {log.name}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn on port {port} did not start: see {log.name}")
            time.sleep(0.3)
        time.sleep(1)  # the socket binds before the workers have imported Django
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def summarise(result: dict) -> dict:
    scan = result["scan"]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "grade": scan["grade"],
        "score": scan["score"],
        "tests_passed": scan.get("testsPassed"),
        "tests_quantity": scan.get("testsQuantity"),
        "algorithm_version": scan.get("algorithmVersion"),
        "tests": {
            name: {
                "pass": test.get("pass"),
                "result": test.get("result"),
                "score_modifier": test.get("scoreModifier"),
            }
            for name, test in sorted(result["tests"].items())
        },
        "commit": subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            cwd=BASE_DIR,
        ).stdout.strip(),
        "scanner": json.loads((PACKAGE / "package.json").read_text())["version"],
    }


def report_markdown(summary: dict) -> str:
    rows = [
        f"**{summary['grade']}, score {summary['score']}** "
        f"({summary['tests_passed']}/{summary['tests_quantity']} tests passed; target A+ ≥ "
        f"{TARGET_SCORE}: {'met' if summary['score'] >= TARGET_SCORE else 'missed'})",
        "",
        "| test | result | score |",
        "| --- | --- | ---: |",
    ]
    for name, test in summary["tests"].items():
        mark = "✓" if test["pass"] else "✗"
        rows.append(f"| {name} {mark} | `{test['result']}` | {test['score_modifier']:+d} |")
    return "\n".join(rows)


def record(summary: dict, raw: dict) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = summary["date"].replace(":", "").replace("-", "")[:13]
    json_path = RESULTS_DIR / f"{stamp}-observatory.json"
    json_path.write_text(json.dumps({**summary, "raw": raw}, indent=2) + "\n")
    entry = "\n".join(
        [
            f"### {summary['date'][:16].replace('T', ' ')} UTC — {summary['grade']}, "
            f"score {summary['score']}",
            "",
            f"- Command: `python -m benchmarks.observatory` (commit {summary['commit']}); "
            f"@mdn/mdn-http-observatory {summary['scanner']}, `node src/scan.js 127.0.0.1` "
            "against gunicorn with the production settings on 127.0.0.1:443 (self-signed "
            "certificate) and :80",
            f"- Raw result: `{json_path.relative_to(BENCH_DIR)}`",
            "",
            report_markdown(summary),
            "",
        ]
    )
    record_entry(RESULTS_MD, "Mozilla HTTP Observatory", MARKER, entry)
    print(f"\nRecorded in benchmarks/RESULTS.md and {json_path.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    sys.exit(main())
