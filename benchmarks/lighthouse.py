"""Lighthouse (accessibility, best practices, SEO) on the main pages, with the production settings.

    npm install --no-save --no-audit --no-fund lighthouse@12   # once, in the project folder
    python -m benchmarks.lighthouse                  # mobile and desktop, recorded in RESULTS.md
    python -m benchmarks.lighthouse --form-factors mobile --pages story --no-write

Steps: (1) a database of its own (`librarian_commons_bench_<scale>` on the embedded server, as
`make bench` uses, or DATABASE_URL) is migrated and, unless it already has them, filled by
`manage.py seed_demo --scale N` (default 1: 40 members, 200 stories); (2) gunicorn serves it
with the production settings and the Dockerfile's command line over HTTPS on 127.0.0.1 with a
throw-away self-signed certificate, so the headers Lighthouse sees (HSTS, secure cookies, CSP,
the http→https redirect) are the ones production sends; (3) Lighthouse runs each page in the
system Chromium (CHROME_PATH, else `chromium`), told to trust that one certificate by its
public-key hash (`--ignore-certificate-errors-spki-list`, not a blanket
`--ignore-certificate-errors`), with every host but 127.0.0.1 unresolvable so nothing leaves
the machine. Member pages send the demo member's session cookie with `--extra-headers`.
Scores go to benchmarks/RESULTS.md (newest first) and benchmarks/results/<time>-lighthouse.json
(scores and every audit that did not pass, per page and form factor). The target is 100 on
accessibility on every page: the exit status is 1 when one misses it.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import ssl
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.observatory import gunicorn, self_signed_certificate
from benchmarks.run import (
    BASE_DIR,
    BENCH_DIR,
    RESULTS_DIR,
    RESULTS_MD,
    bench_database,
    build_data,
    free_port,
    member_cookie,
    prepare,
    production_env,
    record_entry,
)

WORK_DIR = BASE_DIR / "var" / "lighthouse"
MARKER = "<!-- lighthouse:runs (newest first; written by benchmarks/lighthouse.py) -->"
PACKAGE = Path(os.environ.get("LIGHTHOUSE_DIR", BASE_DIR / "node_modules" / "lighthouse"))
INSTALL = (
    "Lighthouse is not installed: run `npm install --no-save --no-audit --no-fund lighthouse@12` "
    "in the project folder (or set LIGHTHOUSE_DIR to where it is). It is only needed for this "
    "scan, not by `make test`."
)
CATEGORIES = ("accessibility", "best-practices", "seo")
CATEGORY_TITLES = {"accessibility": "a11y", "best-practices": "best practices", "seo": "SEO"}
FORM_FACTORS = ("mobile", "desktop")
TARGET_ACCESSIBILITY = 100
# Audits a page fails on purpose, with the reason, shown next to the failure in RESULTS.md.
BY_DESIGN = {
    ("log in", "is-crawlable"): (
        "robots.txt keeps crawlers out of /accounts/ (log in, sign up, password reset): "
        "there is nothing there for a search engine to index"
    ),
}
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def pages() -> list[tuple[str, str, bool]]:
    """(name, path, as the demo member) for each page scanned; run inside Django."""
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Count
    from django.urls import reverse

    from benchmarks.pages import first
    from cooperatives.models import Organisation
    from groups.models import Group
    from stories.models import Story

    anonymous = AnonymousUser()
    story = first(
        Story.objects.visible_to(anonymous)
        .published()
        .annotate(n=Count("comments"))
        .order_by("-n", "-pk"),
        "published story an anonymous visitor can read",
    )
    group = first(
        Group.objects.visible_to(anonymous).order_by("pk"), "group an anonymous visitor can see"
    )
    organisation = first(Organisation.objects.order_by("pk"), "cooperative directory entry")
    return [
        ("home", reverse("home"), False),
        ("story list", reverse("stories:list"), False),
        ("story", story.get_absolute_url(), False),
        ("meetup groups", reverse("groups:list"), False),
        ("group", group.get_absolute_url(), False),
        ("cooperative directory", reverse("cooperatives:list"), False),
        ("directory entry", organisation.get_absolute_url(), False),
        ("search results", reverse("search") + "?q=library", False),
        ("log in", reverse("account_login"), False),
        ("member dashboard (home, signed in)", reverse("home"), True),
        ("member directory (signed in)", reverse("accounts:list"), True),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="seed_demo scale (1 = 200 stories)")
    parser.add_argument("--form-factors", nargs="+", choices=FORM_FACTORS, default=FORM_FACTORS)
    parser.add_argument("--pages", nargs="*", help="only pages whose name contains one of these")
    parser.add_argument("--if-available", action="store_true", help="skip, don't fail")
    parser.add_argument("--no-write", action="store_true", help="print, don't record")
    args = parser.parse_args(argv)

    problem = missing_prerequisite()
    if problem:
        print(f"Lighthouse scan skipped: {problem}", file=sys.stderr)
        return 0 if args.if_available else 2

    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    (BASE_DIR / "var" / "observatory").mkdir(parents=True, exist_ok=True)  # gunicorn()'s log

    env = production_env(bench_database(args.scale, fresh=False))
    env["DJANGO_STATIC_ROOT"] = str(WORK_DIR / "static")
    env["WEB_CONCURRENCY"] = "2"
    prepare(env)
    build_data(env, args.scale)  # idempotent: tops the data up to the scale

    os.environ.update(env)
    import django

    django.setup()
    targets = [p for p in pages() if not args.pages or any(s in p[0] for s in args.pages)]
    cookie = member_cookie() if any(member for *_, member in targets) else ""
    from django.db import connections

    connections.close_all()

    cert, key = self_signed_certificate_in(WORK_DIR)
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    started = datetime.now(UTC)
    results = []
    with gunicorn(env, port, "--certfile", str(cert), "--keyfile", str(key)):
        for name, path, member in targets:
            check_page(port, path, cert, cookie if member else "")
            for form_factor in args.form_factors:
                print(f"  {name} ({form_factor}) {path} …", flush=True)
                lhr = run_lighthouse(base + path, form_factor, cert, cookie if member else "")
                results.append(summarise_page(name, path, member, form_factor, lhr))

    report = {
        "command": " ".join(["python -m benchmarks.lighthouse", *(argv or sys.argv[1:])]),
        "date": started.isoformat(timespec="seconds"),
        "scale": args.scale,
        "machine": describe_machine(),
        "pages": results,
    }
    print()
    print(markdown_table(report))
    print()
    print(failing_audits_markdown(report))
    if not args.no_write:
        json_path = record(report)
        print(f"\nRecorded in benchmarks/RESULTS.md and {json_path.relative_to(BASE_DIR)}")
    missed = [r for r in results if r["scores"]["accessibility"] < TARGET_ACCESSIBILITY]
    return 1 if missed else 0


def missing_prerequisite() -> str:
    if not shutil.which("node"):
        return "node is not installed."
    if not (PACKAGE / "cli" / "index.js").exists():
        return INSTALL
    if not chrome_path():
        return "no Chromium: apt-get install chromium, or set CHROME_PATH."
    if not shutil.which("openssl"):
        return "openssl is not installed (it makes the self-signed certificate)."
    return ""


def chrome_path() -> str:
    return os.environ.get("CHROME_PATH") or shutil.which("chromium") or ""


def self_signed_certificate_in(folder: Path) -> tuple[Path, Path]:
    """observatory.py's certificate, made in its folder, copied to ours."""
    cert, key = self_signed_certificate()
    return Path(shutil.copy(cert, folder / "cert.pem")), Path(shutil.copy(key, folder / "key.pem"))


