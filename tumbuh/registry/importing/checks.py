"""The checks of one partner row, field by field, in the order a partner reads the reasons.

``RowChecker.clean`` turns a row into a :class:`CleanRow` or raises :class:`RowProblem` with the
field and the reason. The first failing check wins, in this order: extra values, business name,
kind, scale, birth date, sex, NIK, phone, e-mail, KBLI, NIB, village. The village is checked by
the importer against the regions tables in one query per chunk (``village_code`` here is only
the code as written, formatted); a village written by name is found with :class:`VillageIndex`.

The checks cost almost nothing per row: fields with few distinct values (kind, scale, sex,
birth date, KBLI, village) are checked once per distinct value and remembered; identifiers in
their common clean form take a fast path that accepts exactly what the full validator accepts,
and anything else goes to the full validator, which gives the precise reason.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from tumbuh.core.validators import normalise_phone, validate_kbli, validate_nib, validate_nik
from tumbuh.registry.columns import FIELDS_BY_KEY
from tumbuh.registry.importing.reading import NumberCell
from tumbuh.registry.importing.villages import VillageIndex, VillageNotFound
from tumbuh.registry.importing.villages import name_key as village_name_key
from tumbuh.registry.models import Enterprise

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
# A strict subset of what Django's EmailValidator accepts (ASCII dot-atom, a letters-only top
# level domain): such an address needs no further check; anything else gets the full one.
PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    re.IGNORECASE | re.ASCII,
)
PLAIN_NIB = re.compile(r"[0-9]{13}", re.ASCII)
# "32.04.39.2002", "3204392002": the ten digits of a Kemendagri village code.
NOT_DIGIT = re.compile(r"\D")
LINK_SEPARATORS = re.compile(r"[\s,;]+")
KBLI_SEPARATORS = re.compile(r"[,;/\s]+")
# The same separators as ``normalise_phone`` ignores.
PHONE_SEPARATORS = re.compile(r"[\s\-().]")
# Indonesia's numbering plan (libphonenumber's patterns for ID) decides a number's kind from
# its first national digits and its length: in every pattern, the digits after the first few
# are "any digit" — four for a number starting with 8 (8071…), five for any other (21500…);
# ``test_import_checks`` proves it from the shipped metadata. So the plan is consulted once
# per (first digits, length), not once per row (a mobile number 0812-xxxx-xxxx: once per
# 8123, 8124… and length).
PHONE_KEY_DIGITS = {"8": 4}
PHONE_KEY_DIGITS_OTHERWISE = 5


def name_key(name: str) -> str:
    """Business name for the exact owner rule: case, punctuation and legal forms ignored."""
    text = re.sub(r"[^a-z0-9 ]+", " ", name.lower())
    text = LEGAL_WORDS.sub(" ", text)
    return " ".join(text.split())


def _simple(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


class RowProblem(Exception):
    def __init__(self, field_key: str, reason: str):
        super().__init__(reason)
        self.field_key = field_key
        self.reason = str(reason)


@dataclass(slots=True)
class CleanRow:
    row_number: int
    row_hash: str
    values: list[str]
    business_name: str
    kind: str
    scale: str
    owner_name: str
    nik: object | None  # NikCheck
    phone: str | None
    email: str
    address: str
    village_code: str  # as written and formatted; the importer checks that it exists
    village_text: str  # the code cell as written, for the reason when it does not exist
    kbli: list[str]
    nib: str | None
    links: list[str]
    birth_date: datetime.date | None
    sex: str
    nik_hash: str | None = None


def _parse_date(text: str) -> datetime.date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowProblem(
        "birth_date", _("“%(value)s” is not a date (use 31-12-1980).") % {"value": text}
    )


def _remembered(memo: dict, key, compute):
    """``compute(key)`` once per distinct key; a RowProblem is remembered and raised again."""
    try:
        found = memo[key]
    except KeyError:
        try:
            found = compute(key)
        except RowProblem as problem:
            found = problem
        memo[key] = found
    if isinstance(found, RowProblem):
        raise found
    return found


def _kind(text: str) -> str | None:
    simple = _simple(text)
    if simple not in KINDS:
        raise RowProblem(
            "kind", _("“%(value)s” is not UMKM, BumDes or koperasi.") % {"value": simple}
        )
    return KINDS[simple]


def _scale(text: str) -> str:
    simple = _simple(text)
    if simple not in SCALES:
        raise RowProblem(
            "scale", _("“%(value)s” is not mikro, kecil or menengah.") % {"value": simple}
        )
    return SCALES[simple]


def _sex(text: str) -> str:
    simple = _simple(text)
    if not simple:
        return ""
    if simple not in SEXES:
        raise RowProblem("sex", _("“%(value)s” is not L or P.") % {"value": simple})
    return SEXES[simple]


def _kbli(text: str) -> list[str]:
    codes = []
    for code in KBLI_SEPARATORS.split(text):
        if code:
            try:
                codes.append(validate_kbli(code))
            except ValidationError as error:
                raise RowProblem("kbli", " ".join(error.messages)) from None
    return list(dict.fromkeys(codes))


def _national_number(text: str) -> str | None:
    """The national significant number as ``normalise_phone`` reads it from ``text``, when
    ``text`` passes its checks of characters, prefix and length; None otherwise."""
    text = PHONE_SEPARATORS.sub("", text)
    if text.startswith("+62"):
        national = text[3:]
    elif text.startswith("62"):
        national = text[2:]
    elif text.startswith("0"):
        national = text[1:]
    elif text.startswith("8"):
        national = text
    else:
        return None
    if not (national.isascii() and national.isdigit()):
        return None
    if national.startswith("0") or not 8 <= len(national) <= 12:
        return None
    return national


def _village_code(text: str) -> str:
    digits = NOT_DIGIT.sub("", text)
    if len(digits) != 10:
        raise RowProblem(
            "village_code",
            _("“%(code)s” is not a village code (e.g. 32.04.12.2001).") % {"code": text},
        )
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"


class RowChecker:
    """Checks the rows of one file with its column mapping (see the module's docstring)."""

    def __init__(self, headers: list[str], mapping: dict[str, str], *, regency_hint: str = ""):
        self.width = len(headers)
        self.columns = {key: headers.index(header) for key, header in mapping.items()}
        # Where each field's cell is in a row's stripped cells; an unmapped field reads the
        # empty cell added after the last column.
        self.slots = {key: self.columns.get(key, self.width) for key in FIELDS_BY_KEY}
        self.regency_hint = regency_hint
        self._villages: VillageIndex | None = None
        self.memo: dict[str, dict] = {
            name: {} for name in ("kind", "scale", "sex", "birth", "kbli", "code", "place")
        }
        self.phone_plans: set[tuple[str, int]] = set()  # (first digits, length) of valid numbers

    def use_villages(self, villages: VillageIndex | None) -> None:
        self._villages = villages

    @property
    def villages(self) -> VillageIndex:
        """Built on first use: a file that gives village codes never needs it."""
        if self._villages is None:
            self._villages = VillageIndex.build()
        return self._villages

    def _place(self, arguments: tuple) -> str:
        try:
            return self.villages.resolve(
                village_code="",
                village_name=arguments[0],
                district_name=arguments[1],
                regency_name=arguments[2],
                province_name=arguments[3],
                regency_hint=self.regency_hint,
            )
        except VillageNotFound as problem:
            raise RowProblem(problem.column, problem.reason) from None

    def _phone(self, text: str) -> str:
        """``normalise_phone(text)``, asking the numbering plan once per (first digits, length)
        of a valid number (see ``PHONE_KEY_DIGITS``); any other number gets the full check."""
        national = _national_number(text)
        if national is not None:
            depth = PHONE_KEY_DIGITS.get(national[0], PHONE_KEY_DIGITS_OTHERWISE)
            plan = (national[:depth], len(national))
            if plan in self.phone_plans:
                return "+62" + national
        try:
            phone = normalise_phone(text)
        except ValidationError as error:
            raise RowProblem("phone", " ".join(error.messages)) from None
        if national is not None:
            self.phone_plans.add(plan)
        return phone

    def cells(self, values: list[str]) -> list[str]:
        """The row's values stripped, one per column, then one empty cell (see ``slots``)."""
        cells = [value.strip() for value in values[: self.width]]
        cells.extend([""] * (self.width + 1 - len(cells)))
        return cells

    def clean(
        self, row_number: int, values: list[str], row_hash: str, cells: list[str] | None = None
    ) -> CleanRow:
        """The row's clean fields, or :class:`RowProblem` for the first failing check.
        ``cells``: the row's ``cells(values)``, when the caller has them already."""
        cells = cells or self.cells(values)
        slot = self.slots
        if len(values) > self.width and any(v.strip() for v in values[self.width :]):
            raise RowProblem(
                "",
                _("The row has %(found)s values but the header names %(expected)s columns.")
                % {"found": len(values), "expected": self.width},
            )
        business_name = " ".join(cells[slot["business_name"]].split())
        if not business_name:
            raise RowProblem("business_name", _("The business name is empty."))
        kind = _remembered(self.memo["kind"], cells[slot["kind"]], _kind) or (
            Enterprise.Kind.BUMDES
            if business_name.lower().startswith(("bumdes", "bum desa"))
            else Enterprise.Kind.UMKM
        )
        scale = _remembered(self.memo["scale"], cells[slot["scale"]], _scale)
        birth_date = None
        if birth_text := cells[slot["birth_date"]]:
            birth_date = _remembered(self.memo["birth"], birth_text, _parse_date)
        sex = _remembered(self.memo["sex"], cells[slot["sex"]], _sex)
        nik = None
        nik_index = self.columns.get("nik")
        if (
            nik_index is not None
            and nik_index < len(values)
            and isinstance(values[nik_index], NumberCell)
        ):
            raise RowProblem(
                "nik",
                _(
                    "The spreadsheet stores this NIK as a number, and Excel keeps only 15 of its "
                    "16 digits. Format the column as text and enter the NIK again."
                ),
            )
        if nik_text := cells[slot["nik"]]:
            try:
                nik = validate_nik(nik_text, birth_date=birth_date, sex=sex or None)
            except ValidationError as error:
                raise RowProblem("nik", " ".join(error.messages)) from None
        phone = None
        if phone_text := cells[slot["phone"]]:
            phone = self._phone(phone_text)
        email = cells[slot["email"]]
        if email and not (len(email) <= 254 and PLAIN_EMAIL.fullmatch(email)):
            try:
                validate_email(email)
            except ValidationError:
                raise RowProblem(
                    "email", _("“%(value)s” is not an e-mail address.") % {"value": email}
                ) from None
        kbli = _remembered(self.memo["kbli"], cells[slot["kbli"]], _kbli)
        nib = None
        if nib_text := cells[slot["nib"]]:
            if PLAIN_NIB.fullmatch(nib_text):
                nib = nib_text
            else:
                try:
                    nib = validate_nib(nib_text)
                except ValidationError as error:
                    raise RowProblem("nib", " ".join(error.messages)) from None
        village_text = cells[slot["village_code"]]
        if village_text:
            village_code = _remembered(self.memo["code"], village_text, _village_code)
        else:
            village_name = cells[slot["village_name"]]
            if not village_name_key(village_name):
                raise RowProblem("village_name", _("The village (desa/kelurahan) is missing."))
            arguments = (
                village_name,
                cells[slot["district_name"]],
                cells[slot["regency_name"]],
                cells[slot["province_name"]],
            )
            village_code = _remembered(self.memo["place"], arguments, self._place)
        links = cells[slot["links"]]
        return CleanRow(
            row_number=row_number,
            row_hash=row_hash,
            values=values,
            business_name=business_name,
            kind=kind,
            scale=scale,
            owner_name=" ".join(cells[slot["owner_name"]].split()),
            nik=nik,
            phone=phone,
            email=email,
            address=cells[slot["address"]],
            village_code=village_code,
            village_text=village_text,
            kbli=kbli,
            nib=nib,
            links=[link for link in LINK_SEPARATORS.split(links) if link] if links else [],
            birth_date=birth_date,
            sex=sex,
        )
