"""Groups linked to directory organisations: edited on the group form, shown on both pages."""

import re

import pytest
from django.urls import reverse

from groups.models import Group
from tests.factories import GroupFactory, MeetupFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_organizer_links_the_group_to_organisations(client, group, organizer):
    coop = OrganisationFactory(name="Upper Peninsula Region Library Cooperative")
    OrganisationFactory(name="Unrelated association")
    client.force_login(organizer)
    client.get("/")
    form_page = text(client.get(reverse("groups:update", kwargs={"slug": group.slug})))
    assert "Upper Peninsula Region Library Cooperative" in form_page

    response = client.post(
        reverse("groups:update", kwargs={"slug": group.slug}),
        {
            "name": group.name,
            "description": group.description,
            "country": "US",
            "state": "MI",
            "city": group.city,
            "library_types": ["public"],
            "visibility": "public",
            "join_policy": "open",
            "organisations": [coop.pk],
        },
    )
    assert response.status_code == 302
    assert list(group.organisations.all()) == [coop]
    page = text(client.get(group.get_absolute_url()))
    assert coop.get_absolute_url() in page


def test_organisation_page_lists_linked_groups_and_their_next_meetups(
    client, member, django_assert_max_num_queries
):
    coop = OrganisationFactory(name="Upper Peninsula Region Library Cooperative")
    linked = GroupFactory(name="UP school librarians")
    linked.organisations.add(coop)
    MeetupFactory(group=linked, title="Long lunch")
    hidden = GroupFactory(name="Private circle", visibility=Group.Visibility.MEMBERS)
    hidden.organisations.add(coop)
    GroupFactory(name="Not linked")

    page = text(client.get(coop.get_absolute_url()))
    assert "UP school librarians" in page
    assert "Long lunch" in page
    assert "Private circle" not in page
    assert "Not linked" not in page

    client.force_login(member)
    client.get("/")
    # the follow button reads the follow state annotated on the organisation
    with django_assert_max_num_queries(10) as few:
        assert "Private circle" in text(client.get(coop.get_absolute_url()))
    for n in range(4):
        more = GroupFactory(name=f"More {n}")
        more.organisations.add(coop)
        MeetupFactory(group=more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(coop.get_absolute_url())


def test_organisation_page_without_groups_says_so(client):
    coop = OrganisationFactory(name="Quiet cooperative")
    assert "No groups are linked" in text(client.get(coop.get_absolute_url()))
