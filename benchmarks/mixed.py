"""The mixed workload: readers and writers at once, as the site meets its members at busy hours.

wrk's clients (`-c8`) read a rotation of pages, visitors' and the demo member's, and searches
(`pages.MIXED_PAGES`, `pages.SEARCHES`: every query a distinct address, each asked for again
a rotation later) while a writer process posts, over HTTP as members' browsers do (session
cookie, CSRF token, Origin), `--writes` changes a second of mixed kinds in turn: an RSVP, a
comment, "this helped me", a save, notifications marked read. The writers are many members
(the site's posting limits are per member) acting on the newest stories — the ones the lists
show — and on upcoming dates of their own groups.

Each round measures the trivial view, then the rotation with nobody writing, then the rotation
while the writer writes. Figures: reads a second and their share of the trivial view's, wrk's
latency percentiles, writes done a second and how they were answered, and each page's
server-side p95 from the app's request log (pages sharing an address path — the front page
for visitors and for members, a list and its searches — are counted together: the log holds
no query strings).
"""

from __future__ import annotations

import http.client
import itertools
import math
import multiprocessing
import random
import statistics
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import timedelta

WRITE_KINDS = ("rsvp", "comment", "helpful", "save", "read")
WRITERS = 60
TARGET_STORIES = 200  # the newest: what the lists and the front page show
COMMENTS = [
    "We tried this in our district last spring; starting with one grade made it manageable.",
    "Thank you for the write-up. Could you share the sign-up sheet you used?",
    "Our cooperative funds small pilots like this one: worth asking yours.",
    "How did you get the principal on board? That is where we always stall.",
    "Saving this for our next department meeting.",
    "We did the opposite and regretted it, so this rings true.",
]


@dataclass
class Write:
    kind: str
    path: str
    data: dict
    cookie: str


@dataclass
class WriteLog:
    statuses: dict = field(default_factory=dict)
    latencies_ms: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def done(self) -> int:
        return sum(self.statuses.values())


# --- planned in a Django process on the benchmark's database ------------------------------
def plan_writes(*, writers: int = WRITERS, seed: int = 2026) -> dict[str, list[Write]]:
    """For each kind, writes to make in turn, by `writers` members (signed in here: their
    sessions are in the database the server reads), on what the site's busy pages show."""
    from django.conf import settings
    from django.db.models import Exists, OuterRef
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from groups.models import Membership, Occurrence
    from stories.models import Story

    rng = random.Random(seed)
    now = timezone.now()
    upcoming = (
        Occurrence.objects.scheduled()
        .filter(start__gt=now + timedelta(days=2))
        .select_related("meetup__group")
        .order_by("start", "pk")
    )
    in_groups = (
        Membership.objects.active()
        .filter(member__is_active=True)
        .filter(Exists(upcoming.filter(meetup__group=OuterRef("group"))))
        .select_related("member")
        .order_by("member_id")
    )
    members, seen = [], set()
    for membership in in_groups.iterator():
        if membership.member_id not in seen:
            seen.add(membership.member_id)
            members.append(membership.member)
        if len(members) == writers:
            break
    if not members:
        raise LookupError("the benchmark data has no members of groups with upcoming dates")
    stories = list(
        Story.objects.published()
        .filter(hidden_at__isnull=True)
        .order_by("-published_at", "-pk")
        .values_list("pk", "author_id")[:TARGET_STORIES]
    )
    plans: dict[str, list[Write]] = {kind: [] for kind in WRITE_KINDS}
    for member in members:
        client = Client()
        client.force_login(member)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        secret = _csrf_secret(rng)
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={secret}"
        token = {"csrfmiddlewaretoken": secret}
        dates = upcoming.filter(
            meetup__group__memberships__member=member,
            meetup__group__memberships__status="active",
        )
        for occurrence in [date for date in dates[:10] if date.rsvp_open(now)][:5]:
            for answer in ("going", "not_going"):  # in turn: seats taken and given back
                group = occurrence.meetup.group
                path = reverse("groups:rsvp", kwargs={"slug": group.slug, "pk": occurrence.pk})
                plans["rsvp"].append(Write("rsvp", path, {**token, "answer": answer}, cookie))
        others = [pk for pk, author in stories if author != member.pk]
        for pk in rng.sample(others, min(5, len(others))):
            plans["comment"].append(
                Write(
                    "comment",
                    reverse("stories:comment_create", args=[pk]),
                    {**token, "body": rng.choice(COMMENTS), "homepage": ""},
                    cookie,
                )
            )
            plans["helpful"].append(
                Write("helpful", reverse("stories:helpful", args=[pk]), token, cookie)
            )
            plans["save"].append(Write("save", reverse("stories:save", args=[pk]), token, cookie))
        plans["read"].append(Write("read", reverse("notifications:read_all"), token, cookie))
    for kind in WRITE_KINDS:
        rng.shuffle(plans[kind])
    return plans


