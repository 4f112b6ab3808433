"""Background work shared by every app. Apps define their own tasks in <app>/tasks.py.

Tasks are named where they were first defined (config/tasks.py): the name is stored with each
queued job and periodic run, so a job queued before the move still finds its task."""

from django.core.mail import EmailMultiAlternatives
from procrastinate import JobContext
from procrastinate.contrib.django import app

from kit.spelling import search_words_rebuild

# a worker that has not sent its heartbeat (every 10 s) for this long has stopped
STALLED_WORKER_SECONDS = 60


@app.task(name="config.tasks.email_message_send", queue="email", retry=5)
def email_message_send(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    reply_to: str | None = None,
) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email,
        to=to,
        headers=headers or {},
        reply_to=[reply_to] if reply_to else None,
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@app.periodic(cron="*/5 * * * *")
@app.task(
    name="config.tasks.jobs_retry_stalled",
    queue="maintenance",
    queueing_lock="jobs_retry_stalled",
    pass_context=True,
)
async def jobs_retry_stalled(context: JobContext, timestamp: int) -> int:
    """Every 5 minutes: queue again the jobs a worker was running when it stopped (it lost the
    database, or was killed), which would otherwise stay "doing" forever. Returns how many."""
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_WORKER_SECONDS))
    for job in stalled:
        await manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="43 3 * * *")
@app.task(
    name="config.tasks.search_words_recount",
    queue="maintenance",
    queueing_lock="search_words_recount",
)
def search_words_recount(timestamp: int) -> int:
    """Nightly: recount the words people can find and drop those nothing shows any more
    (kit/spelling.py; new words are noted at once, by PostgreSQL). Returns how many the
    vocabulary holds."""
    return search_words_rebuild()
