from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CommonsAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the staff's community overview (config/admin.py), named in full in
    INSTALLED_APPS."""

    default = False  # "config" in INSTALLED_APPS still means ProjectConfig
    default_site = "config.admin.CommonsAdminSite"


class ProjectConfig(AppConfig):
    """The composition root: settings, root URLs, the admin site and the project's commands
    (`devserver`, `seed_demo`). Labelled "project": the label "config" belongs to the shared kit,
    whose migrations were recorded under it (kit/apps.py)."""

    name = "config"
    label = "project"
    verbose_name = "Librarian Commons project"
