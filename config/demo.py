"""Demo content for `seed_demo`, built with the test factories so both stay believable.

Each app adds a `seed_<app>(scale)` step here as it grows. Every step is idempotent: it tops the
data up to the wanted size instead of adding more on each run. Steps must stay fast at the
benchmark's scale (`make bench` runs `seed_demo --scale 500`: 20,000 members, 100,000 stories):
build rows with the factories' `build()` and insert them with kit/bulk.py, never one
`save()` per row (see benchmarks/README.md).
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts.demo_data import seed_members
from cooperatives.demo import ENTRIES_PER_SCALE, seed_directory_bulk
from cooperatives.loader import load_directory
from cooperatives.models import Affiliation, Organisation
from groups import demo as groups_demo
from home.demo import seed_notifications
from kit.spelling import search_words_rebuild
from stories import demo as stories_demo
from tests import factories

MEMBERS_PER_SCALE = 40


def seed(*, scale: int, demo_email: str, demo_password: str) -> dict[str, int]:
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

    seed_accounts(scale=scale, demo=demo)
    counts = {
        **seed_cooperatives(scale, demo=demo),
        **seed_stories(scale=scale, demo_user=demo),
        **seed_groups(scale=scale, demo=demo),
    }

    counts.update(seed_notifications(scale, demo=demo))  # after the content it follows
    # what the nightly recount does: the spelling vocabulary's counts, as a running site's
    search_words_rebuild()
    # other steps add members too (authors, commenters)
    return {"members": User.objects.count(), **counts}


def seed_cooperatives(scale: int, *, demo) -> dict[str, int]:
    """The real starting directory, and some members listing where they belong."""
    report = load_directory()
    if not report.ok:
        raise RuntimeError(f"The bundled directory did not load: {report.errors[:3]}")
    if scale > 1:  # generated entries, marked as such, up to 2 per scale in all (1,000 at 500)
        seed_directory_bulk(ENTRIES_PER_SCALE * scale - Organisation.objects.count())

    associations = {
        state: org
        for org in Organisation.objects.of_kind(Organisation.Kind.STATE_LIBRARY_ASSOCIATION)
        for state in org.states
    }
    roles = [Affiliation.Role.MEMBER] * 6 + [Affiliation.Role.OFFICER, Affiliation.Role.CHAIR]
    members = (
        get_user_model()
        .objects.exclude(pk=demo.pk)
        .select_related("profile")
        .order_by("pk")[: 12 * scale]
    )
    Affiliation.objects.bulk_create(
        [
            Affiliation(member=member, organisation=association, role=roles[number % len(roles)])
            for number, member in enumerate(members)
            if (association := associations.get(getattr(member.profile, "state", "")))
        ],
        ignore_conflicts=True,  # idempotent: one affiliation per member and organisation
    )
    for name, role in [
        ("American Library Association", Affiliation.Role.MEMBER),
        ("Upper Peninsula Region of Library Cooperation", Affiliation.Role.OFFICER),
    ]:
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is not None:
            Affiliation.objects.get_or_create(
                member=demo, organisation=organisation, defaults={"role": role}
            )
    return {
        "directory entries": Organisation.objects.count(),
        "affiliations": Affiliation.objects.count(),
    }


def seed_accounts(*, scale: int, demo) -> int:
    """Librarians of every type with real US ZIP codes and the topics they share."""
    return seed_members(wanted=MEMBERS_PER_SCALE * scale, demo_user=demo)


def seed_stories(*, scale: int, demo_user) -> dict[str, int]:
    """Lessons learned, with comments, helpful votes and solved challenges (stories/demo.py)."""
    return stories_demo.seed_stories(scale=scale, demo_user=demo_user)


def seed_groups(*, scale: int, demo) -> dict[str, int]:
    """The meetups the source document describes, with members and RSVPs (groups/demo.py)."""
    return groups_demo.seed_groups(scale=scale, demo=demo)
