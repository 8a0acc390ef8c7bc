"""Keyset pages (core.keyset): every row once, in order, both ways; cursors that are not the
list's refused; counts capped."""

import base64
import json

import pytest
from django.db import connection

from tumbuh.conftest import DAYEUHKOLOT
from tumbuh.core.keyset import BadCursor, capped_count, cursor_after, keyset_page
from tumbuh.registry.models import Enterprise

pytestmark = pytest.mark.django_db

# Names with ties, so that pages break inside a run of equal names.
NAMES = ["Kopi", "Kopi", "Kopi", "Abon", "Batik", "Batik", "Tenun", "Kopi", "Zaitun", "Abon"]


@pytest.fixture
def businesses():
    Enterprise.objects.bulk_create(Enterprise(name=name, village_id=DAYEUHKOLOT) for name in NAMES)
    return list(Enterprise.objects.order_by("name", "pk"))


def walk_forward(queryset, ordering, size):
    pages, cursor = [], ""
    while True:
        page = keyset_page(queryset, ordering=ordering, cursor=cursor, size=size)
        pages.append(page)
        if not page.has_next:
            return pages
        cursor = page.next_cursor


def test_walking_forward_gives_every_row_once_in_order(businesses):
    pages = walk_forward(Enterprise.objects.all(), ("name", "pk"), size=3)

    assert [row for page in pages for row in page] == businesses
    assert [len(page) for page in pages] == [3, 3, 3, 1]
    assert [page.has_previous for page in pages] == [False, True, True, True]
    assert [page.has_next for page in pages] == [True, True, True, False]


def test_walking_back_from_the_last_page_gives_the_same_pages(businesses):
    forward = walk_forward(Enterprise.objects.all(), ("name", "pk"), size=3)

    back, page = [], forward[-1]
    while page.has_previous:
        page = keyset_page(
            Enterprise.objects.all(), ordering=("name", "pk"), cursor=page.previous_cursor, size=3
        )
        back.append(page)

    assert [page.items for page in reversed(back)] == [page.items for page in forward[:-1]]
    assert back[-1].has_previous is False
    assert all(page.has_next for page in back)


@pytest.mark.parametrize("ordering", [("name", "pk"), ("-name", "-pk")])
def test_reading_the_keys_first_gives_the_same_pages_both_ways(businesses, ordering):
    def walk(keys_first):
        pages, cursor = [], ""
        while True:
            page = keyset_page(
                Enterprise.objects.all(),
                ordering=ordering,
                cursor=cursor,
                size=3,
                keys_first=keys_first,
            )
            pages.append(page)
            if not page.has_next:
                return pages
            cursor = page.next_cursor

    plain, keys_first = walk(False), walk(True)
    back = keyset_page(
        Enterprise.objects.all(),
        ordering=ordering,
        cursor=keys_first[-1].previous_cursor,
        size=3,
        keys_first=True,
    )

    assert [page.items for page in keys_first] == [page.items for page in plain]
    assert [page.next_cursor for page in keys_first] == [page.next_cursor for page in plain]
    assert [page.previous_cursor for page in keys_first] == [page.previous_cursor for page in plain]
    assert back.items == plain[-2].items


def test_reading_the_keys_first_asks_for_the_ids_alone_then_the_rows(
    businesses, django_assert_num_queries
):
    with django_assert_num_queries(2) as captured:
        page = keyset_page(
            Enterprise.objects.all(), ordering=("name", "pk"), size=3, keys_first=True
        )

    ids_read = captured.captured_queries[0]["sql"]
    assert ids_read.split(" FROM ")[0] == 'SELECT "registry_enterprise"."id" AS "pk"'
    assert page.items == businesses[:3]


def test_a_descending_order_on_a_timestamp_pages_newest_first(businesses):
    newest_first = list(Enterprise.objects.order_by("-created_at", "-pk"))

    pages = walk_forward(Enterprise.objects.all(), ("-created_at", "-pk"), size=4)

    assert [row for page in pages for row in page] == newest_first


