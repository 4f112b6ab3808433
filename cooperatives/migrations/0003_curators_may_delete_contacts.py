from django.db import migrations

from cooperatives.curators import curators_group_sync


def sync(apps, schema_editor):
    curators_group_sync(
        Group=apps.get_model("auth", "Group"), Permission=apps.get_model("auth", "Permission")
    )


class Migration(migrations.Migration):
    """Curators may now delete contacts and affiliations (see cooperatives/curators.py)."""

    dependencies = [("cooperatives", "0002_directory_curators")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
