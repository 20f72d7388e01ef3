import itertools
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.svgchart import (
    EMPTY_TEXT,
    PALETTE,
    Series,
    bar_chart,
    clean_text,
    distribution_chart,
    hbar_chart,
    line_chart,
    nice_ticks,
    safe_href,
    wrap_label,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
DAYS = ["Sen 01/12", "Sel 02/12", "Rab 03/12"]
FULL_DAYS = ["Senin 01/12/2026", "Selasa 02/12/2026", "Rabu 03/12/2026"]


def parse(svg: str) -> ET.Element:
    # Our own output: parsing it is the test that it is well formed.
    return ET.fromstring(svg)  # noqa: S314


def num(element: ET.Element, name: str) -> float:
    return float(attr(element, name))


def attr(element: ET.Element, name: str) -> str:
    value = element.get(name)
    assert value is not None, name
    return value


def child_text(root: ET.Element, path: str) -> str:
    found = root.find(path, NS)
    assert found is not None, path
    return found.text or ""


def bars(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == "bar"]


def points(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == "point"]


def tip(element: ET.Element) -> str:
    title = element.find("svg:title", NS)
    assert title is not None
    return title.text or ""


def test_a_bar_chart_is_an_image_named_by_its_title_and_described():
    # Given a week's tickets
    svg = bar_chart(
        title="Tiket dibuat",
        labels=DAYS,
        full_labels=FULL_DAYS,
        series=[Series("Dibuat", [42, 7, 1234])],
        unit="tiket",
    )
    root = parse(svg)
    # Then the chart is one image, labelled by its title and description
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 ")
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert child_text(root, f"svg:title[@id='{title_id}']") == "Tiket dibuat"
    desc = child_text(root, f"svg:desc[@id='{desc_id}']")
    assert desc == (
        "3 periode. Nilai tertinggi 1.234 tiket (Rabu 03/12/2026), "
        "terendah 7 tiket (Selasa 02/12/2026), total 1.283 tiket."
    )
    # And each value is one bar with its own tooltip
    assert [tip(bar) for bar in bars(root)] == [
        "Senin 01/12/2026: 42 tiket",
        "Selasa 02/12/2026: 7 tiket",
        "Rabu 03/12/2026: 1.234 tiket",
    ]
    # And the values are written on the bars, the Indonesian way
    assert [e.text for e in root.iter() if e.get("class") == "value"] == ["42", "7", "1.234"]


def test_grouped_and_stacked_bars_have_one_bar_per_value_and_a_legend():
    series = [Series("Dibuat", [5, 6, 7]), Series("Diselesaikan", [1, 2, 3])]
    for stacked in (False, True):
        root = parse(bar_chart(title="x", labels=DAYS, series=series, stacked=stacked))
        found = bars(root)
        assert len(found) == 6
        # bars go category by category, series by series
        assert tip(found[3]) == "Sel 02/12 — Diselesaikan: 2"
        legend = [e for e in root.iter() if e.get("class") == "chart-legend"]
        assert [t.text for t in legend[0].iter("{http://www.w3.org/2000/svg}text")] == [
            "Dibuat",
            "Diselesaikan",
        ]
        # Colour is not the only cue: the second series is patterned
        fills = {attr(bar, "fill") for bar in found}
        assert PALETTE[0] in fills
        assert any(fill.startswith("url(#") for fill in fills)


def test_stacked_bars_are_labelled_with_their_totals_and_reach_the_total_height():
    series = [Series("Baru", [3, 4, 5]), Series("Diproses", [1, 2, 30])]
    root = parse(bar_chart(title="Backlog", labels=DAYS, series=series, stacked=True))
    assert [e.text for e in root.iter() if e.get("class") == "value"] == ["4", "6", "35"]
    found = bars(root)
    # the Diproses segment of day 3 sits on top of the Baru segment
    baru, diproses = found[4], found[5]
    assert num(diproses, "y") + num(diproses, "height") == pytest.approx(num(baru, "y"), abs=0.11)
    desc = child_text(root, "svg:desc")
    assert "Jumlah: nilai tertinggi 35 (Rab 03/12)" in desc


def test_no_data_is_a_calm_message_without_bars():
    for svg in (
        bar_chart(title="x", labels=[], series=[]),
        bar_chart(title="x", labels=[], series=[Series("a", [])]),
        line_chart(title="x", labels=DAYS, series=[Series("a", [None, None, None])]),
        hbar_chart(title="x", labels=[], values=[]),
    ):
        root = parse(svg)
        assert not bars(root) and not points(root)
        messages = [e.text for e in root.iter() if e.get("class") == "chart-empty"]
        assert messages == [EMPTY_TEXT]
        assert child_text(root, "svg:desc") == "Tidak ada data."


def test_all_zero_values_draw_flat_bars_on_a_0_to_1_axis_with_the_message():
    root = parse(bar_chart(title="x", labels=DAYS, series=[Series("a", [0, 0, 0])]))
    assert [num(bar, "height") for bar in bars(root)] == [0, 0, 0]
    assert [e.text for e in root.iter() if e.get("class") == "chart-empty"] == [EMPTY_TEXT]


def test_one_value_and_a_huge_value_are_drawn_within_the_picture():
    for value in (1, 10**15):
        root = parse(bar_chart(title="x", labels=["Des 2026"], series=[Series("a", [value])]))
        (bar,) = bars(root)
        height = float(attr(root, "viewBox").split()[3])
        assert 0 < num(bar, "y") < height
        assert num(bar, "height") > 0


def test_missing_negative_and_non_finite_values_do_not_break_the_chart():
    values = [None, -5, float("nan")]
    root = parse(bar_chart(title="x", labels=DAYS, series=[Series("a", values)]))
    assert [num(bar, "height") for bar in bars(root)] == [0, 0, 0]
    assert tip(bars(root)[0]) == "Sen 01/12: tidak ada data"


def test_ninety_days_keep_every_bar_but_thin_out_the_labels():
    labels = [f"Sen {i:02d}/12" for i in range(90)]
    root = parse(bar_chart(title="x", labels=labels, series=[Series("a", list(range(90)))]))
    assert len(bars(root)) == 90
    shown = next(e for e in root.iter() if e.get("class") == "chart-x-labels")
    texts = list(shown)
    assert 5 <= len(texts) <= 15
    xs = [num(t, "x") for t in texts]
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 9 * 7


def test_a_line_chart_has_one_point_per_present_value_and_gaps_for_missing_ones():
    series = [Series("Respons", [90.5, None, 80.0]), Series("Penyelesaian", [70, 75.25, 60])]
    root = parse(line_chart(title="SLA", labels=DAYS, series=series, percent=True))
    found = points(root)
    assert len(found) == 5
    assert tip(found[0]) == "Sen 01/12 — Respons: 90,5 %"
    assert tip(found[3]) == "Sel 02/12 — Penyelesaian: 75,3 %"
    paths = [attr(e, "d") for e in root.iter("{http://www.w3.org/2000/svg}path")]
    assert paths[0].count("M") == 2  # the line breaks at the missing month
    # Marker shapes differ between series
    assert {found[0].tag, found[2].tag} == {
        "{http://www.w3.org/2000/svg}circle",
        "{http://www.w3.org/2000/svg}rect",
    }
    group = next(e for e in root.iter() if e.get("class") == "chart-axis")
    axis = [e.text for e in group.iter("{http://www.w3.org/2000/svg}text")]
    assert axis == ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"]


def test_a_top_list_wraps_long_names_and_keeps_the_full_name_in_its_title():
    name = (
        "SPSE › Penawaran › Gagal upload dokumen penawaran karena ukuran berkas "
        "melebihi batas yang diizinkan oleh sistem"
    )
    root = parse(hbar_chart(title="Top", labels=[name, "SIRUP › Paket"], values=[120, 40]))
    assert [tip(bar) for bar in bars(root)] == [f"{name}: 120", "SIRUP › Paket: 40"]
    label = next(e for e in root.iter() if e.get("class") == "chart-label")
    assert tip(label) == name
    lines = [t.text or "" for t in label.iter("{http://www.w3.org/2000/svg}tspan")]
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert [e.text for e in root.iter() if e.get("class") == "value"] == ["120", "40"]


def test_a_rating_distribution_labels_every_bar():
    root = parse(
        distribution_chart(
            title="Penilaian", labels=["1", "2", "3", "4", "5"], values=[1, 0, 5, 20, 50]
        )
    )
    assert len(bars(root)) == 5
    assert [e.text for e in root.iter() if e.get("class") == "value"] == ["1", "0", "5", "20", "50"]


def test_links_are_kept_for_this_site_and_http_only():
    assert safe_href("/konsol/?status=baru&lpse=3") == "/konsol/?status=baru&lpse=3"
    assert safe_href("https://lpse.example/x y") == "https://lpse.example/x%20y"
    assert safe_href(" /a\tb\n") == "/ab"
    assert safe_href('/a<b>"c') == "/a%3Cb%3E%22c"
    for bad in (
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\x00script:alert(1)",
        "data:text/html,<script>",
        "vbscript:x",
        "//evil.example/",
        "/\\evil.example",
        "",
        None,
    ):
        assert safe_href(bad) is None, bad
    root = parse(
        bar_chart(
            title="x",
            labels=DAYS,
            series=[Series("a", [1, 2, 3], hrefs=["/a?x=1&y=2", "javascript:alert(1)", None])],
        )
    )
    links = list(root.iter("{http://www.w3.org/2000/svg}a"))
    assert [a.get("href") for a in links] == ["/a?x=1&y=2"]
    assert [a.get("tabindex") for a in links] == ["-1"]


def test_ticks_are_round_numbers_from_zero_up_to_the_maximum():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(42) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(100) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(1234) == [0, 250, 500, 750, 1000, 1250]
    assert nice_ticks(0.8, integer=False) == [0, 0.2, 0.4, 0.6, 0.8]
    assert nice_ticks(11, integer=False) == [0, 2.5, 5, 7.5, 10, 12.5]
    assert nice_ticks(float("inf")) == [0, 1]


@given(st.floats(min_value=1e-6, max_value=1e15), st.booleans())
def test_ticks_cover_the_maximum_in_a_few_equal_steps(maximum, integer):
    ticks = nice_ticks(maximum, integer=integer)
    assert ticks[0] == 0
    assert ticks[-1] >= maximum * (1 - 1e-9)
    assert 2 <= len(ticks) <= 12
    step = ticks[1]
    for a, b in itertools.pairwise(ticks):
        assert b - a == pytest.approx(step, rel=1e-9)
    if integer:
        assert all(t == int(t) for t in ticks)


def test_wrap_label_breaks_between_words_and_cuts_long_words():
    assert wrap_label("Gagal upload dokumen", 10) == ["Gagal", "upload…"]
    assert wrap_label("Gagal upload", 20) == ["Gagal upload"]
    assert wrap_label("a" * 25, 10) == ["a" * 10, "a" * 9 + "…"]


TEXT = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), max_size=40
) | st.sampled_from(
    [
        "<script>alert(1)</script>",
        "a & b",
        "\"quoted\" 'single'",
        "\u202eevil\u202c",
        "\x00\x1f\x7f",
    ]
)


