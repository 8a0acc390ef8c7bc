"""Scores and levels: exact values for known answer sets, rounding, thresholds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tumbuh.capability import scoring
from tumbuh.capability.services import instrument_structure, score
from tumbuh.capability.tests.conftest import HIGHEST, LOWEST, MIXED, MIXED_SCORES


def _score(instrument, answers):
    questions = instrument_structure(instrument)
    by_key = {q.key: q for q in questions}
    chosen = {
        by_key[key]: next(o for o in by_key[key].options.all() if o.key == option)
        for key, option in answers.items()
    }
    return score(questions, chosen)


def test_lowest_answers_are_level_1_with_zero_everywhere(instrument):
    result = _score(instrument, LOWEST)
    assert result["pillars"] == dict.fromkeys(MIXED_SCORES, 0)
    assert result["overall"] == 0
    assert result["level"] == 1


def test_highest_answers_are_level_5_with_full_scores(instrument):
    result = _score(instrument, HIGHEST)
    assert result["pillars"] == dict.fromkeys(MIXED_SCORES, 100)
    assert result["overall"] == 100
    assert result["level"] == 5


def test_mixed_answers_give_exact_weighted_scores(instrument):
    result = _score(instrument, MIXED)
    assert result["pillars"] == MIXED_SCORES
    # (78 + 67 + 56 + 33 + 67 + 22 + 56 + 22 + 22) / 9 = 423 / 9 = 47
    assert result["overall"] == 47
    assert result["level"] == 3


def test_weights_count_within_a_pillar(instrument):
    # Only the weighted question (weight 2) at its best: 6 of 9 → 67; only the other: 3 of 9 → 33.
    heavy = {**LOWEST, "skills_smartphone": "apps"}
    light = {**LOWEST, "skills_search": "compare"}
    assert _score(instrument, heavy)["pillars"]["digital_skills"] == 67
    assert _score(instrument, light)["pillars"]["digital_skills"] == 33
    # 67 / 9 = 7.44 → 7; 33 / 9 = 3.67 → 4
    assert _score(instrument, heavy)["overall"] == 7
    assert _score(instrument, light)["overall"] == 4


def test_shares_round_half_up():
    assert scoring.pillar_scores([("a", 1, 1, 8)]) == {"a": 13}  # 12.5
    assert scoring.pillar_scores([("a", 1, 1, 3)]) == {"a": 33}  # 33.33
    assert scoring.pillar_scores([("a", 1, 2, 3)]) == {"a": 67}  # 66.67
    assert scoring.overall_score({"a": 20, "b": 21}) == 21  # 20.5
    assert scoring.overall_score({"a": 20, "b": 20, "c": 21}) == 20  # 20.33


def test_a_pillar_without_answered_questions_scores_zero():
    assert scoring.pillar_scores([("a", 0, 0, 0), ("b", 1, 3, 3)]) == {"a": 0, "b": 100}


@pytest.mark.parametrize(
    ("overall", "expected"),
    [(0, 1), (20, 1), (21, 2), (40, 2), (41, 3), (60, 3), (61, 4), (80, 4), (81, 5), (100, 5)],
)
def test_level_thresholds(overall, expected):
    assert scoring.level_for(overall).number == expected


@pytest.mark.parametrize("overall", [-1, 101])
def test_scores_outside_0_to_100_have_no_level(overall):
    with pytest.raises(ValueError):
        scoring.level_for(overall)


def test_every_level_has_a_name_and_description_in_both_languages():
    from django.utils import translation

    assert [level.number for level in scoring.LEVELS] == [1, 2, 3, 4, 5]
    for level in scoring.LEVELS:
        with translation.override("en"):
            english = (str(level.name), str(level.description))
        assert all(english)


# --- properties of the scoring rules ------------------------------------------------------------

answer_rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.integers(1, 3),  # weight
        st.integers(0, 3),  # points
    ),
    min_size=1,
    max_size=20,
)


@given(answer_rows)
def test_scores_stay_between_0_and_100_and_give_a_level(rows):
    scores = scoring.pillar_scores([(key, weight, points, 3) for key, weight, points in rows])
    assert all(0 <= value <= 100 for value in scores.values())
    overall = scoring.overall_score(scores)
    assert min(scores.values()) <= overall <= max(scores.values())
    assert 1 <= scoring.level_for(overall).number <= 5


@given(answer_rows, st.data())
def test_a_better_answer_never_lowers_a_score(rows, data):
    index = data.draw(st.integers(0, len(rows) - 1))
    key, weight, points = rows[index]
    better = list(rows)
    better[index] = (key, weight, min(3, points + 1))
    before = scoring.pillar_scores([(k, w, p, 3) for k, w, p in rows])
    after = scoring.pillar_scores([(k, w, p, 3) for k, w, p in better])
    assert after[key] >= before[key]
    assert scoring.overall_score(after) >= scoring.overall_score(before)
