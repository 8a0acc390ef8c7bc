"""Every change to the registry goes through these functions.

Imports (``start_import`` → ``confirm_import`` → ``run_import``, or ``import_file`` in one go for
the command line; ``resume_stalled_imports`` for those whose worker stopped), the
digital-journey milestones (``record_milestone``, called by other apps), and merges
(``merge_enterprises``, ``unmerge``, ``decide_candidate``).
"""

import datetime
import hashlib
import shutil
import tempfile
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Organisation, User
from tumbuh.accounts.services import acting_person
from tumbuh.core.hooks import hooks
from tumbuh.core.money import local_number
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.core.storage import local_path
from tumbuh.registry.columns import FIELDS_BY_KEY, recognise
from tumbuh.registry.error_codes import RegistryError
from tumbuh.registry.importing.pipeline import Importer, TakenOver
from tumbuh.registry.importing.reading import FileProblem, open_table
from tumbuh.registry.importing.villages import VillageIndex
from tumbuh.registry.merging import merge_pairs
from tumbuh.registry.models import (
    Enterprise,
    EnterpriseAccount,
    EnterpriseKbli,
    ImportBatch,
    MatchCandidate,
    MergeRecord,
    Milestone,
    Ownership,
    SourceRecord,
)

REQUIRED_FIELDS = ("business_name",)
# A running import with no sign of life for this long has lost its worker.
STALLED_AFTER = datetime.timedelta(minutes=10)


# --- imports ----------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _transition(batch: ImportBatch, new: str, **fields) -> bool:
    """Move ``batch`` to status ``new`` if allowed from its current status (a guarded claim)."""
    allowed_from = [old for old, targets in ImportBatch.TRANSITIONS.items() if new in targets]
    changed = ImportBatch.objects.filter(pk=batch.pk, status__in=allowed_from).update(
        status=new, **fields
    )
    if changed:
        batch.refresh_from_db()
    return bool(changed)


