"""What every part of the planner shares: its error, and numbers and money written in the
active language for its messages.
"""

import math

from django.core.exceptions import ValidationError
from django.utils.formats import number_format


class PlanningError(ValidationError):
    """A plan cannot be made from this input; the message says why in plain words."""


def format_idr(amount) -> str:
    """Whole rupiah with Indonesian thousands separators: 1234567890 → "Rp1.234.567.890".

    The same text as the ``rupiah`` template filter, for messages built outside templates.
    """
    if isinstance(amount, float) and not math.isfinite(amount):
        return f"Rp{amount}"
    amount = round(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def _count(number: int) -> str:
    """A count in the active language: 5.100 in Indonesian, 5,100 in English."""
    return number_format(number, force_grouping=True)


def _decimal(value: float) -> str:
    """A distance or percentage with at most one decimal, in the active language: 12,5."""
    value = round(value, 1)
    if value == int(value):
        return _count(int(value))
    return number_format(value, decimal_pos=1, force_grouping=True)


def _percent(share: float) -> str:
    return f"{_decimal(share * 100)}%"
