from django.db import migrations


def create_missing_profiles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("accounts", "Profile")
    Profile.objects.bulk_create(
        [
            Profile(user_id=pk)
            for pk in User.objects.filter(profile__isnull=True).values_list("pk", flat=True)
        ]
    )


class Migration(migrations.Migration):
    """Members who joined before profiles existed get an empty one (onboarding fills it)."""

    dependencies = [("accounts", "0003_profile_search_location_contact")]
    operations = [migrations.RunPython(create_missing_profiles, migrations.RunPython.noop)]
