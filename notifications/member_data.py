"""What the notifications app holds about a member (see accounts/member_data.py)."""

from django.contrib.contenttypes.models import ContentType

from notifications.models import (
    DigestSent,
    Follow,
    MailingListDay,
    MailingListMode,
    Notification,
)


def export(user) -> dict:
    # every follow is the member's own data, but only what they may still see is named
    visible = set(Follow.objects.of(user).visible_to(user).values_list("pk", flat=True))
    return {
        "following": [
            {
                "kind": follow.content_type.model,
                "name": str(follow.target or "") if follow.pk in visible else "",
                "since": follow.created_at.isoformat(),
            }
            for follow in Follow.objects.of(user).select_related("content_type")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "text": n.text,
                "url": n.url,
                "created_at": n.created_at.isoformat(),
                "read": n.read_at is not None,
            }
            for n in Notification.objects.for_member(user)
        ],
        "mailing_list_mode": [
            {"daily_cap": mode.daily_cap, "since": mode.started_at.isoformat()}
            for mode in MailingListMode.objects.filter(member=user)
        ],
    }


def erase(user, *, keep_content: bool) -> None:
    Notification.objects.for_member(user).delete()
    DigestSent.objects.filter(member=user).delete()
    MailingListMode.objects.filter(member=user).delete()
    MailingListDay.objects.filter(member=user).delete()
    Follow.objects.of(user).delete()
    # a generic relation does not cascade: drop others' follows of this member too
    Follow.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=user.pk
    ).delete()
