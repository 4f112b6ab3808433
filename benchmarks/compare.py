"""Queries per request at two data sizes, side by side: is every page flat as data grows?

    python -m benchmarks.compare results/<small>.json results/<large>.json

Reads two `benchmarks.run` result files (e.g. `--scale 5` and `--scale 500`: 1,000 and 100,000
stories) and writes the comparison into benchmarks/RESULTS.md, newest first.
"""

import argparse
import json
import sys
from pathlib import Path

from benchmarks.run import BENCH_DIR, RESULTS_MD, record_entry

MARKER = "<!-- compare:runs (newest first; written by benchmarks/compare.py) -->"


def load(path: str) -> dict:
    file = Path(path)
    if not file.is_absolute() and not file.exists():
        file = BENCH_DIR / path
    return json.loads(file.read_text())


def _queries(page: dict) -> str:
    text = f"{page['queries_median']:g}"
    if page["queries_max"] != page["queries_median"]:
        text += f" (max {page['queries_max']})"
    return text


def table(small: dict, large: dict) -> str:
    by_name = {page["name"]: page for page in large["pages"]}
    rows = [
        f"| page | queries at scale {small['scale']} | queries at scale {large['scale']} | flat "
        f"| server p95 ms at {small['scale']} | at {large['scale']} |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for page in small["pages"]:
        other = by_name.get(page["name"])
        if other is None:
            continue
        flat = page["queries_median"] == other["queries_median"]
        who = " (member)" if page["member"] else ""
        rows.append(
            f"| {page['name']}{who} | {_queries(page)} | {_queries(other)} | "
            f"{'✓' if flat else '✗'} | {page['server_p95_ms']} | {other['server_p95_ms']} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("small")
    parser.add_argument("large")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    small, large = load(args.small), load(args.large)
    stories = f"{small['stories_expected']:,} and {large['stories_expected']:,} stories"
    entry = "\n".join(
        [
            f"### Scale {small['scale']} ({small['date'][:16]}) against scale {large['scale']} "
            f"({large['date'][:16]}) — {stories}",
            "",
            f"- Command: `python -m benchmarks.compare {args.small} {args.large}`",
            "- Queries: per request, the median (and the most, when one differs: first requests",
            "  that write a session, a rate-limit counter or the shared cache's generation key),",
            "  from the app's request log; flat = the same median at both sizes",
            "",
            table(small, large),
            "",
        ]
    )
    print(entry)
    if not args.no_write:
        record_entry(RESULTS_MD, "Queries as the data grows", MARKER, entry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
