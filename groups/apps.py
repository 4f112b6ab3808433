from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "meetup_groups"  # "groups" would clash with django.contrib.auth's Group in admin/perms
    verbose_name = "Groups and meetups"
