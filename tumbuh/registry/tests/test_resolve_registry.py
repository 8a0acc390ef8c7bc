"""Entity resolution over the registry: merges, review queue, stable ids, kept-apart decisions."""

import csv
import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_organisation, make_user
from tumbuh.registry import services as registry_services
from tumbuh.registry.models import (
    Enterprise,
    MatchCandidate,
    MergeRecord,
    ResolutionModel,
    SourceRecord,
)
from tumbuh.registry.services import (
    decide_candidate,
    import_file,
    registry_records,
    resolve_duplicates,
    unmerge,
)
from tumbuh.registry.synthetic import DEFAULT_PARTNERS, generate


@pytest.fixture
def generated(db, tmp_path):
    """A small synthetic registry of 250 businesses in NTT, imported from four partner files."""
    result = generate(businesses=250, seed=11, out_dir=tmp_path, provinces=["53"])
    kinds = {spec.slug: spec.kind for spec in DEFAULT_PARTNERS}
    for partner_file in result.files:
        organisation = make_organisation(kind=kinds[partner_file.slug], name=partner_file.slug)
        import_file(path=partner_file.path, organisation=organisation, by=system_actor())
    return result


def root(enterprise_id: int, parents: dict[int, int | None]) -> int:
    while parents.get(enterprise_id):
        enterprise_id = parents[enterprise_id]
    return enterprise_id


def pairwise_scores(result) -> tuple[float, float]:
    """Precision and recall of "these two rows are one business", rows vs the ground truth."""
    truth = {}
    with open(result.truth_path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["is_bad"] == "0":
                truth[(row["file"], int(row["row_number"]))] = row["entity_id"]
    parents = dict(Enterprise.objects.values_list("pk", "merged_into_id"))
    found = {
        (Path(file_name).name, row): root(enterprise, parents)
        for file_name, row, enterprise in SourceRecord.objects.values_list(
            "file_name", "row_number", "enterprise_id"
        )
    }
    by_truth, by_found = defaultdict(set), defaultdict(set)
    for key, entity in truth.items():
        if key in found:
            by_truth[entity].add(key)
            by_found[found[key]].add(key)

    def pairs(groups):
        return {
            frozenset(pair)
            for members in groups.values()
            for pair in itertools.combinations(sorted(members), 2)
        }

    true_pairs, found_pairs = pairs(by_truth), pairs(by_found)
    correct = len(true_pairs & found_pairs)
    return correct / max(1, len(found_pairs)), correct / max(1, len(true_pairs))


def test_resolving_the_registry_merges_duplicates_and_queues_doubtful_pairs(generated):
    before = Enterprise.objects.deduplicated().count()
    summary = resolve_duplicates(by=system_actor())

    assert summary["trained"] is True
    assert ResolutionModel.objects.filter(is_active=True).count() == 1
    after = Enterprise.objects.deduplicated().count()
    assert summary["merged"] == before - after > 0
    assert MergeRecord.objects.filter(method="automatic").count() == summary["merged"]
    precision, recall = pairwise_scores(generated)
    assert precision >= 0.97, precision
    assert recall >= 0.9, recall
    # The oldest record of each cluster survives: every merge keeps the lower id.
    assert all(
        kept < dropped for kept, dropped in MergeRecord.objects.values_list("kept", "dropped")
    )
    # Every source record points at a live business.
    assert not SourceRecord.objects.filter(enterprise__merged_into__isnull=False).exists()


def test_resolving_again_changes_nothing(generated):
    resolve_duplicates(by=system_actor())
    counts = (
        Enterprise.objects.deduplicated().count(),
        MergeRecord.objects.count(),
        MatchCandidate.objects.count(),
    )
    summary = resolve_duplicates(by=system_actor())
    assert summary["trained"] is False
    assert summary["merged"] == 0 and summary["queued"] == 0
    assert (
        Enterprise.objects.deduplicated().count(),
        MergeRecord.objects.count(),
        MatchCandidate.objects.count(),
    ) == counts


def test_an_undone_merge_is_not_merged_again(generated):
    resolve_duplicates(by=system_actor())
    record = MergeRecord.objects.filter(method="automatic").order_by("pk").first()
    reviewer = make_user()
    unmerge(record=record, by=reviewer)
    assert Enterprise.objects.get(pk=record.dropped_id).merged_into_id is None
    resolve_duplicates(by=system_actor())
    assert Enterprise.objects.get(pk=record.dropped_id).merged_into_id is None
    pair = MatchCandidate.objects.get(
        enterprise_low_id=record.kept_id, enterprise_high_id=record.dropped_id
    )
    assert pair.status == MatchCandidate.Status.KEPT_APART


def test_a_reviewer_decision_on_a_queued_pair(generated):
    resolve_duplicates(by=system_actor())
    pending = MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING).order_by("pk")
    if pending.count() < 2:
        pytest.skip("the small set produced fewer than two doubtful pairs")
    reviewer = make_user()
    first, second = pending[0], pending[1]
    assert first.evidence and {"field", "agrees", "text"} <= set(first.evidence[0])
    decide_candidate(candidate=first, merge=True, by=reviewer)
    assert (
        Enterprise.objects.get(pk=first.enterprise_high_id).merged_into_id
        == first.enterprise_low_id
    )
    decide_candidate(candidate=second, merge=False, by=reviewer)
    second.refresh_from_db()
    assert second.status == MatchCandidate.Status.KEPT_APART
    resolve_duplicates(by=system_actor())
    second.refresh_from_db()
    assert second.status == MatchCandidate.Status.KEPT_APART


