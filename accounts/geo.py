"""Locations without an online geocoder: US ZIP code centroids from the `zipcodes` package's
offline table, and the words used to say how far away a colleague is."""

from __future__ import annotations

import re
from dataclasses import dataclass

import zipcodes

US_ZIP = re.compile(r"^\s*(\d{5})(?:[-\s]?\d{4})?\s*$")


@dataclass(frozen=True)
class ZipPlace:
    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float


def normalize_us_zip(postal_code: str) -> str | None:
    """ "48104", "48104-1234" and "48104 1234" → "48104"; anything else → None."""
    match = US_ZIP.match(postal_code or "")
    return match.group(1) if match else None


def lookup_us_zip(postal_code: str) -> ZipPlace | None:
    """The centroid, city and state of a US ZIP code, or None when it is not a known ZIP."""
    code = normalize_us_zip(postal_code)
    if code is None:
        return None
    try:
        matches = zipcodes.matching(code)
    except (TypeError, ValueError):
        return None
    for match in matches:
        try:
            latitude, longitude = float(match["lat"]), float(match["long"])
        except (KeyError, TypeError, ValueError):
            continue
        return ZipPlace(
            zip_code=code,
            city=match.get("city", ""),
            state=match.get("state", ""),
            latitude=latitude,
            longitude=longitude,
        )
    return None


def apply_zip_coordinates(profile) -> None:
    """Set a profile's latitude/longitude from its US ZIP code, or clear them (not saved)."""
    place = lookup_us_zip(profile.postal_code) if profile.country == "US" else None
    if place is None:
        profile.latitude = profile.longitude = None
    else:
        profile.latitude, profile.longitude = place.latitude, place.longitude


def miles_away_label(miles: float | None) -> str:
    """ "about 12 miles away", said the way a person would."""
    if miles is None:
        return ""
    if miles < 1:
        return "less than a mile away"
    rounded = round(miles) if miles < 20 else int(round(miles / 5.0) * 5)
    return "about 1 mile away" if rounded == 1 else f"about {rounded} miles away"
