"""What a change to notifications and follows changes on pages (config/scopes.py): only the
member they belong to sees them."""

from config import scopes
from config.scopes import member, shown_by
from notifications.models import DigestSent, Follow, Notification


@shown_by(Notification)
def _notification_changed(instance: Notification, **kwargs) -> list[str]:
    return [member(instance.recipient_id)]  # the unread count in their header, their list


@shown_by(Follow)
def _follow_changed(instance: Follow, **kwargs) -> list[str]:
    return [member(instance.follower_id)]  # their follow buttons, their dashboard


@shown_by(DigestSent)
def _digest_sent(instance: DigestSent, **kwargs) -> list[str]:
    return []  # a record that an email went out


def notifications_read(member_pk: int) -> None:
    """Notifications marked read with a bulk `update()` (no signal)."""
    scopes.changed(member(member_pk))
