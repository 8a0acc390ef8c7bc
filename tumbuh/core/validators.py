"""Validators for Indonesian identifiers. Each raises ``ValidationError`` with a plain reason.

Phone numbers (login by phone), Kemendagri region codes (scopes), and the identifiers of the
registry: NIK (the person's population number), NIB (the business number from OSS) and KBLI 2020
(the business activity). Every refusal has a stable ``code`` that imports and the API report, and
a message that says what is wrong and how to fix it, never the value itself (a NIK is personal).

The validators need no database: imports check partners' files with them before anything is
written. Their reference data (district codes, KBLI) is read from shipped files once, lazily.
"""

import csv
import datetime
import gzip
import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data"
# Read as a file, not through the regions app: core sits below regions (DESIGN.md, "Parts").
DISTRICTS_FILE = Path(__file__).resolve().parent.parent / "regions" / "data" / "districts.csv.gz"
KBLI_FILE = DATA_DIR / "kbli_2020.csv.gz"

# Kemendagri codes in dotted form, by level.
REGION_CODE_PATTERNS = {
    "province": re.compile(r"^\d{2}$"),
    "regency": re.compile(r"^\d{2}\.\d{2}$"),
    "district": re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    "village": re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
}

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
INDONESIA = 62  # the country calling code


def region_level(code: str) -> str:
    """Return the level of a Kemendagri code ("province" … "village") or raise."""
    for level, pattern in REGION_CODE_PATTERNS.items():
        if pattern.match(code):
            return level
    raise ValidationError(
        _("“%(code)s” is not a Kemendagri region code (e.g. 32, 32.04, 32.04.12, 32.04.12.2001)."),
        code="invalid_region_code",
        params={"code": code},
    )


