"""Ids read from a query string or a request body without a form field to parse them."""

import re

# ASCII digits that fit a bigint. str.isdigit() also passes "²" and 5,000-digit numbers, both
# of which int() refuses with a ValueError (a 500).
ID = re.compile(r"[0-9]{1,18}")


def parse_id(value: str | None) -> int | None:
    """The id `value` spells, or None for anything else."""
    return int(value) if value and ID.fullmatch(value) else None
