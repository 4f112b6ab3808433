""" "Near me" pages come from an index walk (`NearestFirst`), not a sort of every member: the
pages must be exactly the full order, and the queries must not grow with the membership."""

import math

import pytest
from django.core.cache import caches
from django.urls import reverse

from accounts.demo_data import seed_members_bulk
from accounts.models import Profile
from accounts.querysets import EARTH_RADIUS_MILES, NearestFirst
from members import views
from tests.factories import UserFactory, profile_for

pytestmark = pytest.mark.django_db


def member(**fields):
    user = UserFactory(display_name=fields.pop("display_name", "A. Member"))
    profile_for(user, **fields)
    return user


def haversine_miles(a: Profile, b: Profile) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


@pytest.fixture
def crowd():
    """Bulk members with real ZIP codes (many sharing one, so ties are broken by name) and
    members without a ZIP code in each proximity tier, interleaved with them."""
    origin = member(display_name="Origin", postal_code="48104", state="MI", city="Ann Arbor")
    for number in range(3):
        member(display_name=f"No ZIP, same city {number}", state="MI", city="ann arbor")
        member(display_name=f"No ZIP, same state {number}", state="MI", city="Flint")
        member(display_name=f"No ZIP, same country {number}", state="OH", city="Toledo")
        member(display_name=f"Abroad {number}", country="CA", state="Ontario", city="Toronto")
    # same ZIP as a neighbour, so equal distances: ties go by name
    member(display_name="Aaron Tied", postal_code="48197", state="MI")
    member(display_name="Zoe Tied", postal_code="48197", state="MI")
    seed_members_bulk(80, seed=7)  # after the factory's members: it numbers emails from max(pk)
    return origin


def pages_of(rows, size: int, total: int) -> list[int]:
    return [p.pk for start in range(0, total, size) for p in rows[start : start + size]]


def test_pages_are_exactly_the_full_nearest_first_order(crowd):
    origin = crowd.profile
    rows = Profile.objects.visible_to(crowd).listed().exclude(user=crowd).for_cards().near(origin)

    everyone = list(rows)  # one full sort in SQL: the reference order
    total = len(everyone)

    assert total == rows.count() > 80
    for size in (1, 7, 24):
        assert pages_of(rows, size, total) == [p.pk for p in everyone]
    assert [p.pk for p in rows[5:31]] == [p.pk for p in everyone[5:31]]
    # each page's rows carry the exact miles and the fallback tiers for the cards
    nearest = rows[:40]
    for profile in nearest:
        if profile.latitude is None:
            assert profile.distance_miles is None
            assert profile.proximity
        else:
            assert profile.distance_miles == pytest.approx(haversine_miles(origin, profile))
    keys = [p.nearness for p in nearest]
    assert keys == sorted(keys)
    names = [p.user.display_name for p in everyone]
    tied = [i for i, p in enumerate(everyone) if p.postal_code == "48197"]
    assert tied == list(range(tied[0], tied[0] + len(tied)))  # one block, by name within it
    assert names.index("Aaron Tied") < names.index("Zoe Tied")
    assert names.index("No ZIP, same city 0") < names.index("No ZIP, same state 0")
    assert names[-3:] == ["Abroad 0", "Abroad 1", "Abroad 2"]


def test_pages_without_coordinates_of_my_own_go_by_tier_then_name(crowd):
    origin = Profile.objects.get(user__display_name="Abroad 2")
    rows = Profile.objects.exclude(pk=origin.pk).near(origin)

    everyone = list(rows)

    assert pages_of(rows, 5, len(everyone)) == [p.pk for p in everyone]
    assert [p.user.display_name for p in everyone[:2]] == ["Abroad 0", "Abroad 1"]
    assert all(p.distance_miles is None for p in everyone)


def test_colleagues_near_slices_like_a_list(crowd):
    colleagues = Profile.objects.visible_to(crowd).colleagues_near(crowd.profile)

    everyone = list(colleagues)

    assert isinstance(colleagues, NearestFirst)
    assert [p.pk for p in colleagues[:6]] == [p.pk for p in everyone[:6]]
    assert colleagues[2].pk == everyone[2].pk
    assert bool(colleagues)
    assert colleagues.count() == len(everyone)


def test_directory_says_more_than_when_it_stops_counting(client, crowd, monkeypatch):
    monkeypatch.setattr(views, "MAX_LISTED", 30)
    client.force_login(crowd)
    client.get("/")  # records onboarding in the session

    first = client.get(reverse("accounts:list"), {"sort": "near"})
    last = client.get(reverse("accounts:list"), {"sort": "near", "page": 2})

    assert "More than 30 colleagues, nearest first" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()
    assert len(last.context["profiles"]) == 6
    assert "Only the first 30 are listed" in last.content.decode()


# --- query counts do not grow with the membership ------------------------------------------------
PAGES = {
    "directory, near me": lambda me: reverse("accounts:list") + "?sort=near",
    "directory, near me, page 2": lambda me: reverse("accounts:list") + "?sort=near&page=2",
    "directory, by name": lambda me: reverse("accounts:list") + "?sort=name",
    "directory, search": lambda me: reverse("accounts:list") + "?q=library",
    "dashboard (colleagues near you)": lambda me: reverse("home"),
    "own profile (colleagues near you)": lambda me: me.get_absolute_url(),
}


def test_near_me_pages_queries_are_flat_as_members_grow(client, django_assert_max_num_queries):
    me = member(display_name="Me", postal_code="48104", state="MI", city="Ann Arbor")
    client.force_login(me)
    client.get("/")  # records onboarding in the session

    def counts() -> dict[str, int]:
        # each page from cold caches, as the first request after a change: what one page keeps
        # (the map's figures, which the next page's paginator reads) was once found by a
        # second page of the same count and once not (5 queries at 30 members, 6 at 330, on a
        # loaded CI machine), so no page's count depends on another's kept figures
        result = {}
        for name, url in PAGES.items():
            for cache in caches.all():
                cache.clear()
            with django_assert_max_num_queries(10) as captured:
                assert client.get(url(me)).status_code == 200, name
            result[name] = len(captured.captured_queries)
        return result

    seed_members_bulk(30, seed=1)
    few = counts()
    seed_members_bulk(300, seed=2)
    many = counts()

    assert few == many
