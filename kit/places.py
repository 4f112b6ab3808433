"""Real US places for generated demo data (groups, directory entries): the cities and counties
of each state and territory in `kit.vocabularies.US_STATES`, from the bundled ZIP code data of
the `zipcodes` package. Read once per process."""

from functools import cache

import zipcodes

from kit.vocabularies import US_STATE_NAMES, US_STATES


@cache
def us_places() -> dict[str, tuple[tuple[str, str], ...]]:
    """{state code: ((city, county), …)} sorted, without duplicates; every state in
    `US_STATES` has at least one place."""

    wanted = {code for code, _ in US_STATES}
    places: dict[str, set[tuple[str, str]]] = {code: set() for code in wanted}
    for row in zipcodes.list_all():
        state = row.get("state")
        if state in wanted and row.get("city"):
            # Guam and the Virgin Islands have no counties in the data: the territory stands in
            county = (row.get("county") or "").strip() or US_STATE_NAMES[state]
            places[state].add((row["city"].strip(), county))
    missing = [code for code, found in places.items() if not found]
    if missing:
        raise RuntimeError(f"no places for {missing}")
    return {code: tuple(sorted(found)) for code, found in places.items()}
