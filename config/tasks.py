"""Background work shared by every app. Apps define their own tasks in <app>/tasks.py."""

from django.core.mail import EmailMultiAlternatives
from procrastinate.contrib.django import app


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
