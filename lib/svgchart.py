"""Accessible SVG charts rendered on the server (no Django, no JavaScript, no CDN).

Each function returns one `<svg>` element as a string, safe to insert into a page as is:
every text and link that comes in is escaped here (XML-escaped, characters XML forbids
and direction overrides removed, links limited to http(s) and same-site paths). The
chart is an image to assistive technology (`role="img"`, named by its `<title>` and
summarised by its `<desc>`); the page shows the same numbers as a table, which is where
screen-reader users read them. Sighted users get a `<title>` tooltip on every bar or
point ("Senin 01/12/2026: 42 tiket"). A bar or point may link to the filtered ticket
list (`hrefs`); those links are for the mouse and stay out of the tab order, so the
page's table must carry the same links for keyboard users.

Colour is never the only cue: series take Okabe–Ito colours (distinguishable with the
common colour-vision deficiencies) *and* a fill pattern (bars) or a marker shape and
dash (lines), and the legend shows the same swatch. Bars carry a dark outline, so each
meets the 3:1 contrast non-text graphics need against white, whatever its colour.
Presentation attributes only (no CSS, no `style`): the chart prints as it shows and
passes a `style-src 'self'` policy. The `viewBox` with `width="100%"` lets it shrink to
a phone's width.

Texts the chart writes itself (the empty message, the summary) are Indonesian; callers
may pass their own (translated) `desc` and `empty_text`.

    bar_chart(title=..., labels=[...], series=[Series("Dibuat", [..]), ...],
              full_labels=[...], stacked=False, unit="tiket")
    line_chart(title=..., labels=[...], series=[Series("SLA terpenuhi", [..])], percent=True)
    hbar_chart(title=..., labels=[...], values=[...], hrefs=[...], unit="tiket")
    distribution_chart(title=..., labels=["1", ..., "5"], values=[...], unit="penilaian")
"""

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape

from lib.numformat import format_compact, format_number, format_percent

EMPTY_TEXT = "Tidak ada data"

_Format = Callable[[float], str]
_Scale = Callable[[float], float]

# Okabe & Ito (2008), ordered so the first ones, used most, contrast best with white.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#000000",  # black
    "#F0E442",  # yellow
)
_LIGHT = frozenset({"#E69F00", "#56B4E9", "#F0E442", "#CC79A7"})
TEXT_COLOUR = "#1F2937"
MUTED_COLOUR = "#4B5563"
GRID_COLOUR = "#D1D5DB"
OUTLINE_COLOUR = "#1F2937"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
FONT_SIZE = 12
SMALL_FONT_SIZE = 10
# Average advance of a character at 12 px in the fonts above, generous on purpose.
CHAR_WIDTH = 7.0
SMALL_CHAR_WIDTH = 6.0

# Fill patterns by series index (index 0 is plain colour), drawn over the series colour.
_PATTERNS = (
    "",
    "M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2",  # diagonal
    "dots",
    "M0,3 h6 M3,0 v6",  # cross
    "M0,1.5 h6 M0,4.5 h6",  # horizontal
    "M1.5,0 v6 M4.5,0 v6",  # vertical
    "M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2",  # back-diagonal
    "M0,0 l6,6 M6,0 l-6,6",  # diagonal cross
)
_DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 2", "1 2", "10 4", "3 3 1 3")
_MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "circle", "square", "x")