def check_mapping(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Keep known fields that point at real headers; refuse a mapping without the essentials."""
    clean = {key: header for key, header in mapping.items() if key in FIELDS_BY_KEY and header}
    unknown = [header for header in clean.values() if header not in headers]
    if unknown:
        raise Refused(
            RegistryError.COLUMNS_NOT_IN_FILE,
            _("These columns are not in the file: %(columns)s") % {"columns": ", ".join(unknown)},
        )
    used = list(clean.values())
    repeated = {header for header in used if used.count(header) > 1}
    if repeated:
        raise Refused(
            RegistryError.COLUMN_USED_TWICE,
            _("A column can hold only one field: %(columns)s")
            % {"columns": ", ".join(sorted(repeated))},
        )
    missing = [str(FIELDS_BY_KEY[key].label) for key in REQUIRED_FIELDS if key not in clean]
    if missing:
        raise Refused(
            RegistryError.COLUMNS_MISSING,
            _("Choose the column of: %(fields)s") % {"fields": ", ".join(missing)},
        )
    if "village_code" not in clean and "village_name" not in clean:
        raise Refused(
            RegistryError.VILLAGE_COLUMN_MISSING,
            _("Choose the column with the village code, or the column with the village name."),
        )
    return clean


@transaction.atomic
def start_import(
    *, organisation: Organisation, path: Path, file_name: str, by: User
) -> ImportBatch:
    """Keep the uploaded file, read its header and propose a column mapping.

    A file that cannot be read raises :class:`FileProblem` and nothing is kept.
    """
    table = open_table(path, file_name=file_name)
    table.rows.close()
    batch = ImportBatch(
        organisation=organisation,
        uploaded_by=acting_person(by),
        file_name=file_name,
        file_sha256=_sha256(path),
        headers=table.headers,
        mapping=recognise(table.headers),
    )
    with open(path, "rb") as handle:
        batch.file.save(Path(file_name).name, File(handle), save=False)
    batch.save()
    record_event(
        actor=by,
        action="registry.import_started",
        target=batch,
        region_code=organisation.region_code,
        data={"file": file_name},
    )
    return batch


def confirm_import(
    *, batch: ImportBatch, mapping: dict[str, str], regency_code: str = "", by: User
) -> ImportBatch:
    """Accept the column mapping and queue the import as a background task."""
    from tumbuh.registry.tasks import run_import_task

    mapping = check_mapping(batch.headers, mapping)
    if regency_code and not regency_code.replace(".", "").isdigit():
        raise Refused(RegistryError.REGENCY_INVALID, _("Choose a regency from the list."))
    with transaction.atomic():
        if not _transition(
            batch, ImportBatch.Status.QUEUED, mapping=mapping, regency_code=regency_code
        ):
            raise Refused(RegistryError.IMPORT_STARTED, _("This import has already started."))
        record_event(
            actor=by,
            action="registry.import_confirmed",
            target=batch,
            region_code=batch.organisation.region_code,
            data={"mapping": mapping},
        )
        transaction.on_commit(lambda: run_import_task.enqueue(batch.pk))
    return batch


def run_import(
    *, batch: ImportBatch, by: User, villages: VillageIndex | None = None
) -> ImportBatch:
    """Import every row of a queued batch; a file-level problem marks it failed with the reason.

    A batch requeued after its worker stopped resumes after its processed rows.

    Reasons are written in Indonesian, the programme's language, whoever started the import.
    ``by`` runs it (the task worker's system actor, or whoever imports in one go); the batch's
    events name the person who uploaded it, and the sure duplicates it brings are merged by
    ``by``.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _run_import(batch=batch, by=by, villages=villages)


def _run_import(*, batch: ImportBatch, by: User, villages: VillageIndex | None) -> ImportBatch:
    # A batch requeued after its worker stopped keeps its first start, counts and rows.
    if not _transition(
        batch,
        ImportBatch.Status.RUNNING,
        started_at=batch.started_at or timezone.now(),
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    ):
        return batch
    try:
        if not batch.file or not batch.file.storage.exists(batch.file.name):
            raise FileProblem(_("The uploaded file is no longer available; upload it again."))
        # The private storage may be object storage: read a local copy then.
        with local_path(batch.file) as path:
            table = open_table(path, file_name=batch.file_name)
            if table.headers != batch.headers:
                raise FileProblem(_("The file's columns changed since it was uploaded."))
            ImportBatch.objects.filter(pk=batch.pk).update(
                total_rows=_count_rows(path, table.format)
            )
            # The village index is built only if the file names villages instead of codes.
            importer = Importer(batch, table.headers, villages=villages)
            for _counts in importer.run(table.rows, skip=batch.processed_rows):
                pass
    except FileProblem as problem:
        _transition(
            batch, ImportBatch.Status.FAILED, error=problem.message_text, finished_at=timezone.now()
        )
        return batch
    except TakenOver:
        batch.refresh_from_db()
        return batch
    # Done, if this run still holds the batch.
    if not ImportBatch.objects.filter(
        pk=batch.pk, status=ImportBatch.Status.RUNNING, attempts=batch.attempts
    ).update(
        status=ImportBatch.Status.DONE,
        total_rows=F("processed_rows"),
        finished_at=timezone.now(),
    ):
        batch.refresh_from_db()
        return batch
    batch.refresh_from_db()
    if batch.file:
        batch.file.delete(save=True)  # its rows live on in the source records
    resolved = resolve_batch(batch=batch, by=by)
    record_event(
        actor=batch.uploaded_by,
        action="registry.import_finished",
        target=batch,
        region_code=batch.organisation.region_code,
        data={
            "created": batch.created_count,
            "linked": batch.linked_count,
            "already_imported": batch.already_imported_count,
            "rejected": batch.rejected_count,
            "merged": resolved["merged"],
            "queued_for_review": resolved["queued"],
        },
    )
    return batch


def resume_stalled_imports(
    *, stalled_after: datetime.timedelta = STALLED_AFTER, by: User
) -> dict[str, int]:
    """Requeue the imports whose worker stopped; give up those that stopped too often.

    A running import whose worker shows no sign of life for ``stalled_after`` (its heartbeat
    is older) was stopped: killed, restarted, out of memory. It goes back to the queue and
    resumes after its processed rows; a run that was only slow notices at its next chunk and
    stops (``TakenOver``), nothing written twice. An import started ``MAX_ATTEMPTS`` times
    fails instead, its rows accounted for: processed (written or rejected), and not processed.
    Run by ``tumbuh resume_imports`` every few minutes. Returns how many were resumed and
    failed.
    """
    cutoff = timezone.now() - stalled_after
    stalled = ImportBatch.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, started_at__lt=cutoff),
        status=ImportBatch.Status.RUNNING,
    ).select_related("organisation")
    outcome = {"resumed": 0, "failed": 0}
    with translation.override(settings.LANGUAGE_CODE):  # the reason is kept in Indonesian
        for batch in stalled:
            outcome["failed" if _resume_or_fail(batch, by=by) else "resumed"] += 1
    return outcome


