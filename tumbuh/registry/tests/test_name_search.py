"""The registry's name search: what a query finds (on SQLite and PostgreSQL alike), the keys the
PostgreSQL index holds (the SQL function against its Python twin), and the index in the plan."""

import re

import pytest
from django.db import connection
from django.db.models import Q
from hypothesis import given
from hypothesis import strategies as st

from tumbuh.conftest import DAYEUHKOLOT, make_enterprise
from tumbuh.registry import name_search, queries
from tumbuh.registry.models import Enterprise
from tumbuh.registry.queries import EnterpriseFilters
from tumbuh.registry.tests.console_helpers import plan_on_the_words_index_only

NAMES = (
    "Warung Kopi Siti",
    "UD Warung Kopi Sinar",
    "Warung Siti",
    "Kopi Aceh",
    "Kopiah Haji",
    "Sukopi",
    "CV. Maju-Jaya",
    "Toko Maju Jaya Abadi",
    "Kedai Café Ñoño",
    "Roti  Bakar 88",
)


# A query and the names it finds among NAMES.
MEANING = [
    ("warung kopi si", {"Warung Kopi Siti", "UD Warung Kopi Sinar"}),
    ("kopi", {"Warung Kopi Siti", "UD Warung Kopi Sinar", "Kopi Aceh", "Kopiah Haji"}),
    ("KOPI ACEH", {"Kopi Aceh"}),
    ("maju jaya", {"CV. Maju-Jaya", "Toko Maju Jaya Abadi"}),
    ("cv maju-jaya", {"CV. Maju-Jaya"}),
    ("toko maju jaya abadi", {"Toko Maju Jaya Abadi"}),
    ("maju jaya abadi toko", set()),  # words out of order
    ("warung siti", {"Warung Siti"}),  # a phrase, not words anywhere
    ("arung kopi", set()),  # a word is whole unless it is the last
    ("kopi s", {"Warung Kopi Siti", "UD Warung Kopi Sinar"}),  # a short last word
    ("ud", {"UD Warung Kopi Sinar"}),  # a short single word: the phrase alone
    ("café", {"Kedai Café Ñoño"}),
    ("kedai café ñoño", {"Kedai Café Ñoño"}),
    ("roti bakar 8", {"Roti  Bakar 88"}),
    ("...", set()),  # no word at all
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "found"), MEANING)
def test_a_search_finds_the_names_that_hold_its_words_as_a_phrase(national_admin, query, found):
    for name in NAMES:
        make_enterprise(name, village=DAYEUHKOLOT)

    listed = queries.registry_enterprises(national_admin, EnterpriseFilters(q=query))

    assert {enterprise.name for enterprise in listed} == found


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "found"), MEANING)
def test_a_phrase_held_means_what_the_search_means(query, found):
    """The pickers and lists that search names without ranking them (``holding_phrase``) find
    what the registry's search finds."""
    for name in NAMES:
        make_enterprise(name, village=DAYEUHKOLOT)

    held = name_search.holding_phrase(Enterprise.objects.deduplicated(), query)

    assert {enterprise.name for enterprise in held} == found


@pytest.mark.django_db
def test_a_phrase_held_or_another_condition():
    by_name = make_enterprise("Warung Kopi Siti", village=DAYEUHKOLOT)
    by_nib = make_enterprise("Toko Lain", village=DAYEUHKOLOT, nib="9120001234567")
    make_enterprise("Toko Ketiga", village=DAYEUHKOLOT)

    def held(text):
        found = name_search.holding_phrase(Enterprise.objects.all(), text, alternative=Q(nib=text))
        return {enterprise.pk for enterprise in found}

    assert held("warung kopi") == {by_name.pk}
    assert held("9120001234567") == {by_nib.pk}
    assert held("- -") == set()


@pytest.mark.django_db
def test_a_search_leaves_merged_records_out(national_admin):
    kept = make_enterprise("Warung Kopi Siti", village=DAYEUHKOLOT)
    make_enterprise("Warung Kopi Siti", village=DAYEUHKOLOT, merged_into=kept)

    listed = queries.registry_enterprises(national_admin, EnterpriseFilters(q="warung kopi"))

    assert [enterprise.pk for enterprise in listed] == [kept.pk]


