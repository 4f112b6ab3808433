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

    return {"members": seed_accounts(scale=scale, demo=demo)}


def seed_accounts(*, scale: int, demo) -> int:
    """Librarians of every type with real US ZIP codes and the topics they share."""
    from accounts.demo_data import seed_members

    return seed_members(wanted=MEMBERS_PER_SCALE * scale, demo_user=demo)
