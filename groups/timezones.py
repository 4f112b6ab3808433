"""IANA time zones for meetups: the choices offered, validation, and a sensible default."""

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError

# the zone most of a state's people live in; organizers can pick any other
US_STATE_TIMEZONES = {
    "AL": "America/Chicago",
    "AK": "America/Anchorage",
    "AZ": "America/Phoenix",
    "AR": "America/Chicago",
    "CA": "America/Los_Angeles",
    "CO": "America/Denver",
    "CT": "America/New_York",
    "DE": "America/New_York",
    "DC": "America/New_York",
    "FL": "America/New_York",
    "GA": "America/New_York",
    "HI": "Pacific/Honolulu",
    "ID": "America/Boise",
    "IL": "America/Chicago",
    "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago",
    "KS": "America/Chicago",
    "KY": "America/New_York",
    "LA": "America/Chicago",
    "ME": "America/New_York",
    "MD": "America/New_York",
    "MA": "America/New_York",
    "MI": "America/Detroit",
    "MN": "America/Chicago",
    "MS": "America/Chicago",
    "MO": "America/Chicago",
    "MT": "America/Denver",
    "NE": "America/Chicago",
    "NV": "America/Los_Angeles",
    "NH": "America/New_York",
    "NJ": "America/New_York",
    "NM": "America/Denver",
    "NY": "America/New_York",
    "NC": "America/New_York",
    "ND": "America/Chicago",
    "OH": "America/New_York",
    "OK": "America/Chicago",
    "OR": "America/Los_Angeles",
    "PA": "America/New_York",
    "RI": "America/New_York",
    "SC": "America/New_York",
    "SD": "America/Chicago",
    "TN": "America/Chicago",
    "TX": "America/Chicago",
    "UT": "America/Denver",
    "VT": "America/New_York",
    "VA": "America/New_York",
    "WA": "America/Los_Angeles",
    "WV": "America/New_York",
    "WI": "America/Chicago",
    "WY": "America/Denver",
    "PR": "America/Puerto_Rico",
    "GU": "Pacific/Guam",
    "VI": "America/St_Thomas",
}
COUNTRY_TIMEZONES = {
    "CA": "America/Toronto",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "AU": "Australia/Sydney",
    "NZ": "Pacific/Auckland",
    "IN": "Asia/Kolkata",
    "ZA": "Africa/Johannesburg",
    "NG": "Africa/Lagos",
    "KE": "Africa/Nairobi",
    "PH": "Asia/Manila",
    "MX": "America/Mexico_City",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "NL": "Europe/Amsterdam",
    "SE": "Europe/Stockholm",
}
DEFAULT_TIMEZONE = "America/New_York"
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "posix", "right/", "Canada/", "Mexico/", "Brazil/")


@cache
def timezone_names() -> tuple[str, ...]:
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(_LEGACY_PREFIXES)
    }
    return tuple(sorted(names | {"UTC"}))


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in timezone_names()]


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            "Choose a time zone from the list, such as America/Detroit.", code="timezone"
        )
    ZoneInfo(value)


def default_timezone(*, country: str = "", state: str = "") -> str:
    if country == "US" and state.upper() in US_STATE_TIMEZONES:
        return US_STATE_TIMEZONES[state.upper()]
    return COUNTRY_TIMEZONES.get(country, DEFAULT_TIMEZONE)
