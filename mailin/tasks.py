"""Background work for email in: handling each received message, and forgetting old ones."""

from django.utils import timezone
from procrastinate.contrib.django import app

from mailin.handling import inbound_mail_handle
from mailin.models import InboundMail


@app.task(queue="mailin", retry=3)
def inbound_mail_handle_job(*, inbound_id: int) -> str:
    inbound = InboundMail.objects.filter(pk=inbound_id).first()
    if inbound is None:  # forgotten since
        return ""
    return inbound_mail_handle(inbound=inbound).status


@app.periodic(cron="41 4 * * *")
@app.task(queue="maintenance", queueing_lock="inbound_mail_forget_old")
def inbound_mail_forget_old(timestamp: int) -> int:
    deleted, _ = InboundMail.objects.forgettable(timezone.now()).delete()
    return deleted
