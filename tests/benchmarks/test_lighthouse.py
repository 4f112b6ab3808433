"""benchmarks/lighthouse.py's own parts: its pages answer on demo data as the visitor it scans
them as, it reads Lighthouse's report the way the categories score it, and it records
results newest first with the failures (and the by-design ones) spelled out."""

import pytest
from django.contrib.auth import get_user_model

from benchmarks import lighthouse
from config.demo import seed
from config.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD


@pytest.fixture
def demo_member(db):
    seed(scale=1, demo_email=DEMO_EMAIL, demo_password=DEMO_PASSWORD)
    return get_user_model().objects.get(email=DEMO_EMAIL)


def test_every_scanned_page_answers_on_demo_data_as_its_visitor(client, demo_member):
    scanned = lighthouse.pages()
    names = [name for name, _, _ in scanned]
    for wanted in ("home", "story list", "story", "group", "cooperative directory"):
        assert wanted in names
    for name, path, member in scanned:
        client.logout()
        if member:
            client.force_login(demo_member)
            client.get("/", secure=True)
        response = client.get(path, secure=True)
        assert response.status_code == 200, name
        assert ("Log out" if member else "Log in") in response.content.decode(), name


def audit(score, mode="binary", **extra):
    return {"title": "An audit", "score": score, "scoreDisplayMode": mode, **extra}


def fake_lhr() -> dict:
    refs = {
        "accessibility": ["color-contrast", "aria-valid-attr", "manual-one"],
        "best-practices": ["errors-in-console", "csp-xss"],
        "seo": ["is-crawlable"],
    }
    return {
        "finalDisplayedUrl": "https://127.0.0.1:1/accounts/login/",
        "runWarnings": [],
        "categories": {
            "accessibility": {
                "score": 0.956,
                "auditRefs": [{"id": i, "weight": 7} for i in refs["accessibility"]],
            },
            "best-practices": {
                "score": 1,
                "auditRefs": [{"id": i, "weight": 1} for i in refs["best-practices"]],
            },
            "seo": {"score": 0.63, "auditRefs": [{"id": "is-crawlable", "weight": 4.6}]},
        },
        "audits": {
            "color-contrast": audit(
                0,
                details={
                    "items": [
                        {"node": {"selector": "p.muted", "snippet": "<p>", "boundingRect": {}}}
                    ]
                },
            ),
            "aria-valid-attr": audit(1),
            "manual-one": audit(None, "manual"),
            "errors-in-console": audit(1),
            "csp-xss": audit(None, "notApplicable"),
            "is-crawlable": audit(0),
        },
    }


def test_a_report_is_summarised_to_scores_and_the_scored_audits_that_failed():
    summary = lighthouse.summarise_page("log in", "/accounts/login/", False, "mobile", fake_lhr())

    assert summary["scores"] == {"accessibility": 96, "best-practices": 100, "seo": 63}
    assert [a["id"] for a in summary["failing"]] == ["color-contrast", "is-crawlable"]
    assert summary["failing"][0]["items"] == [{"selector": "p.muted", "snippet": "<p>"}]


def test_results_are_recorded_newest_first_with_failures_and_their_reasons(tmp_path, monkeypatch):
    results_md = tmp_path / "RESULTS.md"
    results_md.write_text(f"# Results\n\n## Lighthouse\n\n{lighthouse.MARKER}\n\nolder entry\n")
    monkeypatch.setattr(lighthouse, "RESULTS_MD", results_md)
    monkeypatch.setattr(lighthouse, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(lighthouse, "BENCH_DIR", tmp_path)
    login = lighthouse.summarise_page("log in", "/accounts/login/", False, "mobile", fake_lhr())
    report = {
        "command": "python -m benchmarks.lighthouse --form-factors mobile",
        "date": "2026-01-02T03:04:05+00:00",
        "scale": 1,
        "machine": {
            "nproc": 2,
            "memory_gib": 23.5,
            "os": "Linux",
            "python": "3.11",
            "node": "v20",
            "lighthouse": "12.8.2",
            "chromium": "Chromium 1",
            "commit": "abc1234",
        },
        "pages": [login],
    }

    json_path = lighthouse.record(report)

    text = results_md.read_text()
    assert json_path.exists()
    assert text.index("accessibility lowest 96") < text.index("older entry")
    assert "| log in `/accounts/login/` | 96 | 100 | 63 |" in text
    assert "accessibility 100 on every page: missed" in text
    assert "`color-contrast` — An audit: log in (mobile)\n" in text
    assert "`is-crawlable` — An audit: log in (mobile) — by design: robots.txt" in text
