"""The bulk helpers under imports: ids reserved for several tables at once, and statements
given a list of values that return no rows."""

import pytest
from django.db import connection

from tumbuh.core.bulk import reserve_ids, reserve_many, select_in
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
