"""The import's shortcut for phone numbers: the numbering plan asked once per (first digits,
length), with the same answers as ``normalise_phone`` for every number."""

import random
import re._parser as sre_parse  # the standard library's regular-expression parser

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumbuh.core.validators import normalise_phone
from tumbuh.registry.importing.checks import (
    PHONE_KEY_DIGITS,
    PHONE_KEY_DIGITS_OTHERWISE,
    RowChecker,
    RowProblem,
)

DIGIT = [(sre_parse.CATEGORY, sre_parse.CATEGORY_DIGIT)]
NUMBER_KINDS = (
    "general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
    "personal_number", "voip", "pager", "uan", "voicemail",
)  # fmt: skip


def admits(item, digit: str) -> bool:
    """Whether one parsed element (a literal or a class) accepts ``digit``."""
    op, argument = item
    if op is sre_parse.LITERAL:
        return argument == ord(digit)
    assert op is sre_parse.IN, op
    for kind, value in argument:
        if kind is sre_parse.LITERAL and value == ord(digit):
            return True
        if kind is sre_parse.RANGE and value[0] <= ord(digit) <= value[1]:
            return True
        if kind is sre_parse.CATEGORY and value is sre_parse.CATEGORY_DIGIT:
            return True
        assert kind in (sre_parse.LITERAL, sre_parse.RANGE, sre_parse.CATEGORY), kind
    return False


def deciding_digits(items, first: str, start: int = 0) -> tuple[int, set[int]]:
    """For a parsed pattern matched from position ``start`` against a number whose first digit
    is ``first``: the furthest position (one past it) at which the pattern asks for something
    other than any digit, and the positions where it may end. Paths that refuse ``first`` are
    dropped; a repeated restriction counts as unbounded."""
    furthest, ends = start, {start}
    for op, argument in items:
        next_ends = set()
        if op in (sre_parse.LITERAL, sre_parse.IN):
            alive = {end for end in ends if end != 0 or admits((op, argument), first)}
            if alive and not (op is sre_parse.IN and argument == DIGIT):
                furthest = max(furthest, *(end + 1 for end in alive))
            next_ends = {end + 1 for end in alive}
        elif op is sre_parse.SUBPATTERN:
            for end in ends:
                reach, after = deciding_digits(argument[-1], first, end)
                if after:
                    furthest, next_ends = max(furthest, reach), next_ends | after
        elif op is sre_parse.BRANCH:
            for branch in argument[1]:
                for end in ends:
                    reach, after = deciding_digits(branch, first, end)
                    if after:
                        furthest, next_ends = max(furthest, reach), next_ends | after
        elif op is sre_parse.MAX_REPEAT:
            low, high, body = argument
            if list(body) != [(sre_parse.IN, DIGIT)]:
                return 10**6, ends  # a repeated restriction: unbounded
            next_ends = {end + count for end in ends for count in range(low, high + 1)}
        else:
            raise AssertionError(f"unexpected pattern element {op}")
        ends = next_ends
        if not ends:
            return start, set()  # this path cannot match such a number
    return furthest, ends


def test_deciding_digits_reads_the_patterns():
    def reach(pattern, first="8"):
        return deciding_digits(sre_parse.parse(pattern), first)[0]

    assert reach(r"8[1-35-9]\d{7,10}") == 2
    assert reach(r"8[1-35-9]\d{7,10}", "2") == 0  # no such number: nothing decided
    assert reach(r"(?:1500|8071\d{3})\d{3}") == 4
    assert reach(r"(?:1500|8071\d{3})\d{3}", "1") == 4
    assert reach(r"\d{3}5\d") == 4
    assert reach(r"8\d{2,3}5") == 5  # a restriction after a variable repeat: its furthest place
    assert reach(r"(?:8[1-3])+") == 10**6


def test_indonesian_numbering_plan_is_decided_by_the_first_digits():
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("ID")
    patterns = [
        getattr(metadata, kind).national_number_pattern
        for kind in NUMBER_KINDS
        if getattr(metadata, kind) is not None and getattr(metadata, kind).national_number_pattern
    ]
    assert len(patterns) >= 6
    for first in "123456789":
        depth = PHONE_KEY_DIGITS.get(first, PHONE_KEY_DIGITS_OTHERWISE)
        for pattern in patterns:
            reach, _ends = deciding_digits(sre_parse.parse(pattern), first)
            assert reach <= depth, (first, pattern)


def checker() -> RowChecker:
    return RowChecker(["No HP"], {"phone": "No HP"})


def direct(text: str) -> str:
    try:
        return normalise_phone(text)
    except ValidationError as error:
        return "refused: " + " ".join(error.messages)


def shortcut(checker: RowChecker, text: str) -> str:
    try:
        return checker._phone(text)
    except RowProblem as problem:
        return "refused: " + problem.reason


@pytest.mark.parametrize(
    "text",
    ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "812 3456 7890", "(021) 555-1234",
     "0812-34a6-7890", "+62 0812 3456 7890", "0800 1234", "0899999999999999", "+1 555 0100",
     "5551234", "0811"],
)  # fmt: skip
def test_shortcut_answers_as_normalise_phone_before_and_after_learning(text):
    fresh, taught = checker(), checker()
    # Teach the second checker every plan of the common prefixes first.
    for prefix in ("0812", "0813", "0821", "021", "0811", "0899", "0800"):
        for length in range(8, 14):
            shortcut(taught, prefix + "7" * (length - len(prefix)))
    assert shortcut(fresh, text) == direct(text)
    assert shortcut(taught, text) == direct(text)
    assert shortcut(fresh, text) == direct(text)  # asked again, from what it learned


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # a busy machine is slow
@given(st.from_regex(r"(\+62 ?|62|0)?[1-9][0-9 \-]{6,13}", fullmatch=True))
def test_shortcut_agrees_with_normalise_phone_on_any_number(text):
    one = checker()
    for _ in range(2):  # the first answer teaches the plan, the second reads it
        assert shortcut(one, text) == direct(text)


def test_shortcut_agrees_on_many_numbers_sharing_their_first_digits():
    generator = random.Random(7)
    one = checker()
    texts = [
        generator.choice(["0", "+62", "62", ""])
        + generator.choice(["8", "21", "22", "61", "177", "800", "809", "1500", "2150", "3"])
        + "".join(generator.choice("0123456789") for _ in range(generator.randint(4, 11)))
        for _ in range(3000)
    ]
    assert [shortcut(one, text) for text in texts] == [direct(text) for text in texts]
    assert 0 < len(one.phone_plans) < len(texts)  # the shortcut was used
