"""Site-wide search: every section ranked by its app's search, and privacy respected."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.factories import (
    GroupFactory,
    MeetupFactory,
    OrganisationFactory,
    StoryFactory,
    UserFactory,
    profile_for,
)

pytestmark = pytest.mark.django_db


def search(client, text):
    return client.get(reverse("search"), {"q": text})


def librarian(name, visibility, **fields):
    user = UserFactory(display_name=name)
    profile_for(user, library_type="public", state="MI", visibility=visibility, **fields)
    return user


@pytest.fixture
def quilting():
    """Something about quilting in every section."""
    return {
        "story": StoryFactory(title="Quilting circle brings teens in", tags=["quilting"]),
        "member": librarian("Quincy Quilter", "members", can_help_with=["quilting"]),
        "group": GroupFactory(name="Quilting librarians of Michigan"),
        "meetup": MeetupFactory(title="Quilting bee and book swap"),
        "organisation": OrganisationFactory(name="Quilting Heritage Library Cooperative"),
    }


def test_results_page_has_a_section_per_app(member_client, quilting):
    member_client.get("/")
    response = search(member_client, "quilting")

    page = response.content.decode()
    for heading in ["Stories", "Members", "Groups", "Upcoming meetups", "Directory"]:
        assert f">{heading}</h2>" in page
    assert quilting["story"].title in page
    assert "Quincy Quilter" in page
    assert "Quilting librarians of Michigan" in page
    assert "Quilting bee and book swap" in page
    assert "Quilting Heritage Library Cooperative" in page
    assert f"{reverse('stories:list')}?q=quilting" in page
    assert f"{reverse('accounts:list')}?q=quilting" in page
    assert f"{reverse('cooperatives:list')}?q=quilting" in page


def test_a_misspelt_word_still_finds_titles(client, quilting):
    page = search(client, "quiltnig").content.decode()
    assert quilting["story"].title in page


def test_a_hidden_profile_never_appears(client, member_client):
    librarian("Hester Hidden", "hidden", can_help_with=["bookbinding"])
    librarian("Mona Members", "members", can_help_with=["bookbinding"])
    librarian("Pablo Public", "public", can_help_with=["bookbinding"])

    member_client.get("/")
    as_member = search(member_client, "bookbinding").content.decode()
    assert "Hester Hidden" not in as_member
    assert "Mona Members" in as_member
    assert "Pablo Public" in as_member
    assert "Hester Hidden" not in search(member_client, "Hester").content.decode()

    client.logout()
    anonymous = search(client, "bookbinding").content.decode()
    assert "Hester Hidden" not in anonymous
    assert "Mona Members" not in anonymous  # members only
    assert "Pablo Public" in anonymous


def test_members_only_groups_and_drafts_stay_private(client):
    GroupFactory(name="Secret zine makers", visibility="members")
    StoryFactory(title="Zine workshop draft", status="draft")
    page = search(client, "zine").content.decode()
    assert "Secret zine makers" not in page
    assert "Zine workshop draft" not in page


def test_empty_and_unmatched_queries_explain_themselves(client):
    assert "Type a few words" in search(client, "").content.decode()
    assert "Nothing matches “xylophonics”" in search(client, "xylophonics").content.decode()


def test_header_has_one_labelled_search_box(client):
    page = client.get("/").content.decode()
    assert page.count('role="search"') == 1
    assert 'for="site-search-q"' in page
    assert 'action="/search/"' in page


def test_hostile_queries_are_inert(client):
    from tests.xss import XSS_PAYLOADS, assert_inert

    for payload in XSS_PAYLOADS:
        response = search(client, payload)
        assert response.status_code == 200
        assert_inert(response.content.decode())


def robotics_everywhere(numbers):
    for n in numbers:
        StoryFactory(title=f"Robotics club {n}", tags=["robotics"])
        librarian(f"Robin Robot {n}", "members", can_help_with=["robotics"])
        GroupFactory(name=f"Robotics librarians {n}")
        MeetupFactory(title=f"Robotics night {n}")
        OrganisationFactory(name=f"Robotics Library Network {n}")


@pytest.mark.parametrize("text", ["robotics", "robtoics"])  # the typo takes the trigram path
def test_search_queries_are_flat(member_client, text, django_assert_max_num_queries):
    member_client.get("/")
    counts = {}
    for size, numbers in ((1, range(1)), (6, range(1, 6))):
        robotics_everywhere(numbers)
        with django_assert_max_num_queries(10) as captured:
            response = search(member_client, text)

        assert response.status_code == 200
        found = response.context["results"]
        assert len(found["stories"]) == min(size, 5)  # by full text or by a close title
        if text == "robotics":
            assert all(found[section] for section in ("groups", "meetups", "organisations"))
        counts[size] = len(captured)
    assert counts[1] == counts[6], counts


def test_a_nul_byte_in_the_query_is_not_a_server_error(client, db):
    response = client.get("/search/", {"q": "summer\x00reading"})

    # refused before the view, like a NUL in any query string (kit/middleware.py)
    assert response.status_code == 400
    assert b"null character" in response.content


def found(client, text, section):
    # each look renders (a kept copy of the same address would carry no template context)
    caches["pages"].clear()
    return search(client, text).context["results"][section]


def test_close_titles_count_only_when_full_text_finds_no_story(client):
    exact = StoryFactory(title="Librarians who code")
    close = StoryFactory(title="Library on wheels")

    assert found(client, "librarians", "stories") == [exact]
    # nothing matches word for word: the titles with a close word are the results
    assert set(found(client, "librarains", "stories")) == {exact, close}


def test_close_group_names_count_only_when_full_text_finds_no_group(client):
    exact = GroupFactory(name="Librarians on bikes", description="")
    close = GroupFactory(name="Library friends", description="")

    assert found(client, "librarians", "groups") == [exact]
    assert set(found(client, "librarains", "groups")) == {exact, close}


def test_a_misspelt_word_still_finds_groups_and_meetups(client, quilting):
    assert found(client, "quiltnig", "groups") == [quilting["group"]]
    assert {date.meetup for date in found(client, "quiltnig", "meetups")} == {quilting["meetup"]}


def test_close_meetup_titles_count_only_when_full_text_finds_no_date(client):
    exact = MeetupFactory(
        title="Librarians lunch", group=GroupFactory(name="North", description="")
    )
    close = MeetupFactory(title="Library tour", group=GroupFactory(name="South", description=""))

    assert {date.meetup for date in found(client, "librarians", "meetups")} == {exact}
    assert {date.meetup for date in found(client, "librarains", "meetups")} == {exact, close}


def test_a_close_title_whose_dates_are_hidden_does_not_hide_other_close_titles(client):
    """Full text finding only a members-only group's meetup is finding nothing for a
    visitor: the close titles still count."""
    MeetupFactory(title="Librarians lunch", group=GroupFactory(name="North", visibility="members"))
    close = MeetupFactory(title="Library tour", group=GroupFactory(name="South", description=""))

    assert {date.meetup for date in found(client, "librarians", "meetups")} == {close}


def test_meetups_are_found_by_their_group_name_and_venue(client):
    group = GroupFactory(name="Quilters united", description="")
    meetup = MeetupFactory(title="Monthly lunch", group=group, venue_name="Carnegie reading room")

    assert {date.meetup for date in found(client, "quilters", "meetups")} == {meetup}
    assert {date.meetup for date in found(client, "carnegie", "meetups")} == {meetup}
    # the stored vectors follow a rename
    group.name = "Embroiderers united"
    group.save()
    assert {date.meetup for date in found(client, "embroiderers", "meetups")} == {meetup}
    assert found(client, "quilters", "meetups") == []


def test_a_query_too_long_is_refused_with_a_message_and_kept_in_the_box(client, quilting):
    words = "quilting " * 30  # 270 characters

    page = search(client, words).content.decode()

    assert "Search with 200 characters at most: this has 269." in page
    assert 'aria-invalid="true"' in page
    assert f'value="{words}"' in page  # what was typed, to shorten
    assert quilting["story"].title not in page  # nothing searched for
