"""Background work shared by every app. Apps define their own tasks in <app>/tasks.py."""

from django.core.mail import EmailMultiAlternatives
from procrastinate.contrib.django import app

from config.spelling import search_words_rebuild


@app.task(queue="email", retry=5)
def email_message_send(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str | None = None,
    headers: dict | None = None,
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


@app.periodic(cron="43 3 * * *")
@app.task(queue="maintenance", queueing_lock="search_words_recount")
def search_words_recount(timestamp: int) -> int:
    """Nightly: recount the words people can find and drop those nothing shows any more
    (config/spelling.py; new words are noted at once, by PostgreSQL). Returns how many the
    vocabulary holds."""
    return search_words_rebuild()
