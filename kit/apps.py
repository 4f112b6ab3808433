from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.module_loading import autodiscover_modules

from kit.scopes import content_saved_or_deleted


class KitConfig(AppConfig):
    """The shared kit below every app: PostgreSQL extensions, versions of what pages show and the
    pages, fragments and figures kept under them, Markdown, rate limits, the e-mail task, bulk
    inserts, places and vocabularies, text limits, the words misspelt searches are corrected
    against.

    Its label stays "config", where these pieces lived before they had a package of their own:
    the database records its migrations (and names its tables) by that label, and a label
    cannot be renamed without rewriting history. The composition root, `config/`, is labelled
    "project" instead (config/apps.py)."""

    name = "kit"
    label = "config"
    verbose_name = "Librarian Commons"

    def ready(self) -> None:
        # each app maps its models to the scopes they change in its own `caching` module, which
        # imports its models: found here, as the admin finds `admin` modules, once all are loaded
        # — the kit imports no app
        autodiscover_modules("caching")
        # every model: the receiver keeps to the site's own apps (kit.scopes.CONTENT_APPS)
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(content_saved_or_deleted, dispatch_uid="scopes_content_changed")