def test_a_cursor_for_a_row_read_by_offset_continues_after_it(businesses):
    cursor = cursor_after(Enterprise.objects.all(), businesses[4], ("name", "pk"))

    page = keyset_page(Enterprise.objects.all(), ordering=("name", "pk"), cursor=cursor, size=3)

    assert page.items == businesses[5:8]


def test_filters_apply_to_the_page_after_the_cursor(businesses):
    kopi = Enterprise.objects.filter(name="Kopi")
    first = keyset_page(kopi, ordering=("name", "pk"), size=2)
    second = keyset_page(kopi, ordering=("name", "pk"), cursor=first.next_cursor, size=2)

    assert [row.name for row in first] + [row.name for row in second] == ["Kopi"] * 4
    assert second.has_next is False


def encoded(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        encoded({"n": 1}),  # not a list
        encoded(["n", "Kopi"]),  # one value short
        encoded(["x", "Kopi", 1]),  # no such direction
        encoded(["n", "Kopi", "satu"]),  # a pk that is not a number
        encoded(["n", "Kopi", True]),  # a boolean for a number
        encoded(["n", None, 1]),  # a null key
        encoded(["n", ["Kopi"], 1]),  # a list for a name
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),  # not UTF-8
    ],
)
def test_a_cursor_that_is_not_the_lists_is_refused_with_its_reason(businesses, cursor):
    with pytest.raises(BadCursor) as refusal:
        keyset_page(Enterprise.objects.all(), ordering=("name", "pk"), cursor=cursor)

    assert (refusal.value.reason, refusal.value.field) == ("bad_cursor", "cursor")


def test_a_count_is_exact_up_to_the_cap_and_labelled_above_it(businesses, monkeypatch):
    from tumbuh.core import keyset

    # The table's statistics may be those of earlier tests (PostgreSQL's autovacuum analyses
    # it): an estimate far above a cap of 10 would be the answer without counting.
    monkeypatch.setattr(keyset, "TRUSTED_ESTIMATE", 10**9)
    exact = capped_count(Enterprise.objects.all(), cap=10)
    above = capped_count(Enterprise.objects.all(), cap=9)

    assert (exact.value, exact.is_exact) == (10, True)
    assert above.is_exact is False
    if connection.vendor == "postgresql":
        assert above.estimate is not None and above.value == above.estimate >= 10
    else:
        assert (above.value, above.estimate) == (10, None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate")
def test_far_above_the_cap_the_estimate_is_given_without_counting(businesses, query_count):
    with query_count() as queries:
        count = capped_count(Enterprise.objects.all(), cap=0)

    assert (count.is_exact, count.value) == (False, count.estimate)
    assert count.estimate > 0
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["EXPLAIN"]


def test_the_first_page_of_a_short_list_is_its_count_without_a_query(businesses, query_count):
    page = keyset_page(Enterprise.objects.all(), ordering=("name", "pk"), size=50)

    with query_count() as queries:
        count = capped_count(Enterprise.objects.all(), page=page)

    assert (count.value, count.is_exact, len(queries)) == (10, True, 0)


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout")
def test_a_count_that_runs_out_of_time_gives_the_estimate_and_leaves_the_session_as_it_was(
    businesses, monkeypatch
):
    from tumbuh.core import keyset

    before = statement_timeout()
    slow = Enterprise.objects.extra(where=["pg_sleep(0.01) IS NOT NULL"])
    monkeypatch.setattr(keyset, "COUNT_BUDGET_MS", 5)

    count = capped_count(slow)

    assert count.is_exact is False
    assert count.value == count.estimate >= 1
    assert statement_timeout() == before  # and the transaction still answers
    monkeypatch.setattr(keyset, "COUNT_BUDGET_MS", 10_000)
    assert capped_count(slow) == keyset.Count(value=10, is_exact=True, cap=keyset.COUNT_CAP)
    assert statement_timeout() == before


def test_a_page_reads_one_row_more_than_it_shows_and_no_count(businesses, query_count):
    with query_count() as queries:
        page = keyset_page(Enterprise.objects.all(), ordering=("name", "pk"), size=3)

    assert len(queries) == 1
    assert "COUNT" not in queries.captured_queries[0]["sql"].upper()
    assert "LIMIT 4" in queries.captured_queries[0]["sql"]
    assert len(page) == 3
