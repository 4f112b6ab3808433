from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    def ready(self):
        from stories import caching  # noqa: F401 — maps stories' rows to what pages show
