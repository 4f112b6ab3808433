from django.apps import AppConfig
from django.db.backends.signals import connection_created

from stories.querysets import typo_threshold_set


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    def ready(self):
        connection_created.connect(typo_threshold_set, dispatch_uid="stories_typo_threshold")