def _resume_or_fail(batch: ImportBatch, *, by: User) -> bool:
    """Requeue ``batch`` or, after its last attempt, fail it; True when it failed."""
    from tumbuh.registry.tasks import run_import_task

    # Claimed only if no beat came since it was read: a run still alive keeps its batch.
    claim = ImportBatch.objects.filter(
        pk=batch.pk, status=ImportBatch.Status.RUNNING, heartbeat_at=batch.heartbeat_at
    )
    given_up = batch.attempts >= ImportBatch.MAX_ATTEMPTS
    total = (_data_rows(batch) if given_up else None) or batch.total_rows
    with transaction.atomic():
        if given_up:
            left = max(0, total - batch.processed_rows)
            error = _(
                "The import stopped %(attempts)s times before the end of the file, so it was "
                "given up: %(processed)s of its %(total)s rows were processed, the other "
                "%(left)s were not. Upload the file again to import them; the rows already "
                "imported are skipped."
            ) % {
                "attempts": batch.attempts,
                "processed": local_number(batch.processed_rows),
                "total": local_number(total),
                "left": local_number(left),
            }
            changed = claim.update(
                status=ImportBatch.Status.FAILED,
                total_rows=total,
                error=error,
                finished_at=timezone.now(),
            )
        else:
            changed = claim.update(status=ImportBatch.Status.QUEUED)
        if not changed:
            return False
        record_event(
            actor=by,
            action="registry.import_failed" if given_up else "registry.import_resumed",
            target=batch,
            region_code=batch.organisation.region_code,
            data={"attempts": batch.attempts, "processed": batch.processed_rows, "total": total},
        )
        if not given_up:
            transaction.on_commit(partial(run_import_task.enqueue, batch.pk))
    return given_up


def _data_rows(batch: ImportBatch) -> int | None:
    """The exact number of rows in the batch's file (blank lines are not rows), or None when
    the file cannot be read any more."""
    if not batch.file or not batch.file.storage.exists(batch.file.name):
        return None
    try:
        with local_path(batch.file) as path:
            rows = open_table(path, file_name=batch.file_name).rows
            try:
                return sum(1 for _number, values in rows if any(v.strip() for v in values))
            finally:
                rows.close()
    except FileProblem:
        return None


def _count_rows(path: Path, file_format: str) -> int:
    """Rows after the header, for the progress bar (a fast upper bound for CSV)."""
    if file_format == "csv":
        with open(path, "rb") as handle:
            return max(
                0, sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1
            )
    return 0


