from django.utils.functional import SimpleLazyObject

from notifications.caching import unread_count


def unread_notifications(request):
    """The unread count in the header: only when a template uses it, counted once per change
    to what the member sees (notifications/caching.py)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": SimpleLazyObject(lambda: unread_count(user))}
