"""An import is resolved against the candidates its blocking keys find, not the whole registry;
the national re-resolution runs one province at a time and resumes after a crash."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, SENTANI_KOTA, make_organisation
from tumbuh.core.personal import keyed_hash
from tumbuh.regions.models import Village
from tumbuh.registry import services as registry_services
from tumbuh.registry.models import (
    BlockingKeys,
    Enterprise,
    ImportBatch,
    MatchCandidate,
    Ownership,
    Person,
    ResolutionModel,
    ResolutionPart,
    ResolutionRun,
    SourceRecord,
)
from tumbuh.registry.resolution import candidates, engine
from tumbuh.registry.resolution.model import ResolutionModel as EngineModel
from tumbuh.registry.resolution.model import build_settings, default_model
from tumbuh.registry.services import (
    import_file,
    registry_records,
    resolve_batch,
    resume_stalled_resolution,
    run_resolution,
    run_resolution_part,
    start_resolution_run,
)
from tumbuh.registry.tests.test_resolve_registry import generated, pairwise_scores  # noqa: F401


def activate(model) -> None:
    ResolutionModel.objects.create(
        parameters=model.to_dict(),
        upper_threshold=model.upper,
        lower_threshold=model.lower,
        trained_on=0,
    )


def test_the_candidates_cover_every_blocking_rule_of_the_shipped_and_trained_models():
    assert candidates.uncovered_rules(default_model()) == []
    assert candidates.uncovered_rules(EngineModel(settings=build_settings())) == []
    other = EngineModel(settings=build_settings())
    other.settings["blocking_rules_to_generate_predictions"].append(
        {"blocking_rule": 'l."kbli" = r."kbli"', "sql_dialect": "duckdb"}
    )
    assert candidates.uncovered_rules(other) == ['l."kbli" = r."kbli"']


def pair_set(table) -> set[tuple[str, str]]:
    return set(
        zip(
            table["new_record_id"].to_pylist(),
            table["existing_record_id"].to_pylist(),
            strict=True,
        )
    )


def test_the_candidates_make_every_pair_the_whole_registry_makes(generated):  # noqa: F811
    """The last partner file of the synthetic registry against the three before it: the
    candidates yield the same compared pairs as reading every record, from fewer records."""
    model = default_model()
    last_batch = ImportBatch.objects.order_by("-pk").first()
    new_ids = set(
        SourceRecord.objects.filter(batch=last_batch, rule="new").values_list(
            "first_enterprise_id", flat=True
        )
    )
    new = registry_records(enterprise_ids=new_ids)
    everything = registry_records()
    new_record_ids = {str(pk) for pk in new_ids}
    whole = everything.filter(
        [record_id not in new_record_ids for record_id in everything["record_id"].to_pylist()]
    )
    # Every import wrote its businesses' keys, model or not.
    assert BlockingKeys.objects.count() == Enterprise.objects.count()

    found, by_rule = candidates.registry_candidates(new, candidates.keys_of(new), exclude=new_ids)

    all_pairs = pair_set(engine.match_new(whole, new, model, threshold=0.0))
    candidate_pairs = pair_set(engine.match_new(found, new, model, threshold=0.0))
    assert len(all_pairs) >= 10
    assert candidate_pairs == all_pairs
    assert found.num_rows < whole.num_rows
    assert by_rule["nik"] > 0 and by_rule["name_key"] > 0 and by_rule["owner_key"] > 0
    # The pairs that would merge are the same ones (term frequencies come from fewer records,
    # which moves probabilities a little, not these).
    sure = [
        (row["new_record_id"], row["existing_record_id"])
        for row in engine.match_new(whole, new, model).to_pylist()
        if row["match_probability"] >= model.upper and row["is_sure"]
    ]
    sure_from_candidates = [
        (row["new_record_id"], row["existing_record_id"])
        for row in engine.match_new(found, new, model).to_pylist()
        if row["match_probability"] >= model.upper and row["is_sure"]
    ]
    assert sure and set(sure_from_candidates) == set(sure)


def other_villages(count: int) -> list[str]:
    """Villages outside Dayeuhkolot's district, in every test province."""
    return list(
        Village.objects.exclude(code__startswith=DAYEUHKOLOT[:8])
        .order_by("code")
        .values_list("code", flat=True)[:count]
    )


