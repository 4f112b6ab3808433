"""The directory's map: entries by state, nationwide and several-state entries counted apart
(kit/charts.py draws it)."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse

from cooperatives.models import Organisation
from cooperatives.querysets import ABROAD, NATIONWIDE, SEVERAL_STATES
from kit import scopes
from kit.charts import Apart, TileMap, tile_map
from kit.pagecache import kept_figures

ENTRIES = ("directory entry", "directory entries")


def area_map(
    counts: dict[str, int],
    *,
    id: str,
    heading: str,
    href: Callable[[str], str],
    selected: str = "",
    noun: tuple[str, str] = ENTRIES,
) -> TileMap:
    """A map of `OrganisationQuerySet.count_by_area()`; `href(area)` filters a list to one
    state code or one of the areas counted apart."""
    return tile_map(
        counts,
        id=id,
        heading=heading,
        noun=noun,
        href=href,
        selected=selected,
        apart=[
            Apart("Nationwide, no single state", counts[NATIONWIDE], href(NATIONWIDE)),
            Apart("Serving several states", counts[SEVERAL_STATES], href(SEVERAL_STATES)),
            Apart("Outside the United States", counts[ABROAD]),
        ],
        note="An entry serving several states is counted in each of them.",
    )


def directory_map(request, *, selected: str = "") -> TileMap:
    counts = kept_figures(
        "directory:areas", Organisation.objects.count_by_area, shows=[scopes.DIRECTORY]
    )
    address = reverse("cooperatives:list")
    return area_map(
        counts,
        id="directory-map",
        heading="Entries by state",
        href=lambda area: f"{address}?{urlencode({'state': area})}",
        selected=selected,
    )