def test_a_new_import_is_scored_against_the_registry_without_retraining(generated, tmp_path):
    resolve_duplicates(by=system_actor())
    model = ResolutionModel.objects.get(is_active=True)
    known = Enterprise.objects.deduplicated().exclude(nib=None).order_by("pk").first()
    owner = known.owners.first()
    path = tmp_path / "baru.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Nama Usaha", "Nama Pemilik", "Kode Desa", "NIB"])
        writer.writerow([f"CV {known.name}", owner.full_name if owner else "", known.village_id,
                         known.nib])  # fmt: skip
        writer.writerow(["Usaha Yang Benar Benar Baru", "Seseorang Lain", known.village_id, ""])
    partner = make_organisation(kind=Organisation.Kind.COMMUNITY, name="Komunitas")
    batch = import_file(path=path, organisation=partner, by=system_actor())
    # The NIB rule links the first row at once; the second is new and stays apart.
    assert batch.linked_count == 1 and batch.created_count == 1
    assert ResolutionModel.objects.get(is_active=True) == model


def test_registry_records_carry_no_personal_data_in_clear(generated):
    records = registry_records()
    assert records.num_rows == Enterprise.objects.deduplicated().count()
    assert "phone" not in records.column_names
    phones = [value for value in records["phone_hash"].to_pylist() if value]
    assert phones and all(len(value) == 64 for value in phones)


