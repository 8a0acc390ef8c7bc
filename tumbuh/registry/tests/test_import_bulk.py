"""The bulk helpers under imports: ids reserved for several tables at once, and statements
given a list of values that return no rows."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tumbuh.core.bulk import local_settings, reserve_ids, reserve_many, select_in
from tumbuh.registry.models import Enterprise, Person, SourceRecord

pytestmark = pytest.mark.django_db


def test_reserve_many_gives_each_table_its_count_of_fresh_ids():
    before = reserve_ids(Person, 1)[0]
    enterprises, people, records = reserve_many((Enterprise, 5), (Person, 3), (SourceRecord, 0))
    assert len(enterprises) == 5 and len(set(enterprises)) == 5
    assert len(people) == 3 and len(set(people)) == 3
    assert records == []
    if connection.vendor == "postgresql":  # drawn from the sequences
        assert min(people) > before
        assert reserve_ids(Person, 1)[0] > max(people)  # none of them is drawn again
    else:  # the next ids after the largest written, free until the transaction ends
        assert people == [before, before + 1, before + 2]
        assert enterprises == [1, 2, 3, 4, 5]


def test_select_in_runs_a_statement_that_returns_no_rows():
    assert select_in("DELETE FROM registry_person WHERE id IN {values}", [1, 2]) == []
    assert select_in("SELECT id FROM registry_person WHERE id IN {values}", [1, 2]) == []


def test_update_rows_sets_each_rows_values_in_one_statement():
    """Typed as the table's columns (text, JSON, bytes, NULL, an integer key that is also a
    column it sets); rows not named are left alone."""
    from tumbuh.conftest import make_enterprise, make_organisation
    from tumbuh.core.bulk import update_rows

    first, second, other = (make_enterprise(f"Usaha {n}", nib=f"91200{n}") for n in (1, 2, 3))
    with CaptureQueriesContext(connection) as run:
        given = update_rows(
            "registry_enterprise",
            "id",
            ["nib", "trade_names", "phone_encrypted", "address"],
            [
                (None, '["Warung Bu Sri"]', b"\x00\xff", "Jl. Merdeka 1", first.pk),
                ("912009", "[]", None, "", second.pk),
            ],
        )
    assert given == 2
    updates = [query["sql"] for query in run.captured_queries if "UPDATE" in query["sql"]]
    # PostgreSQL: one statement for both rows (after one look at the columns' types); SQLite's
    # executemany is one call, which Django records once ("2 times: UPDATE ...").
    assert len(updates) == 1
    if connection.vendor == "postgresql":
        assert "unnest(" in updates[0] and len(run.captured_queries) == 2
    for enterprise in (first, second, other):
        enterprise.refresh_from_db()
    assert (first.nib, first.trade_names, bytes(first.phone_encrypted), first.address) == (
        None,
        ["Warung Bu Sri"],
        b"\x00\xff",
        "Jl. Merdeka 1",
    )
    assert (second.nib, second.trade_names, second.phone_encrypted) == ("912009", [], None)
    assert other.nib == "912003"

    record = SourceRecord.objects.create(
        organisation=make_organisation(),
        file_name="mitra.csv",
        row_number=1,
        row_hash="0" * 64,
        enterprise=first,
        first_enterprise=first,
        imported_at=timezone.now(),
    )
    update_rows("registry_sourcerecord", "enterprise_id", ["enterprise_id"], [(other.pk, first.pk)])
    record.refresh_from_db()
    assert record.enterprise_id == other.pk
    assert update_rows("registry_enterprise", "id", ["nib"], []) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings")
def test_local_settings_hold_inside_and_give_the_transaction_its_own_back():
    def work_mem():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('work_mem')")
            return cursor.fetchone()[0]

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '5MB'")
        with local_settings(work_mem="64MB"):
            inside = work_mem()
        after = work_mem()

    assert (inside, after) == ("64MB", "5MB")
