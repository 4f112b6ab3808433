"""`{% load directory %}{% member_affiliations member viewer %}`: a member's affiliations for
their profile page, shown only as far as their profile visibility allows the viewer."""

from django import template

from cooperatives.models import Affiliation

register = template.Library()


@register.inclusion_tag("cooperatives/_member_affiliations.html")
def member_affiliations(member, viewer):
    affiliations = (
        Affiliation.objects.visible_to(viewer)
        .of_member(member)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return {
        "affiliations": list(affiliations),
        "member": member,
        "is_own": viewer is not None and viewer.is_authenticated and viewer.pk == member.pk,
    }
