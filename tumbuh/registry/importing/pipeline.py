"""The import of a partner file, chunk by chunk, so that every row is accounted for.

For each chunk of rows: rows already imported by the same organisation (same content) are
counted and skipped; each other row is checked field by field and either refused with its row,
column and reason, or written as a ``SourceRecord`` that creates a new enterprise or joins an
existing one by an exact rule (same NIB; same owner NIK and business name). Probabilistic
matching (Splink) runs after the import, over the new enterprises.

Each chunk is written in one transaction with the database's bulk path (COPY on PostgreSQL),
together with the counts it adds to the batch, so a failure never leaves half a chunk and the
batch's ``processed_rows`` is exactly what is written. A run of the batch that stopped (its
worker killed) is resumed by running the batch again: the rows it processed are skipped. Only
the run that holds the batch writes: a chunk of a run that was taken over is rolled back
(:class:`TakenOver`).
"""

import datetime
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.core import personal
from tumbuh.core.bulk import insert_rows, reserve_ids, select_in
from tumbuh.core.faults import pause_point
from tumbuh.core.validators import (
    mask_phone,
    normalise_phone,
    validate_kbli,
    validate_nib,
    validate_nik,
)
from tumbuh.registry.columns import FIELDS_BY_KEY, PERSONAL_FIELDS
from tumbuh.registry.importing.reading import NumberCell
from tumbuh.registry.importing.villages import VillageIndex, VillageNotFound
from tumbuh.registry.models import (
    Enterprise,
    EnterpriseKbli,
    ImportBatch,
    ImportRejection,
    Milestone,
    Ownership,
    Person,
    SourceRecord,
    new_public_id,
)

CHUNK_ROWS = 10_000

KINDS = {
    "": None,
    "umkm": Enterprise.Kind.UMKM,
    "usaha mikro": Enterprise.Kind.UMKM,
    "ukm": Enterprise.Kind.UMKM,
    "bumdes": Enterprise.Kind.BUMDES,
    "bum desa": Enterprise.Kind.BUMDES,
    "badan usaha milik desa": Enterprise.Kind.BUMDES,
    "koperasi": Enterprise.Kind.COOPERATIVE,
    "cooperative": Enterprise.Kind.COOPERATIVE,
}
SCALES = {
    "": "",
    "mikro": Enterprise.Scale.MIKRO,
    "micro": Enterprise.Scale.MIKRO,
    "usaha mikro": Enterprise.Scale.MIKRO,
    "kecil": Enterprise.Scale.KECIL,
    "small": Enterprise.Scale.KECIL,
    "usaha kecil": Enterprise.Scale.KECIL,
    "menengah": Enterprise.Scale.MENENGAH,
    "medium": Enterprise.Scale.MENENGAH,
    "usaha menengah": Enterprise.Scale.MENENGAH,
}
SEXES = {
    "l": "L", "laki laki": "L", "laki": "L", "pria": "L", "m": "L", "male": "L",
    "p": "P", "perempuan": "P", "wanita": "P", "f": "P", "female": "P",
}  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
# Legal forms only: "Toko Bu Sri" and "Warung Bu Sri" of one owner are two businesses.
LEGAL_WORDS = re.compile(r"\b(pt|cv|ud|usaha dagang|tbk|persero)\b")


def name_key(name: str) -> str:
    """Business name for the exact owner rule: case, punctuation and legal forms ignored."""
    text = re.sub(r"[^a-z0-9 ]+", " ", name.lower())
    text = LEGAL_WORDS.sub(" ", text)
    return " ".join(text.split())


class TakenOver(Exception):
    """The batch is no longer this run's: it was requeued after its worker seemed stopped."""


class RowProblem(Exception):
    def __init__(self, field_key: str, reason: str):
        super().__init__(reason)
        self.field_key = field_key
        self.reason = str(reason)