KETUT_NIK = "9103010202850002"  # born 2 February 1985 in Sentani, Kab. Jayapura


def test_an_import_reads_its_candidates_not_the_registry(db, tmp_path):
    """3,000 unrelated businesses elsewhere (600 of them with the very name of the one the
    partner sends again), 4 in the partner's district and one of the same owner in Papua: the
    import reads the 3 that share a key with its rows, and merges its duplicates."""
    villages = other_villages(60)
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                name="Warung Makan Berkah Jaya" if number % 5 == 0 else f"Usaha Lain {number}",
                village_id=villages[number % len(villages)],
            )
            for number in range(3000)
        ]
    )
    owner = Person.objects.create(full_name="Siti Aminah")
    known = Enterprise.objects.create(name="Warung Makan Berkah Jaya", village_id=DAYEUHKOLOT)
    Ownership.objects.create(enterprise=known, person=owner)
    Enterprise.objects.create(name="Toko Kelontong Sumber Rejeki", village_id=DAYEUHKOLOT)
    Enterprise.objects.create(name="Bengkel Las Mandiri", village_id=DAYEUHKOLOT)
    Enterprise.objects.create(name="Warung Bakso Pak Kumis", village_id=DAYEUHKOLOT)
    path = tmp_path / "mitra.csv"
    # The owner of a business in Papua, with another business here: found by the NIK alone.
    elsewhere = Person.objects.create(
        full_name="Ketut Wijaya", nik_hash=keyed_hash("nik", KETUT_NIK)
    )
    papua = Enterprise.objects.create(name="Sagu Lestari", village_id=SENTANI_KOTA)
    Ownership.objects.create(enterprise=papua, person=elsewhere)
    candidates.store_keys(candidates.keys_of(registry_records()))
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Nama Usaha", "Nama Pemilik", "NIK", "Kode Desa"])
        writer.writerow(["WARUNG MAKAN BERKAH JAYA", "Siti Aminah", "", DAYEUHKOLOT])
        writer.writerow(["Toko Kelontong Sumber Rejeki", "Budi", "", DAYEUHKOLOT])
        writer.writerow(["Kerajinan Anyaman Pandan", "Made Sari", "", DAYEUHKOLOT])
        writer.writerow(["Bengkel Motor Jaya", "Ketut Wijaya", KETUT_NIK, DAYEUHKOLOT])
    partner = make_organisation(kind=Organisation.Kind.COMMUNITY, name="Komunitas")
    # Imported before a model exists (nothing resolved yet), then resolved with one.
    batch = import_file(path=path, organisation=partner, by=system_actor())
    assert batch.created_count == 4
    activate(default_model())

    outcome = resolve_batch(batch=batch, by=system_actor())

    assert outcome["candidates"] == 3 and outcome["uncovered_rules"] == []
    assert outcome["found_by"]["nik"] == 1 and outcome["found_by"]["name_key"] == 2
    assert outcome["merged"] == 2
    duplicate = SourceRecord.objects.get(batch=batch, row_number=2).first_enterprise
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == known.pk


def test_an_import_with_no_candidate_is_scored_against_none(db, tmp_path):
    """A file whose rows share no key with the registry reads no registry record."""
    Enterprise.objects.create(name="Bengkel Las Mandiri", village_id=NAMOSAIN)
    activate(default_model())
    path = tmp_path / "mitra.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Nama Usaha", "Nama Pemilik", "Kode Desa"])
        writer.writerow(["Kerajinan Anyaman Pandan", "Made Sari", DAYEUHKOLOT])
    partner = make_organisation(kind=Organisation.Kind.COMMUNITY, name="Komunitas")
    batch = import_file(path=path, organisation=partner, by=system_actor())
    batch.refresh_from_db()
    new = SourceRecord.objects.get(batch=batch).first_enterprise
    assert BlockingKeys.objects.filter(enterprise=new).exists()
    assert Enterprise.objects.deduplicated().count() == 2
    assert not MatchCandidate.objects.exists()


