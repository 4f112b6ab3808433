from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CommonsAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the staff's community overview (config/admin.py), named in full in
    INSTALLED_APPS."""

    default = False  # "config" in INSTALLED_APPS still means ConfigConfig
    default_site = "config.admin.CommonsAdminSite"


class ConfigConfig(AppConfig):
    """Project-wide pieces: PostgreSQL extensions, health, dev and demo commands, e-mail task."""

    name = "config"
    verbose_name = "Librarian Commons"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from config.scopes import content_saved_or_deleted

        # every model: the receiver keeps to the site's own apps (config.scopes.CONTENT_APPS),
        # each app maps its models to the scopes they change (its `caching` module)
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(content_saved_or_deleted, dispatch_uid="scopes_content_changed")
