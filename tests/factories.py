import random

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory
from faker import Faker

from accounts.geo import apply_zip_coordinates
from accounts.models import ContactMessage, Profile
from kit.vocabularies import LibraryType

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
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, profile=None)
    job_title = factory.Faker("job")
    library_name = factory.LazyFunction(lambda: f"{fake.city()} {random.choice(LIBRARY_KINDS)}")
    library_type = factory.Iterator([choice for choice, _ in LibraryType.choices])
    country = "US"
    state = factory.Iterator(["MI", "NJ", "FL", "KS", "MO", "IL", "CA", "NY", "TX", "OH"])
    city = factory.Faker("city")
    postal_code = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        profile = super()._create(model_class, *args, **kwargs)
        if profile.postal_code and profile.latitude is None:
            apply_zip_coordinates(profile)
            profile.save(update_fields=["latitude", "longitude"])
        return profile

    @factory.post_generation
    def can_help_with(profile, create, extracted, **kwargs):
        """`ProfileFactory(can_help_with=["makerspace", "OER"])`"""
        if create and extracted:
            profile.can_help_with.set(list(extracted))

    @factory.post_generation
    def want_to_learn(profile, create, extracted, **kwargs):
        if create and extracted:
            profile.want_to_learn.set(list(extracted))

    @factory.post_generation
    def search_index(profile, create, extracted, **kwargs):
        # what the profile services do after every change
        if create:
            Profile.objects.filter(pk=profile.pk).refresh_search_index()


def profile_for(user, **fields) -> Profile:
    """Update the profile UserFactory made, e.g. profile_for(user, postal_code="48104")."""
    tags = {name: fields.pop(name) for name in ("can_help_with", "want_to_learn") if name in fields}
    profile = user.profile
    for name, value in fields.items():
        setattr(profile, name, value)
    apply_zip_coordinates(profile)
    profile.save()
    for name, names in tags.items():
        getattr(profile, name).set(list(names))
    Profile.objects.filter(pk=profile.pk).refresh_search_index()
    return profile


# --- accounts ---------------------------------------------------------------------------------
class ContactMessageFactory(DjangoModelFactory):
    class Meta:
        model = ContactMessage

    sender = factory.SubFactory(UserFactory)
    recipient = factory.SubFactory(UserFactory)


# --- cooperatives (directory) -------------------------------------------------------------


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = "cooperatives.Organisation"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"{fake.city()} Library Cooperative {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = "regional_cooperative"
    description = factory.Faker("sentence", nb_words=14)
    country = "US"
    states = factory.LazyFunction(lambda: ["MI"])
    library_types = factory.LazyFunction(lambda: ["public"])

    @factory.post_generation
    def parents(organisation, create, extracted, **kwargs):
        if create and extracted:
            organisation.parents.set(extracted)


class AffiliationFactory(DjangoModelFactory):
    class Meta:
        model = "cooperatives.Affiliation"

    member = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "member"


class SuggestionFactory(DjangoModelFactory):
    class Meta:
        model = "cooperatives.Suggestion"

    kind = "correction"
    organisation = factory.SubFactory(OrganisationFactory)
    proposed = factory.LazyFunction(lambda: {"website": "https://coop.example.org/"})
    note = "Their new site, seen on their newsletter."
    submitted_by = factory.SubFactory(UserFactory)


def make_curator(**kwargs):
    """A staff member in the "Directory curators" group (made by a data migration; restored
    here because transactional tests flush migration data)."""
    from cooperatives.curators import curators_group_sync

    curator = UserFactory(is_staff=True, **kwargs)
    curator.groups.add(curators_group_sync())
    return curator


# --- stories ------------------------------------------------------------------------------
STORY_TOPICS = [
    "reading programs",
    "college readiness",
    "collaboration",
    "information literacy",
    "makerspaces",
    "summer reading",
    "budget cuts",
    "professional development",
    "teen services",
    "research skills",
    "listservs",
    "school-public partnerships",
]


class StoryFactory(DjangoModelFactory):
    """A published story by a new member, with a search vector, like the service makes.

    `tags=["a", "b"]` sets topics; `status="draft"` makes a draft.
    """

    class Meta:
        model = "stories.Story"
        skip_postgeneration_save = True

    kind = "success"
    status = "published"
    title = factory.Faker("sentence", nb_words=6)
    summary = factory.Faker("sentence", nb_words=18)
    situation = factory.Faker("paragraph", nb_sentences=4)
    what_we_did = factory.Faker("paragraph", nb_sentences=4)
    results = factory.Faker("paragraph", nb_sentences=3)
    do_differently = factory.Faker("paragraph", nb_sentences=2)
    resources = ""
    author = factory.SubFactory(UserFactory)
    library_types = factory.LazyAttribute(
        lambda story: [story.author.profile.library_type] if story.author else []
    )
    country = "US"
    state = factory.LazyAttribute(lambda story: story.author.profile.state if story.author else "")
    published_at = factory.LazyAttribute(
        lambda story: timezone.now() if story.status == "published" else None
    )

    @factory.post_generation
    def tags(story, create, extracted, **kwargs):
        if create and extracted:
            story.tags.set(list(extracted))

    @factory.post_generation
    def coauthors(story, create, extracted, **kwargs):
        if create and extracted:
            story.coauthors.set(extracted)

    @factory.post_generation
    def search_vector(story, create, extracted, **kwargs):
        if create:
            from stories.services import story_search_vector_update

            story_search_vector_update(story=story)


class CommentFactory(DjangoModelFactory):
    """A comment; keeps the story's comment counter right, like the service does."""

    class Meta:
        model = "stories.Comment"

    story = factory.SubFactory(StoryFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Faker("paragraph", nb_sentences=3)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db.models import F

        from stories.models import Story

        comment = super()._create(model_class, *args, **kwargs)
        if comment.hidden_at is None:
            Story.objects.filter(pk=comment.story_id).update(comment_count=F("comment_count") + 1)
        return comment


class HelpfulVoteFactory(DjangoModelFactory):
    """A “this helped me”; keeps the story's counter right, like the service does."""

    class Meta:
        model = "stories.HelpfulVote"

    story = factory.SubFactory(StoryFactory)
    member = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db.models import F

        from stories.models import Story

        vote = super()._create(model_class, *args, **kwargs)
        Story.objects.filter(pk=vote.story_id).update(helpful_count=F("helpful_count") + 1)
        return vote


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