# Characters XML 1.0 forbids, C1 controls, and the bidi embeddings, overrides and
# isolates (a label must not turn the text after it around).
_UNWANTED = re.compile(
    "[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    "|[\u007f-\u009f\u202a-\u202e\u2066-\u2069]"
)
_WHITESPACE = re.compile(r"\s+")
# What a link may keep unencoded (RFC 3986 reserved and unreserved characters, and "%"
# of an existing escape); everything else, including "\" and spaces, is percent-encoded.
_URL_SAFE = "/?#[]@!$&'()*+,;=:%~-._"


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category; `hrefs` (optional) links each value."""

    name: str
    values: Sequence[float | int | None]
    hrefs: Sequence[str | None] | None = None


# --- Text and links ------------------------------------------------------------------------


def clean_text(text: object) -> str:
    """The text without characters XML forbids, controls or bidi overrides, on one line."""
    return _WHITESPACE.sub(" ", _UNWANTED.sub("", str(text))).strip()


def xml_text(text: object) -> str:
    """Cleaned and escaped for XML text and double- or single-quoted attributes."""
    return escape(clean_text(text), {'"': "&quot;", "'": "&#x27;"})


def safe_href(url: str | None) -> str | None:
    """The link, percent-encoded, if it is http(s) or a path on this site; else None.

    Refused: `javascript:`, `data:` and every other scheme (also when hidden with
    spaces or controls, which browsers drop), and `//host` links to another site.
    """
    if not url:
        return None
    # Browsers drop leading and trailing controls and spaces, and tabs and newlines
    # anywhere; judge the link with every control removed, so none can hide a scheme.
    link = re.sub(r"[\t\n\r]", "", _UNWANTED.sub("", url)).strip("\x00\x20")
    compact = re.sub(r"[\x00-\x20\x7f-\x9f]", "", link)
    if not compact or compact.startswith("//") or compact.startswith("/\\"):
        return None
    try:
        scheme = urlsplit(compact).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("", "http", "https"):
        return None
    if not scheme and ":" in re.split(r"[/?#]", compact, maxsplit=1)[0]:
        return None  # "a:b" with an odd scheme urlsplit did not recognise
    return quote(link, safe=_URL_SAFE)


# --- Scales --------------------------------------------------------------------------------


def nice_ticks(maximum: float, *, count: int = 5, integer: bool = True) -> list[float]:
    """Round axis ticks from 0 up to at least `maximum`: 0, 10, 20, …; about `count` steps.

    Steps are 1, 2, 2.5 or 5 times a power of ten (no 2.5 for whole counts); a maximum
    of zero, negative or not finite gives the axis [0, 1].
    """
    if not math.isfinite(maximum) or maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / max(1, count)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = 10 * magnitude
    for multiple in (1, 2, 2.5, 5, 10):
        candidate = multiple * magnitude
        if integer and candidate != math.floor(candidate):
            continue
        if candidate >= raw:
            step = candidate
            break
    if integer:
        step = max(1.0, step)
    steps = math.ceil(maximum / step - 1e-9)
    return [_tidy(i * step) for i in range(steps + 1)]


def percent_ticks() -> list[float]:
    return [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]


def _tidy(value: float) -> float:
    return float(f"{value:.12g}")


def _number(value: float | int | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# --- Common pieces -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    chart_id: str
    width: int
    height: int
    title: str
    desc: str


def _chart_id(*parts: object) -> str:
    digest = hashlib.sha1(repr(parts).encode("utf-8", "replace"), usedforsecurity=False)
    return "chart-" + digest.hexdigest()[:10]


def _open(frame: _Frame) -> list[str]:
    cid = frame.chart_id
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="100%" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'class="chart" font-family="{xml_text(FONT)}" font-size="{FONT_SIZE}" '
        f'fill="{TEXT_COLOUR}">',
        f'<title id="{cid}-title">{xml_text(frame.title)}</title>',
        f'<desc id="{cid}-desc">{xml_text(frame.desc)}</desc>',
    ]


def _empty_chart(frame: _Frame, empty_text: str) -> str:
    parts = _open(frame)
    parts.append(
        f'<text class="chart-empty" x="{frame.width / 2:g}" y="{frame.height / 2:g}" '
        f'text-anchor="middle" fill="{MUTED_COLOUR}">{xml_text(empty_text)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _patterns(chart_id: str, count: int) -> list[str]:
    defs = ["<defs>"]
    for index in range(count):
        colour = PALETTE[index % len(PALETTE)]
        shape = _PATTERNS[index % len(_PATTERNS)]
        ink = "#000000" if colour in _LIGHT else "#FFFFFF"
        if shape == "":
            continue
        defs.append(
            f'<pattern id="{chart_id}-p{index}" patternUnits="userSpaceOnUse" '
            f'width="6" height="6"><rect width="6" height="6" fill="{colour}"/>'
        )
        if shape == "dots":
            defs.append(f'<circle cx="3" cy="3" r="1.3" fill="{ink}"/>')
        else:
            defs.append(f'<path d="{shape}" stroke="{ink}" stroke-width="1.2"/>')
        defs.append("</pattern>")
    defs.append("</defs>")
    return defs


def _fill(chart_id: str, index: int) -> str:
    if _PATTERNS[index % len(_PATTERNS)] == "":
        return PALETTE[index % len(PALETTE)]
    return f"url(#{chart_id}-p{index})"


def _legend(
    names: Sequence[str], x0: float, width: float, y0: float, swatch: list[str]
) -> tuple[list[str], float]:
    """Legend items left to right, wrapping; returns the markup and the height used."""
    parts = ['<g class="chart-legend">']
    x, y, row = x0, y0, 20.0
    for index, name in enumerate(names):
        label = _truncate(clean_text(name), 40)
        item = 18 + 6 + len(label) * CHAR_WIDTH + 16
        if x > x0 and x + item > x0 + width:
            x, y = x0, y + row
        parts.append(swatch[index].format(x=f"{x:g}", y=f"{y + 2:g}", yc=f"{y + 8:g}"))
        parts.append(f'<text x="{x + 24:g}" y="{y + 12:g}">{xml_text(label)}</text>')
        x += item
    parts.append("</g>")
    return parts, y - y0 + row + 4


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def _linked(markup: str, href: str | None) -> str:
    # A shortcut for the mouse only: out of the tab order (90 bars would be 90 stops),
    # since the page's table carries the same numbers with the same links.
    safe = safe_href(href)
    return f'<a href="{xml_text(safe)}" tabindex="-1">{markup}</a>' if safe else markup


def _value_formatter(values: Sequence[float], unit: str, percent: bool) -> tuple[_Format, _Format]:
    """(value with unit for tooltips and summaries, bare value for labels on bars)."""
    if percent:
        return format_percent, format_percent
    decimals = 0 if all(value == math.floor(value) for value in values) else 1
    suffix = f" {clean_text(unit)}" if clean_text(unit) else ""

    def bare(value: float) -> str:
        return format_number(value, decimals)

    def full(value: float) -> str:
        return bare(value) + suffix

    return full, bare


def _summary(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    noun: str,
    full: _Format,
    with_total: bool,
) -> str:
    """ "30 periode. Dibuat: nilai tertinggi 42 tiket (Senin 01/12/2026), …, total 512 tiket."""
    sentences = [f"{len(labels)} {noun}."]
    for name, values in series:
        present = [(value, index) for index, value in enumerate(values) if value is not None]
        prefix = f"{clean_text(name)}: " if len(series) > 1 and clean_text(name) else ""
        highest = "nilai tertinggi" if prefix else "Nilai tertinggi"
        if not present:
            sentences.append(f"{prefix}{EMPTY_TEXT.lower() if prefix else EMPTY_TEXT}.")
            continue
        high, high_at = max(present, key=lambda pair: (pair[0], -pair[1]))
        low, low_at = min(present, key=lambda pair: (pair[0], pair[1]))
        text = (
            f"{prefix}{highest} {full(high)} ({clean_text(labels[high_at])}), "
            f"terendah {full(low)} ({clean_text(labels[low_at])})"
        )
        if with_total:
            text += f", total {full(sum(value for value, _ in present))}"
        sentences.append(text + ".")
    return " ".join(sentences)


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"series {one.name!r} has {len(one.values)} values, not {len(labels)}")
        if one.hrefs is not None and len(one.hrefs) != len(labels):
            raise ValueError(f"series {one.name!r} has {len(one.hrefs)} links, not {len(labels)}")