# --- the national re-resolution -----------------------------------------------------------------


def test_a_national_run_resolves_each_province_then_the_pairs_across(
    generated,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    activate(default_model())
    live = Enterprise.objects.deduplicated().count()
    # One task per province, then the last part's task: run at once in tests, on commit.
    with django_capture_on_commit_callbacks(execute=True) as tasks:
        run = start_resolution_run(by=system_actor())
    assert len(tasks) == 4

    run.refresh_from_db()
    parts = {part.province_code: part for part in run.parts.all()}
    assert set(parts) == {"", "32", "53", "91"}
    assert all(part.status == ResolutionPart.Status.DONE for part in parts.values())
    assert run.is_finished
    assert (parts["53"].records, parts["32"].records, parts["91"].records) == (live, 0, 0)
    assert parts["53"].merged == live - Enterprise.objects.deduplicated().count() > 0
    precision, recall = pairwise_scores(generated)
    assert precision >= 0.97, precision
    assert recall >= 0.9, recall


def test_a_business_in_two_provinces_with_one_owner_is_merged_by_the_last_part(db):
    owner = Person.objects.create(full_name="Yohanes Lubis", nik_hash=keyed_hash("nik", "2" * 16))
    first = Enterprise.objects.create(name="Kopi Tenun Lestari", village_id=NAMOSAIN)
    second = Enterprise.objects.create(name="Kopi Tenun Lestari", village_id=DAYEUHKOLOT)
    for enterprise in (first, second):
        Ownership.objects.create(enterprise=enterprise, person=owner)
    activate(default_model())

    run = start_resolution_run(by=system_actor(), enqueue=False)
    run = run_resolution(run=run, by=system_actor())

    across = run.parts.get(province_code="")
    assert (across.records, across.merged) == (2, 1)
    assert sum(part.merged for part in run.parts.exclude(province_code="")) == 0
    second.refresh_from_db()
    assert second.merged_into_id == first.pk


def test_a_run_that_crashed_resumes_where_it_stopped(generated, monkeypatch):  # noqa: F811
    activate(default_model())
    run = start_resolution_run(by=system_actor(), enqueue=False)

    def crash(records, model):
        raise MemoryError("the worker ran out of memory")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "resolve", crash)
        with pytest.raises(MemoryError):
            run_resolution(run=run, by=system_actor())
    crashed = run.parts.get(province_code="53")
    assert (crashed.status, crashed.attempts) == (ResolutionPart.Status.RUNNING, 1)
    assert run.parts.get(province_code="32").status == ResolutionPart.Status.DONE
    assert run.parts.get(province_code="").status == ResolutionPart.Status.WAITING
    before = Enterprise.objects.deduplicated().count()

    # Not stalled yet: nothing happens.
    assert resume_stalled_resolution(by=system_actor(), enqueue=False) == {
        "resumed": 0,
        "failed": 0,
    }
    out = io.StringIO()
    call_command("resolve_duplicates", resume=True, stalled_after=0, as_json=True, stdout=out)

    run.refresh_from_db()
    assert run.is_finished
    resumed = run.parts.get(province_code="53")
    assert (resumed.status, resumed.attempts) == (ResolutionPart.Status.DONE, 2)
    assert run.parts.get(province_code="32").attempts == 1
    assert resumed.merged == before - Enterprise.objects.deduplicated().count() > 0
    assert '"finished": true' in out.getvalue()


