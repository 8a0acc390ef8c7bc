"""``generate``: true businesses, the partner files that report them, and the ground truth.

The generator streams: each business is invented, written to ``businesses.csv`` and rendered
into the rows of the partners that report it, then forgotten. Partner rows wait in a block of
a few thousand, which is shuffled before it is written (so one business's rows do not sit at the
same place in every file); the ground truth of each row is written when the row is. Memory stays
flat however many businesses are asked for: the region lists, a 16 MB table of NIKs in use, and
a few hundred recent businesses (to give some owners a second business and some names a
namesake).

One ``random.Random(seed)`` drives everything, and nothing depends on the clock or the
machine's locale, so a seed gives the same bytes every time (XLSX included: its timestamps are
fixed).
"""

import csv
import datetime
import json
import random
import shutil
import zipfile
from collections import deque
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tumbuh.registry.synthetic import businesses as catalogue_module
from tumbuh.registry.synthetic.businesses import (
    BUMDES_SHARE,
    COOPERATIVE_SHARE,
    EMAIL_SHARE,
    KIND_BUMDES,
    KIND_COOPERATIVE,
    KIND_UMKM,
    NIB_SHARE,
    NIB_SHARE_BUMDES,
    NIB_SHARE_COOPERATIVE,
    SCALE_KECIL,
    SCALE_MENENGAH,
    SCALE_MIKRO,
    SCALE_WEIGHTS,
    Business,
    Catalogue,
    make_address,
    make_email,
    slug_words,
)
from tumbuh.registry.synthetic.noise import DEFAULT_RATES, NoiseRates
from tumbuh.registry.synthetic.partners import DEFAULT_PARTNERS, PartnerSpec, RowRenderer
from tumbuh.registry.synthetic.people import PeopleFactory
from tumbuh.registry.synthetic.places import Geography, load_geography

GENERATOR_VERSION = 1

# How many partner files a business appears in: 40 % of businesses are in two or more.
FILES_PER_BUSINESS = ((1, 0.60), (2, 0.30), (3, 0.10))
# Share of businesses whose owner already owns another business (same NIK and phone, another
# name and KBLI: two enterprises that must not be merged).
SHARED_OWNER_SHARE = 0.03
# Share of businesses that take the name of another business in the same district
# ("Warung Makan Barokah" twice, different owners: must not be merged either).
NAMESAKE_SHARE = 0.02
# Where the owner's NIK was issued: the business's district, another district of the same
# regency, or anywhere (people move).
OWNER_SAME_DISTRICT = 0.90
OWNER_SAME_REGENCY = 0.08

BLOCK_ROWS = 4096
RECENT_BUSINESSES = 256
# Honorifics depend on age; a fixed year keeps the output independent of the clock.
REFERENCE_YEAR = 2025
FIXED_TIME = datetime.datetime(2025, 1, 1)
ZIP_TIME = (2025, 1, 1, 0, 0, 0)

BUSINESS_COLUMNS = (
    "entity_id", "kind", "name", "owner_name", "nik", "phone_e164", "village_code", "kbli", "nib",
    "scale", "email", "address", "owner_id", "owner_sex", "owner_birth_date",
)  # fmt: skip
TRUTH_COLUMNS = ("file", "row_number", "entity_id", "is_bad", "bad_reason")


@dataclass
class PartnerFile:
    """What was written for one partner."""

    slug: str
    kind: str
    name: str
    path: Path
    file_format: str
    rows: int = 0
    bad_rows: int = 0
    good_rows: int = 0
    entities: int = 0  # distinct businesses with at least one row in this file
    repeats: int = 0  # rows that list a business a second time in the same file
    bad_reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class GeneratedSet:
    """Paths and counts of one generated set.

    ``duplicates`` is the number of good rows minus the number of distinct businesses among
    them: how many rows a resolver must fold into another row's business.
    """

    seed: int
    out_dir: Path
    businesses: int
    businesses_path: Path
    truth_path: Path
    manifest_path: Path
    files: list[PartnerFile]
    rows: int
    bad_rows: int
    good_rows: int
    distinct_good_entities: int
    duplicates: int
    multi_file_businesses: int  # businesses with rows in two or more files
    shared_owner_businesses: int
    namesake_businesses: int

    def summary(self) -> dict:
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        for key in ("businesses_path", "truth_path", "manifest_path"):
            data[key] = str(data[key])
        for item in data["files"]:
            item["path"] = str(item["path"])
        return data


