"""The one write path for merges: many pairs at once, chains folded, everything put back on undo."""

import datetime

import pytest
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.core.models import AuditEvent
from tumbuh.registry import services
from tumbuh.registry.merging import merge_pairs, roots
from tumbuh.registry.models import (
    Enterprise,
    EnterpriseKbli,
    MergeRecord,
    Milestone,
    Ownership,
    Person,
    SourceRecord,
)
from tumbuh.registry.tests.console_helpers import import_rows, partner, row

pytestmark = pytest.mark.django_db


def test_roots_fold_chains_and_skip_pairs_already_joined():
    assert roots([(1, 2, 0.9), (2, 3, 0.8), (3, 1, 0.7)]) == [(1, 2, 0.9), (1, 3, 0.8)]
    # The older record survives automatic merges; a reviewer's choice of keeper stands.
    assert roots([(5, 4, 0.9)]) == [(4, 5, 0.9)]
    assert roots([(5, 4, 0.9)], keep_older=False) == [(5, 4, 0.9)]


@pytest.fixture
def three(tmp_path):
    """Three unrelated-looking businesses, each from a partner row, with owners, codes and dates."""
    import_rows(
        tmp_path,
        partner(),
        [
            row("Keripik Sari Rasa", address="Jl. Mawar 1"),
            row("Dodol Ibu Ani", nib="1234567890123", kbli="10794"),
            row("Batik Tulis Wening", scale="mikro"),
        ],
    )
    first, second, third = Enterprise.objects.order_by("pk")
    Ownership.objects.create(enterprise=first, person=Person.objects.create(full_name="Sari"))
    Ownership.objects.create(enterprise=third, person=Person.objects.create(full_name="Wening"))
    earlier = timezone.now() - datetime.timedelta(days=30)
    Milestone.objects.filter(enterprise=second, kind="registered").update(occurred_at=earlier)
    Milestone.objects.create(enterprise=third, kind="store_live", occurred_at=earlier, source="x")
    return first, second, third


def snapshot(enterprise: Enterprise) -> dict:
    enterprise.refresh_from_db()
    return {
        "merged_into": enterprise.merged_into_id,
        "nib": enterprise.nib,
        "scale": enterprise.scale,
        "trade_names": enterprise.trade_names,
        "records": sorted(enterprise.records.values_list("pk", flat=True)),
        "owners": sorted(enterprise.ownerships.values_list("person__full_name", flat=True)),
        "kbli": sorted(enterprise.kbli_codes.values_list("code", flat=True)),
        "milestones": sorted(enterprise.milestones.values_list("kind", "occurred_at", "source")),
    }


def test_a_chain_of_pairs_lands_on_one_record_and_every_merge_can_be_undone(three):
    first, second, third = three
    before = {enterprise.pk: snapshot(enterprise) for enterprise in three}
    registered_second = Milestone.objects.get(enterprise=second, kind="registered").occurred_at

    ids = merge_pairs(
        [(first.pk, second.pk, 0.99), (second.pk, third.pk, 0.97)],
        method=MergeRecord.Method.AUTOMATIC,
        by=system_actor(),
    )

    assert len(ids) == 2
    kept = snapshot(first)
    assert snapshot(second)["merged_into"] == first.pk
    assert snapshot(third)["merged_into"] == first.pk  # folded, not chained through second
    assert kept["records"] == sorted(SourceRecord.objects.values_list("pk", flat=True))
    assert kept["nib"] == "1234567890123" and second.nib is None  # NIB is unique: it moved
    assert kept["scale"] == "mikro"
    assert kept["owners"] == ["Sari", "Wening"]
    assert kept["kbli"] == ["10794"]
    assert kept["trade_names"] == ["Dodol Ibu Ani", "Batik Tulis Wening"]
    milestones = {kind: (when, source) for kind, when, source in kept["milestones"]}
    assert milestones["registered"][0] == registered_second  # the earliest date counts
    assert "store_live" in milestones
    assert Milestone.objects.filter(enterprise__in=[second, third]).count() == 0
    assert AuditEvent.objects.filter(action="registry.merged").count() == 2
    assert Enterprise.objects.deduplicated().count() == 1

    # The same pairs again change nothing: both drops are merged already.
    assert merge_pairs([(first.pk, second.pk, 0.99)], method="automatic", by=system_actor()) == []

    for record in MergeRecord.objects.filter(pk__in=ids).order_by("-pk"):
        services.unmerge(record=record, by=system_actor())
    assert {enterprise.pk: snapshot(enterprise) for enterprise in three} == before


def test_a_reviewer_keeps_the_record_they_chose_even_when_it_is_newer(three):
    first, _second, third = three
    record = services.merge_enterprises(keep=third, drop=first, by=system_actor())
    assert (record.kept_id, record.dropped_id) == (third.pk, first.pk)
    first.refresh_from_db()
    assert first.merged_into_id == third.pk
    assert EnterpriseKbli.objects.filter(enterprise=third).count() == 0
    assert snapshot(third)["owners"] == ["Sari", "Wening"]