def test_a_part_that_stopped_three_times_fails_and_the_run_waits(db, monkeypatch):
    Enterprise.objects.create(name="Bengkel Las Mandiri", village_id=NAMOSAIN)
    Enterprise.objects.create(name="Bengkel Las Mandiri", village_id=NAMOSAIN)
    activate(default_model())
    run = start_resolution_run(by=system_actor(), enqueue=False)
    part = run.parts.get(province_code="53")

    def crash(records, model):
        raise MemoryError

    monkeypatch.setattr(engine, "resolve", crash)
    for attempt in range(1, 4):
        with pytest.raises(MemoryError):
            run_resolution_part(part=part, by=system_actor(), enqueue=False)
        outcome = resume_stalled_resolution(
            stalled_after=registry_services.datetime.timedelta(0), by=system_actor(), enqueue=False
        )
        assert outcome == (
            {"resumed": 1, "failed": 0} if attempt < 3 else {"resumed": 0, "failed": 1}
        )
    part.refresh_from_db()
    assert part.status == ResolutionPart.Status.FAILED and part.attempts == 3
    run.refresh_from_db()
    assert not run.is_finished
    assert run.parts.get(province_code="").status == ResolutionPart.Status.WAITING
    assert Enterprise.objects.deduplicated().count() == 2


def test_a_slow_part_taken_over_stops_without_finishing(db, monkeypatch):
    """A part whose heartbeat was late is requeued; the slow worker notices at its next beat
    and stops, leaving the part to the new one."""
    Enterprise.objects.create(name="Bengkel Las Mandiri", village_id=NAMOSAIN)
    activate(default_model())
    run = start_resolution_run(by=system_actor(), enqueue=False)
    part = run.parts.get(province_code="53")
    real_keys_of = candidates.keys_of

    def slow(records):
        resume_stalled_resolution(
            stalled_after=registry_services.datetime.timedelta(0), by=system_actor(), enqueue=False
        )
        return real_keys_of(records)

    monkeypatch.setattr(candidates, "keys_of", slow)
    run_resolution_part(part=part, by=system_actor(), enqueue=False)
    part.refresh_from_db()
    assert (part.status, part.attempts, part.records) == (ResolutionPart.Status.QUEUED, 1, 0)


def test_resume_without_an_unfinished_run_says_so(db):
    assert not ResolutionRun.objects.exists()
    with pytest.raises(CommandError, match="No unfinished run"):
        call_command("resolve_duplicates", resume=True)


def test_a_survivor_that_gains_an_owner_by_a_merge_gets_its_owner_keys(db, tmp_path):
    known = Enterprise.objects.create(name="Toko Kelontong Sumber Rejeki", village_id=DAYEUHKOLOT)
    candidates.store_keys(candidates.keys_of(registry_records()))
    assert BlockingKeys.objects.get(enterprise=known).owner_key is None
    activate(default_model())
    path = tmp_path / "mitra.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Nama Usaha", "Nama Pemilik", "Kode Desa"])
        writer.writerow(["Toko Kelontong Sumber Rejeki", "Budi Santoso", DAYEUHKOLOT])
    partner = make_organisation(kind=Organisation.Kind.COMMUNITY, name="Komunitas")

    import_file(path=path, organisation=partner, by=system_actor())

    assert Enterprise.objects.deduplicated().get() == known
    assert known.owners.get().full_name == "Budi Santoso"
    assert BlockingKeys.objects.get(enterprise=known).owner_key is not None


def test_a_province_is_read_with_cursors_planned_for_all_its_rows(generated):  # noqa: F811
    """PostgreSQL plans a cursor for its first tenth by default: at 30 M that walked the whole
    primary key for one province's records (services._reading_whole_results). The caller's
    transaction gets its own setting back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        records = registry_records(province_code="53")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW cursor_tuple_fraction")
            assert cursor.fetchone()[0] == "0.1"
    live = Enterprise.objects.deduplicated().filter(village__code__startswith="53.")
    assert records.num_rows == live.count() > 200
    assert sorted(records["record_id"].to_pylist(), key=int) == [
        str(pk) for pk in live.order_by("pk").values_list("pk", flat=True)
    ]
    planned = [
        query["sql"]
        for query in queries.captured_queries
        if "set_config('cursor_tuple_fraction', '1.0', true)" in query["sql"]
    ]
    assert len(planned) == (1 if connection.vendor == "postgresql" else 0)
