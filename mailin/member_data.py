"""What the email-in app holds about a member (see accounts/member_data.py): the emails they
sent to the site, until they are forgotten (mailin.models.KEPT_DAYS)."""

from mailin.models import InboundMail


def export(user) -> dict:
    return {
        "emails_received": [
            {
                "received_at": mail.received_at.isoformat(),
                "to": mail.envelope_recipient,
                "status": mail.status,
                "outcome": mail.outcome,
            }
            for mail in InboundMail.objects.filter(member=user)
        ]
    }


def erase(user, *, keep_content: bool) -> None:
    InboundMail.objects.filter(member=user).delete()