@dataclass
class CleanRow:
    row_number: int
    row_hash: str
    values: dict
    personal: dict
    business_name: str
    kind: str
    scale: str
    owner_name: str
    nik: object | None  # NikCheck
    phone: str | None
    email: str
    address: str
    village_code: str
    kbli: list[str]
    nib: str | None
    links: list[str]
    birth_date: datetime.date | None
    sex: str
    nik_hash: str | None = None


@dataclass
class Counts:
    created: int = 0
    linked: int = 0
    already_imported: int = 0
    rejected: int = 0
    rows: int = 0
    new_enterprise_ids: list[int] = field(default_factory=list)


def _parse_date(text: str) -> datetime.date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowProblem(
        "birth_date", _("“%(value)s” is not a date (use 31-12-1980).") % {"value": text}
    )


def _simple(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


class Importer:
    """Imports the rows of one batch; ``run`` yields after each chunk for progress reports."""

    def __init__(self, batch: ImportBatch, headers: list[str], *, villages: VillageIndex):
        self.batch = batch
        self.headers = headers
        self.villages = villages
        self.columns = {key: headers.index(header) for key, header in batch.mapping.items()}
        self.personal_headers = {
            batch.mapping[key] for key in PERSONAL_FIELDS if key in batch.mapping
        }
        self.hash_order = sorted(range(len(headers)), key=lambda index: headers[index])
        self.seen_hashes: dict[str, int] = {}
        self.enterprise_by_nib: dict[str, int] = {}
        self.person_by_nik: dict[str, int] = {}
        self.enterprise_by_owner_name: dict[tuple[int, str], int] = {}
        self.village_memo: dict[tuple, str | VillageNotFound] = {}
        self.now = timezone.now()
        self.source = f"import:{batch.public_id}"

    # --- one row ---------------------------------------------------------------------------

    def _get(self, values: list[str], key: str) -> str:
        index = self.columns.get(key)
        if index is None or index >= len(values):
            return ""
        return values[index].strip()

    def _village(self, values: list[str]) -> str:
        arguments = (
            self._get(values, "village_code"),
            self._get(values, "village_name"),
            self._get(values, "district_name"),
            self._get(values, "regency_name"),
            self._get(values, "province_name"),
        )
        if arguments not in self.village_memo:
            try:
                self.village_memo[arguments] = self.villages.resolve(
                    village_code=arguments[0],
                    village_name=arguments[1],
                    district_name=arguments[2],
                    regency_name=arguments[3],
                    province_name=arguments[4],
                    regency_hint=self.batch.regency_code,
                )
            except VillageNotFound as problem:
                self.village_memo[arguments] = problem
        found = self.village_memo[arguments]
        if isinstance(found, VillageNotFound):
            raise RowProblem(found.column, found.reason)
        return found

    def clean(self, row_number: int, values: list[str], row_hash: str) -> CleanRow:
        if len(values) > len(self.headers) and any(v.strip() for v in values[len(self.headers) :]):
            raise RowProblem(
                "",
                _("The row has %(found)s values but the header names %(expected)s columns.")
                % {"found": len(values), "expected": len(self.headers)},
            )
        business_name = " ".join(self._get(values, "business_name").split())
        if not business_name:
            raise RowProblem("business_name", _("The business name is empty."))
        kind_text = _simple(self._get(values, "kind"))
        if kind_text not in KINDS:
            raise RowProblem(
                "kind", _("“%(value)s” is not UMKM, BumDes or koperasi.") % {"value": kind_text}
            )
        kind = KINDS[kind_text] or (
            Enterprise.Kind.BUMDES
            if business_name.lower().startswith(("bumdes", "bum desa"))
            else Enterprise.Kind.UMKM
        )
        scale_text = _simple(self._get(values, "scale"))
        if scale_text not in SCALES:
            raise RowProblem(
                "scale", _("“%(value)s” is not mikro, kecil or menengah.") % {"value": scale_text}
            )
        birth_date = None
        if birth_text := self._get(values, "birth_date"):
            birth_date = _parse_date(birth_text)
        sex = ""
        if sex_text := _simple(self._get(values, "sex")):
            if sex_text not in SEXES:
                raise RowProblem("sex", _("“%(value)s” is not L or P.") % {"value": sex_text})
            sex = SEXES[sex_text]
        nik = None
        nik_index = self.columns.get("nik")
        if nik_index is not None and isinstance(values[nik_index], NumberCell):
            raise RowProblem(
                "nik",
                _(
                    "The spreadsheet stores this NIK as a number, and Excel keeps only 15 of its "
                    "16 digits. Format the column as text and enter the NIK again."
                ),
            )
        if nik_text := self._get(values, "nik"):
            try:
                nik = validate_nik(nik_text, birth_date=birth_date, sex=sex or None)
            except ValidationError as error:
                raise RowProblem("nik", " ".join(error.messages)) from None
        phone = None
        if phone_text := self._get(values, "phone"):
            try:
                phone = normalise_phone(phone_text)
            except ValidationError as error:
                raise RowProblem("phone", " ".join(error.messages)) from None
        email = self._get(values, "email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise RowProblem(
                    "email", _("“%(value)s” is not an e-mail address.") % {"value": email}
                ) from None
        kbli = []
        for code in re.split(r"[,;/\s]+", self._get(values, "kbli")):
            if code:
                try:
                    kbli.append(validate_kbli(code))
                except ValidationError as error:
                    raise RowProblem("kbli", " ".join(error.messages)) from None
        nib = None
        if nib_text := self._get(values, "nib"):
            try:
                nib = validate_nib(nib_text)
            except ValidationError as error:
                raise RowProblem("nib", " ".join(error.messages)) from None
        village_code = self._village(values)
        by_header = dict(zip(self.headers, values, strict=False))
        return CleanRow(
            row_number=row_number,
            row_hash=row_hash,
            values={h: v for h, v in by_header.items() if h not in self.personal_headers},
            personal={h: v for h, v in by_header.items() if h in self.personal_headers},
            business_name=business_name,
            kind=kind,
            scale=SCALES[scale_text],
            owner_name=" ".join(self._get(values, "owner_name").split()),
            nik=nik,
            phone=phone,
            email=email,
            address=self._get(values, "address"),
            village_code=village_code,
            kbli=list(dict.fromkeys(kbli)),
            nib=nib,
            links=[link for link in re.split(r"[\s,;]+", self._get(values, "links")) if link],
            birth_date=birth_date,
            sex=sex,
        )

    def row_hash(self, values: list[str]) -> str:
        """The row's content for its organisation: headers with their values, in header order
        sorted by name, so the same row in a file with reordered columns is the same row."""
        parts = []
        for position in self.hash_order:
            value = values[position].strip() if position < len(values) else ""
            parts.append(f"{self.headers[position]}\x1e{value}")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def _non_personal(self, values: list[str]) -> dict:
        return {
            header: value
            for header, value in zip(self.headers, values, strict=False)
            if header not in self.personal_headers and value.strip()
        }

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
        rejections: list[tuple[int, str, str, dict]] = []
        hashed = []
        for number, values in rows:
            digest = self.row_hash(values)
            if digest in self.seen_hashes:
                rejections.append(
                    (number, "", _("Identical to row %(row)s of this file, which counts for both.")
                     % {"row": self.seen_hashes[digest]}, self._non_personal(values))
                )  # fmt: skip
                continue
            self.seen_hashes[digest] = number
            hashed.append((number, values, digest))
        existing = {
            digest
            for (digest,) in select_in(
                "SELECT row_hash FROM registry_sourcerecord "
                "WHERE organisation_id = %s AND row_hash IN {values}",
                [digest for _n, _v, digest in hashed],
                [self.batch.organisation_id],
            )
        }
        clean: list[CleanRow] = []
        for number, values, digest in hashed:
            if digest in existing:
                counts.already_imported += 1
                continue
            try:
                clean.append(self.clean(number, values, digest))
            except RowProblem as problem:
                header = self.batch.mapping.get(problem.field_key, "")
                if not header and problem.field_key in FIELDS_BY_KEY:
                    header = str(FIELDS_BY_KEY[problem.field_key].label)
                rejections.append((number, header, problem.reason, self._non_personal(values)))
        with transaction.atomic():
            self._write(clean, counts)
            ImportRejection.objects.bulk_create(
                ImportRejection(batch=self.batch, row_number=number, column=column,
                                reason=reason, values=values)
                for number, column, reason, values in rejections
            )  # fmt: skip
            counts.rejected = len(rejections)
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

    def _write(self, rows: list[CleanRow], counts: Counts) -> None:
        if not rows:
            return
        # Existing enterprises by NIB and people by NIK hash, for the exact rules.
        for row in rows:
            row.nik_hash = personal.keyed_hash("nik", row.nik.nik) if row.nik else None
        nibs = {row.nib for row in rows if row.nib and row.nib not in self.enterprise_by_nib}
        if nibs:
            self.enterprise_by_nib.update(
                select_in("SELECT nib, id FROM registry_enterprise WHERE nib IN {values}", nibs)
            )
        nik_hashes = {row.nik_hash for row in rows if row.nik_hash} - set(self.person_by_nik)
        if nik_hashes:
            found = dict(
                Person.objects.filter(nik_hash__in=nik_hashes).values_list("nik_hash", "pk")
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

        new_enterprises, new_people, ownerships, kbli, records, milestones = [], [], [], [], [], []
        enterprise_ids = iter(reserve_ids(Enterprise, len(rows)))
        person_ids = iter(reserve_ids(Person, len(rows)))
        record_ids = iter(reserve_ids(SourceRecord, len(rows)))
        linked_owners: set[tuple[int, int]] = set()
        nibs_to_fill: dict[int, str] = {}
        for row in rows:
            person_id = self.person_by_nik.get(row.nik_hash) if row.nik_hash else None
            if person_id is None and (row.owner_name or row.nik):
                person_id = next(person_ids)
                if row.nik_hash:
                    self.person_by_nik[row.nik_hash] = person_id
                new_people.append(self._person_values(person_id, row))
            rule, enterprise_id = SourceRecord.Rule.NEW, None
            if row.nib and row.nib in self.enterprise_by_nib:
                rule, enterprise_id = SourceRecord.Rule.NIB, self.enterprise_by_nib[row.nib]
            elif (
                person_id
                and (person_id, name_key(row.business_name)) in self.enterprise_by_owner_name
            ):
                rule = SourceRecord.Rule.NIK_AND_NAME
                enterprise_id = self.enterprise_by_owner_name[
                    (person_id, name_key(row.business_name))
                ]
            if enterprise_id is None:
                enterprise_id = next(enterprise_ids)
                new_enterprises.append(self._enterprise_values(enterprise_id, row))
                milestones.append((enterprise_id, Milestone.Kind.REGISTERED, self.now, self.source))
                counts.created += 1
                counts.new_enterprise_ids.append(enterprise_id)
                if row.nib:
                    self.enterprise_by_nib[row.nib] = enterprise_id
                    # The partner's list shows the NIB: the business holds one, as far as the
                    # registry knows from now on (the journey counts it like an assisted one).
                    milestones.append(
                        (enterprise_id, Milestone.Kind.NIB_ISSUED, self.now, self.source)
                    )
            else:
                counts.linked += 1
                if row.nib and rule != SourceRecord.Rule.NIB:
                    nibs_to_fill[enterprise_id] = row.nib
            if person_id:
                self.enterprise_by_owner_name[(person_id, name_key(row.business_name))] = (
                    enterprise_id
                )
                linked_owners.add((enterprise_id, person_id))
            for code in row.kbli:
                kbli.append((enterprise_id, code))
            records.append(
                (next(record_ids), self.batch.organisation_id, self.batch.pk, self.batch.file_name,
                 row.row_number, row.row_hash, row.values,
                 personal.encrypt(json.dumps(row.personal, ensure_ascii=False), context="source")
                 if row.personal else None,
                 enterprise_id, enterprise_id, rule, self.now)
            )  # fmt: skip
        # Owners and KBLI codes that linked enterprises already have are not added twice.
        linked_ids = {e for e, _p in linked_owners} | {e for e, _c in kbli}
        known_owners = set(
            Ownership.objects.filter(enterprise_id__in=linked_ids).values_list(
                "enterprise_id", "person_id"
            )
        )
        known_kbli = set(
            EnterpriseKbli.objects.filter(enterprise_id__in=linked_ids).values_list(
                "enterprise_id", "code"
            )
        )
        ownerships = [pair for pair in sorted(linked_owners) if pair not in known_owners]
        kbli = sorted(set(kbli) - known_kbli)

        insert_rows(Person, ["id", "public_id", "full_name", "nik_hash", "nik_encrypted", "nik_masked",
                             "nik_flags", "birth_date", "sex", "phone_hash", "phone_encrypted",
                             "phone_masked", "created_at"], new_people)  # fmt: skip
        insert_rows(Enterprise, ["id", "public_id", "kind", "name", "trade_names", "scale", "nib",
                                 "village", "address", "phone_hash", "phone_encrypted", "phone_masked",
                                 "email", "links", "merged_into", "created_at", "updated_at"],
                    new_enterprises)  # fmt: skip
        insert_rows(Ownership, ["enterprise", "person", "role"],
                    [(e, p, Ownership.Role.OWNER) for e, p in ownerships])  # fmt: skip
        insert_rows(EnterpriseKbli, ["enterprise", "code", "version"],
                    [(e, code, "2020") for e, code in kbli])  # fmt: skip
        insert_rows(SourceRecord, ["id", "organisation", "batch", "file_name", "row_number", "row_hash",
                                   "values", "personal_encrypted", "enterprise", "first_enterprise",
                                   "rule", "imported_at"], records)  # fmt: skip
        insert_rows(Milestone, ["enterprise", "kind", "occurred_at", "source"], milestones)
        # A row that joined an enterprise without a NIB gives it its NIB, if no one else has it.
        for enterprise_id, nib in nibs_to_fill.items():
            if not Enterprise.objects.filter(nib=nib).exists():
                filled = Enterprise.objects.filter(pk=enterprise_id, nib__isnull=True).update(
                    nib=nib
                )
                self.enterprise_by_nib[nib] = enterprise_id
                if filled:
                    Milestone.objects.get_or_create(
                        enterprise_id=enterprise_id,
                        kind=Milestone.Kind.NIB_ISSUED,
                        defaults={"occurred_at": self.now, "source": self.source},
                    )

    def _person_values(self, person_id: int, row: CleanRow) -> tuple:
        nik = row.nik
        return (
            person_id, new_public_id(), row.owner_name or "—",
            row.nik_hash,
            personal.encrypt(nik.nik, context="nik") if nik else None,
            personal.mask_nik(nik.nik) if nik else "",
            json.dumps(list(nik.flags)) if nik and nik.flags else "[]",
            row.birth_date or (nik.birth_date if nik else None),
            row.sex or (nik.sex if nik else ""),
            "", None, "", self.now,
        )  # fmt: skip

    def _enterprise_values(self, enterprise_id: int, row: CleanRow) -> tuple:
        phone = row.phone
        return (
            enterprise_id, new_public_id(), row.kind, row.business_name[:200], "[]", row.scale,
            row.nib, row.village_code, row.address,
            personal.keyed_hash("phone", phone) if phone else "",
            personal.encrypt(phone, context="phone") if phone else None,
            mask_phone(phone) if phone else "",
            row.email, json.dumps(row.links) if row.links else "[]", None, self.now, self.now,
        )  # fmt: skip
