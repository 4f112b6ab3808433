from django.utils.functional import SimpleLazyObject

from notifications.models import Notification


def unread_notifications(request):
    """The unread count in the header: one indexed count, only when a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notification_count": SimpleLazyObject(
            lambda: Notification.objects.for_member(user).unread().count()
        )
    }