def spki_hash(cert: Path) -> str:
    """base64 SHA-256 of the certificate's public key, as Chromium's SPKI allow-list wants."""
    der = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"],
        capture_output=True,
        check=True,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"],
        input=der,
        capture_output=True,
        check=True,
    ).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def check_page(port: int, path: str, cert: Path, cookie: str) -> None:
    """The page answers 200 over HTTPS as the visitor Lighthouse will be (signed in or not)."""
    context = ssl.create_default_context(cafile=str(cert))
    client = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        client.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = client.getresponse()
        body = response.read().decode(errors="replace")
    finally:
        client.close()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}, not 200: not scanned")
    expected = "Log out" if cookie else "Log in"
    if expected not in body:
        raise SystemExit(f"{path} does not show “{expected}”: the session is not what we meant")


def run_lighthouse(url: str, form_factor: str, cert: Path, cookie: str) -> dict:
    output = WORK_DIR / "last-report.json"
    flags = [*CHROME_FLAGS, f"--ignore-certificate-errors-spki-list={spki_hash(cert)}"]
    command = [
        "node",
        str(PACKAGE / "cli" / "index.js"),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(flags)}",
        "--output=json",
        f"--output-path={output}",
        "--quiet",
        "--max-wait-for-load=30000",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    output.unlink(missing_ok=True)
    finished = subprocess.run(
        command,
        cwd=WORK_DIR,
        env={**os.environ, "CHROME_PATH": chrome_path()},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if finished.returncode or not output.exists():
        raise SystemExit(f"Lighthouse failed on {url}:\n{finished.stdout}\n{finished.stderr}")
    lhr = json.loads(output.read_text())
    if lhr.get("runtimeError"):
        raise SystemExit(f"Lighthouse could not load {url}: {lhr['runtimeError']}")
    return lhr


def summarise_page(name: str, path: str, member: bool, form_factor: str, lhr: dict) -> dict:
    scores = {c: round((lhr["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    failing = []
    for category in CATEGORIES:
        for ref in lhr["categories"][category]["auditRefs"]:
            audit = lhr["audits"][ref["id"]]
            if audit["scoreDisplayMode"] in ("notApplicable", "manual", "informative"):
                continue
            if audit["score"] is not None and audit["score"] >= 1:
                continue
            items = (audit.get("details") or {}).get("items") or []
            failing.append(
                {
                    "category": category,
                    "id": ref["id"],
                    "title": audit["title"],
                    "score": audit["score"],
                    "weight": ref.get("weight", 0),
                    "display_value": audit.get("displayValue", ""),
                    "items": [trim(item) for item in items[:5]],
                }
            )
    return {
        "name": name,
        "path": path,
        "member": member,
        "form_factor": form_factor,
        "final_url": lhr.get("finalDisplayedUrl") or lhr.get("finalUrl"),
        "scores": scores,
        "failing": failing,
        # the performance category is not run: its CPU-speed warning says nothing here
        "warnings": [w for w in lhr.get("runWarnings", []) if "performance score" not in w],
    }


def trim(item: dict) -> dict:
    """An audit's evidence without screenshots: the node's selector and snippet, or the row."""
    node = item.get("node") if isinstance(item.get("node"), dict) else None
    if node:
        return {k: node.get(k) for k in ("selector", "snippet", "explanation") if node.get(k)}
    scalars = (str, int, float, bool)
    return {k: v for k, v in item.items() if isinstance(v, scalars) and len(str(v)) < 300}


def describe_machine() -> dict:
    mem_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s+(\d+)", meminfo.read_text())
        mem_kib = int(match.group(1)) if match else 0
    chromium = subprocess.run(
        [chrome_path(), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=BASE_DIR
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "node": node,
        "lighthouse": json.loads((PACKAGE / "package.json").read_text())["version"],
        "chromium": chromium,
        "commit": commit,
    }


def markdown_table(report: dict) -> str:
    factors = list(dict.fromkeys(r["form_factor"] for r in report["pages"]))
    header = ["page"] + [f"{factor} {CATEGORY_TITLES[c]}" for factor in factors for c in CATEGORIES]
    rows = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    by_page: dict[tuple[str, str], dict[str, dict]] = {}
    for result in report["pages"]:
        by_page.setdefault((result["name"], result["path"]), {})[result["form_factor"]] = result
    for (name, path), runs in by_page.items():
        cells = [f"{name} `{path}`"]
        for factor in factors:
            for category in CATEGORIES:
                score = runs[factor]["scores"][category] if factor in runs else None
                cells.append("–" if score is None else str(score))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def failing_audits_markdown(report: dict) -> str:
    """Each audit that did not pass, once, with the pages and form factors it failed on."""
    seen: dict[str, dict] = {}
    for result in report["pages"]:
        for audit in result["failing"]:
            entry = seen.setdefault(
                audit["id"],
                {"title": audit["title"], "category": audit["category"], "on": [], "why": set()},
            )
            entry["on"].append(f"{result['name']} ({result['form_factor']})")
            if (result["name"], audit["id"]) in BY_DESIGN:
                entry["why"].add(BY_DESIGN[result["name"], audit["id"]])
    warnings = sorted({w for result in report["pages"] for w in result["warnings"]})
    if not seen and not warnings:
        return "Every scored audit passed on every page."
    lines = ["Audits that did not pass:", ""] if seen else []
    for audit_id, entry in seen.items():
        why = "".join(f" — by design: {reason}" for reason in sorted(entry["why"]))
        lines.append(
            f"- {CATEGORY_TITLES[entry['category']]}: `{audit_id}` — {entry['title']}: "
            + ", ".join(entry["on"])
            + why
        )
    if warnings:
        lines += ["", "Lighthouse's warnings:", "", *(f"- {w}" for w in warnings)]
    return "\n".join(lines)


def record(report: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = report["date"].replace(":", "").replace("-", "")[:13]
    json_path = RESULTS_DIR / f"{stamp}-lighthouse.json"
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    m = report["machine"]
    lowest = min(r["scores"]["accessibility"] for r in report["pages"])
    entry = "\n".join(
        [
            f"### {report['date'][:16].replace('T', ' ')} UTC — accessibility "
            f"{'100 on every page' if lowest == 100 else f'lowest {lowest}'}",
            "",
            f"- Command: `{report['command']}` (commit {m['commit']}); seed_demo scale "
            f"{report['scale']}",
            f"- Versions: Lighthouse {m['lighthouse']} (node {m['node']}), {m['chromium']} "
            "headless; gunicorn with the production settings and the Dockerfile's command over "
            "HTTPS on 127.0.0.1 (self-signed certificate trusted by its key hash)",
            f"- Machine: {m['nproc']} CPUs, {m['memory_gib']} GiB RAM, {m['os']}, "
            f"Python {m['python']}",
            f"- Raw summary (scores and every audit that did not pass): "
            f"`{json_path.relative_to(BENCH_DIR)}`",
            f"- Target: accessibility {TARGET_ACCESSIBILITY} on every page: "
            f"{'met' if lowest >= TARGET_ACCESSIBILITY else 'missed'}",
            "",
            markdown_table(report),
            "",
            failing_audits_markdown(report),
            "",
        ]
    )
    record_entry(RESULTS_MD, "Lighthouse", MARKER, entry)
    return json_path


if __name__ == "__main__":
    sys.exit(main())
