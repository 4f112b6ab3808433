from django.contrib.postgres.operations import CreateExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Great-circle "near me" with a GiST index (accounts_profile_earth_gist): `earthdistance`
    needs `cube`. Both are contrib modules shipped with PostgreSQL and allowed on the managed
    services; CreateExtension is IF NOT EXISTS."""

    dependencies = [("config", "0001_postgres_extensions")]
    operations = [CreateExtension("cube"), CreateExtension("earthdistance")]
