from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app notifications, email delivery with unsubscribe links, following, the digest."""

    name = "notifications"
    verbose_name = "Notifications"
