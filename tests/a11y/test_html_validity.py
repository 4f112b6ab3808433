"""The Nu HTML Checker (vnu.jar) finds 0 errors on every page a member and an organizer can
reach (the same pages as the axe test). It needs Java and `npm install vnu-jar` (done by
.ci/run); where either is missing the test says so and is skipped."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.a11y.test_every_page import reachable_pages
from tests.security.site_map import build_world

VNU = Path(__file__).resolve().parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar"


@pytest.mark.django_db
def test_every_reachable_page_is_valid_html(tmp_path):
    if not VNU.exists() or not shutil.which("java"):
        pytest.skip("needs Java and `npm install vnu-jar` (see .ci/run)")
    world = build_world()
    files = {}
    for who in (world.owner, world.other):
        client = Client()
        client.force_login(who)
        client.get("/")
        for path in reachable_pages(world, who):
            html = client.get(path).content
            name = tmp_path / f"{len(files):03d}.html"
            name.write_bytes(html)
            files[str(name)] = f"{who.display_name}: {path}"
    assert len(files) >= 50

    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stdout)["messages"]
    errors = sorted({(files[m["url"].removeprefix("file:")], m["message"]) for m in messages})
    assert errors == [], "\n".join(f"{page}: {message}" for page, message in errors)
