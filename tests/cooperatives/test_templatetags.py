import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template

from tests.factories import AffiliationFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def render(member, viewer) -> str:
    # built per test: a template engine made at import time would outlive settings changes
    template = Template("{% load directory %}{% member_affiliations member viewer %}")
    return template.render(Context({"member": member, "viewer": viewer}))


def member_with(visibility: str):
    member = UserFactory()
    member.profile.visibility = visibility
    member.profile.save()
    AffiliationFactory(
        member=member,
        organisation=OrganisationFactory(name="Superiorland Library Cooperative"),
        role="chair",
    )
    AffiliationFactory(
        member=member, organisation=OrganisationFactory(name="Michigan Library Association")
    )
    return member


def test_lists_the_member_s_affiliations_with_links_and_roles():
    member = member_with("public")

    html = render(member, AnonymousUser())

    assert "Cooperatives and associations" in html
    assert html.index("Michigan Library Association") < html.index("Superiorland")
    assert "Superiorland Library Cooperative</a> · Chair" in html
    assert "/directory/" in html


@pytest.mark.parametrize(
    ("visibility", "visitor_sees", "member_sees"),
    [("public", True, True), ("members", False, True), ("hidden", False, False)],
)
def test_follows_the_member_s_profile_visibility(visibility, visitor_sees, member_sees):
    member = member_with(visibility)

    assert ("Superiorland" in render(member, AnonymousUser())) is visitor_sees
    assert ("Superiorland" in render(member, UserFactory())) is member_sees
    assert "Superiorland" in render(member, member)  # always to themselves


def test_shows_nothing_for_a_member_without_affiliations_except_a_hint_to_themselves():
    member = UserFactory()

    assert render(member, UserFactory()).strip() == ""
    assert "list yourself there" in render(member, member)


def test_uses_one_query(django_assert_num_queries):
    member = member_with("public")
    viewer = UserFactory()

    with django_assert_num_queries(1):
        render(member, viewer)
