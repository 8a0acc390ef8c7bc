"""The partners who send lists, the columns of their files, and how one row of a business is written.

A :class:`PartnerSpec` says who the partner is (``slug``, organisation ``kind``), what it sends
(CSV with a delimiter, or XLSX; a ``header_style`` naming one of :data:`LAYOUTS`), how many of the
businesses it reports (``coverage``, a relative weight), how noisy its list is (``noise``, which
scales :class:`~tumbuh.registry.synthetic.noise.NoiseRates`) and its share of bad rows
(``bad_rate``). Every header of every layout is one that ``tumbuh.registry.columns.recognise``
knows.
"""

import random
from dataclasses import dataclass

from tumbuh.registry.synthetic import noise
from tumbuh.registry.synthetic.businesses import (
    KIND_BUMDES,
    KIND_COOPERATIVE,
    KIND_UMKM,
    SCALE_KECIL,
    SCALE_MENENGAH,
    SCALE_MIKRO,
    Business,
)
from tumbuh.registry.synthetic.people import SEX_FEMALE
from tumbuh.registry.synthetic.places import Geography


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of partner file and the habits of whoever fills it in."""

    columns: tuple[tuple[str, str], ...]  # (header as written, field key of columns.py)
    phone_styles: tuple[tuple[str, int], ...]
    regency_style: str = "full"  # full | short ("Kab. X") | mixed | bare ("X" when unambiguous)
    upper: bool = False  # everything typed in capitals
    kind_labels: tuple[str, str, str] = ("UMKM", "BUMDes", "Koperasi")
    scale_labels: tuple[str, str, str] = ("Mikro", "Kecil", "Menengah")
    sex_labels: tuple[str, str] = ("L", "P")
    link_base: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(field for _header, field in self.columns)

    @property
    def headers(self) -> list[str]:
        return [header for header, _field in self.columns]


LAYOUTS: dict[str, Layout] = {
    # A provincial cooperative and UMKM office: village codes, KBLI and NIB from its own records.
    "dinas": Layout(
        columns=(
            ("Nama Usaha", "business_name"),
            ("Nama Pemilik", "owner_name"),
            ("NIK", "nik"),
            ("No HP/WA", "phone"),
            ("Email", "email"),
            ("Alamat", "address"),
            ("Kode Desa", "village_code"),
            ("KBLI", "kbli"),
            ("NIB", "nib"),
            ("Skala Usaha", "scale"),
            ("Bentuk Usaha", "kind"),
        ),
        phone_styles=(("dashed", 5), ("plain", 5)),
    ),
    # A marketplace's seller export: semicolons, place names, a link to the store.
    "marketplace": Layout(
        columns=(
            ("nama_umkm", "business_name"),
            ("pemilik", "owner_name"),
            ("no_ktp", "nik"),
            ("telepon", "phone"),
            ("email", "email"),
            ("alamat", "address"),
            ("desa/kelurahan", "village_name"),
            ("kecamatan", "district_name"),
            ("kabupaten/kota", "regency_name"),
            ("link_toko", "links"),
        ),
        phone_styles=(("country", 6), ("intl", 2), ("plain", 2)),
        link_base="https://pasar-nusantara.example/toko/",
    ),
    # A university's community-service programme: a spreadsheet typed in capitals by students.
    "kampus": Layout(
        columns=(
            ("NAMA USAHA", "business_name"),
            ("NAMA PEMILIK", "owner_name"),
            ("NIK", "nik"),
            ("WHATSAPP", "phone"),
            ("ALAMAT", "address"),
            ("KELURAHAN", "village_name"),
            ("KECAMATAN", "district_name"),
            ("KAB/KOTA", "regency_name"),
            ("JENIS KELAMIN", "sex"),
            ("TANGGAL LAHIR", "birth_date"),
            ("BIDANG USAHA (KBLI)", "kbli"),
        ),
        phone_styles=(("plain", 4), ("spaced", 2), ("intl_spaced", 2), ("bare", 2)),
        regency_style="short",
        upper=True,
        sex_labels=("LAKI-LAKI", "PEREMPUAN"),
    ),
    # A state bank's micro-credit customers, exported from Excel as "CSV UTF-8".
    "bank": Layout(
        columns=(
            ("Nama Badan Usaha", "business_name"),
            ("Nama Pelaku Usaha", "owner_name"),
            ("Nomor KTP", "nik"),
            ("Handphone", "phone"),
            ("Alamat Usaha", "address"),
            ("Desa", "village_name"),
            ("Kecamatan", "district_name"),
            ("Kabupaten", "regency_name"),
            ("Provinsi", "province_name"),
            ("Kode KBLI", "kbli"),
            ("Nomor Induk Berusaha", "nib"),
            ("Skala Usaha", "scale"),
        ),
        phone_styles=(("intl_dashed", 3), ("dashed", 4), ("plain", 3)),
        regency_style="mixed",
        scale_labels=("Usaha Mikro", "Usaha Kecil", "Usaha Menengah"),
    ),
    # A community of sellers collecting its members in a shared sheet.
    "komunitas": Layout(
        columns=(
            ("Nama UMKM", "business_name"),
            ("Nama Lengkap", "owner_name"),
            ("NIK", "nik"),
            ("No WA", "phone"),
            ("Alamat Lengkap", "address"),
            ("Desa/Kel", "village_name"),
            ("Kec", "district_name"),
            ("Kab/Kota", "regency_name"),
            ("Instagram", "links"),
        ),
        phone_styles=(("plain", 5), ("spaced", 2), ("country", 3)),
        regency_style="bare",
        link_base="https://instagram.example/",
    ),
}


@dataclass(frozen=True)
class PartnerSpec:
    """One partner organisation and the file it sends."""

    slug: str
    kind: str  # an accounts.Organisation.Kind value: provincial_office, marketplace, university, …
    file_format: str  # "csv" or "xlsx"
    header_style: str  # a key of LAYOUTS
    coverage: float  # relative weight: how many of the businesses this partner reports
    noise: float = 1.0  # multiplies every rate of NoiseRates (0.3 = a clean list)
    bad_rate: float = 0.015  # share of rows with one defect the import must refuse
    delimiter: str = ","
    excel_csv: bool = False  # written as Excel's "CSV UTF-8": byte-order mark and CRLF line ends
    name: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.slug}.{self.file_format}"

    @property
    def layout(self) -> Layout:
        return LAYOUTS[self.header_style]


DEFAULT_PARTNERS: tuple[PartnerSpec, ...] = (
    PartnerSpec(
        "dinas-kumkm-provinsi", "provincial_office", "csv", "dinas", coverage=0.40,
        noise=0.3, bad_rate=0.01, name="Dinas Koperasi dan UKM Provinsi",
    ),
    PartnerSpec(
        "pasar-nusantara", "marketplace", "csv", "marketplace", coverage=0.30,
        noise=1.0, bad_rate=0.015, delimiter=";", name="Pasar Nusantara (marketplace)",
    ),
    PartnerSpec(
        "kampus-mengabdi", "university", "xlsx", "kampus", coverage=0.15,
        noise=1.3, bad_rate=0.02, name="Universitas Kampus Mengabdi, KKN Tematik UMKM",
    ),
    PartnerSpec(
        "bank-mitra-desa", "state_bank", "csv", "bank", coverage=0.15,
        noise=0.8, bad_rate=0.015, excel_csv=True, name="Bank Mitra Desa, kredit usaha mikro",
    ),
)  # fmt: skip

# How often each defect is chosen for a bad row, among those the layout can carry.
BAD_REASON_WEIGHTS = {
    "nik_length": 10,
    "nik_characters": 6,
    "nik_serial_zero": 6,
    "nik_birth_date": 8,
    "nik_district": 5,
    "nik_spreadsheet_number": 6,
    "unknown_village": 20,
    "empty_business_name": 10,
    "malformed_phone": 18,
    "invalid_kbli": 11,
}


def bad_reasons_for(spec: PartnerSpec) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The defects a partner's file can carry, with cumulative weights."""
    fields = set(spec.layout.fields)
    reasons, cumulative, total = [], [], 0.0
    for reason, weight in BAD_REASON_WEIGHTS.items():
        if reason.startswith("nik") and "nik" not in fields:
            continue
        # What Excel's CSV export writes for a NIK typed as a number. In an XLSX the same
        # mistake is invisible (the cell holds 3273285305778800, sixteen digits, the last ones
        # lost), so it is no defect an import can see there.
        if reason == "nik_spreadsheet_number" and not spec.excel_csv:
            continue
        if reason == "unknown_village" and not fields & {"village_code", "village_name"}:
            continue
        if reason == "malformed_phone" and "phone" not in fields:
            continue
        if reason == "invalid_kbli" and "kbli" not in fields:
            continue
        total += weight
        reasons.append(reason)
        cumulative.append(total)
    return tuple(reasons), tuple(cumulative)


