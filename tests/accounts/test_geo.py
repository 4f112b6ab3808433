import pytest

from accounts.geo import lookup_us_zip, miles_away_label, normalize_us_zip


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("48104", "48104"), (" 48104-1234 ", "48104"), ("48104 1234", "48104"), ("4810", None),
     ("K1A 0B1", None), ("", None), ("481045", None)],
)  # fmt: skip
def test_normalize_us_zip(typed, expected):
    assert normalize_us_zip(typed) == expected


def test_lookup_us_zip_uses_the_offline_table():
    place = lookup_us_zip("48104")

    assert (place.city, place.state) == ("Ann Arbor", "MI")
    assert place.latitude == pytest.approx(42.27, abs=0.05)
    assert place.longitude == pytest.approx(-83.73, abs=0.05)


@pytest.mark.parametrize("typed", ["00000", "99999", "not a zip", ""])
def test_unknown_zip_codes_have_no_place(typed):
    assert lookup_us_zip(typed) is None


@pytest.mark.parametrize(
    ("miles", "label"),
    [
        (None, ""),
        (0.3, "less than a mile away"),
        (1.2, "about 1 mile away"),
        (12.4, "about 12 miles away"),
        (19.6, "about 20 miles away"),
        (53.0, "about 55 miles away"),
        (201.2, "about 200 miles away"),
    ],
)
def test_miles_away_label(miles, label):
    assert miles_away_label(miles) == label
