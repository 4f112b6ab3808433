from django.db import migrations, models


class Migration(migrations.Migration):
    """Versions of what pages show (kit/scopes.py), moved on from a sequence of their own so
    that a version number is never reused, whatever is rolled back or restored."""

    dependencies = [("config", "0002_cube_earthdistance")]
    operations = [
        migrations.CreateModel(
            name="ScopeVersion",
            fields=[
                (
                    "name",
                    models.CharField(max_length=200, primary_key=True, serialize=False),
                ),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunSQL(
            "CREATE SEQUENCE config_scope_version_seq",
            reverse_sql="DROP SEQUENCE config_scope_version_seq",
        ),
    ]
