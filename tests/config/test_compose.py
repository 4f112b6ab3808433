"""docker-compose.yml: every long-running service is started again when it stops, whatever its
exit status (the task worker stops with status 0 when it loses the database), and the one-off
migration is not."""

import re

from django.conf import settings

LONG_RUNNING = {"db", "web", "worker", "mail"}
RESTARTING = {"always", "unless-stopped"}  # not on-failure: see above


def blocks(text: str, indent: int) -> dict[str, str]:
    """The `name:` entries at `indent` spaces, each with the lines below it."""
    found, name = {}, None
    for line in text.splitlines():
        match = re.match(rf"^ {{{indent}}}([\w.-]+):", line)
        if match:
            name = match.group(1)
            found[name] = ""
        elif name and (line.startswith(" " * (indent + 1)) or not line.strip()):
            found[name] += line + "\n"
        elif line.strip():
            name = None
    return found


def restart_policy(service: str, anchors: dict[str, str]) -> str | None:
    own = re.search(r"^ {4}restart: \"?([\w-]+)\"?$", service, re.MULTILINE)
    if own:
        return own.group(1)
    merged = re.search(r"^ {4}<<: \*([\w-]+)$", service, re.MULTILINE)
    if merged:
        inherited = re.search(r"^ {2}restart: \"?([\w-]+)\"?$", anchors[merged.group(1)], re.M)
        return inherited.group(1) if inherited else None
    return None


def test_long_running_services_restart_and_the_migration_runs_once():
    text = (settings.BASE_DIR / "docker-compose.yml").read_text()
    top = blocks(text, 0)
    anchors = {
        match.group(1): body
        for key, body in top.items()
        for match in [re.search(rf"^{re.escape(key)}: &([\w-]+)$", text, re.MULTILINE)]
        if match
    }
    services = blocks(top["services"], 2)

    policies = {name: restart_policy(body, anchors) for name, body in services.items()}

    assert set(policies) == LONG_RUNNING | {"migrate"}
    assert {name for name in LONG_RUNNING if policies[name] not in RESTARTING} == set()
    assert policies["migrate"] == "no"
