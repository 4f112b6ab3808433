"""Demo content for `seed_demo`, built with the test factories so both stay believable.

Each app adds a `seed_<app>(scale)` step here as it grows. Every step is idempotent: it tops the
data up to the wanted size instead of adding more on each run. Steps must stay fast at the
benchmark's scale (`make bench` runs `seed_demo --scale 500`: 20,000 members, 100,000 stories):
build rows with the factories' `build()` and insert them with config/bulk.py, never one
`save()` per row (see benchmarks/README.md).
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
    seed_members(missing)
    return {"members": User.objects.count()}


def seed_members(count: int) -> None:
    """`count` more verified members with profiles, inserted in bulk (they share one password
    hash, of the test password)."""
    import factory
    from django.db.models import Max

    from config.bulk import insert_built, insert_instances, shared_password_hash
    from tests import factories

    if count <= 0:
        return
    User = get_user_model()
    first = (User.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    users = insert_built(
        factories.UserFactory,
        count,
        profile=None,
        email=lambda i: f"member{first + i}@libraries.example",
        # Force: the factory would otherwise hash the hash again, once per row
        password=factory.Transformer.Force(shared_password_hash(factories.TEST_PASSWORD)),
    )
    insert_instances(
        factories.ProfileFactory._meta.model,
        (factories.ProfileFactory.build(user=user) for user in users),
    )
    insert_instances(
        EmailAddress,
        (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
    )
