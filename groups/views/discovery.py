"""Discovery: upcoming meetups across every group the viewer can see, each series once, or
every date of one day (`?on=2026-12-08`, where the month calendar's "more" links lead)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from groups.charts import meetup_counts, meetups_map
from groups.forms import DiscoveryForm
from groups.models import Occurrence
from groups.views.groups import CountedPaginator
from kit.pagecache import kept_until_change
from kit.scopes import GROUPS

PER_PAGE = 20


@require_safe
@kept_until_change(shows=[GROUPS])
def upcoming(request):
    user = request.user
    form = DiscoveryForm(request.GET or None, viewer=user)
    filters = form.filters()
    day = filters.get("on")
    dates = Occurrence.objects.discoverable(user, **filters)
    # one day: every date it holds, cancelled ones too, as the month calendar counts them
    if day:
        listing = dates.order_by("start", "pk").for_listing(user)
        paginator = Paginator(listing, PER_PAGE)
    else:
        # counted series by series: counting the walk would look at every date to come
        listing = dates.next_per_series().for_listing(user)
        count = Occurrence.objects.discoverable_series_count(user, **filters)
        paginator = CountedPaginator(listing, PER_PAGE, count=count)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # the map of every upcoming series, beside the list (not on a day's page)
    state_map = None if day else meetups_map(meetup_counts(request), selected=filters.get("state"))
    calendar_query = query.copy()
    calendar_query.pop("on", None)
    if day:
        calendar_query["month"] = day.strftime("%Y-%m")
    return render(
        request,
        "groups/upcoming.html",
        {
            "form": form,
            "day": day,
            "filtered": any(value for key, value in filters.items() if key != "on"),
            "page_obj": page_obj,
            "occurrences": page_obj.object_list,
            "near_state": form.near_state,
            "query_string": query.urlencode(),
            "calendar_query": calendar_query.urlencode(),
            "state_map": state_map,
        },
    )
