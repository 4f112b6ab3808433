from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "meetup_groups"  # "groups" would clash with django.contrib.auth's Group in admin/perms
    verbose_name = "Groups and meetups"

    def ready(self):
        from groups import caching  # noqa: F401 — maps its rows to what pages show
