"""Numbers written the Indonesian way (no Django): 1.234, 12,5 %, 1,2 jt.

Pages, charts (lib/svgchart.py) and exports all format through here, so a number reads
the same everywhere. Rounding is half-up (12,25 → 12,3), as people round by hand, not
Python's half-to-even. A missing or non-finite value is written as an en dash.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

MISSING = "–"

# Thousands, millions, billions, trillions (ribu, juta, miliar, triliun).
_COMPACT_UNITS = ((10**12, "T"), (10**9, "M"), (10**6, "jt"), (10**3, "rb"))


def _finite(value: float | int | Decimal | None) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    number = Decimal(value) if isinstance(value, int) else Decimal(str(value))
    return number if number.is_finite() else None


def format_number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """1234 → "1.234"; 1234.56 with decimals=1 → "1.234,6"; -5 → "-5"; None → "–"."""
    number = _finite(value)
    if number is None:
        return MISSING
    quantum = Decimal(1).scaleb(-decimals)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = sign + ".".join(groups)
    return f"{text},{fraction}" if fraction else text


def format_percent(value: float | int | Decimal | None, decimals: int = 1) -> str:
    """A share already in percent (0–100): 12.5 → "12,5 %"; None → "–"."""
    text = format_number(value, decimals)
    return text if text == MISSING else f"{text} %"


def percent(part: float | int, whole: float | int) -> float | None:
    """`part` as a percentage of `whole`; None when `whole` is zero (no division by zero)."""
    if not whole:
        return None
    return 100.0 * part / whole


def format_compact(value: float | int | None) -> str:
    """Short axis labels: 950 → "950", 12.000 → "12 rb", 1.500.000 → "1,5 jt"."""
    number = _finite(value)
    if number is None:
        return MISSING
    for size, unit in _COMPACT_UNITS:
        if abs(number) >= size:
            scaled = number / size
            decimals = 0 if scaled == scaled.to_integral_value() or abs(scaled) >= 100 else 1
            return f"{format_number(scaled, decimals)} {unit}"
    decimals = 0 if number == number.to_integral_value() else 1
    return format_number(number, decimals)
