"""What a change to notifications and follows changes on pages (kit/scopes.py): only the
member they belong to sees them. The unread count in a member's header is read with the
versions of what their page shows, in the same query."""

from kit import scopes
from kit.scopes import member, shown_by
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


@scopes.member_pages_show
def unread(member_pk: int) -> str:
    """The unread count in the header of every page a member is shown (a figure)."""
    return f"unread:{member_pk}"


@scopes.figure("unread")
def _unread_sql(member_pk: str) -> tuple[str, list]:
    # counted through the partial index on unread notifications (notification_unread)
    return (
        "SELECT count(*) FROM notifications_notification "
        "WHERE recipient_id = %s AND read_at IS NULL",
        [int(member_pk)],
    )


def unread_count(recipient) -> int:
    """How many notifications `recipient` has not read: read with the versions when the page
    is one kept for members (`member_pages_show`), else counted here."""
    known = scopes.known_version(unread(recipient.pk))
    if known is not None:
        return known
    return Notification.objects.for_member(recipient).unread().count()