@given(title=TEXT, labels=st.lists(TEXT, min_size=1, max_size=4), name=TEXT, href=TEXT)
def test_any_text_is_escaped_and_the_output_stays_well_formed(title, labels, name, href):
    values = list(range(len(labels)))
    hrefs = [href] * len(labels)
    charts = [
        bar_chart(title=title, labels=labels, series=[Series(name, values, hrefs)], unit=name),
        bar_chart(
            title=title,
            labels=labels,
            series=[Series(name, values), Series(name, values, hrefs)],
            stacked=True,
        ),
        line_chart(title=title, labels=labels, series=[Series(name, values, hrefs)], desc=name),
        hbar_chart(title=title, labels=labels, values=values, hrefs=hrefs, unit=name),
    ]
    for svg in charts:
        root = parse(svg)  # well formed, whatever came in
        assert "<script" not in svg
        assert "\u202e" not in svg
        assert child_text(root, "svg:title") == clean_text(title)
        for a in root.iter("{http://www.w3.org/2000/svg}a"):
            assert not a.get("href", "").lower().lstrip().startswith(("javascript", "data"))
    assert len(bars(parse(charts[0]))) == len(labels)
    assert len(bars(parse(charts[1]))) == 2 * len(labels)
    assert len(points(parse(charts[2]))) == len(labels)
    assert len(bars(parse(charts[3]))) == len(labels)


def test_series_of_the_wrong_length_are_a_programming_error():
    with pytest.raises(ValueError):
        bar_chart(title="x", labels=DAYS, series=[Series("a", [1, 2])])
    with pytest.raises(ValueError):
        line_chart(title="x", labels=DAYS, series=[Series("a", [1, 2, 3], hrefs=["/a"])])


def test_two_charts_on_one_page_get_different_ids_and_a_given_id_is_cleaned():
    one = parse(bar_chart(title="a", labels=DAYS, series=[Series("a", [1, 2, 3])]))
    two = parse(bar_chart(title="b", labels=DAYS, series=[Series("a", [1, 2, 3])]))
    assert one.get("aria-labelledby") != two.get("aria-labelledby")
    named = parse(bar_chart(title="a", labels=DAYS, series=[], chart_id='x" onload="y'))
    assert named.get("aria-labelledby") == "xonloady-title xonloady-desc"


def test_a_missing_value_has_no_value_label_but_a_zero_has():
    root = parse(bar_chart(title="x", labels=DAYS[:2], series=[Series("a", [None, 0])]))
    group = next(
        g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "chart-bars"
    )
    labels = [text.text for text in group.iter("{http://www.w3.org/2000/svg}text")]
    assert labels == ["0"]
