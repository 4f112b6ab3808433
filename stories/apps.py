from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    def ready(self):
        from django.db.backends.signals import connection_created

        from stories import caching  # noqa: F401 — maps stories' rows to what pages show
        from stories.querysets import typo_threshold_set

        connection_created.connect(typo_threshold_set, dispatch_uid="stories_typo_threshold")
