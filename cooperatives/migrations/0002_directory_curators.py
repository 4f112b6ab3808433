from django.contrib.auth.management import create_permissions
from django.db import migrations

from cooperatives.curators import CURATORS_GROUP, curators_group_sync


def create_curators(apps, schema_editor):
    # permissions are normally created after all migrations; make sure ours exist now
    app_config = apps.get_app_config("cooperatives")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    curators_group_sync(
        Group=apps.get_model("auth", "Group"), Permission=apps.get_model("auth", "Permission")
    )


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=CURATORS_GROUP).delete()


class Migration(migrations.Migration):
    """The "Directory curators" group (see cooperatives/curators.py)."""

    dependencies = [
        ("cooperatives", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]
