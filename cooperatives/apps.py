from django.apps import AppConfig


class CooperativesConfig(AppConfig):
    name = "cooperatives"
    verbose_name = "Directory"

    def ready(self):
        from cooperatives import caching  # noqa: F401 — maps its rows to what pages show
