"""Hosted email services' inbound webhooks (django-anymail): each provider's view checks the
call's signature or shared secret, then this receiver keeps the message exactly as the
self-hosted receiver does, so both ways in share one code path from there on."""

from anymail.signals import inbound
from django.dispatch import receiver

from mailin.addresses import recipient_accepted
from mailin.services import inbound_mail_receive


@receiver(inbound, dispatch_uid="mailin_inbound")
def inbound_received(sender, event, esp_name: str, **kwargs) -> None:
    message = event.message
    recipients = [message.envelope_recipient] if message.envelope_recipient else []
    if not recipients:  # the provider did not say: whichever of our addresses it was sent to
        recipients = [
            address.addr_spec for address in (*message.to, *message.cc) if address.addr_spec
        ]
    for recipient in recipients:
        if recipient_accepted(recipient):
            inbound_mail_receive(
                raw=message.as_bytes(),
                envelope_recipient=recipient,
                envelope_sender=message.envelope_sender,
                source=esp_name.lower(),
            )
