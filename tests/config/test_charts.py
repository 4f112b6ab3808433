"""The drawing kit (kit/charts.py) and its templates: geometry worked out in Python, SVG
that needs no inline style or script, words for every picture."""

import itertools
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from kit.charts import (
    US_TILES,
    Apart,
    BarSeries,
    buckets,
    format_number,
    grouped_bars,
    line_chart,
    tile_map,
)
from kit.vocabularies import US_STATE_NAMES

NOUN = ("directory entry", "directory entries")


def test_every_state_dc_and_the_territories_have_one_tile_of_their_own():
    assert set(US_TILES) == set(US_STATE_NAMES)  # 50 states, DC, PR, GU, VI
    assert {"DC", "PR"} <= set(US_TILES)
    assert len(set(US_TILES.values())) == len(US_TILES)  # no two on one square


def test_tiles_lie_roughly_in_place():
    row, column = (
        {code: place[0] for code, place in US_TILES.items()},
        {code: place[1] for code, place in US_TILES.items()},
    )
    assert column["WA"] < column["MI"] < column["ME"]  # west to east
    assert row["ND"] < row["KS"] < row["TX"]  # north to south
    assert column["CA"] < column["NV"]
    assert row["FL"] > row["GA"]


@pytest.mark.parametrize(
    ("largest", "labels"),
    [
        (0, ["None"]),
        (2, ["None", "1", "2"]),
        (7, ["None", "1", "2–3", "4–7"]),
        (100, ["None", "1–2", "3–9", "10–29", "30–100"]),
    ],
)
def test_buckets_cover_every_count_without_gaps(largest, labels):
    scale = buckets([0, largest])

    assert [b.label for b in scale] == labels
    for low, high in itertools.pairwise(scale[1:]):
        assert high.low == low.high + 1
    assert scale[-1].high == largest


def test_a_tile_map_prints_counts_names_links_and_its_key_figure():
    picture = tile_map(
        {"MI": 6, "OH": 2, "TX": 1, "ZZ": 40},
        id="m",
        heading="Entries by state",
        noun=NOUN,
        href=lambda code: f"/directory/?state={code}",
        apart=[Apart("Nationwide", 3, "/directory/?state=nationwide"), Apart("Abroad", 0)],
        selected="OH",
    )
    tiles = {tile.code: tile for tile in picture.tiles}

    assert tiles["MI"].label == "Michigan: 6 directory entries"
    assert tiles["TX"].label == "Texas: 1 directory entry"
    assert tiles["AK"].label == "Alaska: no directory entries"
    assert tiles["MI"].href == "/directory/?state=MI"
    assert tiles["MI"].level > tiles["OH"].level > tiles["TX"].level > tiles["AK"].level == 0
    assert [t.code for t in picture.tiles if t.selected] == ["OH"]
    assert "ZZ" not in tiles  # not a place on the map
    assert [item.label for item in picture.apart] == ["Nationwide"]  # zero counts left out
    assert picture.summary.startswith(
        "Most directory entries: Michigan (6), Ohio (2), Texas (1). 3 of 54 places have some"
    )
    assert "Counted apart: Nationwide: 3." in picture.summary


def test_grouped_bars_scale_to_the_largest_value_and_mark_groups():
    chart = grouped_bars(
        id="c",
        title="t",
        description="d",
        labels=["a", "b", "c"],
        label_heading="Date",
        series=[
            BarSeries("Going", [4, 2, 7], "outline"),
            BarSeries("Attended", [2, 0, 5], "solid"),
        ],
        notes=["", "", "cancelled"],
        reference=("Capacity", 10),
    )
    first, second, third = chart.categories
    plot_height = chart.plot_bottom - chart.plot_top

    assert [bar.height for bar in first.bars] == [plot_height * 0.4, plot_height * 0.2]
    assert second.bars[1].height == 0
    assert second.bars[1].value_text == ""
    assert third.bars == []
    assert third.note == "cancelled"
    assert third.cells == ["—", "—"]
    assert first.cells == ["4", "2"]
    assert chart.reference_y == chart.plot_top  # 10 is the axis' top
    assert chart.marks == "cancelled"
    assert all(bar.x + bar.width <= chart.plot_right for c in chart.categories for bar in c.bars)


def test_a_line_chart_runs_from_the_first_to_the_last_week():
    chart = line_chart(
        id="l", name="n", title="t", description="d", labels=["1 Jun", "8 Jun"], values=[0, 20]
    )

    assert (
        chart.points == f"{chart.plot_left},{chart.plot_bottom} {chart.plot_right},{chart.plot_top}"
    )
    assert (chart.top_label, chart.first_label, chart.last_label) == ("20", "1 Jun", "8 Jun")


def test_numbers_read_as_people_write_them():
    assert format_number(Decimal("1.50")) == "1.5"
    assert format_number(2.0) == "2"
    assert format_number(12345) == "12,345"


def test_the_templates_draw_with_attributes_and_classes_never_inline_style():
    picture = tile_map({"MI": 1}, id="m", heading="h", noun=NOUN, href=lambda c: f"/?s={c}")
    bars = grouped_bars(
        id="b",
        title="Bars",
        description="Key figure.",
        labels=["x"],
        label_heading="Date",
        series=[BarSeries("Going", [1], "solid")],
        reference=("Capacity", 2),
    )
    line = line_chart(id="l", name="n", title="Line", description="Key.", labels=["a"], values=[1])
    html = (
        render_to_string("includes/_tile_map.html", {"map": picture})
        + render_to_string("includes/_bar_chart.html", {"chart": bars})
        + render_to_string("includes/_line_chart.html", {"chart": line})
    )

    assert " style=" not in html
    assert "<style" not in html
    assert "<script" not in html
    assert re.search(r' on[a-z]+="', html) is None
    assert (
        '<svg class="chart" role="img" aria-labelledby="b-title" aria-describedby="b-desc"' in html
    )
    assert '<desc id="b-desc">Key figure.</desc>' in html
    assert 'aria-label="Michigan: 1 directory entry"' in html
    assert html.count("<table") == 2  # the map's and the bars' (the line's is the page's)
