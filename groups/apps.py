from django.apps import AppConfig

from notifications.followables import followable_register


class GroupsConfig(AppConfig):
    name = "groups"
    label = "meetup_groups"  # "groups" would clash with django.contrib.auth's Group in admin/perms
    verbose_name = "Groups and meetups"

    def ready(self):
        Group = self.get_model("Group")
        followable_register("group", Group, Group.objects.visible_to)
