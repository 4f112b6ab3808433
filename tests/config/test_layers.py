"""The layers hold: every import points down (pyproject.toml, [tool.importlinter]; README,
"Architecture"). `make lint` runs the same `lint-imports`; here it also runs on a copy of the
project with one import pointing up, which it must refuse — at module level or in a function."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def project_copy(destination: Path) -> Path:
    """The root packages' Python files and pyproject.toml, nothing else."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for package in config["tool"]["importlinter"]["root_packages"]:
        shutil.copytree(
            ROOT / package,
            destination / package,
            ignore=lambda folder, names: [
                name
                for name in names
                if (not name.endswith(".py") and not (Path(folder) / name).is_dir())
                or name == "__pycache__"
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", destination)
    return destination


def test_the_project_keeps_its_layers():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


UPWARD = {
    # the kit imports no app
    "kit/ids.py": ("import accounts.models\n", "kit.ids -> accounts.models"),
    # accounts knows nothing of notifications, which sits above it
    "accounts/geo.py": ("from notifications import kinds\n", "accounts.geo -> notifications.kinds"),
    # notifications knows no content app, not even inside a function
    "notifications/followers.py": (
        "\n\ndef story_model():\n    from stories.models import Story\n\n    return Story\n",
        "notifications.followers -> stories.models",
    ),
    # email in sits at the top beside home: notifications makes the reply addresses it reads,
    # and must not read them back from it
    "notifications/email_threads.py": (
        "import mailin.addresses\n",
        "notifications.email_threads -> mailin.addresses",
    ),
    # within the content apps: stories may use groups, groups may use cooperatives, not back
    "cooperatives/fields.py": ("import groups.models\n", "cooperatives.fields -> groups.models"),
}


@pytest.mark.parametrize("module", sorted(UPWARD))
def test_an_import_pointing_up_breaks_the_lint(tmp_path, module):
    copy = project_copy(tmp_path)
    code, named = UPWARD[module]
    with open(copy / module, "a") as file:
        file.write(code)

    result = lint_imports(copy)

    assert result.returncode != 0
    assert "1 broken" in result.stdout
    assert named in result.stdout