def _href(one: Series, index: int) -> str | None:
    return one.hrefs[index] if one.hrefs is not None else None


def _tooltip(label: str, name: str, text: str, several: bool) -> str:
    return f"{label} — {name}: {text}" if several and name else f"{label}: {text}"


def _y_axis(
    ticks: Sequence[float],
    x0: float,
    x1: float,
    y_of: _Scale,
    percent: bool,
) -> list[str]:
    parts = ['<g class="chart-axis">']
    for tick in ticks:
        y = y_of(tick)
        colour = OUTLINE_COLOUR if tick == 0 else GRID_COLOUR
        parts.append(
            f'<line x1="{x0:g}" x2="{x1:g}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="1"/>'
        )
        label = format_percent(tick, 0) if percent else format_compact(tick)
        parts.append(
            f'<text x="{x0 - 6:g}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{MUTED_COLOUR}">{xml_text(label)}</text>'
        )
    parts.append("</g>")
    return parts


def _x_labels(
    labels: Sequence[str], centres: Sequence[float], band: float, y: float, right: float
) -> list[str]:
    """Category labels under the axis; with many categories only every k-th one, so
    that none overlaps (90 days: a label every week or so). Labels are cut at 14
    characters; the tooltip has the full one. A label that would run past the `right`
    edge ends there instead."""
    shown = [_truncate(clean_text(label), 14) for label in labels]
    widest = max((len(label) for label in shown), default=0) * CHAR_WIDTH + 8
    every = max(1, math.ceil(widest / band)) if band > 0 else 1
    parts = ['<g class="chart-x-labels">']
    for index, label in enumerate(shown):
        if index % every:
            continue
        x, anchor = centres[index], "middle"
        if x + len(label) * CHAR_WIDTH / 2 > right:
            x, anchor = right, "end"
        parts.append(f'<text x="{x:.1f}" y="{y:g}" text-anchor="{anchor}">{xml_text(label)}</text>')
    parts.append("</g>")
    return parts


