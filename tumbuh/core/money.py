"""Money and number text, in one place: whole rupiah and counts with Indonesian separators.

Money is whole rupiah in integer fields named ``*_idr`` (see docs/architecture.md). Its text is
"Rp15.000": the thousands separator is a dot, whatever the active language, because that is how
rupiah are written on prices, receipts and WhatsApp messages. Only the number is formatted: a
product title or a note next to it is never touched (a title "Keripik, pedas" keeps its comma).
"""

import math

__all__ = ["rupiah", "thousands"]


def thousands(value) -> str:
    """A whole number with Indonesian thousands separators: 83762 → "83.762"; "" for no number."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return ""
    return _grouped(number)


def rupiah(value) -> str:
    """Whole rupiah: 15000 → "Rp15.000", -2500 → "-Rp2.500"; a float is rounded to the rupiah;
    "" for something that is not a number."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        value = round(value)
    try:
        amount = int(value)
    except (TypeError, ValueError, OverflowError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{_grouped(abs(amount))}"


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", ".")
