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
