"""Pictures drawn on the server as plain SVG: a tile-grid map of the United States, grouped
bars and small line charts.

Python works out every coordinate and every word; the templates (`includes/_tile_map.html`,
`_bar_chart.html`, `_line_chart.html`) only print them. What comes out works under the strict
CSP and without JavaScript: geometry as SVG presentation attributes (x, y, width, height),
colours as classes styled by static/css/charts.css in both colour schemes, no `style`
attribute, no script. Every picture carries a sentence stating its key figure (its SVG
title and description) and its numbers as an HTML table, and nothing in it relies on colour
alone: tiles print their counts, series differ by fill and outline and are named in a legend.

No charting library: the ones that render SVG on the server (pygal, leather) write inline
`<style>` and `<script>` elements or colours as attributes, and none draws a tile grid."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from kit.vocabularies import US_STATE_NAMES

# One equal square per state, DC and territory, roughly where it lies (as news sites draw it).
US_TILE_GRID = """
AK .. .. .. .. .. .. .. .. .. .. ME
.. .. .. .. .. .. WI .. .. .. VT NH
.. WA ID MT ND MN IL MI .. NY MA ..
.. OR NV WY SD IA IN OH PA NJ CT RI
.. CA UT CO NE MO KY WV VA MD DE ..
.. .. AZ NM KS AR TN NC SC DC .. ..
.. .. .. .. OK LA MS AL GA .. .. ..
HI GU .. .. TX .. .. .. .. FL PR VI
"""
US_TILES: dict[str, tuple[int, int]] = {
    code: (row, column)
    for row, line in enumerate(US_TILE_GRID.strip().splitlines())
    for column, code in enumerate(line.split())
    if code != ".."
}
TILE, TILE_GAP = 40, 4
# sequential shades: level 0 is "none", the others get darker (lighter in the dark scheme)
LEVELS = 4

Number = int | float | Decimal


def plural(count: Number, noun: tuple[str, str]) -> str:
    """`plural(1, ("entry", "entries"))` → "1 entry"; 0 → "no entries"."""
    if count == 0:
        return f"no {noun[1]}"
    return f"{format_number(count)} {noun[0] if count == 1 else noun[1]}"


def format_number(value: Number | None) -> str:
    """12 → "12", 1234 → "1,234", Decimal("1.50") → "1.5", 2.0 → "2"."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


# --- buckets --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bucket:
    level: int
    low: int
    high: int

    @property
    def label(self) -> str:
        if self.level == 0:
            return "None"
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


def _nice_at_most(value: float) -> int:
    """The largest of 1, 2, 3… 9, 10, 20, 30, 50, 100, 200… not above `value` (at least 1)."""
    if value < 10:
        return max(int(value), 1)
    power: int = 10 ** math.floor(math.log10(value))
    return max(step * power for step in (1, 2, 3, 5) if step * power <= value)


def buckets(counts: Sequence[int], levels: int = LEVELS) -> list[Bucket]:
    """ "None", then up to `levels` ranges spread on a log scale (a few states hold most entries),
    with round lower bounds; the last one ends at the largest count."""
    largest = max(counts, default=0)
    result = [Bucket(0, 0, 0)]
    if largest <= 0:
        return result
    if largest <= levels:
        lows = list(range(1, largest + 1))
    else:
        steps = (_nice_at_most(largest ** (step / levels)) for step in range(1, levels))
        lows = sorted({1, *steps})
    for number, low in enumerate(lows):
        high = lows[number + 1] - 1 if number + 1 < len(lows) else largest
        result.append(Bucket(number + 1, low, high))
    return result


def level_of(count: int, scale: list[Bucket]) -> int:
    for bucket in reversed(scale):
        if count >= bucket.low:
            return bucket.level
    return 0


# --- the tile-grid map ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    count: int
    level: int
    x: int
    y: int
    href: str
    label: str
    selected: bool

    @property
    def count_text(self) -> str:
        return format_number(self.count)


@dataclass(frozen=True)
class Apart:
    """Counted beside the map: nationwide entries, several states, outside the United States."""

    label: str
    count: int
    href: str = ""


