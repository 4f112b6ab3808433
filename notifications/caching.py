"""What a change to notifications and follows changes on pages (config/scopes.py): only the
member they belong to sees them; and the unread count in a member's header, counted once per
change to what they see rather than on every page."""

from django.core.cache import caches

from config import scopes
from config.scopes import member, shown_by
from notifications.models import DigestSent, Follow, Notification

TIMEOUT = 15 * 60


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


def unread_count(recipient) -> int:
    """How many notifications `recipient` has not read. Kept by this process under the version
    of their scope when the page being rendered read it first (every notification read or
    received moves it on); counted afresh otherwise."""

    def count() -> int:
        return Notification.objects.for_member(recipient).unread().count()

    version = scopes.known_version(member(recipient.pk))
    if version is None:
        return count()
    return caches["process"].get_or_set(f"unread:{recipient.pk}:{version}", count, TIMEOUT)
