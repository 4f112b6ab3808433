from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save

from kit.pagecache import content_saved_or_deleted


class KitConfig(AppConfig):
    """The shared kit below every app: PostgreSQL extensions, kept pages, generations, Markdown,
    rate limits, the e-mail task, bulk inserts, places and vocabularies, text limits.

    Its label stays "config", where these pieces lived before they had a package of their own:
    the database records its migrations (and would name its tables) by that label, and a label
    cannot be renamed without rewriting history. The composition root, `config/`, is labelled
    "project" instead (config/apps.py)."""

    name = "kit"
    label = "config"
    verbose_name = "Librarian Commons"

    def ready(self):
        # every model: the receiver keeps to the site's own apps (kit.pagecache.CONTENT_APPS)
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(content_saved_or_deleted, dispatch_uid="pagecache_content_changed")
