"""Every change to the registry goes through these functions.

Imports (``start_import`` → ``confirm_import`` → ``run_import``, or ``import_file`` in one go for
the command line; ``resume_stalled_imports`` for those whose worker stopped), the
digital-journey milestones (``record_milestone``, called by other apps), merges
(``merge_enterprises``, ``unmerge``, ``decide_candidate``), and entity resolution: an import
against the registry records its blocking keys find (``resolve_batch``), the whole registry in
one pass (``resolve_duplicates``, small registries) or one province at a time, resumable
(``start_resolution_run``, ``run_resolution_part``, ``resume_stalled_resolution``).
"""

import datetime
import hashlib
import shutil
import tempfile
from contextlib import contextmanager
from functools import partial
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Organisation, User
from tumbuh.accounts.services import acting_person
from tumbuh.core.bulk import in_values, local_settings, select_in
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
    ResolutionPart,
    ResolutionRun,
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


RECORD_COLUMNS = (
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
# Ids read per query when records are asked for by id, and businesses fetched at a time from
# the records' query (their owners are read per chunk).
RECORDS_READ_CHUNK = 20_000


def registry_records(*, enterprise_ids=None, province_code: str | None = None):
    """The live enterprises as records for the resolution engine (a pyarrow table): all of
    them, those of ``enterprise_ids`` (read by id, in chunks) or those of one province.

    The owner's NIK is given as its keyed hash and the phone as its keyed hash (prefixed, so the
    engine compares it exactly without seeing a number): no personal data leaves the database
    in clear.
    """
    import pyarrow as pa

    columns: dict[str, list] = {name: [] for name in RECORD_COLUMNS}
    with transaction.atomic(), _reading_whole_results():
        _read_records(columns, enterprise_ids, province_code)
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


@contextmanager
def _reading_whole_results():
    """Plan the server-side cursors (``iterator()``) opened inside for reading every row, in
    the caller's transaction, and give the transaction its own setting back afterwards.

    PostgreSQL plans a cursor for its first tenth of rows by default (``cursor_tuple_fraction``).
    For one province's records ordered by id, that walked the whole primary key of a 30 M
    registry, filtering on the province, rather than reading the province's index and sorting
    it: 7 s for each of the three reads, the same for the smallest province as for the largest.
    On an error the setting goes with the savepoint or transaction that is rolled back.
    """
    with local_settings(cursor_tuple_fraction="1.0"):
        yield


def _read_records(columns: dict[str, list], enterprise_ids, province_code: str | None) -> None:
    enterprises = Enterprise.objects.deduplicated()
    if province_code is not None:
        # The expression of enterprise_province_name_idx: the province's rows only.
        enterprises = enterprises.alias(province=Substr("village_id", 1, 2)).filter(
            province=province_code
        )
    if enterprise_ids is None:
        _append_records(columns, enterprises)
    else:
        ids = sorted(int(pk) for pk in enterprise_ids)
        for start in range(0, len(ids), RECORDS_READ_CHUNK):
            _append_records(
                columns,
                enterprises.filter(pk__in=in_values(ids[start : start + RECORDS_READ_CHUNK])),
            )


def _append_records(columns: dict[str, list], enterprises) -> None:
    """Append ``enterprises`` as records: one query for the businesses, each with its first
    owner (by person id) and first KBLI code (by code) as subqueries on the unique indexes of
    (enterprise, person) and (enterprise, code, version), then the owners' hashes and names read
    by id, a chunk at a time.

    A business's values are read once, where three reads ordered by business and joined in
    Python had cost 98 µs a record when 3.6 M candidates were read by id at 30 M (docs/scale.md,
    "Incremental resolution and merges at 30 M").
    """
    first_owner = (
        Ownership.objects.filter(enterprise=OuterRef("pk")).order_by("person_id").values("person")
    )
    first_code = (
        EnterpriseKbli.objects.filter(enterprise=OuterRef("pk")).order_by("code").values("code")
    )
    rows = (
        enterprises.annotate(
            first_owner=Subquery(first_owner[:1]), first_code=Subquery(first_code[:1])
        )
        .order_by("pk")
        .values_list("pk", "nib", "phone_hash", "name", "village_id", "first_owner", "first_code")
        .iterator(chunk_size=RECORDS_READ_CHUNK)
    )
    while chunk := list(islice(rows, RECORDS_READ_CHUNK)):
        owners = {
            pk: (nik_hash, name)
            for pk, nik_hash, name in select_in(
                "SELECT id, nik_hash, full_name FROM registry_person WHERE id IN {values}",
                sorted({row[5] for row in chunk if row[5] is not None}),
            )
        }
        for pk, nib, phone_hash, name, village, owner_id, code in chunk:
            nik_hash, owner = owners.get(owner_id, (None, ""))
            columns["record_id"].append(str(pk))
            columns["nik_hash"].append(nik_hash)
            columns["nib"].append(nib)
            columns["phone_hash"].append(phone_hash or None)
            columns["business_name"].append(name)
            columns["owner_name"].append(owner or None)
            columns["village_code"].append(village)
            columns["district_code"].append(village[:8])
            columns["kbli"].append(code)


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
    from tumbuh.registry.resolution import candidates

    wanted = [
        (keep, drop, probability)
        for keep, drop, probability in merges
        if (min(keep, drop), max(keep, drop)) not in kept_apart
    ]
    merged = len(merge_pairs(wanted, method=MergeRecord.Method.AUTOMATIC, by=by))
    if merged:
        # A survivor may have gained an owner, a phone or a NIB from the record it absorbed:
        # its blocking keys are written again (registry_records reads the live ones only).
        survivors = {pk for keep, drop, _p in wanted for pk in (keep, drop)}
        candidates.store_keys(candidates.keys_of(registry_records(enterprise_ids=survivors)))
    return merged


def resolve_duplicates(*, retrain: bool = False, by: User) -> dict:
    """Resolve the whole registry: merge sure duplicates, queue the doubtful pairs for review.

    Trains a model on the registry when there is none (or when asked). Enterprise ids are
    stable: in each cluster the oldest record survives. ``by`` merges (the command's and the
    demo's system actor, or a person).
    """
    import time

    from tumbuh.registry.resolution import candidates, engine

    started = time.perf_counter()
    records = registry_records()
    if records.num_rows < 2:
        return {"records": records.num_rows, "merged": 0, "queued": 0, "comparisons": 0}
    model = None if retrain else active_model()
    trained = model is None
    if trained:
        model = train_resolution_model(records=records)
    # The blocking keys of every record, for the imports that follow (resolve_batch).
    candidates.store_keys(candidates.keys_of(records))
    resolution = engine.resolve(records, model)
    merged, queued = _apply(resolution, by=by)
    return {
        "records": records.num_rows,
        "comparisons": resolution.comparisons,
        "merged": merged,
        "queued": queued,
        "trained": trained,
        "businesses": Enterprise.objects.deduplicated().count(),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _apply(resolution, *, by: User) -> tuple[int, int]:
    """Merge a resolution's clusters and queue its doubtful pairs; (merged, queued)."""
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
    return merged, _queue_pairs(pairs, kept_apart)


def resolve_batch(*, batch: ImportBatch, by: User) -> dict:
    """Score the enterprises a batch created against the registry, without retraining.

    Runs after an import: the new enterprises' blocking keys are written, then, when a model
    exists, they are scored against the registry records that share a blocking key with one
    of them (``resolution.candidates``: found through indexes, never by reading the whole
    registry) and against each other. Sure matches merge into the existing (older) record,
    doubtful ones go to the review queue. Returns the counts, ``candidates`` (registry records
    read) among them.
    """
    from tumbuh.registry.resolution import candidates

    created = SourceRecord.objects.filter(batch=batch, rule=SourceRecord.Rule.NEW)
    new_ids = set(
        Enterprise.objects.deduplicated()
        .filter(pk__in=created.values("first_enterprise_id"))
        .values_list("pk", flat=True)
    )
    if not new_ids:
        return {"new": 0, "merged": 0, "queued": 0, "candidates": 0}
    new = registry_records(enterprise_ids=new_ids)
    keys = candidates.keys_of(new)
    candidates.store_keys(keys)
    model = active_model()
    if model is None:
        return {"new": len(new_ids), "merged": 0, "queued": 0, "candidates": 0}
    existing, found = candidates.registry_candidates(new, keys, exclude=new_ids)
    outcome = _resolve_new(new, existing, model, by=by)
    # A model blocking on a rule the candidate query does not know loses that rule's pairs
    # with the registry (not within the file): said in the outcome, never silently.
    return {
        "new": len(new_ids),
        **outcome,
        "candidates": existing.num_rows,
        "found_by": found,
        "uncovered_rules": candidates.uncovered_rules(model),
    }


def _resolve_new(new, existing, model, *, by: User) -> dict:
    """Merge and queue what the model finds between ``new`` and ``existing`` records and
    within ``new``."""
    from tumbuh.registry.resolution import engine

    kept_apart = _kept_apart()
    merges, pairs = [], []
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
    return {"merged": merged, "queued": queued}


# --- the national re-resolution, one province at a time -------------------------------------


class PartTakenOver(Exception):
    """Another worker took the part over (its heartbeat was late): this one stops."""


def start_resolution_run(*, by: User, enqueue: bool = True) -> ResolutionRun:
    """Plan a national re-resolution: one part per province, then the pairs across provinces.

    The province parts are queued as background tasks (``enqueue``) or left queued for
    ``run_resolution`` to run in this process; the last part waits until every province is
    done. Without an active model one is trained first (on the whole registry, as
    ``resolve_duplicates`` does).
    """
    from tumbuh.regions.models import Province
    from tumbuh.registry.tasks import resolve_part_task

    if active_model() is None:
        train_resolution_model()
    with transaction.atomic():
        run = ResolutionRun.objects.create(started_by=acting_person(by))
        codes = list(Province.objects.order_by("code").values_list("code", flat=True))
        ResolutionPart.objects.bulk_create(
            [ResolutionPart(run=run, province_code=code) for code in codes]
            + [ResolutionPart(run=run, province_code="", status=ResolutionPart.Status.WAITING)]
        )
        record_event(
            actor=by, action="registry.resolution_started", target=run, data={"parts": len(codes)}
        )
        if enqueue:
            for pk in run.parts.filter(status=ResolutionPart.Status.QUEUED).values_list(
                "pk", flat=True
            ):
                transaction.on_commit(partial(resolve_part_task.enqueue, pk))
    return run


def run_resolution(*, run: ResolutionRun, by: User, progress=None) -> ResolutionRun:
    """Run the queued parts of ``run`` in this process, provinces first, then the pairs across
    provinces; ``progress(part)`` is called after each."""
    while True:
        part = (
            run.parts.filter(status=ResolutionPart.Status.QUEUED)
            .exclude(province_code="")
            .order_by("province_code")
            .first()
        ) or run.parts.filter(status=ResolutionPart.Status.QUEUED, province_code="").first()
        if part is None:
            break
        run_resolution_part(part=part, by=by, enqueue=False)
        if progress:
            progress(part)
    run.refresh_from_db()
    return run


def run_resolution_part(*, part: ResolutionPart, by: User, enqueue: bool = True) -> ResolutionPart:
    """Resolve one province (or the pairs across provinces) of a run, if it is still queued.

    A part that runs again after its worker stopped starts from the registry as it is now:
    the merges it made stay, the pairs it queued are not queued twice. ``enqueue``: queue the
    last part as a task once every province is done (else ``run_resolution`` runs it).
    """
    if not ResolutionPart.objects.filter(pk=part.pk, status=ResolutionPart.Status.QUEUED).update(
        status=ResolutionPart.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    ):
        part.refresh_from_db()
        return part
    part.refresh_from_db()
    try:
        if part.province_code:
            outcome = _resolve_province(part, by=by)
        else:
            outcome = _resolve_across_provinces(part, by=by)
    except PartTakenOver:
        part.refresh_from_db()
        return part
    with transaction.atomic():
        finished = ResolutionPart.objects.filter(
            pk=part.pk, status=ResolutionPart.Status.RUNNING, attempts=part.attempts
        ).update(status=ResolutionPart.Status.DONE, finished_at=timezone.now(), **outcome)
        if finished:
            _after_part(part.run_id, enqueue=enqueue)
    part.refresh_from_db()
    return part


def _beat(part: ResolutionPart) -> None:
    """A sign of life between the steps of a part; stop if another worker took it over."""
    if not ResolutionPart.objects.filter(
        pk=part.pk, status=ResolutionPart.Status.RUNNING, attempts=part.attempts
    ).update(heartbeat_at=timezone.now()):
        raise PartTakenOver


def _after_part(run_id: int, *, enqueue: bool) -> None:
    """Queue the last part when every province is done; finish the run when every part is."""
    from tumbuh.registry.tasks import resolve_part_task

    parts = ResolutionPart.objects.filter(run_id=run_id)
    if not parts.exclude(province_code="").exclude(status=ResolutionPart.Status.DONE).exists():
        last = parts.filter(province_code="", status=ResolutionPart.Status.WAITING)
        pk = last.values_list("pk", flat=True).first()
        if pk and last.update(status=ResolutionPart.Status.QUEUED) and enqueue:
            transaction.on_commit(partial(resolve_part_task.enqueue, pk))
    if not parts.exclude(status=ResolutionPart.Status.DONE).exists():
        ResolutionRun.objects.filter(pk=run_id, finished_at=None).update(finished_at=timezone.now())


def _resolve_province(part: ResolutionPart, *, by: User) -> dict:
    """Resolve the live businesses of one province among themselves and rewrite their
    blocking keys. Pairs across provinces are the last part's."""
    from tumbuh.registry.resolution import candidates

    records = registry_records(province_code=part.province_code)
    _beat(part)
    candidates.store_keys(candidates.keys_of(records))
    _beat(part)
    return _resolve_part_records(part, records, by=by)


def _resolve_part_records(part: ResolutionPart, records, *, by: User) -> dict:
    """Resolve ``records`` (a part's) among themselves: merge the sure, queue the doubtful."""
    from tumbuh.registry.resolution import engine

    if records.num_rows < 2:
        return {"records": records.num_rows, "comparisons": 0, "merged": 0, "queued": 0}
    resolution = engine.resolve(records, active_model())
    _beat(part)
    merged, queued = _apply(resolution, by=by)
    return {
        "records": records.num_rows,
        "comparisons": resolution.comparisons,
        "merged": merged,
        "queued": queued,
    }


# The live businesses that share an owner or a phone with a live business of another province:
# the only pairs across provinces the model's blocking rules make (NIK, phone; a NIB is
# unique). One grouping query each, in the database.
ACROSS_PROVINCES_SQL = """
    SELECT o.enterprise_id FROM registry_ownership o
    JOIN registry_enterprise e ON e.id = o.enterprise_id AND e.merged_into_id IS NULL
    WHERE o.person_id IN (
        SELECT o2.person_id FROM registry_ownership o2
        JOIN registry_enterprise e2 ON e2.id = o2.enterprise_id AND e2.merged_into_id IS NULL
        GROUP BY o2.person_id HAVING count(DISTINCT substr(e2.village_id, 1, 2)) > 1
    )
    UNION
    SELECT id FROM registry_enterprise WHERE merged_into_id IS NULL AND phone_hash <> ''
    AND phone_hash IN (
        SELECT phone_hash FROM registry_enterprise
        WHERE merged_into_id IS NULL AND phone_hash <> ''
        GROUP BY phone_hash HAVING count(DISTINCT substr(village_id, 1, 2)) > 1
    )
"""


def _resolve_across_provinces(part: ResolutionPart, *, by: User) -> dict:
    """Resolve the businesses an owner or a phone links across provinces."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(ACROSS_PROVINCES_SQL)
        ids = {row[0] for row in cursor.fetchall()}
    _beat(part)
    return _resolve_part_records(part, registry_records(enterprise_ids=ids), by=by)


def resume_stalled_resolution(
    *, stalled_after: datetime.timedelta = STALLED_AFTER, by: User, enqueue: bool = True
) -> dict[str, int]:
    """Requeue the parts of re-resolution runs whose worker stopped; fail those that stopped
    ``ResolutionPart.MAX_ATTEMPTS`` times. Like ``resume_stalled_imports``: a part alive but
    slow notices at its next beat and stops. Returns how many were resumed and failed."""
    from tumbuh.registry.tasks import resolve_part_task

    cutoff = timezone.now() - stalled_after
    stalled = ResolutionPart.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, started_at__lt=cutoff),
        status=ResolutionPart.Status.RUNNING,
    )
    outcome = {"resumed": 0, "failed": 0}
    for part in stalled:
        claim = ResolutionPart.objects.filter(
            pk=part.pk, status=ResolutionPart.Status.RUNNING, heartbeat_at=part.heartbeat_at
        )
        given_up = part.attempts >= ResolutionPart.MAX_ATTEMPTS
        with transaction.atomic():
            if given_up:
                changed = claim.update(
                    status=ResolutionPart.Status.FAILED,
                    finished_at=timezone.now(),
                    error=f"stopped {part.attempts} times before the end",
                )
            else:
                changed = claim.update(status=ResolutionPart.Status.QUEUED)
            if not changed:
                continue
            record_event(
                actor=by,
                action="registry.resolution_part_failed"
                if given_up
                else "registry.resolution_part_resumed",
                target=part,
                region_code=part.province_code,
                data={"attempts": part.attempts},
            )
            if enqueue and not given_up:
                transaction.on_commit(partial(resolve_part_task.enqueue, part.pk))
        outcome["failed" if given_up else "resumed"] += 1
    return outcome


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