# --- writers ------------------------------------------------------------------------------------


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose members all carry one fixed time, so the same content gives the same bytes."""

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
        info.compress_type = self.compression
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        info = self._info(arcname or Path(filename).name)
        with open(filename, "rb") as source, self.open(info, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, 1 << 20)


class _XlsxSheet:
    """An openpyxl write-only workbook with one sheet, saved with fixed timestamps."""

    def __init__(self, path: Path, headers: list[str]):
        from openpyxl import Workbook

        self.path = path
        self.workbook = Workbook(write_only=True)
        self.workbook.properties.creator = "Tumbuh synthetic data"
        self.workbook.properties.created = FIXED_TIME
        self.sheet = self.workbook.create_sheet("Data UMKM")
        self.sheet.append(headers)

    def writerow(self, cells: list) -> None:
        self.sheet.append(cells)

    def close(self) -> None:
        from openpyxl.writer.excel import ExcelWriter

        with _FixedTimeZip(self.path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            self.workbook.properties.modified = FIXED_TIME
            ExcelWriter(self.workbook, archive).write_data()


class _CsvSheet:
    def __init__(self, path: Path, headers: list[str], spec: PartnerSpec):
        self.handle = open(  # noqa: SIM115 - closed in close()
            path, "w", encoding="utf-8-sig" if spec.excel_csv else "utf-8", newline=""
        )
        self.writer = csv.writer(
            self.handle, delimiter=spec.delimiter, lineterminator="\r\n" if spec.excel_csv else "\n"
        )
        self.writer.writerow(headers)

    def writerow(self, cells: list) -> None:
        self.writer.writerow(cells)

    def close(self) -> None:
        self.handle.close()


def _comparable(cells: list) -> list[str]:
    return [str(cell).strip() for cell in cells]


class _PartnerWriter:
    def __init__(self, spec: PartnerSpec, out_dir: Path, geography: Geography, rates: NoiseRates):
        self.spec = spec
        self.rates = rates
        self.renderer = RowRenderer(spec, geography, rates, today_year=REFERENCE_YEAR)
        self.reasons, self.reason_cumulative = self.renderer.bad_reasons
        path = out_dir / spec.file_name
        self.file = PartnerFile(spec.slug, spec.kind, spec.name, path, spec.file_format)
        headers = spec.layout.headers
        self.sheet = (
            _XlsxSheet(path, headers)
            if spec.file_format == "xlsx"
            else _CsvSheet(path, headers, spec)
        )
        self.truth_path = out_dir / f".{spec.slug}.truth.part"
        self.truth = open(self.truth_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.truth_writer = csv.writer(self.truth, lineterminator="\n")
        self.buffer: list[tuple[list, str, str]] = []
        self.row_number = 1  # the header is row 1

    def _bad_reason(self, rng: random.Random) -> str:
        if rng.random() < self.spec.bad_rate:
            return rng.choices(self.reasons, cum_weights=self.reason_cumulative)[0]
        return ""

    def add(self, rng: random.Random, business: Business) -> int:
        """Render the business's row (sometimes two), return how many of them are good."""
        reason = self._bad_reason(rng)
        cells = self.renderer.render(rng, business, reason or None)
        self.buffer.append((cells, business.entity_id, reason))
        good = 0 if reason else 1
        self.file.entities += 1
        if rng.random() < self.rates.repeat_in_file * self.spec.noise:
            again_reason = self._bad_reason(rng)
            for _attempt in range(5):
                again = self.renderer.render(rng, business, again_reason or None)
                if _comparable(again) != _comparable(cells):
                    break
            else:
                # An identical row is a copy the import folds away, not a second listing.
                index = self.spec.layout.fields.index("business_name")
                again[index] = str(again[index]).swapcase()
            self.buffer.append((again, business.entity_id, again_reason))
            self.file.repeats += 1
            good += 0 if again_reason else 1
        if len(self.buffer) >= BLOCK_ROWS:
            self.flush(rng)
        return good

    def flush(self, rng: random.Random) -> None:
        rng.shuffle(self.buffer)
        file, name = self.file, self.spec.file_name
        for cells, entity_id, reason in self.buffer:
            self.row_number += 1
            self.sheet.writerow(cells)
            self.truth_writer.writerow(
                (name, self.row_number, entity_id, 1 if reason else 0, reason)
            )
            file.rows += 1
            if reason:
                file.bad_rows += 1
                file.bad_reasons[reason] = file.bad_reasons.get(reason, 0) + 1
            else:
                file.good_rows += 1
        self.buffer.clear()

    def close(self, rng: random.Random) -> None:
        self.flush(rng)
        self.sheet.close()
        self.truth.close()
        file = self.file
        file.bad_reasons = dict(sorted(file.bad_reasons.items()))


