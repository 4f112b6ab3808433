"""The "Moderators" group with the permissions moderation needs (the accounts issue asks for
it): see and act on reports, see stories and comments, hide and unhide them. Members of the
group also need `is_staff` to open Django admin."""

from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("stories", "view_story"),
    ("stories", "change_story"),
    ("stories", "view_comment"),
    ("stories", "change_comment"),
    ("stories", "view_report"),
    ("stories", "change_report"),
    ("stories", "hide_content"),
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # permissions are normally created after all migrations; make sure ours exist now
    stories = apps.get_app_config("stories")
    stories.models_module = True
    create_permissions(stories, apps=apps, verbosity=0)
    stories.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is None:
        return
    for app_label, codename in PERMISSIONS:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_permissions)]
