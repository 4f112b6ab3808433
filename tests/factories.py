import random

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory
from faker import Faker

from accounts.choices import LibraryType
from accounts.models import Profile

fake = Faker()
LIBRARY_KINDS = ["Public Library", "High School Library", "College Library", "Media Center"]

TEST_PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@libraries.example")
    display_name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)

    profile = factory.RelatedFactory("tests.factories.ProfileFactory", factory_related_name="user")

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Members can sign in at once unless built with `verified=False`."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class ProfileFactory(DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory, profile=None)
    job_title = factory.Faker("job")
    library_name = factory.LazyFunction(lambda: f"{fake.city()} {random.choice(LIBRARY_KINDS)}")
    library_type = factory.Iterator([choice for choice, _ in LibraryType.choices])
    country = "US"
    state = factory.Iterator(["MI", "NJ", "FL", "KS", "MO", "IL", "CA", "NY", "TX", "OH"])
    city = factory.Faker("city")
    postal_code = ""


# --- groups and meetups (groups app) ------------------------------------------------------
import datetime as _dt  # noqa: E402

from django.utils import timezone as _timezone  # noqa: E402
from django.utils.text import slugify as _slugify  # noqa: E402

from groups.models import Group, Meetup, Membership  # noqa: E402


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"{fake.city()} librarians’ circle {n}")
    slug = factory.LazyAttribute(lambda o: _slugify(o.name)[:140])
    description = factory.Faker("paragraph")
    country = "US"
    state = "MI"
    city = factory.Faker("city")
    library_types = factory.LazyFunction(lambda: ["middle_school", "public"])
    visibility = Group.Visibility.PUBLIC
    join_policy = Group.JoinPolicy.OPEN

    @factory.post_generation
    def organizer(group, create, extracted, **kwargs):
        """`GroupFactory(organizer=user)` makes `user` its organizer."""
        if create and extracted is not None:
            MembershipFactory(group=group, member=extracted, role=Membership.Role.ORGANIZER)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    member = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE
    joined_at = factory.LazyAttribute(
        lambda o: _timezone.now() if o.status == Membership.Status.ACTIVE else None
    )


class MeetupFactory(DjangoModelFactory):
    """A meetup a week from now, 12:00–13:30 in Detroit; its dates are materialised unless
    built with `materialize=False`."""

    class Meta:
        model = Meetup
        skip_postgeneration_save = True

    group = factory.SubFactory(GroupFactory)
    title = factory.Iterator(
        ["Long lunch and collaboration", "Librarians’ dinner", "Book talk swap", "Makerspace tips"]
    )
    description = factory.Faker("paragraph")
    start_date = factory.LazyFunction(lambda: (_timezone.now() + _dt.timedelta(days=7)).date())
    start_time = _dt.time(12, 0)
    duration = _dt.timedelta(minutes=90)
    timezone = "America/Detroit"
    rrule = ""
    venue_kind = "in_person"
    venue_name = factory.LazyFunction(lambda: f"{fake.city()} Public Library, meeting room B")
    address = factory.Faker("street_address")

    @factory.post_generation
    def materialize(meetup, create, extracted, **kwargs):
        if create and extracted is not False:
            from groups.services import occurrences_materialize

            occurrences_materialize(meetup=meetup)
