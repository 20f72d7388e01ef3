import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lib.numformat import MISSING, format_compact, format_number, format_percent, percent


def test_thousands_are_grouped_with_dots_and_decimals_follow_a_comma():
    assert format_number(0) == "0"
    assert format_number(999) == "999"
    assert format_number(1234) == "1.234"
    assert format_number(1234567) == "1.234.567"
    assert format_number(-1234) == "-1.234"
    assert format_number(1234.56, 1) == "1.234,6"
    assert format_number(Decimal("12.5"), 2) == "12,50"
    assert format_number(10**15) == "1.000.000.000.000.000"


def test_rounding_is_half_up_and_never_shows_minus_zero():
    assert format_number(12.25, 1) == "12,3"
    assert format_number(0.5) == "1"
    assert format_number(2.5) == "3"
    assert format_number(-0.04, 1) == "0,0"


def test_missing_or_non_finite_values_are_a_dash():
    for value in (None, math.nan, math.inf, -math.inf):
        assert format_number(value) == MISSING
        assert format_percent(value) == MISSING


def test_percentages_carry_one_decimal_and_the_sign():
    assert format_percent(12.5) == "12,5 %"
    assert format_percent(100) == "100,0 %"
    assert format_percent(33.333, 0) == "33 %"


def test_a_share_of_nothing_is_none_not_a_division_by_zero():
    assert percent(1, 0) is None
    assert percent(1, 4) == 25.0
    assert format_percent(percent(0, 0)) == MISSING


def test_compact_labels_use_indonesian_units():
    assert format_compact(950) == "950"
    assert format_compact(12_000) == "12 rb"
    assert format_compact(1_500_000) == "1,5 jt"
    assert format_compact(2_000_000_000) == "2 M"
    assert format_compact(3 * 10**12) == "3 T"
    assert format_compact(2.5) == "2,5"


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_whole_numbers_read_back_exactly(value):
    text = format_number(value)
    assert int(text.replace(".", "")) == value
    assert "," not in text


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_one_decimal_is_always_written(value):
    text = format_number(value, 1)
    whole, _, fraction = text.partition(",")
    assert len(fraction) == 1
    assert abs(float(whole.replace(".", "") + "." + fraction) - value) <= 0.05 + 1e-6 * abs(value)