def import_file(
    *,
    path: Path,
    organisation: Organisation,
    by: User,
    mapping: dict[str, str] | None = None,
    regency_code: str = "",
    villages: VillageIndex | None = None,
) -> ImportBatch:
    """Import a file in one go (command line, demo): start, confirm the mapping, run."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / path.name
        shutil.copyfile(path, copy)
        batch = start_import(organisation=organisation, path=copy, file_name=path.name, by=by)
    mapping = check_mapping(batch.headers, mapping or batch.mapping)
    _transition(batch, ImportBatch.Status.QUEUED, mapping=mapping, regency_code=regency_code)
    return run_import(batch=batch, by=by, villages=villages)


# --- milestones -------------------------------------------------------------------------------


def record_milestone(
    *, enterprise: Enterprise, kind: str, source: str, by: User | None, occurred_at=None
) -> Milestone:
    """Record that ``enterprise`` reached ``kind``; idempotent, keeping the earliest time.

    ``by`` is the person who made it true, named in the milestone's own column (always given:
    None when no person did, e.g. a payment confirmed by the provider).

    Called by the part of the platform that makes the milestone true (a store going live, a
    NIB recorded…). A merged record's milestone goes to the business it was merged into.
    """
    if kind not in Milestone.Kind.values:
        raise Refused(
            RegistryError.UNKNOWN_MILESTONE, _("Unknown milestone: %(kind)s") % {"kind": kind}
        )
    while enterprise.merged_into_id:
        enterprise = enterprise.merged_into
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        milestone, created = Milestone.objects.get_or_create(
            enterprise=enterprise,
            kind=kind,
            defaults={"occurred_at": occurred_at, "source": source, "recorded_by": by},
        )
        if not created and occurred_at < milestone.occurred_at:
            Milestone.objects.filter(pk=milestone.pk).update(occurred_at=occurred_at, source=source)
            milestone.refresh_from_db()
        if created:
            # Higher apps react inside the same transaction (settings.MILESTONE_HANDLERS):
            # the programmes app completes the enrolments this outcome satisfies.
            for handler in hooks("MILESTONE_HANDLERS"):
                handler(milestone=milestone, by=by)
    return milestone


# --- merges -----------------------------------------------------------------------------------


def _lock(*enterprises: Enterprise) -> list[Enterprise]:
    ids = sorted(e.pk for e in enterprises)
    return list(Enterprise.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def merge_enterprises(
    *,
    keep: Enterprise,
    drop: Enterprise,
    by: User,
    method: str = MergeRecord.Method.REVIEWER,
    probability: float | None = None,
) -> MergeRecord:
    """Merge ``drop`` into ``keep``: its rows, owners, KBLI codes and milestones move over.

    ``keep`` gets the fields it lacks from ``drop``; everything moved is recorded so that
    :func:`unmerge` can put it back exactly. The same write path as automatic merges
    (:func:`tumbuh.registry.merging.merge_pairs`), here for one pair and with clear refusals.
    """
    if keep.pk == drop.pk:
        raise Refused(
            RegistryError.MERGE_WITH_ITSELF, _("A business cannot be merged with itself.")
        )
    locked = {enterprise.pk: enterprise for enterprise in _lock(keep, drop)}
    if locked[keep.pk].merged_into_id or locked[drop.pk].merged_into_id:
        raise Refused(
            RegistryError.ALREADY_MERGED,
            _("One of these records has already been merged into another."),
        )
    ids = merge_pairs([(keep.pk, drop.pk, probability)], method=method, by=by, keep_older=False)
    record = MergeRecord.objects.get(pk=ids[0])
    keep.refresh_from_db()
    drop.refresh_from_db()
    return record


@transaction.atomic
def unmerge(*, record: MergeRecord, by: User) -> MergeRecord:
    """Undo a merge: the dropped record comes back with everything that moved."""
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.is_undone:
        raise Refused(RegistryError.ALREADY_UNDONE, _("This merge has already been undone."))
    keep, drop = sorted(_lock(record.kept, record.dropped), key=lambda e: e.pk != record.kept_id)
    if drop.merged_into_id != keep.pk:
        raise Refused(
            RegistryError.MERGED_AGAIN,
            _("The record was merged again since; undo the later merge first."),
        )
    moved = record.moved
    SourceRecord.objects.filter(pk__in=moved["records"]).update(enterprise=drop)
    for person_id, _role in moved["ownerships"]:
        Ownership.objects.filter(enterprise=keep, person_id=person_id).delete()
    for code, version in moved["kbli"]:
        EnterpriseKbli.objects.filter(enterprise=keep, code=code, version=version).delete()
    Milestone.objects.filter(pk__in=moved["milestones"]).update(enterprise=drop)
    for removed in moved["milestones_removed"]:
        Milestone.objects.create(
            enterprise=drop,
            kind=removed["kind"],
            occurred_at=removed["occurred_at"],
            source=removed["source"],
        )
        Milestone.objects.filter(enterprise=keep, kind=removed["kind"]).update(
            occurred_at=removed["keep_occurred_at"], source=removed["keep_source"]
        )
    restore_nib = None
    for name in moved["filled"]:
        if name == "nib":
            restore_nib = keep.nib
        setattr(keep, name, None if name in {"nib", "phone_encrypted"} else "")
    keep.trade_names = [name for name in keep.trade_names if name not in moved["trade_names_added"]]
    keep.save()
    drop.merged_into = None
    if restore_nib:
        drop.nib = restore_nib
    drop.save()
    record.undone_at, record.undone_by = timezone.now(), acting_person(by)
    record.save(update_fields=["undone_at", "undone_by"])
    # Remember the decision, so that resolution never merges the two again.
    MatchCandidate.objects.update_or_create(
        enterprise_low_id=min(keep.pk, drop.pk),
        enterprise_high_id=max(keep.pk, drop.pk),
        defaults={
            "status": MatchCandidate.Status.KEPT_APART,
            "decided_by": acting_person(by),
            "decided_at": timezone.now(),
            "probability": record.probability or 0.0,
        },
    )
    record_event(
        actor=by,
        action="registry.unmerged",
        target=record,
        region_code=keep.village_id,
        data={"kept": keep.pk, "dropped": drop.pk},
    )
    return record


@transaction.atomic
def decide_candidate(*, candidate: MatchCandidate, merge: bool, by: User) -> MatchCandidate:
    """A reviewer's decision on a queued pair: merge (older record survives) or keep apart."""
    changed = MatchCandidate.objects.filter(
        pk=candidate.pk, status=MatchCandidate.Status.PENDING
    ).update(
        status=MatchCandidate.Status.MERGED if merge else MatchCandidate.Status.KEPT_APART,
        decided_by=acting_person(by),
        decided_at=timezone.now(),
    )
    if not changed:
        raise Refused(RegistryError.ALREADY_DECIDED, _("This pair has already been decided."))
    candidate.refresh_from_db()
    if merge:
        merge_enterprises(
            keep=candidate.enterprise_low,
            drop=candidate.enterprise_high,
            by=by,
            method=MergeRecord.Method.REVIEWER,
            probability=candidate.probability,
        )
        MatchCandidate.objects.filter(pk=candidate.pk).update(status=MatchCandidate.Status.MERGED)
    else:
        record_event(
            actor=by,
            action="registry.kept_apart",
            target=candidate,
            region_code=candidate.enterprise_low.village_id,
        )
    return candidate


