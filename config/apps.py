from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Project-wide pieces: PostgreSQL extensions, health, dev and demo commands, e-mail task."""

    name = "config"
    verbose_name = "Librarian Commons"
