"""The import of a partner file, chunk by chunk, so that every row is accounted for.

For each chunk of rows: a row identical to an earlier row of the file is refused as a copy;
rows already imported by the same organisation (same content) are counted and skipped; every
other row is checked field by field (``checks``) and either refused with its row, column and
reason, or written as a ``SourceRecord`` that creates a new enterprise or joins an existing one
by an exact rule (same NIB; same owner NIK and business name). Probabilistic matching (Splink)
runs after the import, over the new enterprises.

A chunk costs a fixed number of queries, whatever its size: one lookup each, with the chunk's
values as one array parameter, for the rows already imported, the village codes, the
businesses by NIB, the people by NIK hash and the businesses those people own; then the chunk
is streamed into a temporary staging table (COPY on PostgreSQL) and written into the registry
by set-based statements (``staging``). Personal data is hashed and encrypted here, in one pass
over the chunk, exactly as everywhere else (``core.personal``).

Each chunk is written in one transaction, together with the counts it adds to the batch, so a
failure never leaves half a chunk and the batch's ``processed_rows`` is exactly what is
written. A run of the batch that stopped (its worker killed) is resumed by running the batch
again: the rows it processed are skipped. Only the run that holds the batch writes: a chunk of
a run that was taken over is rolled back (:class:`TakenOver`).
"""

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.core import personal
from tumbuh.core.bulk import reserve_many, select_in
from tumbuh.core.faults import pause_point
from tumbuh.core.validators import mask_phone
from tumbuh.registry.columns import FIELDS_BY_KEY, PERSONAL_FIELDS
from tumbuh.registry.importing import staging
from tumbuh.registry.importing.checks import CleanRow, RowChecker, RowProblem, name_key
from tumbuh.registry.importing.villages import VillageIndex
from tumbuh.registry.models import (
    PUBLIC_ID_ALPHABET,
    Enterprise,
    ImportBatch,
    Person,
    SourceRecord,
)

__all__ = ["CHUNK_ROWS", "Counts", "Importer", "RowProblem", "TakenOver", "name_key"]

CHUNK_ROWS = 10_000
# One encoder for every row (``json.dumps`` with options builds a new one per call).
to_json = json.JSONEncoder(ensure_ascii=False).encode
# Byte → letter of the public-id alphabet, as ``new_public_id`` maps them (byte % 32).
PUBLIC_ID_BYTES = bytes(PUBLIC_ID_ALPHABET[byte % 32].encode()[0] for byte in range(256))


def public_ids(count: int) -> list[str]:
    """``count`` public ids drawn like ``models.new_public_id``, with one call for random bytes."""
    text = os.urandom(12 * count).translate(PUBLIC_ID_BYTES).decode()
    return [text[start : start + 12] for start in range(0, 12 * count, 12)]


class TakenOver(Exception):
    """The batch is no longer this run's: it was requeued after its worker seemed stopped."""


@dataclass
class Counts:
    created: int = 0
    linked: int = 0
    already_imported: int = 0
    rejected: int = 0
    rows: int = 0
    new_enterprise_ids: list[int] = field(default_factory=list)


