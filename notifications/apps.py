from django.apps import AppConfig

from notifications.followables import followable_register
from notifications.kinds import ALWAYS_EMAILED


class NotificationsConfig(AppConfig):
    """In-app notifications, email delivery with unsubscribe links, following, mailing-list
    mode and mail threads. It knows accounts below it and no content app above it: those
    register what can be followed (notifications/followables.py) from their own `ready()`."""

    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # models are looked up, not imported: apps.py is read before any models module
        User = self.apps.get_model("accounts", "User")
        Tag = self.apps.get_model("taggit", "Tag")
        followable_register("member", User, User.objects.visible_to)
        # topics are a shared vocabulary: every member is offered all of them as suggestions on
        # the profile and story forms, and a topic's page lists only the stories one may see
        followable_register("tag", Tag, lambda viewer: Tag.objects.all())
        # accounts keeps each member's email choices; which kinds no choice stops is ours
        self.apps.get_model("accounts", "Profile").always_emailed = frozenset(ALWAYS_EMAILED)
