"""Money and number text, in one place: whole rupiah and counts with Indonesian separators.

Money is whole rupiah in integer fields named ``*_idr`` (see docs/architecture.md). Its text is
"Rp15.000": the thousands separator is a dot, whatever the active language, because that is how
rupiah are written on prices, receipts and WhatsApp messages. Only the number is formatted: a
product title or a note next to it is never touched (a title "Keripik, pedas" keeps its comma).

A count or a measure inside a translated sentence (a planner's explanation: "covers 5.100
people", "12,5 km") follows the active language instead: :func:`local_number`.
"""

import math

from django.utils.formats import number_format

__all__ = ["decimal_text", "local_number", "rupiah", "thousands"]


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


def local_number(value, *, decimals: int = 0) -> str:
    """A number in the active language, rounded to at most ``decimals`` places: 5100 → "5.100" in
    Indonesian and "5,100" in English; 12.46 with one decimal → "12,5" / "12.5"; a whole value
    shows no decimals (12.0 → "12")."""
    value = round(value, decimals)
    if value == int(value):
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def decimal_text(value: float, *, percent: bool = False) -> str:
    """A measure written the Indonesian way whatever the language (the maps' labels and legends):
    12345 → "12.345", 2.5 → "2,5", 0.453 → "45,3 %" (with ``percent``, which reads the value as a
    share from 0 to 1). One decimal at most, none when it is zero."""
    if percent:
        value = value * 100
    rounded = round(value, 1)
    text = f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"
    text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if text in {"-0", "-0,0"}:
        text = "0"
    return f"{text} %" if percent else text


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", ".")