def _frame_for(
    chart_id: str | None,
    title: str,
    desc: str | None,
    summary: str,
    width: int,
    height: int,
    *identity: object,
) -> _Frame:
    return _Frame(
        chart_id=clean_id(chart_id) if chart_id else _chart_id(title, width, height, *identity),
        width=width,
        height=height,
        title=title,
        desc=desc if desc is not None else summary,
    )


def clean_id(chart_id: str) -> str:
    """An id usable in XML and in `url(#…)`: letters, digits, "-" and "_" only."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "", chart_id)
    return cleaned if cleaned[:1].isalpha() else "chart-" + cleaned


# --- Vertical bars -------------------------------------------------------------------------


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    full_labels: Sequence[str] | None = None,
    stacked: bool = False,
    unit: str = "",
    percent: bool = False,
    desc: str | None = None,
    empty_text: str = EMPTY_TEXT,
    category_noun: str = "periode",
    value_labels: bool | None = None,
    width: int = 640,
    height: int = 320,
    chart_id: str | None = None,
) -> str:
    """Vertical bars over categories or periods; several series side by side (grouped)
    or on top of each other (`stacked`).

    `labels` are the short axis labels ("Sen 01/12"), `full_labels` the ones in tooltips
    and the summary ("Senin 01/12/2026"). Each value becomes exactly one `<rect
    class="bar">` (a missing value or a negative one is drawn as 0), linked when the
    series has an `href` for it. Values are labelled on the bars when they fit (or
    always/never with `value_labels`); stacked bars are labelled with their total.
    """
    _check(labels, series)
    full_names = list(full_labels) if full_labels is not None else list(labels)
    if len(full_names) != len(labels):
        raise ValueError("full_labels and labels differ in length")
    numbers = [[max(0.0, _number(value) or 0.0) for value in one.values] for one in series]
    flat = [value for values in numbers for value in values]
    full, bare = _value_formatter(flat, unit, percent)
    summary_series = [(one.name, [_number(value) for value in one.values]) for one in series]
    if stacked and len(series) > 1:
        totals = [sum(column) for column in zip(*numbers, strict=True)]
        summary_series.append(("Jumlah", list[float | None](totals)))
    summary = (
        _summary(full_names, summary_series, category_noun, full, not percent)
        if labels and series
        else EMPTY_TEXT + "."
    )
    frame = _frame_for(
        chart_id, title, desc, summary, width, height, list(labels), numbers, stacked
    )
    if not labels or not series:
        return _empty_chart(frame, empty_text)

    n, k = len(labels), len(series)
    heights = totals if stacked and k > 1 else flat
    top_value = max(heights, default=0.0)
    whole = not percent and all(value == math.floor(value) for value in flat)
    ticks = (
        percent_ticks() if percent and top_value <= 100 else nice_ticks(top_value, integer=whole)
    )
    axis_top = ticks[-1]

    parts = _open(frame)
    parts.extend(_patterns(frame.chart_id, k))
    tick_width = max(len(format_compact(t)) for t in ticks) if not percent else 5
    x0 = 12 + tick_width * CHAR_WIDTH
    x1 = width - 12.0
    top = 12.0
    if k > 1:
        swatches = [
            f'<rect x="{{x}}" y="{{y}}" width="18" height="12" fill="{_fill(frame.chart_id, i)}" '
            f'stroke="{OUTLINE_COLOUR}" stroke-width="0.75"/>'
            for i in range(k)
        ]
        legend, used = _legend([one.name for one in series], x0, x1 - x0, top, swatches)
        parts.extend(legend)
        top += used
    top += 14  # room for a value label above the highest bar
    y1 = height - 28.0
    plot_height = max(10.0, y1 - top)

    def y_of(value: float) -> float:
        return y1 - plot_height * (value / axis_top if axis_top else 0.0)

    parts.extend(_y_axis(ticks, x0, x1, y_of, percent))
    band = (x1 - x0) / n
    group = band * (0.8 if n > 1 else 0.5)
    columns = 1 if stacked else k
    bar_width = group / columns
    centres = [x0 + band * (index + 0.5) for index in range(n)]

    label_texts = [bare(value) for value in (totals if stacked and k > 1 else flat)]
    widest = max((len(text) for text in label_texts), default=0) * SMALL_CHAR_WIDTH
    show_values = value_labels if value_labels is not None else widest <= bar_width + 2

    several = k > 1
    parts.append('<g class="chart-bars">')
    for index in range(n):
        left = centres[index] - group / 2
        base = 0.0
        for s, one in enumerate(series):
            value = numbers[s][index]
            if stacked:
                y_top, y_bottom = y_of(base + value), y_of(base)
                x = left
                base += value
            else:
                y_top, y_bottom = y_of(value), y_of(0.0)
                x = left + s * bar_width
            raw = _number(one.values[index])
            text = full(raw) if raw is not None else EMPTY_TEXT.lower()
            tip = _tooltip(full_names[index], one.name, text, several)
            rect = (
                f'<rect class="bar" x="{x:.1f}" y="{y_top:.1f}" '
                f'width="{max(bar_width - 1, 1):.1f}" '
                f'height="{max(0.0, y_bottom - y_top):.1f}" fill="{_fill(frame.chart_id, s)}" '
                f'stroke="{OUTLINE_COLOUR}" stroke-width="0.75">'
                f"<title>{xml_text(tip)}</title></rect>"
            )
            parts.append(_linked(rect, _href(one, index)))
            if show_values and not (stacked and several) and raw is not None:
                parts.append(_value_label(x + bar_width / 2, y_top, bare(value)))
        if show_values and stacked and several:
            parts.append(_value_label(centres[index], y_of(base), bare(base)))
    parts.append("</g>")
    parts.extend(_x_labels(labels, centres, band, y1 + 18, width - 2.0))
    if top_value == 0:
        parts.append(_overlay(x0, x1, top, y1, empty_text))
    parts.append("</svg>")
    return "".join(parts)


def _value_label(x: float, y: float, text: str) -> str:
    return (
        f'<text class="value" x="{x:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
        f'font-size="{SMALL_FONT_SIZE}">{xml_text(text)}</text>'
    )


def _overlay(x0: float, x1: float, y0: float, y1: float, text: str) -> str:
    return (
        f'<text class="chart-empty" x="{(x0 + x1) / 2:.1f}" y="{(y0 + y1) / 2:.1f}" '
        f'text-anchor="middle" fill="{MUTED_COLOUR}">{xml_text(text)}</text>'
    )


def distribution_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | int | None],
    hrefs: Sequence[str | None] | None = None,
    full_labels: Sequence[str] | None = None,
    unit: str = "",
    desc: str | None = None,
    empty_text: str = EMPTY_TEXT,
    width: int = 640,
    height: int = 260,
    chart_id: str | None = None,
) -> str:
    """A distribution over a few values (ratings 1–5): one bar each, labelled with its value."""
    return bar_chart(
        title=title,
        labels=labels,
        series=[Series(name="", values=values, hrefs=hrefs)],
        full_labels=full_labels,
        unit=unit,
        desc=desc,
        empty_text=empty_text,
        category_noun="nilai",
        value_labels=True,
        width=width,
        height=height,
        chart_id=chart_id,
    )


# --- Lines ---------------------------------------------------------------------------------


def _marker(shape: str, x: float, y: float, fill: str, tip: str) -> str:
    title = f"<title>{xml_text(tip)}</title>"
    common = f'class="point" fill="{fill}" stroke="{OUTLINE_COLOUR}" stroke-width="0.75"'
    r = 4.5
    if shape == "circle":
        return f'<circle {common} cx="{x:.1f}" cy="{y:.1f}" r="{r}">{title}</circle>'
    if shape == "square":
        return (
            f'<rect {common} x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" '
            f'height="{2 * r}">{title}</rect>'
        )
    points = {
        "triangle": ((0, -r - 1), (r + 1, r), (-r - 1, r)),
        "triangle-down": ((0, r + 1), (r + 1, -r), (-r - 1, -r)),
        "diamond": ((0, -r - 1), (r + 1, 0), (0, r + 1), (-r - 1, 0)),
        "x": ((-r, -r), (0, -1.5), (r, -r), (1.5, 0), (r, r), (0, 1.5), (-r, r), (-1.5, 0)),
    }[shape]
    coords = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in points)
    return f'<polygon {common} points="{coords}">{title}</polygon>'


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    full_labels: Sequence[str] | None = None,
    unit: str = "",
    percent: bool = False,
    desc: str | None = None,
    empty_text: str = EMPTY_TEXT,
    category_noun: str = "periode",
    width: int = 640,
    height: int = 300,
    chart_id: str | None = None,
) -> str:
    """One or more series over periods; `percent` fixes the axis at 0–100 %.

    Each present value becomes exactly one marker (`class="point"`), its shape and the
    line's dash differing by series; a missing value (None) leaves a gap in the line.
    """
    _check(labels, series)
    full_names = list(full_labels) if full_labels is not None else list(labels)
    if len(full_names) != len(labels):
        raise ValueError("full_labels and labels differ in length")
    numbers = [[_number(value) for value in one.values] for one in series]
    present = [value for values in numbers for value in values if value is not None]
    full, _bare = _value_formatter(present, unit, percent)
    frame = _frame_for(
        chart_id,
        title,
        desc,
        _summary(
            full_names,
            [(one.name, numbers[i]) for i, one in enumerate(series)],
            category_noun,
            full,
            not percent,
        )
        if labels and series and present
        else EMPTY_TEXT + ".",
        width,
        height,
        list(labels),
        numbers,
    )
    if not labels or not series or not present:
        return _empty_chart(frame, empty_text)

    n, k = len(labels), len(series)
    top_value = max(max(present), 0.0)
    if percent and top_value <= 100:
        ticks = percent_ticks()
    else:
        ticks = nice_ticks(top_value, integer=all(v == math.floor(v) for v in present))
    bottom_value = min(min(present), 0.0)
    axis_top = ticks[-1]

    parts = _open(frame)
    tick_width = max(len(format_compact(t)) for t in ticks) if not percent else 5
    x0 = 12 + tick_width * CHAR_WIDTH
    x1 = width - 12.0
    top = 12.0
    if k > 1:
        swatches = [_legend_line_swatch(i) for i in range(k)]
        legend, used = _legend([one.name for one in series], x0, x1 - x0, top, swatches)
        parts.extend(legend)
        top += used
    top += 8
    y1 = height - 28.0
    plot_height = max(10.0, y1 - top)
    span = axis_top - min(bottom_value, 0.0)

    def y_of(value: float) -> float:
        return y1 - plot_height * ((value - min(bottom_value, 0.0)) / span if span else 0.0)

    parts.extend(_y_axis(ticks, x0, x1, y_of, percent))
    band = (x1 - x0) / n
    centres = [x0 + band * (index + 0.5) for index in range(n)]
    several = k > 1
    for s, one in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        dash = _DASHES[s % len(_DASHES)]
        path: list[str] = []
        pen_down = False
        for index, value in enumerate(numbers[s]):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{centres[index]:.1f},{y_of(value):.1f}")
            pen_down = True
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append('<g class="chart-series">')
        parts.append(
            f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f' stroke-linejoin="round"{dash_attr}/>'
        )
        shape = _MARKERS[s % len(_MARKERS)]
        for index, value in enumerate(numbers[s]):
            if value is None:
                continue
            tip = _tooltip(full_names[index], one.name, full(value), several)
            point = _marker(shape, centres[index], y_of(value), colour, tip)
            parts.append(_linked(point, _href(one, index)))
        parts.append("</g>")
    parts.extend(_x_labels(labels, centres, band, y1 + 18, width - 2.0))
    parts.append("</svg>")
    return "".join(parts)


def _legend_line_swatch(index: int) -> str:
    """A short line in the series' colour and dash with its marker in the middle."""
    colour = PALETTE[index % len(PALETTE)]
    dash = _DASHES[index % len(_DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    marker = _marker(_MARKERS[index % len(_MARKERS)], 9, 6, colour, "")
    marker = marker.replace(' class="point"', "").replace("<title></title>", "")
    return (
        f'<svg x="{{x}}" y="{{y}}" width="18" height="12" overflow="visible">'
        f'<line x1="0" x2="18" y1="6" y2="6" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
        f"{marker}</svg>"
    )


# --- Horizontal bars -----------------------------------------------------------------------


def wrap_label(text: str, width: int, lines: int = 2) -> list[str]:
    """`text` in at most `lines` lines of about `width` characters, broken between words
    (a word longer than a line is cut); the last line ends in "…" when text is left over."""
    words = clean_text(text).split(" ")
    rows: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:
            if current:
                rows.append(current)
                current = ""
            rows.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current = f"{current} {word}"
        else:
            rows.append(current)
            current = word
    if current:
        rows.append(current)
    if len(rows) > lines:
        kept = rows[:lines]
        last = kept[-1]
        kept[-1] = last + "…" if len(last) < width else last[: width - 1] + "…"
        return kept
    return rows


def hbar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | int | None],
    hrefs: Sequence[str | None] | None = None,
    unit: str = "",
    percent: bool = False,
    desc: str | None = None,
    empty_text: str = EMPTY_TEXT,
    category_noun: str = "kategori",
    width: int = 640,
    chart_id: str | None = None,
) -> str:
    """Horizontal bars for a ranked list (top categories, codes): the label on the left
    (wrapped on two lines, cut with "…", the full text in its `<title>`), the value
    written at the end of each bar. Each value becomes exactly one `<rect class="bar">`;
    the height grows with the number of rows."""
    one = Series(name="", values=values, hrefs=hrefs)
    _check(labels, [one])
    numbers = [max(0.0, _number(value) or 0.0) for value in values]
    full, bare = _value_formatter(numbers, unit, percent)
    row = 32.0
    height = int(16 + row * len(labels)) if labels else 120
    summary = (
        _summary(labels, [("", [_number(v) for v in values])], category_noun, full, not percent)
        if labels
        else EMPTY_TEXT + "."
    )
    frame = _frame_for(chart_id, title, desc, summary, width, height, list(labels), numbers)
    if not labels:
        return _empty_chart(frame, empty_text)

    parts = _open(frame)
    label_width = min(260.0, width * 0.42)
    per_line = max(4, int(label_width / CHAR_WIDTH))
    bar_x0 = 8 + label_width + 8
    widest_value = max(len(bare(value)) for value in numbers) * SMALL_CHAR_WIDTH + 10
    bar_span = max(10.0, width - 12 - bar_x0 - widest_value)
    top_value = max(numbers)
    scale_top = 100.0 if percent and top_value <= 100 else top_value
    parts.append(
        f'<line x1="{bar_x0:g}" x2="{bar_x0:g}" y1="8" y2="{height - 8:g}" '
        f'stroke="{OUTLINE_COLOUR}" stroke-width="1"/>'
    )
    for index, label in enumerate(labels):
        y = 8 + row * index
        lines = wrap_label(label, per_line)
        first_y = y + row / 2 + 4 - (len(lines) - 1) * 7
        tspans = "".join(
            f'<tspan x="{8 + label_width:g}" y="{first_y + 14 * i:.1f}">{xml_text(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<g class="chart-label"><title>{xml_text(label)}</title>'
            f'<text text-anchor="end">{tspans}</text></g>'
        )
        value = numbers[index]
        length = bar_span * (value / scale_top) if scale_top else 0.0
        raw = _number(values[index])
        tip = _tooltip(label, "", full(raw) if raw is not None else EMPTY_TEXT.lower(), False)
        rect = (
            f'<rect class="bar" x="{bar_x0:g}" y="{y + 6:.1f}" width="{length:.1f}" '
            f'height="{row - 12:g}" fill="{PALETTE[0]}" stroke="{OUTLINE_COLOUR}" '
            f'stroke-width="0.75"><title>{xml_text(tip)}</title></rect>'
        )
        parts.append(_linked(rect, hrefs[index] if hrefs is not None else None))
        parts.append(
            f'<text class="value" x="{bar_x0 + length + 6:.1f}" y="{y + row / 2 + 4:.1f}">'
            f"{xml_text(bare(value))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
