import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Profile
from accounts.querysets import Proximity
from kit.vocabularies import LibraryType
from tests.factories import UserFactory, profile_for

pytestmark = pytest.mark.django_db
Visibility = Profile.Visibility


def member(**fields):
    user = UserFactory(display_name=fields.pop("display_name", "A. Member"))
    profile_for(user, **fields)
    return user


def names(profiles):
    return [profile.user.display_name for profile in profiles]


# --- visibility ---------------------------------------------------------------------------------
@pytest.fixture
def three_profiles():
    return {
        "public": member(display_name="Pat Public", visibility=Visibility.PUBLIC),
        "members": member(display_name="Mo Members", visibility=Visibility.MEMBERS),
        "hidden": member(display_name="Hal Hidden", visibility=Visibility.HIDDEN),
    }


def test_visitors_see_only_public_profiles(three_profiles):
    visible = Profile.objects.visible_to(AnonymousUser())

    assert names(visible) == ["Pat Public"]
    assert names(Profile.objects.visible_to(None)) == ["Pat Public"]


def test_members_see_public_and_members_profiles_but_not_hidden_ones(three_profiles):
    viewer = UserFactory()

    visible = set(names(Profile.objects.visible_to(viewer).exclude(user=viewer)))

    assert visible == {"Pat Public", "Mo Members"}


def test_a_hidden_profile_is_visible_to_its_owner_only(three_profiles):
    owner = three_profiles["hidden"]

    assert Profile.objects.visible_to(owner).filter(user=owner).exists()
    assert not Profile.objects.visible_to(UserFactory()).filter(user=owner).exists()


def test_deactivated_members_are_never_visible(three_profiles):
    user = three_profiles["public"]
    user.is_active = False
    user.save()

    assert not Profile.objects.visible_to(AnonymousUser()).exists()
    assert not Profile.objects.visible_to(user).filter(user=user).exists()


def test_listed_leaves_out_profiles_without_library_type_or_region():
    member(display_name="Done", library_type=LibraryType.PUBLIC, state="MI")
    member(display_name="No type", library_type="", state="MI")
    member(display_name="No region", library_type=LibraryType.PUBLIC, state="")

    assert names(Profile.objects.listed()) == ["Done"]


# --- search -------------------------------------------------------------------------------------
@pytest.fixture
def librarians():
    return [
        member(
            display_name="Rosa Delgado",
            job_title="Teacher librarian",
            library_name="Lincoln High School",
            can_help_with=["makerspace", "college readiness"],
        ),
        member(
            display_name="Tom Becker",
            job_title="Branch manager",
            library_name="Ann Arbor District Library",
            can_help_with=["summer reading"],
        ),
        member(
            display_name="Keisha Moore",
            job_title="Instruction coordinator",
            library_name="Washtenaw Community College",
            can_help_with=["information literacy", "OER"],
            bio="I run workshops on open textbooks.",
        ),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Rosa", ["Rosa Delgado"]),
        ("Delgado", ["Rosa Delgado"]),
        ("District Library", ["Tom Becker"]),
        ("makerspace", ["Rosa Delgado"]),
        ("summer reading", ["Tom Becker"]),
        ("OER", ["Keisha Moore"]),
        ("textbooks", ["Keisha Moore"]),  # bio, stemmed
        ("makrspace", ["Rosa Delgado"]),  # misspelt: trigram similarity
        ("Washtenaw comunity", ["Keisha Moore"]),
        ("Delgao", ["Rosa Delgado"]),
    ],
)
def test_search_finds_names_libraries_and_topics_even_misspelt(librarians, query, expected):
    assert names(Profile.objects.search(query)) == expected


def test_librarain_finds_the_librarian(librarians):
    found = names(Profile.objects.search("librarain"))

    # "librarain" is as close to "library" as to "librarian": both are fair answers
    assert "Rosa Delgado" in found
    assert "Keisha Moore" not in found


def test_close_spellings_count_only_when_full_text_finds_nobody(librarians):
    member(display_name="Dan Delgada", job_title="Outreach")

    # full text finds Rosa Delgado: Dan Delgada, only a close spelling, is left out
    assert names(Profile.objects.search("Delgado")) == ["Rosa Delgado"]
    # nothing matches word for word: both close spellings are fair answers
    assert sorted(names(Profile.objects.search("Delgadu"))) == ["Dan Delgada", "Rosa Delgado"]


def test_search_for_nonsense_finds_nobody(librarians):
    assert names(Profile.objects.search("xylophone quartet")) == []


def test_search_ranks_the_better_match_first(librarians):
    member(display_name="Sam Reading", job_title="Reading specialist")

    found = names(Profile.objects.search("reading").order_by("-search_rank"))

    assert found[0] == "Sam Reading"  # a name outranks a topic
    assert "Tom Becker" in found
    assert "Keisha Moore" not in found


def test_blank_search_changes_nothing(librarians):
    assert Profile.objects.search("  ").count() == 3


def test_search_index_follows_changes_to_name_and_topics(librarians):
    rosa = librarians[0]
    rosa.display_name = "Rosalind Delgado-Park"
    rosa.save()
    profile_for(rosa, can_help_with=["robotics"])

    assert names(Profile.objects.search("robotics")) == ["Rosalind Delgado-Park"]
    assert names(Profile.objects.search("makerspace")) == []


