from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app notifications, email delivery with unsubscribe links, following, the digest."""

    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from notifications import caching  # noqa: F401 — maps its rows to what pages show