def _csrf_secret(rng: random.Random) -> str:
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

    return "".join(rng.choice(CSRF_ALLOWED_CHARS) for _ in range(CSRF_SECRET_LENGTH))


def rotation(urls: dict[str, str], members: dict[str, bool], searches: list[str]) -> list:
    """(member?, address) in turn: a page, then a search — story search and site search in
    turn — so every query is its own address, asked for again one rotation later."""
    from django.urls import reverse

    pages = [(members[name], urls[name]) for name in urls]
    entries = []
    for index, query in enumerate(searches):
        entries.append(pages[index % len(pages)])
        where = reverse("stories:list" if index % 2 else "search")
        entries.append((False, f"{where}?{urllib.parse.urlencode({'q': query})}"))
    return entries


# --- the writer, in a process of its own ----------------------------------------------------
def write_for(
    base: str,
    plans: dict[str, list[Write]],
    per_second: float,
    seconds: float,
    out,
    *,
    scheme: str = "https",
):
    """Posts `per_second` writes, kinds in turn, for `seconds`; puts a WriteLog on `out`.
    `scheme`: what the TLS proxy in front of the server says the browser used."""
    log = WriteLog()
    parts = urllib.parse.urlsplit(base)
    origin = f"{scheme}://{parts.netloc}"
    queues = {kind: itertools.cycle(plans[kind]) for kind in WRITE_KINDS if plans[kind]}
    kinds = itertools.cycle(list(queues))
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    started = time.monotonic()
    for number in itertools.count():
        due = started + number / per_second
        if due >= started + seconds:
            break
        time.sleep(max(0.0, due - time.monotonic()))
        write = next(queues[next(kinds)])
        body = urllib.parse.urlencode(write.data)
        headers = {
            "Cookie": write.cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-Proto": scheme,
            "Origin": origin,
            "Referer": origin + write.path,
        }
        sent = time.monotonic()
        try:
            connection.request("POST", write.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            status = 0
        log.latencies_ms.append((time.monotonic() - sent) * 1000)
        key = f"{write.kind} {status}"
        log.statuses[key] = log.statuses.get(key, 0) + 1
    log.seconds = time.monotonic() - started
    connection.close()
    out.put(log)


def start_writer(base: str, plans, per_second: float, seconds: float, *, window: int = 0):
    """The writer process and the queue its log comes back on (join after wrk is done)."""
    plans = continuing(plans, per_second=per_second, seconds=seconds, window=window)
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    process = context.Process(target=write_for, args=(base, plans, per_second, seconds, out))
    process.start()
    return process, out


def continuing(plans: dict, *, per_second: float, seconds: float, window: int) -> dict:
    """The plans as the `window`-th writing window of a run takes them: where the windows
    before it stopped, so the same few members do not make every window's writes (and meet
    the posting limits members have)."""
    done = math.ceil(per_second * seconds / len(WRITE_KINDS)) * window
    return {
        kind: writes[done % len(writes) :] + writes[: done % len(writes)]
        for kind, writes in plans.items()
        if writes
    }


def summarise_writes(logs: list[WriteLog]) -> dict:
    statuses: dict[str, int] = {}
    for log in logs:
        for key, count in log.statuses.items():
            statuses[key] = statuses.get(key, 0) + count
    latencies = sorted(ms for log in logs for ms in log.latencies_ms)
    seconds = sum(log.seconds for log in logs)
    done = sum(log.done for log in logs)
    answered = sum(count for key, count in statuses.items() if key.endswith((" 302", " 200")))
    return {
        "writes": done,
        "per_second": round(done / seconds, 2) if seconds else 0.0,
        "answered_ok": answered,
        "statuses": dict(sorted(statuses.items())),
        "p95_ms": round(latencies[max(0, round(0.95 * len(latencies)) - 1)], 1)
        if latencies
        else None,
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
    }