class RowRenderer:
    """Writes the row a partner would send for a business, good or with one defect."""

    def __init__(
        self, spec: PartnerSpec, geography: Geography, rates: noise.NoiseRates, *, today_year: int
    ):
        self.spec = spec
        self.layout = spec.layout
        self.fields = self.layout.fields
        self.geo = geography
        self.rates = rates
        self.factor = spec.noise
        self.today_year = today_year
        self.is_xlsx = spec.file_format == "xlsx"
        styles = self.layout.phone_styles
        self.phone_styles = [style for style, _w in styles]
        self.phone_cumulative = []
        total = 0
        for _style, weight in styles:
            total += weight
            self.phone_cumulative.append(total)
        self.bad_reasons = bad_reasons_for(spec)
        self.scale_labels = dict(
            zip((SCALE_MIKRO, SCALE_KECIL, SCALE_MENENGAH), self.layout.scale_labels, strict=True)
        )
        self.kind_labels = dict(
            zip((KIND_UMKM, KIND_BUMDES, KIND_COOPERATIVE), self.layout.kind_labels, strict=True)
        )

    def render(self, rng: random.Random, business: Business, bad_reason: str | None) -> list:
        """The cells of one row, in the layout's column order."""
        factor, rates, geo = self.factor, self.rates, self.geo
        owner = business.owner
        village = business.village
        district = geo.village_district[village]
        regency = geo.district_regency[district]
        upper = self.layout.upper
        cells = []
        for field in self.fields:
            if field == "business_name":
                value = noise.business_name(
                    rng, business.name, factor, rates, cluster_key=owner.cluster.key
                )
            elif field == "owner_name":
                value = noise.owner_name(rng, owner, factor, rates, today_year=self.today_year)
            elif field == "nik":
                roll = rng.random()
                if roll < rates.nik_missing * factor:
                    value = ""
                elif roll < (rates.nik_missing + rates.nik_typo) * factor:
                    value = noise.nik_with_typo(rng, owner.nik)
                else:
                    value = owner.nik
            elif field == "phone":
                if rng.random() < rates.phone_missing * factor:
                    value = ""
                else:
                    style = rng.choices(self.phone_styles, cum_weights=self.phone_cumulative)[0]
                    value = noise.phone_text(style, owner.phone)
                    if style == "bare" and self.is_xlsx:
                        value = int(value)  # typed as a number: the leading 0 is gone
            elif field == "email":
                value = business.email
                if value and rng.random() < rates.email_missing * factor:
                    value = ""
            elif field == "address":
                value = noise.address_text(
                    rng, business.address, geo.village_names[village], factor, rates
                )
            elif field == "village_code":
                value = geo.village_codes[village]
                if rng.random() < rates.village_code_plain * factor:
                    value = value.replace(".", "")
            elif field == "village_name":
                value = noise.village_name(
                    rng,
                    geo.village_names[village],
                    lambda: [geo.village_names[v] for v in geo.district_villages[district]],
                    factor,
                    rates,
                    is_kelurahan=geo.village_codes[village][9] == "1",
                )
            elif field == "district_name":
                value = noise.district_name(
                    rng,
                    geo.district_names[district],
                    lambda: [geo.district_names[d] for d in geo.regency_districts[regency]],
                    factor,
                    rates,
                )
            elif field == "regency_name":
                name = geo.regency_names[regency]
                value = noise.regency_name(
                    rng,
                    name,
                    ambiguous=name in geo.ambiguous_regency_names,
                    style=self.layout.regency_style,
                )
            elif field == "province_name":
                value = geo.province_names[geo.village_codes[village][:2]]
            elif field == "kbli":
                value = "" if rng.random() < rates.kbli_missing * factor else business.kbli
            elif field == "nib":
                value = business.nib
                if value and rng.random() < rates.nib_missing * factor:
                    value = ""
            elif field == "scale":
                value = self.scale_labels[business.scale]
            elif field == "kind":
                value = self.kind_labels[business.kind]
            elif field == "sex":
                value = self.layout.sex_labels[1 if owner.sex == SEX_FEMALE else 0]
            elif field == "birth_date":
                if self.is_xlsx and rng.random() < 0.7:
                    value = owner.birth_date  # a real date cell
                else:
                    value = noise.date_text(rng, owner.birth_date)
            elif field == "links":
                value = self.layout.link_base + business.slug if rng.random() < 0.85 else ""
            else:
                raise ValueError(f"unknown field {field!r}")
            if upper and isinstance(value, str) and field not in ("email", "links"):
                value = value.upper()
            cells.append(value)
        if bad_reason:
            self._spoil(rng, cells, business, bad_reason)
        return cells

    def _spoil(self, rng: random.Random, cells: list, business: Business, reason: str) -> None:
        """Give the row exactly one defect of the kind ``reason``."""
        fields = self.fields
        geo = self.geo
        if reason.startswith("nik_"):
            index = fields.index("nik")
            cells[index] = noise.bad_nik(rng, business.owner.nik, reason)
        elif reason == "unknown_village":
            if "village_code" in fields:
                district = geo.village_district[business.village]
                existing = {geo.village_codes[v] for v in geo.district_villages[district]}
                cells[fields.index("village_code")] = noise.unknown_village_code(
                    rng, geo.district_codes[district], existing
                )
            else:
                text = rng.choice(noise.UNKNOWN_VILLAGES)
                cells[fields.index("village_name")] = text.upper() if self.layout.upper else text
        elif reason == "empty_business_name":
            cells[fields.index("business_name")] = rng.choice(("", "  "))
        elif reason == "malformed_phone":
            cells[fields.index("phone")] = noise.malformed_phone(rng, business.owner.phone)
        elif reason == "invalid_kbli":
            code = business.kbli
            roll = rng.random()
            if roll < 0.4:
                value = code[:4] if code[0] != "0" else code[1:]  # four digits
            elif roll < 0.7:
                value = code + str(rng.randint(0, 9))  # six digits
            else:
                value = rng.choice(("kuliner", "perdagangan", "jasa", "kerajinan", "-"))
            cells[fields.index("kbli")] = value.upper() if self.layout.upper else value
        else:
            raise ValueError(reason)