# --- entity resolution ------------------------------------------------------------------------


def registry_records(*, enterprise_ids=None):
    """The live enterprises as records for the resolution engine (a pyarrow table).

    The owner's NIK is given as its keyed hash and the phone as its keyed hash (prefixed, so the
    engine compares it exactly without seeing a number): no personal data leaves the database
    in clear.
    """
    import pyarrow as pa

    enterprises = Enterprise.objects.deduplicated()
    if enterprise_ids is not None:
        enterprises = enterprises.filter(pk__in=list(enterprise_ids))
    owners: dict[int, tuple[str | None, str]] = {}
    ownerships = Ownership.objects.filter(enterprise__in=enterprises).order_by(
        "enterprise_id", "person_id"
    )
    for enterprise_id, nik_hash, name in ownerships.values_list(
        "enterprise_id", "person__nik_hash", "person__full_name"
    ).iterator(chunk_size=20_000):
        owners.setdefault(enterprise_id, (nik_hash, name))
    kbli: dict[int, str] = {}
    for enterprise_id, code in (
        EnterpriseKbli.objects.filter(enterprise__in=enterprises)
        .order_by("enterprise_id", "code")
        .values_list("enterprise_id", "code")
        .iterator(chunk_size=20_000)
    ):
        kbli.setdefault(enterprise_id, code)
    columns: dict[str, list] = {
        name: []
        for name in (
            "record_id",
            "nik_hash",
            "nib",
            "phone_hash",
            "business_name",
            "owner_name",
            "village_code",
            "district_code",
            "kbli",
        )
    }
    for pk, nib, phone_hash, name, village in (
        enterprises.order_by("pk")
        .values_list("pk", "nib", "phone_hash", "name", "village_id")
        .iterator(chunk_size=20_000)
    ):
        nik_hash, owner = owners.get(pk, (None, ""))
        columns["record_id"].append(str(pk))
        columns["nik_hash"].append(nik_hash)
        columns["nib"].append(nib)
        columns["phone_hash"].append(phone_hash or None)
        columns["business_name"].append(name)
        columns["owner_name"].append(owner or None)
        columns["village_code"].append(village)
        columns["district_code"].append(village[:8])
        columns["kbli"].append(kbli.get(pk))
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def active_model():
    """The resolution model in use (engine form), or None before the first training."""
    from tumbuh.registry.models import ResolutionModel
    from tumbuh.registry.resolution import engine

    stored = ResolutionModel.objects.filter(is_active=True).order_by("-trained_at").first()
    return engine.ResolutionModel.from_dict(stored.parameters) if stored else None