# --- filters ------------------------------------------------------------------------------------
def test_filters_by_type_region_open_to_and_help_topic():
    member(
        display_name="Ann",
        library_type=LibraryType.PUBLIC,
        country="US",
        state="MI",
        open_to_visits=True,
        open_to_mentoring=True,
        can_help_with=["Grant writing"],
    )
    member(display_name="Ben", library_type=LibraryType.PUBLIC, state="NJ", open_to_visits=True)
    member(display_name="Cy", library_type=LibraryType.ACADEMIC, state="MI")
    profiles = Profile.objects.order_by("user__display_name")

    assert names(profiles.of_library_types([LibraryType.PUBLIC])) == ["Ann", "Ben"]
    assert names(profiles.in_region(country="US", state="mi")) == ["Ann", "Cy"]
    assert names(profiles.open_to(["visits"])) == ["Ann", "Ben"]
    assert names(profiles.open_to(["visits", "mentoring"])) == ["Ann"]
    assert names(profiles.can_help_with("grant writing")) == ["Ann"]
    assert names(profiles.can_help_with("")) == ["Ann", "Ben", "Cy"]


# --- near me ------------------------------------------------------------------------------------
@pytest.fixture
def michigan():
    """Real ZIP codes around Ann Arbor (48104): Ypsilanti ~5.5 mi, Detroit ~35, Lansing ~53,
    Chicago ~201, Trenton NJ ~487."""
    return {
        "origin": member(display_name="Origin", postal_code="48104", state="MI"),
        "chicago": member(display_name="Chicago", postal_code="60601", state="IL"),
        "lansing": member(display_name="Lansing", postal_code="48933", state="MI"),
        "ypsilanti": member(display_name="Ypsilanti", postal_code="48197", state="MI"),
        "trenton": member(display_name="Trenton", postal_code="08608", state="NJ"),
        "detroit": member(display_name="Detroit", postal_code="48226", state="MI"),
    }


def test_near_orders_by_distance_between_zip_codes(michigan):
    origin = michigan["origin"].profile

    nearest = list(Profile.objects.exclude(pk=origin.pk).near(origin))

    assert names(nearest) == ["Ypsilanti", "Detroit", "Lansing", "Chicago", "Trenton"]
    miles = [round(profile.distance_miles) for profile in nearest]
    assert miles[0] in (5, 6)
    assert 33 <= miles[1] <= 37
    assert 51 <= miles[2] <= 55
    assert 195 <= miles[3] <= 207
    assert 480 <= miles[4] <= 495


def test_within_miles(michigan):
    origin = michigan["origin"].profile

    close = (
        Profile.objects.exclude(pk=origin.pk).within_miles(origin, 50).order_by("distance_miles")
    )

    assert names(close) == ["Ypsilanti", "Detroit"]


def test_members_without_a_zip_code_fall_back_to_city_then_state(michigan):
    origin = michigan["origin"].profile
    origin.city = "Ann Arbor"
    origin.save()
    member(display_name="Same city", postal_code="", state="MI", city="ann arbor")
    member(display_name="Same state", postal_code="", state="MI", city="Flint")

    nearest = names(Profile.objects.exclude(pk=origin.pk).near(origin))

    # a neighbour in the same city who gave no ZIP comes before those 35 miles away
    assert nearest == [
        "Ypsilanti",
        "Same city",
        "Detroit",
        "Lansing",
        "Same state",
        "Chicago",
        "Trenton",
    ]


def test_outside_the_us_same_city_then_same_province_then_country():
    origin = member(display_name="Origin", country="CA", state="Ontario", city="Toronto")
    member(display_name="Elsewhere", country="GB", state="Kent", city="Canterbury")
    member(display_name="Same province", country="CA", state="Ontario", city="Ottawa")
    member(display_name="Same country", country="CA", state="Quebec", city="Montreal")
    member(display_name="Same city", country="CA", state="ontario", city="Toronto")

    nearest = list(Profile.objects.exclude(user=origin).near(origin.profile))

    assert names(nearest) == ["Same city", "Same province", "Same country", "Elsewhere"]
    assert [p.proximity for p in nearest] == [
        Proximity.CITY,
        Proximity.STATE,
        Proximity.COUNTRY,
        Proximity.ELSEWHERE,
    ]
    assert all(p.distance_miles is None for p in nearest)


def test_colleagues_near_are_of_other_library_families():
    origin = member(
        display_name="School librarian", library_type=LibraryType.HIGH_SCHOOL, postal_code="48104"
    )
    member(display_name="Other school", library_type=LibraryType.MIDDLE_SCHOOL, postal_code="48197")
    member(display_name="Public far", library_type=LibraryType.PUBLIC, postal_code="60601")
    member(display_name="Public near", library_type=LibraryType.PUBLIC, postal_code="48226")
    member(display_name="College", library_type=LibraryType.COMMUNITY_COLLEGE, postal_code="48197")
    member(display_name="Unfinished", library_type="", postal_code="48197")

    colleagues = Profile.objects.visible_to(origin).colleagues_near(origin.profile)

    assert names(colleagues) == ["College", "Public near", "Public far"]


def test_colleagues_near_respects_visibility():
    origin = member(display_name="Me", library_type=LibraryType.PUBLIC, postal_code="48104")
    member(
        display_name="Hidden",
        library_type=LibraryType.ACADEMIC,
        postal_code="48197",
        visibility=Visibility.HIDDEN,
    )
    member(display_name="Shown", library_type=LibraryType.ACADEMIC, postal_code="48933")

    colleagues = Profile.objects.visible_to(origin).colleagues_near(origin.profile)

    assert names(colleagues) == ["Shown"]