def normalise_phone(value: str, *, mobile: bool = False) -> str:
    """Return an Indonesian phone number in E.164 form (``+62…``).

    Accepts the ways people write numbers: ``0812-3456-7890``, ``+62 812 3456 7890``,
    ``62812…``, ``(021) 555-1234``, ``812…`` (spaces, dashes, dots and brackets are ignored).
    The national significant number (after 62) must have 8 to 12 digits, may not start with 0,
    and must be a number of Indonesia's numbering plan: libphonenumber's data decides which
    prefixes and area codes are in use and how long each kind of number is. With ``mobile``
    only a mobile number (08…) is accepted, as for a WhatsApp number.

    The styles are read here rather than by ``phonenumbers.parse``, which is looser where a
    person's typo should be refused ("0812-34a6-7890": it drops or spells out letters;
    "+62 0812…") and reads "62…" without "+" as a local number when it could be one.
    Refusals: ``phone_empty``, ``phone_not_indonesian``, ``phone_prefix``,
    ``phone_characters``, ``phone_length``, ``phone_invalid`` (no such number in Indonesia),
    ``phone_not_mobile`` (with ``mobile``: a landline or service number).
    """
    text = _PHONE_SEPARATORS.sub("", str(value or ""))
    if not text:
        raise ValidationError(_("The phone number is empty."), code="phone_empty")
    if text.startswith("+"):
        if not text.startswith("+62"):
            raise ValidationError(
                _("Only Indonesian numbers (+62) are accepted."), code="phone_not_indonesian"
            )
        national = text[3:]
    elif text.startswith("62"):
        national = text[2:]
    elif text.startswith("0"):
        national = text[1:]
    elif text.startswith("8"):
        national = text
    else:
        raise ValidationError(
            _("A phone number starts with 0, 62 or +62 (e.g. 0812-3456-7890)."),
            code="phone_prefix",
        )
    if not _is_ascii_digits(national):
        raise ValidationError(
            _("A phone number may contain only digits, spaces, dashes and one leading +."),
            code="phone_characters",
        )
    if national.startswith("0") or not 8 <= len(national) <= 12:
        raise ValidationError(
            _(
                "An Indonesian phone number has 9 to 13 digits starting with 0 (e.g. 0812-3456-7890)."
            ),
            code="phone_length",
        )
    # Imported here: its numbering-plan data takes a noticeable share of every process's start-up
    # (models import this module), and most processes never check a phone number.
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    number = phonenumbers.PhoneNumber(country_code=INDONESIA, national_number=int(national))
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        raise ValidationError(
            _(
                "There is no such phone number in Indonesia: check the digits. A mobile number "
                "starts with 08 and has 10 to 13 digits (e.g. 0812-3456-7890); a landline starts "
                "with its area code (e.g. 021-555-1234)."
            ),
            code="phone_invalid",
        )
    if mobile and kind != PhoneNumberType.MOBILE:
        raise ValidationError(
            _(
                "Enter a mobile number (it starts with 08, e.g. 0812-3456-7890); this one is a "
                "landline or service number."
            ),
            code="phone_not_mobile",
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def whatsapp_link(e164: str, text: str = "") -> str:
    """``https://wa.me/62…`` for a number in E.164 form, with ``text`` prefilled if given."""
    if not (e164.startswith("+") and _is_ascii_digits(e164[1:])):
        raise ValueError("a WhatsApp link needs a number in E.164 form (+62…)")
    link = "https://wa.me/" + e164[1:]
    return link + ("?text=" + quote(text) if text else "")


def mask_phone(e164: str) -> str:
    """Show a phone number without revealing it: ``+62812*****890``."""
    if len(e164) < 8:
        return "*" * len(e164)
    return e164[:6] + "*" * (len(e164) - 9) + e164[-3:]


# --- shared by NIK and NIB ----------------------------------------------------------------------

# A spreadsheet that read an identifier as a number shows it as 3.20401E+15 (3,20401E+15 in an
# Indonesian locale) or writes it back as a decimal, 3204011203850001.0. Excel keeps only 15
# significant digits, so a NIK that went through this has lost its last digit for good.
_SCIENTIFIC_NOTATION = re.compile(r"[+-]?\d(?:[.,]\d*)?[eE][+-]?\d{1,3}")
# At least 16 digits before the point: a NIK written with dots (3201.0112.0385.1000) is not one.
_NIK_DECIMAL = re.compile(r"\d{16,}[.,]0+")
_NIB_DECIMAL = re.compile(r"\d+[.,]0+")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def _is_spreadsheet_number(text: str, decimal: re.Pattern[str]) -> bool:
    return bool(_SCIENTIFIC_NOTATION.fullmatch(text) or decimal.fullmatch(text))


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() alone also accepts "²" and Arabic-Indic digits, which int() and people reject.
    return text.isascii() and text.isdigit()


# --- NIK ----------------------------------------------------------------------------------------

NIK_LENGTH = 16
FLAG_BIRTH_DATE_MISMATCH = "birth_date_mismatch"
FLAG_SEX_MISMATCH = "sex_mismatch"
SEX_MALE = "L"  # laki-laki
SEX_FEMALE = "P"  # perempuan
_FEMALE_DAY_OFFSET = 40

_NIK_SEPARATORS = re.compile(rf"[\s.{re.escape(_DASHES)}]")


@dataclass(frozen=True, slots=True)
class NikCheck:
    """A NIK that passed validation, and what its digits say.

    ``district_code`` is the Kemendagri district where the NIK was issued (``32.04.01``),
    ``birth_date`` and ``sex`` ("L" or "P") are read from digits 7–12. ``flags`` lists where the
    NIK disagrees with what the person declared ("birth_date_mismatch", "sex_mismatch"): such a
    NIK is kept and shown for review, because either side may hold the typo.
    """

    nik: str
    district_code: str
    birth_date: datetime.date
    sex: str
    flags: tuple[str, ...] = ()


@cache
def _district_codes() -> dict[str, str]:
    """The shipped Kemendagri districts: six digits as in a NIK (``320401``) → ``32.04.01``."""
    with gzip.open(DISTRICTS_FILE, "rt", encoding="utf-8", newline="") as file:
        return {row["code"].replace(".", ""): row["code"] for row in csv.DictReader(file)}


def validate_nik(
    value: str,
    *,
    birth_date: datetime.date | None = None,
    sex: str | None = None,
    today: datetime.date | None = None,
) -> NikCheck:
    """Check an Indonesian NIK (Nomor Induk Kependudukan) and read what it encodes.

    A NIK is 16 digits: the district of issue (province, regency and district, two digits each),
    the birth date as DDMMYY with 40 added to the day for women, and a serial that is not 0000.
    Spaces, dots and dashes are ignored. The two-digit year is 20YY unless that date is still to
    come (``today``, by default the current date), else 19YY; a declared ``birth_date`` that
    agrees on day, month and two-digit year decides the century instead.

    A NIK that disagrees with the declared ``birth_date`` or ``sex`` ("L" or "P") is returned with
    flags, not refused. Anything else wrong raises ``ValidationError`` with one of the codes
    ``nik_empty``, ``nik_scientific_notation``, ``nik_characters``, ``nik_length``,
    ``nik_district``, ``nik_birth_date``, ``nik_serial``. Messages never contain the NIK.
    """
    text = _as_text(value)
    # The common case, 16 plain digits, skips the cost of cleaning.
    nik = text if len(text) == NIK_LENGTH and _is_ascii_digits(text) else _clean_nik(text)

    district = nik[:6]
    district_code = _district_codes().get(district)
    if district_code is None:
        raise ValidationError(
            _(
                "The first six digits of a NIK are the district where it was issued; "
                "%(district)s is not a Kemendagri district code."
            ),
            code="nik_district",
            params={"district": f"{district[:2]}.{district[2:4]}.{district[4:]}"},
        )

    encoded_day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    nik_sex = SEX_FEMALE if encoded_day > _FEMALE_DAY_OFFSET else SEX_MALE
    day = encoded_day - _FEMALE_DAY_OFFSET if nik_sex == SEX_FEMALE else encoded_day
    born = _nik_birth_date(day, month, year, declared=birth_date, today=today)

    if nik[12:] == "0000":
        raise ValidationError(
            _(
                "The last four digits of a NIK (the serial number) cannot be 0000. If the NIK "
                "came from a spreadsheet, its last digit may have been lost: format the column "
                "as text and enter the NIK again."
            ),
            code="nik_serial",
        )

    flags = ()
    if birth_date is not None and born != _as_date(birth_date):
        flags = (FLAG_BIRTH_DATE_MISMATCH,)
    if sex and nik_sex != (sex if sex in (SEX_MALE, SEX_FEMALE) else _declared_sex(sex)):
        flags = (*flags, FLAG_SEX_MISMATCH)
    return NikCheck(
        nik=nik,
        district_code=district_code,
        birth_date=born,
        sex=nik_sex,
        flags=flags,
    )


def _clean_nik(text: str) -> str:
    compact = "".join(text.split())
    if not compact:
        raise ValidationError(_("The NIK is empty."), code="nik_empty")
    if _is_spreadsheet_number(compact, _NIK_DECIMAL):
        raise ValidationError(
            _(
                "A spreadsheet has turned this NIK into a number (shown as 3.20401E+15 or "
                "3204011203850001.0) and kept only 15 of its 16 digits. Format the column as "
                "text and enter the NIK again."
            ),
            code="nik_scientific_notation",
        )
    nik = _NIK_SEPARATORS.sub("", compact)
    if not nik:
        raise ValidationError(_("The NIK is empty."), code="nik_empty")
    if not _is_ascii_digits(nik):
        raise ValidationError(
            _("A NIK may contain only digits (spaces, dots and dashes are ignored)."),
            code="nik_characters",
        )
    if len(nik) != NIK_LENGTH:
        raise ValidationError(
            _("A NIK has 16 digits; this one has %(count)d."),
            code="nik_length",
            params={"count": len(nik)},
        )
    return nik


def _nik_birth_date(
    day: int,
    month: int,
    year: int,
    *,
    declared: datetime.date | None,
    today: datetime.date | None,
) -> datetime.date:
    try:
        born = datetime.date(2000 + year, month, day)
        if declared is not None and (declared.day, declared.month, declared.year % 100) == (
            day,
            month,
            year,
        ):
            return _as_date(declared)
        if born > (today or _today()):
            born = datetime.date(1900 + year, month, day)  # 29 February 1900 did not exist
    except ValueError:
        raise ValidationError(
            _(
                "Digits 7 to 12 of a NIK are the birth date (DDMMYY, with 40 added to the day "
                "for women), and here they do not form a real date."
            ),
            code="nik_birth_date",
        ) from None
    return born


# (valid until, today). date.today() asks the system calendar, which costs a fifth of a
# validate_nik call; time.time() is cheap, and the date only changes at midnight.
_calendar = (0.0, datetime.date.min)


def _today() -> datetime.date:
    """Today's local date, read from the calendar once a day."""
    global _calendar
    now = time.time()
    valid_until, today = _calendar
    if now >= valid_until:
        today = datetime.date.fromtimestamp(now)
        midnight = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
        _calendar = (midnight.timestamp(), today)
    return today


def _as_date(value: datetime.date) -> datetime.date:
    # A datetime never equals a date, even at midnight of the same day.
    return value.date() if isinstance(value, datetime.datetime) else value


def _declared_sex(sex: str) -> str:
    declared = sex.strip().upper()
    if declared not in (SEX_MALE, SEX_FEMALE):
        raise ValueError(f"sex must be {SEX_MALE!r} or {SEX_FEMALE!r}, not {sex!r}")
    return declared


# --- NIB ----------------------------------------------------------------------------------------

NIB_LENGTH = 13
_NIB_SEPARATORS = re.compile(rf"[\s{re.escape(_DASHES)}]")


def validate_nib(value: str) -> str:
    """Return a NIB (Nomor Induk Berusaha, issued by OSS) as its 13 digits.

    Spaces and dashes are ignored. Refusals: ``nib_empty``, ``nib_scientific_notation``,
    ``nib_characters``, ``nib_length``.
    """
    text = _as_text(value)
    if len(text) == NIB_LENGTH and _is_ascii_digits(text):
        return text
    compact = "".join(text.split())
    if _is_spreadsheet_number(compact, _NIB_DECIMAL):
        raise ValidationError(
            _(
                "A spreadsheet has turned this NIB into a number (shown as 9.12E+12 or "
                "9120001234567.0). Format the column as text and enter the NIB again."
            ),
            code="nib_scientific_notation",
        )
    nib = _NIB_SEPARATORS.sub("", compact)
    if not nib:
        raise ValidationError(_("The NIB is empty."), code="nib_empty")
    if not _is_ascii_digits(nib):
        raise ValidationError(
            _("A NIB may contain only digits (spaces and dashes are ignored)."),
            code="nib_characters",
        )
    if len(nib) != NIB_LENGTH:
        raise ValidationError(
            _("A NIB has 13 digits; this one has %(count)d."),
            code="nib_length",
            params={"count": len(nib)},
        )
    return nib


# --- KBLI 2020 ----------------------------------------------------------------------------------

KBLI_VERSION = "2020"
KBLI_LEVELS = ("kategori", "golongan_pokok", "golongan", "subgolongan", "kelompok")


@dataclass(frozen=True, slots=True)
class KbliEntry:
    """One code of KBLI 2020, Indonesia's standard classification of business activities.

    ``level`` is ``kategori`` (a letter, A–U), ``golongan_pokok`` (2 digits), ``golongan`` (3),
    ``subgolongan`` (4) or ``kelompok`` (5); ``section`` is the kategori letter; ``parent_code``
    the code one level up ("" for a kategori). A business's activity is always a kelompok.
    """

    code: str
    title: str
    section: str
    level: str
    parent_code: str


@cache
def _kbli() -> dict[str, KbliEntry]:
    with gzip.open(KBLI_FILE, "rt", encoding="utf-8", newline="") as file:
        return {
            row["code"]: KbliEntry(
                code=row["code"],
                title=row["title"],
                section=row["section"],
                level=row["level"],
                parent_code=row["parent_code"],
            )
            for row in csv.DictReader(file)
        }


@cache
def _kbli_levels() -> dict[str, str]:
    """Every known code and its level, including the golongan that the source list lacks but
    its children name as parent (151, 331, 511, 512, 662, 872)."""
    entries = _kbli()
    levels = {code: entry.level for code, entry in entries.items()}
    for entry in entries.values():
        parent = entry.parent_code
        if parent and parent not in levels and parent.isdigit():
            levels[parent] = KBLI_LEVELS[len(parent) - 1]
    return levels


def kbli_entry(code: str) -> KbliEntry | None:
    """The KBLI 2020 entry for ``code`` (``"62015"``, ``"62"``, ``"J"``), or None."""
    return _kbli().get(code)


def kbli_section(code: str) -> str:
    """The kategori letter of a KBLI 2020 code at any level: ``"C"`` for ``"10792"``.

    Raises ``KeyError`` for a code that is not in KBLI 2020.
    """
    entry = _kbli().get(code)
    if entry is None:
        # A golongan missing from the source list: its golongan pokok knows the section.
        if code in _kbli_levels():
            return _kbli()[code[:2]].section
        raise KeyError(code)
    return entry.section


_KBLI_LEVEL_MESSAGES = {
    "kategori": _("%(code)s is a kategori (a letter); choose a 5-digit KBLI code under it."),
    "golongan_pokok": _(
        "%(code)s is a golongan pokok (2 digits); choose a 5-digit KBLI code under it."
    ),
    "golongan": _("%(code)s is a golongan (3 digits); choose a 5-digit KBLI code under it."),
    "subgolongan": _("%(code)s is a subgolongan (4 digits); choose a 5-digit KBLI code under it."),
}


def validate_kbli(value: str) -> str:
    """Return a business activity's KBLI 2020 code: a 5-digit kelompok, leading zeros kept.

    Refusals: ``kbli_empty``, ``kbli_characters``, ``kbli_level`` (the code exists, at a level
    above kelompok; the message names the level), ``kbli_unknown`` (not in KBLI 2020; when a
    spreadsheet dropped the leading zero, as 1111 for 01111, the message names the likely code
    and ``params["suggestion"]`` holds it).
    """
    code = "".join(_as_text(value).split()).upper()
    if not code:
        raise ValidationError(_("The KBLI code is empty."), code="kbli_empty")
    level = _kbli_levels().get(code)
    if level == "kelompok":
        return code
    # A 4-digit value may be a kelompok that lost its leading zero in a spreadsheet.
    padded = "0" + code
    suggestion = _kbli().get(padded) if len(code) == 4 else None
    if suggestion is not None and suggestion.level != "kelompok":
        suggestion = None
    if level is not None:
        if suggestion is not None:
            raise ValidationError(
                _(
                    "%(code)s is a subgolongan (4 digits); choose a 5-digit KBLI code under "
                    "it. If a spreadsheet removed a leading 0, the code is %(suggestion)s "
                    "(%(title)s)."
                ),
                code="kbli_level",
                params={
                    "code": code,
                    "level": level,
                    "suggestion": padded,
                    "title": suggestion.title,
                },
            )
        raise ValidationError(
            _KBLI_LEVEL_MESSAGES[level], code="kbli_level", params={"code": code, "level": level}
        )
    if not _is_ascii_digits(code):
        raise ValidationError(
            _("A KBLI code may contain only digits (e.g. 62015)."), code="kbli_characters"
        )
    if suggestion is not None:
        raise ValidationError(
            _(
                "%(code)s is not a KBLI 2020 code; it is probably %(suggestion)s (%(title)s), "
                "whose leading 0 a spreadsheet removed. Format the column as text."
            ),
            code="kbli_unknown",
            params={"code": code, "suggestion": padded, "title": suggestion.title},
        )
    raise ValidationError(
        _(
            "%(code)s is not a KBLI 2020 code. A business activity is a 5-digit code from "
            "KBLI 2020 (e.g. 62015); codes from KBLI 2015 or 2017 must be converted."
        ),
        code="kbli_unknown",
        params={"code": code},
    )
