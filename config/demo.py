"""Demo content for `seed_demo`, built with the test factories so both stay believable.

Each app adds a `seed_<app>` step here as it grows. Every step is idempotent: it tops the data
up to the wanted size instead of adding more on each run.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

MEMBERS_PER_SCALE = 40


def seed(*, scale: int, demo_email: str, demo_password: str) -> dict[str, int]:
    from tests import factories

    User = get_user_model()
    demo = User.objects.filter(email=demo_email).first()
    if demo is None:
        demo = factories.UserFactory(
            email=demo_email,
            password=demo_password,
            display_name="Dana Demo",
            is_staff=True,
            is_superuser=True,
        )
    EmailAddress.objects.update_or_create(
        user=demo, email=demo_email, defaults={"verified": True, "primary": True}
    )

    wanted = MEMBERS_PER_SCALE * scale
    missing = max(0, wanted - User.objects.exclude(pk=demo.pk).count())
    factories.UserFactory.create_batch(missing)
    stories = seed_stories(scale=scale, demo_user=demo)
    return {"members": User.objects.count(), **stories}


def seed_stories(*, scale: int, demo_user) -> dict[str, int]:
    """Lessons learned, with comments, helpful votes and solved challenges (stories/demo.py)."""
    from stories.demo import seed_stories as seed

    return seed(scale=scale, demo_user=demo_user)
