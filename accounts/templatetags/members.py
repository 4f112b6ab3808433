from django import template

from accounts.geo import miles_away_label
from accounts.querysets import Proximity

register = template.Library()


@register.filter
def miles_away(miles):
    """`{{ profile.distance_miles|miles_away }}` → "about 12 miles away"."""
    return miles_away_label(miles)


@register.filter
def nearness(profile) -> str:
    """How near a colleague is, as precisely as we know: miles between ZIP codes, else the
    same area or state (needs a profile annotated by `near()` or `with_proximity_to()`)."""
    miles = getattr(profile, "distance_miles", None)
    if miles is not None:
        return miles_away_label(miles)
    proximity = getattr(profile, "proximity", None)
    if proximity in (Proximity.CITY, Proximity.STATE):
        return Proximity(proximity).label
    return ""