@dataclass(frozen=True)
class TileMap:
    id: str
    heading: str
    title: str
    summary: str
    tiles: list[Tile]
    legend: list[Bucket]
    apart: list[Apart]
    noun: tuple[str, str]
    width: int
    height: int

    @property
    def table_rows(self) -> list[Tile]:
        return sorted(self.tiles, key=lambda tile: tile.name)


def tile_map(
    counts: dict[str, int],
    *,
    id: str,
    heading: str,
    noun: tuple[str, str],
    href: Callable[[str], str],
    apart: Sequence[Apart] = (),
    selected: str = "",
    note: str = "",
) -> TileMap:
    """A tile per state, DC and territory, shaded by its count. `counts` maps state codes to
    counts (codes missing count 0; others are ignored: give them as `apart`); `href(code)` is
    where the tile leads; `noun` is ("directory entry", "directory entries")."""
    by_state = {code: int(counts.get(code, 0)) for code in US_TILES}
    scale = buckets(list(by_state.values()))
    step = TILE + TILE_GAP
    tiles = [
        Tile(
            code=code,
            name=US_STATE_NAMES[code],
            count=count,
            level=level_of(count, scale),
            x=column * step,
            y=row * step,
            href=href(code),
            label=f"{US_STATE_NAMES[code]}: {plural(count, noun)}",
            selected=code == selected,
        )
        for code, (row, column) in US_TILES.items()
        for count in (by_state[code],)
    ]
    rows = 1 + max(row for row, _ in US_TILES.values())
    columns = 1 + max(column for _, column in US_TILES.values())
    return TileMap(
        id=id,
        heading=heading,
        title=f"Map of the United States: {noun[1]} by state",
        summary=_map_summary(tiles, apart, noun, note),
        tiles=tiles,
        legend=scale,
        apart=[item for item in apart if item.count],
        noun=noun,
        width=columns * step - TILE_GAP,
        height=rows * step - TILE_GAP,
    )


def _map_summary(
    tiles: list[Tile], apart: Sequence[Apart], noun: tuple[str, str], note: str
) -> str:
    ranked = sorted((t for t in tiles if t.count), key=lambda t: (-t.count, t.name))
    if not ranked:
        words = f"No state has {noun[1]} yet."
    else:
        leaders = ", ".join(f"{t.name} ({format_number(t.count)})" for t in ranked[:3])
        empty = sum(1 for t in tiles if not t.count)
        words = f"Most {noun[1]}: {leaders}. {len(ranked)} of {len(tiles)} places have some"
        words += f", {empty} none." if empty else "."
    counted_apart = [f"{item.label}: {format_number(item.count)}" for item in apart if item.count]
    if counted_apart:
        words += " Counted apart: " + "; ".join(counted_apart) + "."
    return f"{words} {note}".strip()


# --- grouped bars -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BarSeries:
    name: str
    values: Sequence[Number | None]
    kind: str  # a class in charts.css: "solid" or "outline" (never colour alone)


@dataclass(frozen=True)
class Bar:
    series: str
    kind: str
    x: float
    y: float
    width: float
    height: float
    value_text: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Category:
    label: str
    note: str  # e.g. "cancelled": printed under the label, and in the table
    x: float  # centre
    bars: list[Bar]
    cells: list[str]  # the table's row: each series' value, "—" for none or a marked group


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    categories: list[Category]
    series: list[BarSeries]
    ticks: list[Tick]
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    label_heading: str = ""  # the table's first column: "Date", "Month"
    marks: str = ""  # what a ✕ under a group means, for the legend
    reference_label: str = ""
    reference_y: float | None = None
    reference_value: str = ""


BAR_WIDTH, BAR_HEIGHT = 760, 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 40, 84, 18, 46


