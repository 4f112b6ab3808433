"""Email received for the site: kept as it arrived until the task queue has dealt with it."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

# handled messages are deleted after this long (the outcome is all anyone needs by then)
KEPT_DAYS = 30
NULL_SENDER = "<>"


class InboundMailQuerySet(models.QuerySet):
    def answered_to(self, address: str, *, since):
        """The messages we wrote back about to `address` since `since` (loop protection)."""
        return self.filter(answered_to=address.lower(), received_at__gte=since)

    def forgettable(self, now):
        """Handled more than KEPT_DAYS ago."""
        return self.filter(received_at__lt=now - timedelta(days=KEPT_DAYS)).exclude(
            status=InboundMail.Status.RECEIVED
        )


class InboundMail(models.Model):
    """One message for one of our addresses (reply+…@ or share@ at REPLY_DOMAIN), from the
    receiver (`manage.py receive_mail`) or a hosted provider's webhook.

    The raw message is stored first and handled by a job, so nothing is lost when the handling
    fails or the database is briefly down (the sender's server retries a 4xx)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received, not handled yet"
        POSTED = "posted", "Posted"
        REFUSED = "refused", "Refused (the sender was told why)"
        IGNORED = "ignored", "Ignored (sent by a machine, or answered too often)"

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=32, help_text="receiver, or the provider's name")
    # "<>": the null sender of bounces and auto-replies; "": the provider did not say
    envelope_sender = models.CharField(max_length=320, blank=True)
    envelope_recipient = models.CharField(max_length=320)
    message_id = models.CharField(max_length=500, blank=True)
    raw = models.BinaryField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(max_length=300, blank=True, help_text="what was done, and why")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inbound_mail",
        help_text="whose address it came from, once known",
    )
    answered_to = models.CharField(
        max_length=320, blank=True, help_text="where our answer (a refusal, a link) went"
    )  # lower-case
    handled_at = models.DateTimeField(null=True, blank=True)

    objects = InboundMailQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            # a message delivered twice (a retried webhook, a resent SMTP transaction) is one
            models.UniqueConstraint(
                fields=["envelope_recipient", "message_id"],
                condition=~Q(message_id=""),
                name="mailin_inbound_once",
            )
        ]
        indexes = [models.Index(fields=["answered_to", "received_at"], name="mailin_answered")]

    def __str__(self) -> str:
        return f"{self.envelope_recipient} at {self.received_at:%Y-%m-%d %H:%M}"
