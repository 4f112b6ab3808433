from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Directory curators"
MODELS = ["organisation", "contact", "suggestion", "affiliation"]
ACTIONS = ["add", "change", "view"]


def create_curators(apps, schema_editor):
    """Curators edit the directory and nothing else: no deleting, no users, no other app."""
    # permissions are normally created after all migrations; make sure ours exist now
    app_config = apps.get_app_config("cooperatives")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="cooperatives", codename__in=codenames)
    )


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]
