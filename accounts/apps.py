from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Members"

    def ready(self):
        from accounts import caching  # noqa: F401 — maps members' rows to what pages show