# Below this many records the registry is too small to estimate a model from; the model shipped
# with Tumbuh (trained on 100k synthetic records, see bench/resolve.py) is used until then.
MIN_TRAINING_RECORDS = 50_000


def train_resolution_model(*, records=None, force: bool = False):
    """Train on the registry itself (no labels) and make the new model the active one.

    A registry smaller than ``MIN_TRAINING_RECORDS`` gets the shipped model instead (unless
    ``force``): a model estimated from a few hundred records merges more wrongly than it helps.
    """
    from tumbuh.registry.models import ResolutionModel
    from tumbuh.registry.resolution import engine
    from tumbuh.registry.resolution.model import default_model

    records = registry_records() if records is None else records
    if records.num_rows < MIN_TRAINING_RECORDS and not force:
        model = default_model()
    else:
        model = engine.train(records)
    with transaction.atomic():
        ResolutionModel.objects.filter(is_active=True).update(is_active=False)
        ResolutionModel.objects.create(
            parameters=model.to_dict(),
            upper_threshold=model.upper,
            lower_threshold=model.lower,
            trained_on=model.trained_on.get("records", records.num_rows),
        )
    return model


def _kept_apart() -> set[tuple[int, int]]:
    return set(
        MatchCandidate.objects.filter(status=MatchCandidate.Status.KEPT_APART).values_list(
            "enterprise_low_id", "enterprise_high_id"
        )
    )


def _queue_pairs(pairs, kept_apart) -> int:
    """Put scored pairs (``low``, ``high``, probability, evidence) in the review queue."""
    fresh = [
        MatchCandidate(
            enterprise_low_id=low,
            enterprise_high_id=high,
            probability=probability,
            evidence=evidence,
        )
        for low, high, probability, evidence in pairs
        if (low, high) not in kept_apart
    ]
    before = MatchCandidate.objects.count()
    MatchCandidate.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
    return MatchCandidate.objects.count() - before


def _evidence(row: dict) -> list[dict]:
    from tumbuh.registry.resolution import engine

    return [
        {"field": item.field, "agrees": item.agrees, "text": str(item.text)}
        for item in engine.explain(row)
    ]


def _merge_all(merges, *, kept_apart, by: User) -> int:
    """Merge (keep, drop, probability) pairs automatically; a pair kept apart stays apart."""
    wanted = [
        (keep, drop, probability)
        for keep, drop, probability in merges
        if (min(keep, drop), max(keep, drop)) not in kept_apart
    ]
    return len(merge_pairs(wanted, method=MergeRecord.Method.AUTOMATIC, by=by))


def resolve_duplicates(*, retrain: bool = False, by: User) -> dict:
    """Resolve the whole registry: merge sure duplicates, queue the doubtful pairs for review.

    Trains a model on the registry when there is none (or when asked). Enterprise ids are
    stable: in each cluster the oldest record survives. ``by`` merges (the command's and the
    demo's system actor, or a person).
    """
    import time

    from tumbuh.registry.resolution import engine

    started = time.perf_counter()
    records = registry_records()
    if records.num_rows < 2:
        return {"records": records.num_rows, "merged": 0, "queued": 0, "comparisons": 0}
    model = None if retrain else active_model()
    trained = model is None
    if trained:
        model = train_resolution_model(records=records)
    resolution = engine.resolve(records, model)
    kept_apart = _kept_apart()
    merges = [
        (int(row["cluster_id"]), int(row["record_id"]), row["cluster_probability"])
        for row in resolution.clusters.to_pylist()
        if row["record_id"] != row["cluster_id"]
    ]
    merged = _merge_all(merges, kept_apart=kept_apart, by=by)
    pairs = []
    for row in resolution.review_pairs.to_pylist():
        low, high = sorted((int(row["record_id_l"]), int(row["record_id_r"])))
        pairs.append((low, high, row["match_probability"], _evidence(row)))
    queued = _queue_pairs(pairs, kept_apart)
    return {
        "records": records.num_rows,
        "comparisons": resolution.comparisons,
        "merged": merged,
        "queued": queued,
        "trained": trained,
        "businesses": Enterprise.objects.deduplicated().count(),
        "seconds": round(time.perf_counter() - started, 2),
    }


