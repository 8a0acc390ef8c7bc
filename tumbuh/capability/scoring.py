"""How answers become scores and a level, in whole numbers so results are exact and stable.

* **Pillar score** (0–100): the weighted share of the maximum within the pillar,
  ``100 × Σ(weight × points) / Σ(weight × best points)`` over the pillar's answered questions,
  rounded half up. A pillar with no answered question scores 0.
* **Overall score** (0–100): the mean of the pillar scores, each pillar counting equally,
  rounded half up.
* **Level** (1–5): from the overall score by the thresholds in ``LEVELS`` (the lowest score of
  each level): 0–20 → 1, 21–40 → 2, 41–60 → 3, 61–80 → 4, 81–100 → 5.

The results are stored with each assessment; changing these rules later never rewrites a past
result.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Level:
    """A capability level with its plain-language description."""

    number: int
    lowest_score: int
    name: str | Promise
    description: str | Promise


LEVELS = (
    Level(
        1,
        0,
        _("Starting"),
        _(
            "The business runs offline. A phone is used for calls and chat; payments are in cash "
            "and records, if any, are on paper. Start with a business WhatsApp account and QRIS."
        ),
    ),
    Level(
        2,
        21,
        _("Getting connected"),
        _(
            "The business has first digital habits: customers can reach it by chat, some "
            "payments arrive by transfer. Next: a business profile, safe accounts and a first "
            "online store."
        ),
    ),
    Level(
        3,
        41,
        _("Using digital tools"),
        _(
            "The business is online and takes digital payments, but does not use them fully. "
            "Next: sell through an online store regularly and keep digital records every day."
        ),
    ),
    Level(
        4,
        61,
        _("Selling digitally"),
        _(
            "A good part of sales and payments is digital and records are kept in an app. Next: "
            "use the data to plan stock and prices and reach buyers outside the region."
        ),
    ),
    Level(
        5,
        81,
        _("Growing digitally"),
        _(
            "The business sells on several channels, is paid digitally, keeps its accounts "
            "safe and decides from its own data. It can mentor other businesses."
        ),
    ),
)


def level_for(overall_score: int) -> Level:
    """The level of an overall score from 0 to 100."""
    if not 0 <= overall_score <= 100:
        raise ValueError(f"score out of range: {overall_score}")
    return [level for level in LEVELS if overall_score >= level.lowest_score][-1]


def level(number: int) -> Level:
    return LEVELS[number - 1]


def _share_rounded(part: int, whole: int) -> int:
    """``100 × part / whole`` rounded half up, in integers (no floating point surprises)."""
    return (200 * part + whole) // (2 * whole)


def pillar_scores(rows) -> dict[str, int]:
    """Scores per pillar from ``rows`` of ``(pillar_key, weight, points, best_points)``.

    Pillars appear in the order of their first row; pass every pillar of the instrument (with
    no answered question) as ``(key, 0, 0, 0)`` to have it scored 0.
    """
    earned: dict[str, int] = {}
    possible: dict[str, int] = {}
    for key, weight, points, best in rows:
        earned[key] = earned.get(key, 0) + weight * points
        possible[key] = possible.get(key, 0) + weight * best
    return {
        key: _share_rounded(earned[key], possible[key]) if possible[key] else 0 for key in earned
    }


def overall_score(scores: dict[str, int]) -> int:
    """The mean of the pillar scores, rounded half up."""
    if not scores:
        return 0
    return (2 * sum(scores.values()) + len(scores)) // (2 * len(scores))
