"""Types hold (pyproject.toml, [tool.mypy]; README, "Development"). `make lint` runs mypy on the
whole project; here it checks a few real modules with two functions added — one unannotated,
one returning the wrong type — read from a copy (`--shadow-file`), so nothing in the tree
changes: the strict modules must refuse both, the others only the wrong type."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# as the Makefile's `lint` runs it: the plugin loads the settings, and opens no database
MYPY_ENV = {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://type-check.invalid/unused"}

# one module of each strict family: the kit, an app's services (a module and a package),
# querysets, permissions
STRICT = [
    "kit/ids.py",
    "stories/services.py",
    "groups/services/rsvps.py",
    "accounts/querysets.py",
    "groups/permissions.py",
]
PROBE_CACHE = ROOT / "var" / "mypy-probe-cache"
# checked, not strictly
LOOSE = ["stories/views.py", "home/dashboard.py"]

PROBE = """

def mypy_probe_untyped(value):
    return value


def mypy_probe_wrong_type() -> int:
    return "not a number"
"""


def mypy_with_probes(tmp_path: Path, modules: list[str]) -> tuple[str, dict[str, int]]:
    """mypy's output on `modules`, each read with PROBE added, and the line each probe starts."""
    args, probe_lines = [], {}
    for module in modules:
        source = (ROOT / module).read_text()
        probe_lines[module] = source.count("\n") + 3  # the line of `def mypy_probe_untyped`
        shadow = tmp_path / module.replace("/", "__")
        shadow.write_text(source + PROBE)
        args += ["--shadow-file", module, str(shadow)]
    result = subprocess.run(
        # a cache of its own: the probes must not stand in `make lint`'s cache for these modules
        [sys.executable, "-m", "mypy", "--cache-dir", str(PROBE_CACHE), *args, *modules],
        cwd=ROOT,
        env={**os.environ, **MYPY_ENV},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 2: mypy itself failed
    return result.stdout, probe_lines


def errors(output: str, code: str) -> set[tuple[str, int]]:
    """(file, line) of each error of `code` mypy reported."""
    pattern = re.compile(rf"^(\S+?):(\d+): error: .*\[{re.escape(code)}\]$", re.MULTILINE)
    return {(path, int(line)) for path, line in pattern.findall(output)}


def test_strict_modules_refuse_an_unannotated_function_and_the_others_take_it(tmp_path):
    output, probe_lines = mypy_with_probes(tmp_path, STRICT + LOOSE)

    untyped = errors(output, "no-untyped-def")
    wrong_type = errors(output, "return-value")

    assert untyped == {(module, probe_lines[module]) for module in STRICT}, output
    # every module is checked: the wrong return type is refused everywhere
    assert wrong_type == {(module, probe_lines[module] + 5) for module in STRICT + LOOSE}, output
    # and nothing else: the modules themselves pass
    assert len(re.findall(r": error: ", output)) == len(untyped) + len(wrong_type), output