# --- the businesses -----------------------------------------------------------------------------


class _World:
    """Invents businesses one at a time."""

    def __init__(self, rng: random.Random, geography: Geography):
        self.rng = rng
        self.geo = geography
        self.people = PeopleFactory(rng)
        self.catalogue = Catalogue()
        self.has_bumdes = bytearray(geography.village_count)
        self.recent: deque[Business] = deque(maxlen=RECENT_BUSINESSES)
        self.recent_named: deque[Business] = deque(maxlen=RECENT_BUSINESSES)
        self.nib_multiplier = rng.randrange(1, 10**11) * 10 + rng.choice((1, 3, 7, 9))
        self.nib_offset = rng.randrange(10**12)
        self.shared_owner = 0
        self.namesakes = 0

    def _owner_district(self, district: int) -> int:
        rng, geo = self.rng, self.geo
        roll = rng.random()
        if roll < OWNER_SAME_DISTRICT:
            return district
        if roll < OWNER_SAME_DISTRICT + OWNER_SAME_REGENCY:
            return rng.choice(geo.regency_districts[geo.district_regency[district]])
        return geo.random_district(rng)

    def business(self, number: int) -> Business:
        rng, geo = self.rng, self.geo
        roll = rng.random()
        base = None
        namesake_of = None
        if roll < SHARED_OWNER_SHARE and self.recent:
            base = rng.choice(self.recent)
            district = geo.village_district[base.village]
            village = geo.random_village_in_district(rng, district)
            kind = KIND_UMKM
        elif roll < SHARED_OWNER_SHARE + NAMESAKE_SHARE and self.recent_named:
            namesake_of = rng.choice(self.recent_named)
            district = geo.village_district[namesake_of.village]
            village = geo.random_village_in_district(rng, district)
            kind = KIND_UMKM
        else:
            village = geo.random_village(rng)
            district = geo.village_district[village]
            kind_roll = rng.random()
            kind = KIND_UMKM
            if kind_roll < BUMDES_SHARE:
                # A BumDes belongs to a desa (not a kelurahan), one per village.
                if geo.village_codes[village][9] != "1" and not self.has_bumdes[village]:
                    kind = KIND_BUMDES
                    self.has_bumdes[village] = 1
            elif kind_roll < BUMDES_SHARE + COOPERATIVE_SHARE:
                kind = KIND_COOPERATIVE
        province = geo.village_codes[village][:2]

        if base is not None:
            owner = base.owner
            archetype = self.catalogue.umkm(rng, province)
            for _attempt in range(10):
                if archetype.kbli != base.archetype.kbli and archetype.key != base.archetype.key:
                    break
                archetype = self.catalogue.umkm(rng, province)
            self.shared_owner += 1
        else:
            owner_district = self._owner_district(district)
            owner = self.people.make(district_code=geo.district_codes[owner_district])
            if namesake_of is not None:
                archetype = namesake_of.archetype
                self.namesakes += 1
            elif kind == KIND_BUMDES:
                archetype = self.catalogue.bumdes
            elif kind == KIND_COOPERATIVE:
                archetype = self.catalogue.cooperative(rng)
            else:
                archetype = self.catalogue.umkm(rng, province)

        scale = self._scale(kind)
        if namesake_of is not None:
            name = namesake_of.name
        else:
            for _attempt in range(10):
                name = catalogue_module.make_name(
                    rng,
                    archetype,
                    owner=owner,
                    scale=scale,
                    village_name=geo.village_names[village],
                    district_name=geo.district_names[district],
                )
                # The owner's second business has a name of its own, not only another shop word.
                if base is None or (name.core or name.head, name.call) != (
                    base.name.core or base.name.head,
                    base.name.call,
                ):
                    break
        kbli = rng.choice(archetype.kbli)
        if base is not None and kbli == base.kbli:
            kbli = next((code for code in archetype.kbli if code != base.kbli), kbli)
        nib_share = {KIND_BUMDES: NIB_SHARE_BUMDES, KIND_COOPERATIVE: NIB_SHARE_COOPERATIVE}.get(
            kind, NIB_SHARE[scale]
        )
        nib = ""
        if rng.random() < nib_share:
            nib = f"{rng.choice('1289')}{(number * self.nib_multiplier + self.nib_offset) % 10**12:012d}"
        email = make_email(rng, name, owner) if rng.random() < EMAIL_SHARE else ""
        address = make_address(
            rng, village_code=geo.village_codes[village], village_name=geo.village_names[village]
        )
        business = Business(
            number=number,
            entity_id=f"E{number + 1:08d}",
            archetype=archetype,
            kind=kind,
            name=name,
            owner=owner,
            village=village,
            kbli=kbli,
            nib=nib,
            scale=scale,
            email=email,
            address=address,
            slug=f"{slug_words(name.text())[:32]}-{number + 1:x}",
        )
        if kind == KIND_UMKM:
            self.recent.append(business)
            if not name.call:
                self.recent_named.append(business)
        return business

    def _scale(self, kind: str) -> str:
        roll = self.rng.random()
        if kind == KIND_BUMDES:
            return SCALE_MIKRO if roll < 0.6 else SCALE_KECIL if roll < 0.95 else SCALE_MENENGAH
        if kind == KIND_COOPERATIVE:
            return SCALE_MIKRO if roll < 0.5 else SCALE_KECIL if roll < 0.9 else SCALE_MENENGAH
        total = 0.0
        for scale, weight in SCALE_WEIGHTS:
            total += weight
            if roll < total:
                return scale
        return SCALE_MIKRO