def test_an_owners_other_business_from_an_import_waits_for_a_reviewer(generated, tmp_path):
    """One owner, two businesses: the same NIK, phone, owner and village, another business
    name. The pair is no sure edge: the new business stays apart, the pair is queued."""
    resolve_duplicates(by=system_actor())
    with open(generated.files[0].path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    row = next(row for row in rows if row["NIK"] and row["No HP/WA"] and row["NIB"])
    existing = Enterprise.objects.get(nib=row["NIB"])
    path = tmp_path / "usaha-lain.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow({**row, "Nama Usaha": "Keripik Pisang Lestari", "NIB": ""})
    partner = make_organisation(kind=Organisation.Kind.COMMUNITY, name="Komunitas")

    batch = import_file(path=path, organisation=partner, by=system_actor())

    created = SourceRecord.objects.get(batch=batch).first_enterprise
    assert Enterprise.objects.get(pk=created.pk).merged_into_id is None
    low, high = sorted([created.pk, existing.pk])
    assert MatchCandidate.objects.filter(
        status=MatchCandidate.Status.PENDING, enterprise_low_id=low, enterprise_high_id=high
    ).exists()


def test_an_import_merges_a_likely_pair_only_when_it_is_a_sure_edge(
    generated, tmp_path, monkeypatch
):
    """``resolve_batch`` merges at or above the model's upper threshold only a sure edge
    (``engine.match_new``'s ``is_sure``); a likely pair that is not one is queued."""
    import pyarrow as pa

    from tumbuh.registry.resolution import engine

    resolve_duplicates(by=system_actor())
    existing = Enterprise.objects.deduplicated().order_by("pk").first()
    path = tmp_path / "baru.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Nama Usaha", "Nama Pemilik", "Kode Desa"])
        writer.writerow(["Usaha Baru Sekali", "Orang Baru", existing.village_id])
        writer.writerow(["Usaha Baru Lagi", "Orang Lain", existing.village_id])
    scored = {}

    def likely_pairs(existing_records, new_records, model):
        first, second = sorted(int(pk) for pk in new_records.column("record_id").to_pylist())
        scored.update(sure=first, unsure=second)
        return pa.Table.from_pylist(
            [
                {"new_record_id": str(first), "existing_record_id": str(existing.pk),
                 "match_probability": 0.99, "is_sure": True},
                {"new_record_id": str(second), "existing_record_id": str(existing.pk),
                 "match_probability": 0.99, "is_sure": False},
            ]
        )  # fmt: skip

    nothing = pa.Table.from_pylist([])
    monkeypatch.setattr(engine, "match_new", likely_pairs)
    monkeypatch.setattr(
        engine, "resolve", lambda records, model: engine.Resolution(nothing, nothing, 0)
    )
    monkeypatch.setattr(registry_services, "_evidence", lambda row: [])

    import_file(path=path, organisation=make_organisation(name="Mitra Baru"), by=system_actor())

    assert Enterprise.objects.get(pk=scored["sure"]).merged_into_id == existing.pk
    assert Enterprise.objects.get(pk=scored["unsure"]).merged_into_id is None
    assert MatchCandidate.objects.filter(
        status=MatchCandidate.Status.PENDING,
        enterprise_low_id=min(existing.pk, scored["unsure"]),
        enterprise_high_id=max(existing.pk, scored["unsure"]),
    ).exists()


def test_a_record_carries_its_first_owner_and_first_code_read_in_chunks(db, monkeypatch):
    """Each business once, by id: its first owner by person id (hash and name), its first KBLI
    code by code, its phone's hash; merged businesses and unknown ids left out; the same
    whatever the chunk size."""
    from tumbuh.conftest import make_enterprise
    from tumbuh.registry.models import EnterpriseKbli, Ownership, Person

    people = [Person.objects.create(full_name=f"Pemilik {n}", nik_hash=f"{n:064d}") for n in (1, 2)]
    shared = make_enterprise("Warung Dua Pemilik", phone_hash="a" * 64)
    Ownership.objects.create(enterprise=shared, person=people[1])
    Ownership.objects.create(enterprise=shared, person=people[0])
    EnterpriseKbli.objects.create(enterprise=shared, code="56103")
    EnterpriseKbli.objects.create(enterprise=shared, code="10792")
    alone = make_enterprise("Usaha Tanpa Pemilik")
    merged = make_enterprise("Warung Lama", merged_into=shared)
    monkeypatch.setattr(registry_services, "RECORDS_READ_CHUNK", 1)

    records = registry_records(enterprise_ids=[merged.pk, alone.pk, shared.pk, 10**9]).to_pylist()

    assert records == [
        {
            "record_id": str(shared.pk),
            "nik_hash": "1".zfill(64),
            "nib": None,
            "phone_hash": "a" * 64,
            "business_name": "Warung Dua Pemilik",
            "owner_name": "Pemilik 1",
            "village_code": shared.village_id,
            "district_code": shared.village_id[:8],
            "kbli": "10792",
        },
        {
            "record_id": str(alone.pk),
            "nik_hash": None,
            "nib": None,
            "phone_hash": None,
            "business_name": "Usaha Tanpa Pemilik",
            "owner_name": None,
            "village_code": alone.village_id,
            "district_code": alone.village_id[:8],
            "kbli": None,
        },
    ]
    assert registry_records(province_code=shared.village_id[:2]).to_pylist() == records
