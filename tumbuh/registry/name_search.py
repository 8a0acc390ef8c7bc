"""Searching the registry by business name: a name as words, a query as a phrase.

What a search means. A query finds the names that hold its words in the same order, next to each
other, each a whole word except the last, which may be the beginning of one: what a search box
that answers as you type should do. "warung kopi si" finds "Warung Kopi Siti" and "UD Warung
Kopi Sinar", not "Warung Siti"; "kopi" finds "Kopi Aceh", "Warung Kopi" and "Kopiah Haji", not
"Sukopi". Case and punctuation do not count: "maju jaya" finds "CV. Maju-Jaya".

Words are what is left between separators: ASCII punctuation, spaces and control characters,
and the Latin-1 signs (``SEPARATORS``). Letters outside ASCII (é, ñ) belong to words.

Why whole words. At 30 M businesses every trigram of a common name is in millions of names, so
a substring search read millions of index entries per query (about 1.1 s). Whole words allow
keys rarer than a word: on PostgreSQL a GIN index holds, for each live business, the keys of
its name (``name_keys``, the SQL function ``registry_name_keys`` of migration 0013): every run
of one, two or three adjacent words, its last word cut to its first ``PREFIX_LETTERS`` letters
and marked ``*`` ("maj*", "cv maj*", "cv maju jay*"). A query asks for the rarest keys its
phrase implies (``query_keys``), and the phrase itself (``phrase_pattern``) checks the few rows
they leave. Whole words need no keys of their own: a word's beginning after the two words
before it is nearly as rare, and half the keys build half as long.
SQLite has no such index: it checks the phrase on every row, with the same meaning.
"""

import re

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Func, Q, QuerySet, TextField

# Characters between words: ASCII controls, spaces, punctuation and symbols, and the Latin-1
# signs (no-break space, «, °, ...). Written as ranges both Python's and PostgreSQL's regular
# expressions read alike; the SQL function of migration 0013 uses the same class.
SEPARATORS = r"\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\xbf"
WORD_SPLIT = re.compile(f"[{SEPARATORS}]+")

# The letters of a word's beginning that a prefix key keeps ("sit*" for "siti", "sitiawati").
PREFIX_LETTERS = 3


class NameKeys(Func):
    """``registry_name_keys(name)``: the keys of a name, as the GIN index holds them."""

    function = "registry_name_keys"
    output_field = ArrayField(TextField())


def words_of(text: str) -> list[str]:
    """The words of a name or a query, in lower case."""
    return [word for word in WORD_SPLIT.split(text.lower()) if word]


def _prefix(word: str) -> str:
    return word[:PREFIX_LETTERS] + "*"


def name_keys(name: str) -> set[str]:
    """The keys the index holds for ``name`` (what ``registry_name_keys`` computes in SQL): for
    each word, its beginning, and its beginning after the word or two words before it ("maj*",
    "cv maj*"; "cv maju jay*")."""
    words = words_of(name)
    keys = set()
    for end in range(len(words)):
        for start in range(max(0, end - 2), end + 1):
            keys.add(" ".join([*words[start:end], _prefix(words[end])]))
    return keys


def query_keys(words: list[str]) -> list[str]:
    """Keys every name holding the phrase ``words`` holds, as rare as can be said: the last
    word's beginning after the two words before it, and each whole word's beginning after the
    two before it (or after those there are). Empty when nothing can be said (a single word
    shorter than ``PREFIX_LETTERS``): then only the phrase is checked."""
    whole, last = words[:-1], words[-1] if words else ""
    keys = []
    if len(whole) >= 3:
        keys += [
            " ".join([*whole[end - 2 : end], _prefix(whole[end])]) for end in range(2, len(whole))
        ]
    elif whole and len(last) < PREFIX_LETTERS:  # else the last word's key holds these words
        keys.append(" ".join([*whole[:-1], _prefix(whole[-1])]))
    if len(last) >= PREFIX_LETTERS:
        keys.append(" ".join([*whole[-2:], _prefix(last)]))
    return keys


def phrase_pattern(words: list[str]) -> str:
    """A regular expression, the same for PostgreSQL (``~*``) and Python (SQLite's ``REGEXP``),
    that a name matches when it holds the phrase ``words`` (case ignored by the caller's
    ``iregex``). Words hold no separator, and every other character means itself in both
    dialects (ASCII letters and digits, letters beyond Latin-1), so none needs escaping."""
    between = f"[{SEPARATORS}]+"
    return f"(^|[{SEPARATORS}])" + between.join(words)


def holding_phrase(queryset: QuerySet, text: str, *, field: str = "name", alternative=None):
    """``queryset`` narrowed to the rows whose business name (``field``: ``"name"`` on
    businesses, ``"enterprise__name"`` on what hangs off one) holds the phrase ``text``, with the
    meaning of the registry's search, or that match ``alternative`` (a ``Q``: a NIB typed in the
    same box). On PostgreSQL the phrase's keys let the words index find the names; a text with
    no word finds no name. For the pickers and lists that need no ranking (the registry's own
    search ranks its matches: ``queries._ranked_search``)."""
    words = words_of(text)
    condition = Q(pk__in=[])
    if words:
        condition = Q(**{f"{field}__iregex": phrase_pattern(words)})
        keys = query_keys(words)
        if keys and connection.vendor == "postgresql":
            queryset = queryset.alias(name_words_keys=NameKeys(field))
            condition &= Q(name_words_keys__contains=keys)
    if alternative is not None:
        condition |= alternative
    return queryset.filter(condition)