def _business_row(business: Business, geo: Geography) -> tuple:
    owner = business.owner
    return (
        business.entity_id,
        business.kind,
        business.name.text(),
        owner.name,
        owner.nik,
        owner.phone_e164,
        geo.village_codes[business.village],
        business.kbli,
        business.nib,
        business.scale,
        business.email,
        business.address.text(),
        f"P{owner.person_id + 1:08d}",
        owner.sex,
        owner.birth_date.isoformat(),
    )


def _choose_partners(rng: random.Random, weights: list[float]) -> list[int]:
    """Which partners report a business: 1 to 3 of them, drawn in proportion to coverage."""
    roll = rng.random()
    count = next(k for k, cumulative in _FILES_CUMULATIVE if roll < cumulative)
    available = list(range(len(weights)))
    available_weights = list(weights)
    chosen = []
    for _ in range(min(count, len(available))):
        point = rng.random() * sum(available_weights)
        index = 0
        while index < len(available) - 1 and point >= available_weights[index]:
            point -= available_weights[index]
            index += 1
        chosen.append(available.pop(index))
        available_weights.pop(index)
    return chosen


_FILES_CUMULATIVE: list[tuple[int, float]] = []
for _count, _share in FILES_PER_BUSINESS:
    _FILES_CUMULATIVE.append(
        (_count, (_FILES_CUMULATIVE[-1][1] if _FILES_CUMULATIVE else 0.0) + _share)
    )
_FILES_CUMULATIVE[-1] = (_FILES_CUMULATIVE[-1][0], 2.0)  # rounding never leaves a roll unplaced


# --- the entry point ----------------------------------------------------------------------------


