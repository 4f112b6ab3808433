"""`make test`'s template coverage (tests/template_coverage.py) traces each template node once
per process: it must record exactly the lines django_coverage_plugin records, here for
templates rendered again with other data, so that later renders reach branches the first did
not. Each plugin measures in a process of its own (coverage runs one tracer at a time)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

MEASURE = """
import json, sys
import coverage, django
from django.conf import settings

rc, templates = sys.argv[1:]
cov = coverage.Coverage(config_file=rc, data_file=None)
settings.configure(
    INSTALLED_APPS=[],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [templates], "OPTIONS": {"debug": True}}],
)
django.setup()
from django.template.loader import render_to_string
cov.start()
for context in ({"show": False, "items": []}, {"show": True, "items": [1, 2]}, {"show": True}):
    render_to_string("page.html", context)
cov.stop()
data = cov.get_data()
print(json.dumps({f.rsplit("/", 1)[1]: sorted(data.lines(f)) for f in data.measured_files()}))
"""

TEMPLATES = {
    "base.html": "<!doctype html>\n<title>{% block title %}Base{% endblock %}</title>\n"
    "{% block body %}\n<p>never shown</p>\n{% endblock %}\n",
    "page.html": """{% extends "base.html" %}{% load i18n %}
{% block title %}Page{% endblock %}
{% block body %}
<h1>Heading</h1>
{% if show %}
  <p>Shown only the second time</p>
  {% for item in items %}
    <li>{{ item|add:1 }}</li>
  {% empty %}
    <li>Nothing yet</li>
  {% endfor %}
{% else %}
  <p>Shown the first time</p>
{% endif %}
{% include "part.html" %}
{% blocktranslate count n=2 %}one{% plural %}{{ n }} many{% endblocktranslate %}
{% verbatim %}{{ kept as written }}{% endverbatim %}
{% endblock %}
""",
    "part.html": "<aside>\n{% if show %}A part{% endif %}\n</aside>\n",
}


def _lines_recorded_by(plugin: str, tmp_path: Path) -> dict[str, list[int]]:
    templates = tmp_path / "templates"
    templates.mkdir(exist_ok=True)
    for name, text in TEMPLATES.items():
        (templates / name).write_text(text)
    rc = tmp_path / f"{plugin}.rc"
    rc.write_text(f"[run]\nsource = {templates}\nplugins = {plugin}\n")
    # the outer `make test` coverage must not start itself in this process too
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE", "COVERAGE"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(rc), str(templates)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    return json.loads(result.stdout)


def test_nodes_traced_once_record_the_lines_the_original_plugin_records(tmp_path):
    original = _lines_recorded_by("django_coverage_plugin", tmp_path)
    once = _lines_recorded_by("tests.template_coverage", tmp_path)

    assert set(original) == {"base.html", "page.html", "part.html"}
    assert once == original
    page = TEMPLATES["page.html"].splitlines()
    reached_later = [page.index("  <p>Shown only the second time</p>") + 1]
    reached_later.append(page.index("    <li>{{ item|add:1 }}</li>") + 1)
    assert set(reached_later) <= set(once["page.html"])
