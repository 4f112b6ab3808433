"""The colleagues' map: members the viewer can see, by state (kit/charts.py draws it)."""

from urllib.parse import urlencode

from django.urls import reverse

from accounts.models import Profile
from kit import scopes
from kit.charts import US_TILES, Apart, TileMap, tile_map
from kit.pagecache import kept_figures

COLLEAGUES = ("colleague", "colleagues")


def listed_colleagues(viewer):
    """Everyone the member directory lists to `viewer` before any filter: the list's own
    starting point (members.views.MemberListView), the viewer left out."""
    profiles = Profile.objects.visible_to(viewer).listed()
    if viewer.is_authenticated:
        profiles = profiles.exclude(user=viewer)
    return profiles


def colleague_counts(request) -> dict[str, int]:
    """{place: how many} of `ProfileQuerySet.count_by_place()`, kept until the site changes;
    what a viewer sees depends on who they are, so members' figures are their own."""
    viewer = request.user
    whose = f"member:{viewer.pk}" if viewer.is_authenticated else "visitor"
    return kept_figures(
        f"colleagues:{whose}",
        lambda: listed_colleagues(viewer).count_by_place(),
        shows=[scopes.MEMBERS],
    )


def colleagues_map(counts: dict[str, int], *, selected: str = "") -> TileMap:
    address = reverse("accounts:list")
    on_map = sum(n for place, n in counts.items() if place in US_TILES)
    abroad = counts.get("", 0)
    return tile_map(
        counts,
        id="colleagues-map",
        heading="Colleagues by state",
        noun=COLLEAGUES,
        href=lambda code: f"{address}?{urlencode({'country': 'US', 'state': code})}",
        selected=selected,
        apart=[
            Apart("Outside the United States", abroad),
            Apart(
                "In the United States, state not given as a code",
                sum(counts.values()) - on_map - abroad,
            ),
        ],
    )