def generate(
    *,
    businesses: int,
    seed: int,
    out_dir: Path,
    partners: list[PartnerSpec] | None = None,
    provinces: list[str] | None = None,
    villages: Collection[str] | None = None,
    rates: NoiseRates | None = None,
) -> GeneratedSet:
    """Invent ``businesses`` businesses and write the partner files, the truth and a manifest.

    ``out_dir`` receives one file per partner (``<slug>.csv`` or ``<slug>.xlsx``),
    ``businesses.csv`` (the true records), ``truth.csv`` (for every row of every partner file:
    its business and whether it is bad, and why) and ``manifest.json`` (what was asked and
    what came out). ``provinces`` limits the villages to some provinces (codes such as "32" or
    names), ``villages`` to a list of village codes (a village-by-village data collection).
    The same arguments always give the same bytes.
    """
    if businesses < 0:
        raise ValueError("businesses must be 0 or more")
    partners = list(partners or DEFAULT_PARTNERS)
    if not partners:
        raise ValueError("at least one partner is needed")
    slugs = [spec.slug for spec in partners]
    if len(set(slugs)) != len(slugs):
        raise ValueError("partner slugs must be unique")
    rates = rates or DEFAULT_RATES
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    geo = load_geography(provinces, villages=villages)
    world = _World(rng, geo)
    writers = [_PartnerWriter(spec, out_dir, geo, rates) for spec in partners]
    coverage = [spec.coverage for spec in partners]

    good_rows = distinct_good = multi_file = 0
    businesses_path = out_dir / "businesses.csv"
    with open(businesses_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(BUSINESS_COLUMNS)
        for number in range(businesses):
            business = world.business(number)
            writer.writerow(_business_row(business, geo))
            chosen = _choose_partners(rng, coverage)
            good = 0
            for index in chosen:
                good += writers[index].add(rng, business)
            good_rows += good
            distinct_good += 1 if good else 0
            multi_file += 1 if len(chosen) >= 2 else 0
    for partner_writer in writers:
        partner_writer.close(rng)

    truth_path = out_dir / "truth.csv"
    with open(truth_path, "w", encoding="utf-8", newline="") as truth:
        csv.writer(truth, lineterminator="\n").writerow(TRUTH_COLUMNS)
        for partner_writer in writers:
            with open(partner_writer.truth_path, encoding="utf-8", newline="") as part:
                shutil.copyfileobj(part, truth, 1 << 20)
            partner_writer.truth_path.unlink()

    files = [partner_writer.file for partner_writer in writers]
    rows = sum(file.rows for file in files)
    bad_rows = sum(file.bad_rows for file in files)
    result = GeneratedSet(
        seed=seed,
        out_dir=out_dir,
        businesses=businesses,
        businesses_path=businesses_path,
        truth_path=truth_path,
        manifest_path=out_dir / "manifest.json",
        files=files,
        rows=rows,
        bad_rows=bad_rows,
        good_rows=good_rows,
        distinct_good_entities=distinct_good,
        duplicates=good_rows - distinct_good,
        multi_file_businesses=multi_file,
        shared_owner_businesses=world.shared_owner,
        namesake_businesses=world.namesakes,
    )
    _write_manifest(result, partners=partners, provinces=provinces, villages=villages, rates=rates)
    return result


def _write_manifest(
    result: GeneratedSet, *, partners, provinces, villages, rates: NoiseRates
) -> None:
    summary = result.summary()
    # Paths relative to the folder, so the manifest is the same wherever the set is written.
    summary.pop("out_dir")
    for key in ("businesses_path", "truth_path", "manifest_path"):
        summary[key] = Path(summary[key]).name
    for item in summary["files"]:
        item["path"] = Path(item["path"]).name
    manifest = {
        "synthetic": True,
        "note": (
            "Synthetic demo data made by tumbuh.registry.synthetic: invented businesses and "
            "people in real Kemendagri villages. NIKs, phone numbers and NIBs are made up; "
            "e-mail addresses use reserved example domains."
        ),
        "generator_version": GENERATOR_VERSION,
        "provinces": sorted(provinces) if provinces else None,
        "villages": sorted(villages) if villages is not None else None,
        "files_per_business": dict(FILES_PER_BUSINESS),
        "shared_owner_share": SHARED_OWNER_SHARE,
        "namesake_share": NAMESAKE_SHARE,
        "partners": [asdict(spec) for spec in partners],
        "rates": asdict(rates),
        **summary,
    }
    result.manifest_path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