def test_the_keys_of_a_name_are_the_beginnings_of_its_words_after_the_words_before():
    assert name_search.name_keys("CV. Maju-Jaya 2") == {
        "cv*", "maj*", "jay*", "2*",
        "cv maj*", "maju jay*", "jaya 2*",
        "cv maju jay*", "maju jaya 2*",
    }  # fmt: skip
    assert name_search.name_keys(" - ") == set()


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("warung kopi berkah siti", ["warung kopi ber*", "kopi berkah sit*"]),
        ("a b c d e", ["a b c*", "b c d*"]),  # a last word too short for a key of its own
        ("maju jaya", ["maju jay*"]),
        ("warung kopi s", ["warung kop*"]),
        ("kopi", ["kop*"]),
        ("ud", []),
    ],
)
def test_a_query_asks_for_the_rarest_keys_its_phrase_implies(query, keys):
    assert name_search.query_keys(name_search.words_of(query)) == keys


WORD = st.text(alphabet="abcdeéñ019", min_size=1, max_size=7)
SEPARATOR = st.sampled_from([" ", "  ", ". ", "-", "/", "\u00a0", ", "])


@st.composite
def name_and_phrase(draw):
    """A name, and a run of its words with the last one possibly cut short."""
    words = draw(st.lists(WORD, min_size=1, max_size=6))
    separators = draw(st.lists(SEPARATOR, min_size=len(words), max_size=len(words)))
    name = "".join(
        word + separator for word, separator in zip(words, separators, strict=True)
    ).strip()
    start = draw(st.integers(0, len(words) - 1))
    end = draw(st.integers(start + 1, len(words)))
    phrase = words[start:end]
    phrase[-1] = phrase[-1][: draw(st.integers(1, len(phrase[-1])))]
    return name, phrase


@given(name_and_phrase())
def test_every_name_holding_a_phrase_holds_the_keys_asked_for_and_matches_its_pattern(case):
    name, phrase = case
    assert set(name_search.query_keys(phrase)) <= name_search.name_keys(name)
    assert re.search(name_search.phrase_pattern(phrase), name.lower())


@given(st.lists(WORD, min_size=1, max_size=5), st.lists(WORD, min_size=1, max_size=3))
def test_the_pattern_matches_exactly_when_the_words_hold_the_phrase(words, phrase):
    name = " ".join(words)
    runs = (words[start : start + len(phrase)] for start in range(len(words) - len(phrase) + 1))
    holds = any(run[:-1] == phrase[:-1] and run[-1].startswith(phrase[-1]) for run in runs)
    assert bool(re.search(name_search.phrase_pattern(phrase), name)) == holds


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the words index is PostgreSQL's"
)


@postgresql_only
@pytest.mark.django_db
def test_the_sql_function_gives_the_keys_the_python_one_gives():
    names = [*NAMES, "", "  --  ", "a", "Toko «Sumber» Rejeki°2", "UD.SRI\tREJEKI", "1 2 3 4 5"]
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute("SELECT registry_name_keys(%s)", [name])
            assert set(cursor.fetchone()[0]) == name_search.name_keys(name), name


@postgresql_only
@pytest.mark.django_db
def test_a_whole_name_search_reads_the_words_index(national_admin):
    # Enough names, analysed, for the planner to weigh the indexes as a registry's would.
    Enterprise.objects.bulk_create(
        Enterprise(name=f"Warung Kopi Nomor {number}", village_id=DAYEUHKOLOT)
        for number in range(3000)
    )
    make_enterprise("Warung Kopi Berkah Siti", village=DAYEUHKOLOT)
    listed = queries.registry_enterprises(
        national_admin, EnterpriseFilters(q="warung kopi berkah siti")
    )
    # Only the words index may serve the search: the plan then uses it only if the query's keys
    # are its expression.
    plan_on_the_words_index_only()
    plan = listed.explain()

    assert "enterprise_name_words_idx" in plan, plan
    assert [enterprise.name for enterprise in listed] == ["Warung Kopi Berkah Siti"]
    assert Enterprise.objects.count() == 3001
