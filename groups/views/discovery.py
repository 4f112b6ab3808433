"""Discovery: upcoming meetups across every group the viewer can see, each series once."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from config.pagecache import for_visitors
from groups.forms import DiscoveryForm
from groups.models import Occurrence, VenueKind

PER_PAGE = 20
VENUES = {
    "in_person": [VenueKind.IN_PERSON, VenueKind.HYBRID],
    "online": [VenueKind.ONLINE, VenueKind.HYBRID],
}


@require_safe
@for_visitors
def upcoming(request):
    user = request.user
    form = DiscoveryForm(request.GET or None)
    dates = Occurrence.objects.visible_to(user).exclude(meetup__needs_confirmation=True)
    near_state = ""
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("state"):
        dates = dates.filter(meetup__group__country="US", meetup__group__state=filters["state"])
    if filters.get("library_type"):
        dates = dates.filter(meetup__group__library_types__contains=[filters["library_type"]])
    if filters.get("where") in VENUES:
        dates = dates.venue_in(VENUES[filters["where"]])
    if filters.get("near_me") and user.is_authenticated:
        profile = getattr(user, "profile", None)
        near_state = profile.state if profile else ""
        if near_state:
            dates = dates.filter(meetup__group__state=near_state)
    listing = dates.next_per_series().for_listing(user)
    page_obj = Paginator(listing, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "groups/upcoming.html",
        {
            "form": form,
            "page_obj": page_obj,
            "occurrences": page_obj.object_list,
            "near_state": near_state,
            "query_string": query.urlencode(),
        },
    )