def resolve_batch(*, batch: ImportBatch, by: User) -> dict:
    """Score the enterprises a batch created against the registry, without retraining.

    Runs after an import when a model exists: sure matches merge into the existing (older)
    record, doubtful ones go to the review queue.
    """
    from tumbuh.registry.resolution import engine

    model = active_model()
    if model is None:
        return {"new": batch.created_count, "merged": 0, "queued": 0}
    created = SourceRecord.objects.filter(batch=batch, rule=SourceRecord.Rule.NEW)
    new_ids = set(
        Enterprise.objects.deduplicated()
        .filter(pk__in=created.values("first_enterprise_id"))
        .values_list("pk", flat=True)
    )
    if not new_ids:
        return {"new": 0, "merged": 0, "queued": 0}
    new = registry_records(enterprise_ids=new_ids)
    existing_ids = (
        Enterprise.objects.deduplicated().exclude(pk__in=new_ids).values_list("pk", flat=True)
    )
    existing = registry_records(enterprise_ids=existing_ids)
    kept_apart = _kept_apart()
    merges, pairs = [], []
    if existing.num_rows:
        for row in engine.match_new(existing, new, model).to_pylist():
            new_id, old_id = int(row["new_record_id"]), int(row["existing_record_id"])
            low, high = sorted((new_id, old_id))
            # A sure edge only (engine.match_new): a high probability on a shared phone alone,
            # or across districts without an identifier, goes to review like in ``resolve``.
            if row["match_probability"] >= model.upper and row["is_sure"]:
                merges.append((old_id, new_id, row["match_probability"]))
            else:
                pairs.append((low, high, row["match_probability"], _evidence(row)))
    if new.num_rows > 1:  # duplicates inside the file itself
        resolution = engine.resolve(new, model)
        for row in resolution.clusters.to_pylist():
            if row["record_id"] != row["cluster_id"]:
                merges.append(
                    (int(row["cluster_id"]), int(row["record_id"]), row["cluster_probability"])
                )
        for row in resolution.review_pairs.to_pylist():
            low, high = sorted((int(row["record_id_l"]), int(row["record_id_r"])))
            pairs.append((low, high, row["match_probability"], _evidence(row)))
    merged = _merge_all(sorted(merges, key=lambda m: (-m[2], m[1])), kept_apart=kept_apart, by=by)
    queued = _queue_pairs(pairs, kept_apart)
    return {"new": len(new_ids), "merged": merged, "queued": queued}


# --- accounts of businesses -------------------------------------------------------------------


def surviving(enterprise: Enterprise) -> Enterprise:
    """The record that counts for ``enterprise``: itself, or the one it was merged into."""
    while enterprise.merged_into_id:
        enterprise = enterprise.merged_into
    return enterprise


def link_account(
    *, user: User, enterprise: Enterprise, by: User, role: str = "owner"
) -> EnterpriseAccount:
    """Let ``user`` act for ``enterprise`` (its owner or a BumDes manager); idempotent. ``by``
    links them: a person, or the system actor of the demo."""
    if role not in EnterpriseAccount.Role.values:
        raise Refused(
            RegistryError.UNKNOWN_ACCOUNT_ROLE,
            _("Unknown business account role: %(role)s") % {"role": role},
        )
    enterprise = surviving(enterprise)
    with transaction.atomic():
        account, created = EnterpriseAccount.objects.get_or_create(
            user=user,
            enterprise=enterprise,
            defaults={"role": role, "created_by": acting_person(by)},
        )
        if created:
            record_event(
                actor=by,
                action="registry.account_linked",
                target=enterprise,
                region_code=enterprise.village_id,
                data={"user": user.pk, "role": role},
            )
    return account


def enterprises_of(user) -> list[Enterprise]:
    """The businesses ``user`` may act for, merged records resolved to their survivors."""
    if not getattr(user, "is_authenticated", False):
        return []
    linked = Enterprise.objects.filter(accounts__user=user).select_related("village")
    survivors = {}
    for enterprise in linked:
        enterprise = surviving(enterprise)
        survivors[enterprise.pk] = enterprise
    return sorted(survivors.values(), key=lambda e: (e.name, e.pk))
