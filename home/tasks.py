"""Background work for the front door: the weekly digest, which reads every content app."""

from datetime import UTC, datetime

from procrastinate.contrib.django import app

from home.digest import digest_recipients, digest_send, iso_week


@app.periodic(cron="0 7 * * 1")
@app.task(
    # named where it was first defined: queued jobs and periodic runs carry the name
    name="notifications.tasks.weekly_digest",
    queue="notifications",
    queueing_lock="weekly_digest",
)
def weekly_digest(timestamp: int) -> int:
    """Mondays: each member's digest, at most once per ISO week. Returns emails queued."""
    now = datetime.fromtimestamp(timestamp, tz=UTC)
    sent = 0
    for member in digest_recipients(iso_week(now)).iterator(chunk_size=500):
        sent += digest_send(member=member, now=now)
    return sent