class Importer:
    """Imports the rows of one batch; ``run`` yields after each chunk for progress reports."""

    def __init__(
        self, batch: ImportBatch, headers: list[str], *, villages: VillageIndex | None = None
    ):
        self.batch = batch
        self.headers = headers
        self.checker = RowChecker(headers, batch.mapping, regency_hint=batch.regency_code)
        self.checker.use_villages(villages)
        personal_headers = {batch.mapping[key] for key in PERSONAL_FIELDS if key in batch.mapping}
        self.personal_positions = [i for i, h in enumerate(headers) if h in personal_headers]
        self.plain_positions = [i for i, h in enumerate(headers) if h not in personal_headers]
        hash_order = sorted(range(len(headers)), key=lambda index: headers[index])
        self.hash_parts = [(f"{headers[position]}\x1e", position) for position in hash_order]
        self.seen_hashes: dict[str, int] = {}
        self.enterprise_by_nib: dict[str, int] = {}
        self.person_by_nik: dict[str, int] = {}
        self.enterprise_by_owner_name: dict[tuple[int, str], int] = {}
        self.known_villages: set[str] = set()
        self.now = timezone.now()
        self.source = f"import:{batch.public_id}"

    # --- one row ---------------------------------------------------------------------------

    def row_hash(self, values: list[str], cells: list[str] | None = None) -> str:
        """The row's content for its organisation: headers with their values, in header order
        sorted by name, so the same row in a file with reordered columns is the same row.
        ``cells``: the row's stripped cells (``RowChecker.cells``), when known already."""
        cells = cells or self.checker.cells(values)
        return hashlib.sha256(
            "\x1f".join([prefix + cells[position] for prefix, position in self.hash_parts]).encode()
        ).hexdigest()

    def _non_personal(self, values: list[str]) -> dict:
        width = len(values)
        return {
            self.headers[i]: values[i]
            for i in self.plain_positions
            if i < width and values[i].strip()
        }

    def _record_values(self, values: list[str]) -> str:
        width = len(values)
        return to_json({self.headers[i]: values[i] for i in self.plain_positions if i < width})

    def _personal_values(self, values: list[str]) -> dict:
        width = len(values)
        return {self.headers[i]: values[i] for i in self.personal_positions if i < width}

    def _header(self, field_key: str) -> str:
        header = self.batch.mapping.get(field_key, "")
        if not header and field_key in FIELDS_BY_KEY:
            header = str(FIELDS_BY_KEY[field_key].label)
        return header

    # --- chunks ----------------------------------------------------------------------------

    def run(self, rows: Iterator[tuple[int, list[str]]], *, skip: int = 0) -> Iterator[Counts]:
        """Import ``rows`` chunk by chunk. ``skip``: rows an earlier run of the batch processed
        (its ``processed_rows``); they are only hashed again, so that a later row identical to
        one of them is still rejected as such."""
        chunk: list[tuple[int, list[str]]] = []
        for number, values in rows:
            if not any(value.strip() for value in values):
                continue  # blank lines are not rows
            if skip:
                skip -= 1
                self.seen_hashes.setdefault(self.row_hash(values), number)
                continue
            chunk.append((number, values))
            if len(chunk) >= CHUNK_ROWS:
                yield self._chunk(chunk)
                chunk = []
        if chunk:
            yield self._chunk(chunk)

    def _chunk(self, rows: list[tuple[int, list[str]]]) -> Counts:
        counts = Counts(rows=len(rows))
        rejected: list[tuple] = []  # staged rejections
        hashed = []
        seen = self.seen_hashes
        cells_of = self.checker.cells
        for number, values in rows:
            cells = cells_of(values)
            digest = self.row_hash(values, cells)
            first = seen.get(digest)
            if first is not None:
                reason = _("Identical to row %(row)s of this file, which counts for both.") % {
                    "row": first
                }
                rejected.append(self._rejection(number, "", reason, values))
                continue
            seen[digest] = number
            hashed.append((number, values, digest, cells))
        existing = {
            digest
            for (digest,) in select_in(
                "SELECT row_hash FROM registry_sourcerecord "
                "WHERE organisation_id = %s AND row_hash IN {values}",
                [digest for _n, _v, digest, _c in hashed],
                [self.batch.organisation_id],
            )
        }
        clean: list[CleanRow] = []
        checker = self.checker
        for number, values, digest, cells in hashed:
            if digest in existing:
                counts.already_imported += 1
                continue
            try:
                clean.append(checker.clean(number, values, digest, cells))
            except RowProblem as problem:
                rejected.append(
                    self._rejection(number, self._header(problem.field_key), problem.reason, values)
                )
        clean = self._with_known_villages(clean, rejected)
        rejected.sort(key=lambda staged: staged[0])
        with transaction.atomic():
            staging.prepare()
            written = self._link(clean, counts)
            staging.stage([*written, *rejected])
            staging.write(
                batch=self.batch,
                now=self.now,
                source=self.source,
                gives_nibs=any(entry[-1] is not None for entry in written),
            )
            counts.rejected = len(rejected)
            # The run's claim on the batch (its status and attempt) guards every chunk.
            counted = ImportBatch.objects.filter(
                pk=self.batch.pk, status=ImportBatch.Status.RUNNING, attempts=self.batch.attempts
            ).update(
                processed_rows=F("processed_rows") + counts.rows,
                created_count=F("created_count") + counts.created,
                linked_count=F("linked_count") + counts.linked,
                already_imported_count=F("already_imported_count") + counts.already_imported,
                rejected_count=F("rejected_count") + counts.rejected,
                heartbeat_at=timezone.now(),
            )
            if not counted:
                raise TakenOver
            pause_point("registry.import.chunk")
        return counts

    def _rejection(self, number: int, column: str, reason: str, values: list[str]) -> tuple:
        staged = [None] * staging.WIDTH
        staged[0:5] = [
            number,
            "rejected",
            column,
            reason,
            to_json(self._non_personal(values)),
        ]
        return tuple(staged)

    def _with_known_villages(self, rows: list[CleanRow], rejected: list) -> list[CleanRow]:
        """Refuse the rows whose village code is not a village (one lookup for the chunk)."""
        unknown = {row.village_code for row in rows if row.village_text} - self.known_villages
        if unknown:
            self.known_villages.update(
                code
                for (code,) in select_in(
                    "SELECT code FROM regions_village WHERE code IN {values}", sorted(unknown)
                )
            )
        kept = []
        for row in rows:
            if row.village_text and row.village_code not in self.known_villages:
                reason = _("“%(code)s” is not a village code (e.g. 32.04.12.2001).") % {
                    "code": row.village_text
                }
                rejected.append(
                    self._rejection(
                        row.row_number, self._header("village_code"), reason, row.values
                    )
                )
            else:
                kept.append(row)
        return kept

    def _look_up(self, rows: list[CleanRow]) -> None:
        """Existing businesses by NIB and people by NIK hash, for the exact rules."""
        for row in rows:
            row.nik_hash = personal.keyed_hash("nik", row.nik.nik) if row.nik else None
        nibs = {row.nib for row in rows if row.nib and row.nib not in self.enterprise_by_nib}
        if nibs:
            self.enterprise_by_nib.update(
                select_in("SELECT nib, id FROM registry_enterprise WHERE nib IN {values}", nibs)
            )
        nik_hashes = {row.nik_hash for row in rows if row.nik_hash} - set(self.person_by_nik)
        if not nik_hashes:
            return
        found = dict(
            select_in(
                "SELECT nik_hash, id FROM registry_person WHERE nik_hash IN {values}", nik_hashes
            )
        )
        self.person_by_nik.update(found)
        # Two simple queries: SQLite plans the joined form badly on large registries.
        owned = select_in(
            "SELECT person_id, enterprise_id FROM registry_ownership WHERE person_id IN {values}",
            list(found.values()),
        )
        names = dict(
            select_in(
                "SELECT id, name FROM registry_enterprise "
                "WHERE merged_into_id IS NULL AND id IN {values}",
                sorted({enterprise for _p, enterprise in owned}),
            )
        )
        for person_id, enterprise_id in owned:
            if enterprise_id in names:
                key = (person_id, name_key(names[enterprise_id]))
                self.enterprise_by_owner_name[key] = enterprise_id

    def _link(self, rows: list[CleanRow], counts: Counts) -> list[tuple]:
        """Decide, in file order, the person and the business of every clean row; return the
        staged rows (a row that joins a business without a NIB carries its NIB to give it)."""
        if not rows:
            return []
        self._look_up(rows)
        enterprise_ids, person_ids, record_ids = map(
            iter,
            reserve_many((Enterprise, len(rows)), (Person, len(rows)), (SourceRecord, len(rows))),
        )
        ids = iter(public_ids(2 * len(rows)))
        by_nib, by_nik, by_owner_name = (
            self.enterprise_by_nib,
            self.person_by_nik,
            self.enterprise_by_owner_name,
        )
        staged: list[list] = []
        fill_row: dict[int, list] = {}  # business → the last staged row to give it a NIB
        for row in rows:
            nik = row.nik
            person_id = by_nik.get(row.nik_hash) if row.nik_hash else None
            new_person = person_id is None and bool(row.owner_name or nik)
            if new_person:
                person_id = next(person_ids)
                if row.nik_hash:
                    by_nik[row.nik_hash] = person_id
            owner_key = (person_id, name_key(row.business_name)) if person_id else None
            rule, enterprise_id = SourceRecord.Rule.NEW, None
            if row.nib and row.nib in by_nib:
                rule, enterprise_id = SourceRecord.Rule.NIB, by_nib[row.nib]
            elif owner_key and owner_key in by_owner_name:
                rule, enterprise_id = SourceRecord.Rule.NIK_AND_NAME, by_owner_name[owner_key]
            new_enterprise = enterprise_id is None
            if new_enterprise:
                enterprise_id = next(enterprise_ids)
                counts.created += 1
                counts.new_enterprise_ids.append(enterprise_id)
                if row.nib:
                    by_nib[row.nib] = enterprise_id
            else:
                counts.linked += 1
            if owner_key:
                by_owner_name[owner_key] = enterprise_id
            values = row.values
            personal_values = self._personal_values(values)
            phone = row.phone if new_enterprise else None
            entry = [
                row.row_number, "new" if new_enterprise else "linked", None, None, None,
                next(record_ids), row.row_hash, rule, self._record_values(values),
                personal.encrypt(to_json(personal_values), context="source")
                if personal_values else None,
                enterprise_id, new_enterprise,
            ]  # fmt: skip
            if new_enterprise:
                entry += [
                    next(ids), row.kind, row.business_name[:200], row.scale, row.nib,
                    row.village_code, row.address,
                    personal.keyed_hash("phone", phone) if phone else "",
                    personal.encrypt(phone, context="phone") if phone else None,
                    mask_phone(phone) if phone else "",
                    row.email, json.dumps(row.links) if row.links else "[]",
                ]  # fmt: skip
            else:
                entry += [None] * 12
            entry.append(json.dumps(row.kbli) if row.kbli else None)
            if person_id:
                entry += [person_id, new_person]
            else:
                entry += [None, False]
            if new_person:
                entry += [
                    next(ids), row.owner_name or "—", row.nik_hash,
                    personal.encrypt(nik.nik, context="nik") if nik else None,
                    personal.mask_nik(nik.nik) if nik else "",
                    json.dumps(list(nik.flags)) if nik and nik.flags else "[]",
                    row.birth_date or (nik.birth_date if nik else None),
                    row.sex or (nik.sex if nik else ""),
                ]  # fmt: skip
            else:
                entry += [None] * 8
            entry.append(None)  # fill_nib
            if not new_enterprise and row.nib and rule != SourceRecord.Rule.NIB:
                # No business has this NIB (or the row would have joined it): the one the row
                # joined takes it, and later rows with it join that business.
                by_nib[row.nib] = enterprise_id
                entry[-1] = row.nib
                previous = fill_row.pop(enterprise_id, None)
                if previous is not None:
                    previous[-1] = None
                fill_row[enterprise_id] = entry
            staged.append(entry)
        return [tuple(entry) for entry in staged]