def nice_ceiling(value: float) -> float:
    """The axis top: 1, 2, 2.5, 5 or 10 times a power of ten, at or above `value`."""
    if value <= 0:
        return 1
    power: float = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def grouped_bars(
    *,
    id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    label_heading: str,
    series: Sequence[BarSeries],
    notes: Sequence[str] | None = None,
    reference: tuple[str, Number] | None = None,
) -> BarChart:
    """One group of bars per label (a date, a month), one bar per series; `notes[i]` marks a
    group ("cancelled"), `reference` draws a labelled horizontal line (capacity)."""
    notes = list(notes or [""] * len(labels))
    values = [float(v) for s in series for v in s.values if v is not None]
    if reference is not None:
        values.append(float(reference[1]))
    top = nice_ceiling(max(values, default=0))
    left, right = MARGIN_LEFT, BAR_WIDTH - MARGIN_RIGHT
    plot_top, bottom = MARGIN_TOP, BAR_HEIGHT - MARGIN_BOTTOM

    def y_of(value: float) -> float:
        return round(bottom - (bottom - plot_top) * value / top, 1)

    band = (right - left) / max(len(labels), 1)
    bar_width = band * 0.8 / max(len(series), 1)
    categories = []
    for index, label in enumerate(labels):
        start = left + band * index + band * 0.1
        bars = []
        for number, one in enumerate(series):
            value = one.values[index]
            if value is None or notes[index]:
                continue
            y = y_of(float(value))
            bars.append(
                Bar(
                    series=one.name,
                    kind=one.kind,
                    x=round(start + bar_width * number, 1),
                    y=y,
                    width=round(bar_width - 2, 1),
                    height=round(bottom - y, 1),
                    value_text=format_number(value) if value else "",
                    label_x=round(start + bar_width * number + (bar_width - 2) / 2, 1),
                    label_y=round(y - 3, 1),
                )
            )
        cells = [
            "—" if notes[index] or one.values[index] is None else format_number(one.values[index])
            for one in series
        ]
        centre = round(left + band * (index + 0.5), 1)
        categories.append(Category(label, notes[index], centre, bars, cells))
    ticks = [Tick(y_of(top * share), format_number(top * share)) for share in (0, 0.5, 1)]
    chart = BarChart(
        id=id,
        title=title,
        description=description,
        categories=categories,
        series=list(series),
        ticks=ticks,
        width=BAR_WIDTH,
        height=BAR_HEIGHT,
        plot_left=left,
        plot_right=right,
        plot_top=plot_top,
        plot_bottom=bottom,
        label_heading=label_heading,
        marks=", ".join(sorted({note for note in notes if note})),
    )
    if reference is None:
        return chart
    return replace(
        chart,
        reference_label=reference[0],
        reference_y=y_of(float(reference[1])),
        reference_value=format_number(reference[1]),
    )


# --- small line charts ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LineChart:
    id: str
    name: str  # "Members joined": the table's column
    title: str
    description: str
    points: str  # for <polyline points="…">
    last_x: float
    last_y: float
    top_label: str
    first_label: str
    last_label: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    values: list[int] = field(default_factory=list)


LINE_WIDTH, LINE_HEIGHT = 320, 120


def line_chart(
    *,
    id: str,
    name: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[Number],
) -> LineChart:
    """A small line chart of one weekly count: the line, its top value and its first and last
    labels (the table beside it has every number)."""
    left, right, plot_top, bottom = 36, LINE_WIDTH - 10, 12, LINE_HEIGHT - 28
    top = nice_ceiling(max((float(v) for v in values), default=0))
    step = (right - left) / max(len(values) - 1, 1)
    coordinates = [
        (round(left + step * index, 1), round(bottom - (bottom - plot_top) * float(v) / top, 1))
        for index, v in enumerate(values)
    ]
    last_x, last_y = coordinates[-1] if coordinates else (left, bottom)
    return LineChart(
        id=id,
        name=name,
        title=title,
        description=description,
        points=" ".join(f"{x:g},{y:g}" for x, y in coordinates),
        last_x=last_x,
        last_y=last_y,
        top_label=format_number(top),
        first_label=labels[0] if labels else "",
        last_label=labels[-1] if labels else "",
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
        plot_left=left,
        plot_right=right,
        plot_top=plot_top,
        plot_bottom=bottom,
        values=[int(v) for v in values],
    )
