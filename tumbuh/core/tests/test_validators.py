import calendar
import collections
import csv
import dataclasses
import datetime
import gzip
import os
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from tumbuh.core import validators
from tumbuh.core.validators import (
    KbliEntry,
    NikCheck,
    _district_codes,
    kbli_entry,
    kbli_section,
    mask_phone,
    normalise_phone,
    region_level,
    validate_kbli,
    validate_nib,
    validate_nik,
    whatsapp_link,
)

NIK_CODES = {
    "nik_empty",
    "nik_scientific_notation",
    "nik_characters",
    "nik_length",
    "nik_district",
    "nik_birth_date",
    "nik_serial",
}
SEPARATORS = [" ", ".", "-", "\u00a0", "\t", "–", "—"]
SPREADSHEET_NIK = (
    "A spreadsheet has turned this NIK into a number (shown as 3.20401E+15 or "
    "3204011203850001.0) and kept only 15 of its 16 digits. Format the column as text and "
    "enter the NIK again."
)
ONLY_DIGITS_NIK = "A NIK may contain only digits (spaces, dots and dashes are ignored)."
DISTRICT_NIK = (
    "The first six digits of a NIK are the district where it was issued; "
    "%s is not a Kemendagri district code."
)
BIRTH_DATE_NIK = (
    "Digits 7 to 12 of a NIK are the birth date (DDMMYY, with 40 added to the day for women), "
    "and here they do not form a real date."
)
SERIAL_NIK = (
    "The last four digits of a NIK (the serial number) cannot be 0000. If the NIK came from a "
    "spreadsheet, its last digit may have been lost: format the column as text and enter the "
    "NIK again."
)
SPREADSHEET_NIB = (
    "A spreadsheet has turned this NIB into a number (shown as 9.12E+12 or 9120001234567.0). "
    "Format the column as text and enter the NIB again."
)
ONLY_DIGITS_NIB = "A NIB may contain only digits (spaces and dashes are ignored)."
ONLY_DIGITS_KBLI = "A KBLI code may contain only digits (e.g. 62015)."
UNKNOWN_KBLI = (
    "%s is not a KBLI 2020 code. A business activity is a 5-digit code from KBLI 2020 "
    "(e.g. 62015); codes from KBLI 2015 or 2017 must be converted."
)


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("(021) 555-1234", "+62215551234"),
        ("0812.3456.789", "+628123456789"),
    ],
)
def test_phone_numbers_written_any_common_way(written, e164):
    assert normalise_phone(written) == e164


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("", "phone_empty"),
        ("+1 415 555 0100", "phone_not_indonesian"),
        ("1234567", "phone_prefix"),
        ("0812-34a6-7890", "phone_characters"),
        ("0812", "phone_length"),
        ("08123456789012345", "phone_length"),
        ("+620812345678", "phone_length"),
    ],
)
def test_phone_numbers_refused_with_a_reason(written, code):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(written)
    assert refused.value.code == code


# Indonesian mobile numbers as libphonenumber knows them: 8, then any digit but 4 (no operator
# uses 084), then 7 to 10 digits.
MOBILE_NATIONAL = st.from_regex(r"8[1-35-9][0-9]{7,10}", fullmatch=True)


@given(MOBILE_NATIONAL, st.sampled_from(["0", "62", "+62", "+62 "]))
def test_every_prefix_of_a_mobile_number_gives_the_same_e164(national, prefix):
    assert normalise_phone(prefix + national) == "+62" + national


PHONE_INVALID = (
    "There is no such phone number in Indonesia: check the digits. A mobile number starts with "
    "08 and has 10 to 13 digits (e.g. 0812-3456-7890); a landline starts with its area code "
    "(e.g. 021-555-1234)."
)
PHONE_NOT_MOBILE = (
    "Enter a mobile number (it starts with 08, e.g. 0812-3456-7890); this one is a landline or "
    "service number."
)


@pytest.mark.parametrize(
    ("written", "code", "message"),
    [
        ("0841-2345-6789", "phone_invalid", PHONE_INVALID),  # no operator uses 084
        ("081234567", "phone_invalid", PHONE_INVALID),  # a mobile number has 9 to 12 digits after 0
        ("(0111) 234567", "phone_invalid", PHONE_INVALID),  # no area code 0111
        ("08١٢٣٤٥٦٧٨٩٠", "phone_characters", None),  # Arabic-Indic digits are not read as 0-9
    ],
)
def test_numbers_outside_the_numbering_plan_are_refused(written, code, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        normalise_phone(written)
    assert refused.value.code == code
    if message:
        assert english(refused.value) == message


@pytest.mark.parametrize(
    ("written", "e164"),
    [("(021) 555-1234", "+62215551234"), ("0800-1-234567", "+628001234567")],
)
def test_a_landline_or_service_number_is_not_a_mobile_number(written, e164):
    assert normalise_phone(written) == e164
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        normalise_phone(written, mobile=True)
    assert refused.value.code == "phone_not_mobile"
    assert english(refused.value) == PHONE_NOT_MOBILE
    assert refused.value.messages[0].startswith("Masukkan nomor ponsel")  # Indonesian first


def written_styles(national: str) -> list[str]:
    """The ways people write one mobile number, as the registry's partners and sellers do."""
    head, middle, tail = national[:3], national[3:7], national[7:]
    return [
        f"0{national}",
        f"0{head}-{middle}-{tail}",
        f"0{head} {middle} {tail}",
        f"0{head}.{middle}.{tail}",
        f"(0{head}) {middle}-{tail}",
        f"+62{national}",
        f"+62 {head} {middle} {tail}",
        f"+62 {head}-{middle}-{tail}",
        f"+62 ({head}) {middle} {tail}",
        f"62{national}",
        f"62 {head} {middle}{tail}",
        national,
        f" {head}-{middle}-{tail} ",
    ]


@given(MOBILE_NATIONAL)
def test_a_mobile_number_written_in_any_accepted_style_gives_one_e164(national):
    e164 = "+62" + national
    assert {normalise_phone(text, mobile=True) for text in written_styles(national)} == {e164}
    number = phonenumbers.parse(e164)
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


@given(st.from_regex(r"[2-9][0-9]{7,11}", fullmatch=True))
def test_formatting_a_number_then_reading_it_gives_the_number_back(national):
    number = phonenumbers.parse("+62" + national)
    assume(phonenumbers.is_valid_number(number))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert e164 == "+62" + national
    for style in (
        phonenumbers.PhoneNumberFormat.E164,
        phonenumbers.PhoneNumberFormat.NATIONAL,  # 0812-3456-7890, (021) 5551234
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,  # +62 812-3456-7890, +62 21 5551234
    ):
        assert normalise_phone(phonenumbers.format_number(number, style)) == e164


@given(st.from_regex(r"[1-9][0-9]{7,11}", fullmatch=True))
def test_only_what_libphonenumber_calls_mobile_is_accepted_as_mobile(national):
    number = phonenumbers.parse("+62" + national)
    kind = phonenumbers.number_type(number)
    try:
        e164 = normalise_phone("0" + national, mobile=True)
    except ValidationError as refused:
        assert kind != phonenumbers.PhoneNumberType.MOBILE
        expected = (
            "phone_invalid" if kind == phonenumbers.PhoneNumberType.UNKNOWN else "phone_not_mobile"
        )
        assert refused.code == expected
    else:
        assert kind == phonenumbers.PhoneNumberType.MOBILE
        assert e164 == "+62" + national


@given(st.text(max_size=20))
def test_normalise_phone_either_returns_e164_or_raises_validation_error(text):
    try:
        result = normalise_phone(text)
    except ValidationError:
        return
    assert result.startswith("+62")
    assert result[3:].isdigit()
    assert 8 <= len(result) - 3 <= 12


def test_whatsapp_link_is_the_e164_digits_with_the_text_prefilled():
    assert whatsapp_link("+6281234567890") == "https://wa.me/6281234567890"
    assert whatsapp_link("+6281234567890", "Pesan 2 × Keripik, pedas & manis?") == (
        "https://wa.me/6281234567890?text=Pesan%202%20%C3%97%20Keripik%2C%20pedas%20%26%20manis%3F"
    )
    for not_e164 in ["081234567890", "+62 812", ""]:
        with pytest.raises(ValueError, match=r"E\.164"):
            whatsapp_link(not_e164)


def test_mask_phone_hides_the_middle():
    assert mask_phone("+6281234567890") == "+62812*****890"


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("32", "province"),
        ("32.04", "regency"),
        ("32.04.12", "district"),
        ("32.04.12.2001", "village"),
    ],
)
def test_region_levels(code, level):
    assert region_level(code) == level


@pytest.mark.parametrize("code", ["3", "32.4", "32.04.1", "32-04", "Jawa Barat", ""])
def test_region_codes_refused(code):
    with pytest.raises(ValidationError):
        region_level(code)


# --- reference data, read here independently of the validators ----------------------------------

TUMBUH = Path(__file__).resolve().parents[2]


def _shipped_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


DISTRICTS = sorted(row["code"] for row in _shipped_rows(TUMBUH / "regions/data/districts.csv.gz"))
DISTRICT_DIGITS = frozenset(code.replace(".", "") for code in DISTRICTS)
KBLI_ROWS = _shipped_rows(TUMBUH / "core/data/kbli_2020.csv.gz")
KBLI_LEVEL_OF = {row["code"]: row["level"] for row in KBLI_ROWS}
KELOMPOK = sorted(code for code, level in KBLI_LEVEL_OF.items() if level == "kelompok")
ABOVE_KELOMPOK = sorted(code for code, level in KBLI_LEVEL_OF.items() if level != "kelompok")
# Six golongan are missing from the source list but named as parent by their children.
MISSING_GOLONGAN = {
    row["parent_code"]: "golongan"
    for row in KBLI_ROWS
    if row["parent_code"] and row["parent_code"] not in KBLI_LEVEL_OF
}

# A fixed "today" makes the century of a two-digit year deterministic.
TODAY = datetime.date(2026, 5, 20)


def refusal(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call(*args, **kwargs)
    return refused.value


def english(error: ValidationError) -> str:
    """The message as an English reader sees it (the default language is Indonesian)."""
    with translation.override("en"):
        return error.messages[0]


def make_nik(district: str, born: datetime.date, sex: str, serial: int = 1) -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"{district.replace('.', '')}{day:02d}{born:%m}{born.year % 100:02d}{serial:04d}"


# --- NIK ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "nik", "district_code", "birth_date", "sex"),
    [
        ("3201011203850001", "3201011203850001", "32.01.01", datetime.date(1985, 3, 12), "L"),
        ("3201015203850001", "3201015203850001", "32.01.01", datetime.date(1985, 3, 12), "P"),
        ("3201014101000123", "3201014101000123", "32.01.01", datetime.date(2000, 1, 1), "P"),
        ("5301047112990042", "5301047112990042", "53.01.04", datetime.date(1999, 12, 31), "P"),
        ("9103012902000007", "9103012902000007", "91.03.01", datetime.date(2000, 2, 29), "L"),
        ("3201 0112 0385 0001", "3201011203850001", "32.01.01", datetime.date(1985, 3, 12), "L"),
        ("3201.0112.0385.0001", "3201011203850001", "32.01.01", datetime.date(1985, 3, 12), "L"),
        ("32-01-01-120385-0001", "3201011203850001", "32.01.01", datetime.date(1985, 3, 12), "L"),
        (
            "32.01.01 – 120385\u00a00001",
            "3201011203850001",
            "32.01.01",
            datetime.date(1985, 3, 12),
            "L",
        ),
        (" 3201011203850001\n", "3201011203850001", "32.01.01", datetime.date(1985, 3, 12), "L"),
        # A dot between digit groups, not a decimal point: a float has all 16 digits before it.
        ("3201011203851.000", "3201011203851000", "32.01.01", datetime.date(1985, 3, 12), "L"),
    ],
)
def test_nik_is_read_from_its_digits(written, nik, district_code, birth_date, sex):
    assert validate_nik(written, today=TODAY) == NikCheck(
        nik=nik, district_code=district_code, birth_date=birth_date, sex=sex, flags=()
    )


@pytest.mark.parametrize(
    ("written", "code", "message"),
    [
        ("", "nik_empty", "The NIK is empty."),
        ("   ", "nik_empty", "The NIK is empty."),
        (" - . ", "nik_empty", "The NIK is empty."),
        (None, "nik_empty", "The NIK is empty."),
        ("3.20101E+15", "nik_scientific_notation", SPREADSHEET_NIK),
        ("3,20101E+15", "nik_scientific_notation", SPREADSHEET_NIK),
        ("3.2010112038500E+15", "nik_scientific_notation", SPREADSHEET_NIK),
        ("3201011203850001.0", "nik_scientific_notation", SPREADSHEET_NIK),
        ("3201011203850000,00", "nik_scientific_notation", SPREADSHEET_NIK),
        (3201011203850001.0, "nik_scientific_notation", SPREADSHEET_NIK),
        ("NIK 3201011203850001", "nik_characters", ONLY_DIGITS_NIK),
        ("'3201011203850001", "nik_characters", ONLY_DIGITS_NIK),
        ("3201O11203850001", "nik_characters", ONLY_DIGITS_NIK),
        ("3201/01/120385/0001", "nik_characters", ONLY_DIGITS_NIK),
        ("٣٢٠١٠١١٢٠٣٨٥٠٠٠١", "nik_characters", ONLY_DIGITS_NIK),
        ("320101120385001", "nik_length", "A NIK has 16 digits; this one has 15."),
        ("32010112038500011", "nik_length", "A NIK has 16 digits; this one has 17."),
        ("1", "nik_length", "A NIK has 16 digits; this one has 1."),
        ("9999011203850001", "nik_district", DISTRICT_NIK % "99.99.01"),
        ("3201991203850001", "nik_district", DISTRICT_NIK % "32.01.99"),
        # 32.04.01 was a district of Kabupaten Bandung; today's list no longer has it.
        ("3204011203850001", "nik_district", DISTRICT_NIK % "32.04.01"),
        ("3201013002850001", "nik_birth_date", BIRTH_DATE_NIK),  # 30 February
        ("3201017002850001", "nik_birth_date", BIRTH_DATE_NIK),  # 30 February, a woman
        ("3201012902850001", "nik_birth_date", BIRTH_DATE_NIK),  # 29 February 1985
        ("3201010003850001", "nik_birth_date", BIRTH_DATE_NIK),  # day 00
        ("3201013501850001", "nik_birth_date", BIRTH_DATE_NIK),  # day 35: neither man nor woman
        ("3201017201850001", "nik_birth_date", BIRTH_DATE_NIK),  # day 72 = 32 for a woman
        ("3201011200850001", "nik_birth_date", BIRTH_DATE_NIK),  # month 00
        ("3201011213850001", "nik_birth_date", BIRTH_DATE_NIK),  # month 13
        ("3201011203850000", "nik_serial", SERIAL_NIK),
    ],
)
def test_nik_refused_with_a_plain_reason(written, code, message):
    error = refusal(validate_nik, written, today=TODAY)
    assert error.code == code
    assert english(error) == message


@pytest.mark.parametrize(
    ("nik", "today", "birth_date"),
    [
        ("3201010101260001", datetime.date(2026, 1, 1), datetime.date(2026, 1, 1)),
        ("3201010201260001", datetime.date(2026, 1, 1), datetime.date(1926, 1, 2)),
        ("3201013112250001", datetime.date(2026, 1, 1), datetime.date(2025, 12, 31)),
        ("3201010101270001", datetime.date(2026, 1, 1), datetime.date(1927, 1, 1)),
        ("3201010101000001", datetime.date(2026, 1, 1), datetime.date(2000, 1, 1)),
        ("3201010101990001", datetime.date(2026, 1, 1), datetime.date(1999, 1, 1)),
        # On a date before 2000 (an old file's reference date) every year is 19YY.
        ("3201012902000001", datetime.date(2000, 2, 29), datetime.date(2000, 2, 29)),
    ],
)
def test_nik_year_is_20yy_unless_that_day_is_still_to_come(nik, today, birth_date):
    assert validate_nik(nik, today=today).birth_date == birth_date


def test_nik_on_29_february_00_before_2000_is_refused_because_1900_was_not_a_leap_year():
    error = refusal(validate_nik, "3201012902000001", today=datetime.date(1999, 12, 31))
    assert error.code == "nik_birth_date"


def test_nik_century_uses_the_current_date_by_default():
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=1)
    assert validate_nik(make_nik("32.01.01", today, "L")).birth_date == today
    assert validate_nik(make_nik("32.01.01", tomorrow, "L")).birth_date == datetime.date(
        tomorrow.year - 100, tomorrow.month, tomorrow.day
    )


def test_a_declared_birth_date_that_agrees_decides_the_century():
    # An elderly owner born in 1920: the NIK alone would say 2020.
    assert validate_nik("3201010101200001", today=TODAY).birth_date == datetime.date(2020, 1, 1)
    checked = validate_nik(
        "3201010101200001", birth_date=datetime.date(1920, 1, 1), sex="L", today=TODAY
    )
    assert checked.birth_date == datetime.date(1920, 1, 1)
    assert checked.flags == ()


@pytest.mark.parametrize(
    ("nik", "birth_date", "sex", "flags"),
    [
        ("3201011203850001", datetime.date(1985, 3, 12), "L", ()),
        ("3201015203850001", datetime.date(1985, 3, 12), "P", ()),
        ("3201015203850001", datetime.date(1985, 3, 12), "p", ()),
        ("3201015203850001", datetime.date(1985, 3, 12), " P ", ()),
        ("3201011203850001", None, None, ()),
        ("3201011203850001", None, "", ()),
        ("3201011203850001", datetime.date(1985, 3, 13), "L", ("birth_date_mismatch",)),
        ("3201011203850001", datetime.date(1958, 3, 12), None, ("birth_date_mismatch",)),
        ("3201011203850001", datetime.date(1985, 12, 3), None, ("birth_date_mismatch",)),
        ("3201011203850001", None, "P", ("sex_mismatch",)),
        ("3201015203850001", None, "L", ("sex_mismatch",)),
        (
            "3201015203850001",
            datetime.date(1986, 3, 12),
            "L",
            ("birth_date_mismatch", "sex_mismatch"),
        ),
        # A datetime is compared by its date.
        ("3201011203850001", datetime.datetime(1985, 3, 12, 8, 30), "L", ()),
    ],
)
def test_nik_that_disagrees_with_the_person_is_flagged_not_refused(nik, birth_date, sex, flags):
    checked = validate_nik(nik, birth_date=birth_date, sex=sex, today=TODAY)
    assert checked.flags == flags
    assert checked.nik == nik
    # What the NIK says is reported as it is; the flags say the declaration differs.
    assert checked.sex == ("P" if nik[6] >= "4" else "L")


def test_flagged_nik_keeps_what_its_digits_say():
    checked = validate_nik(
        "3201015203850001", birth_date=datetime.date(1990, 1, 1), sex="L", today=TODAY
    )
    assert checked == NikCheck(
        nik="3201015203850001",
        district_code="32.01.01",
        birth_date=datetime.date(1985, 3, 12),
        sex="P",
        flags=("birth_date_mismatch", "sex_mismatch"),
    )


@pytest.mark.parametrize("sex", ["M", "F", "Laki-laki", "perempuan", "X"])
def test_declared_sex_other_than_l_or_p_is_a_programming_error(sex):
    with pytest.raises(ValueError, match="sex must be 'L' or 'P'"):
        validate_nik("3201011203850001", sex=sex, today=TODAY)


def test_nik_check_is_immutable():
    checked = validate_nik("3201011203850001", today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked.sex = "P"


def test_every_shipped_district_is_accepted():
    born = datetime.date(1985, 3, 12)
    for district in DISTRICTS:
        assert validate_nik(make_nik(district, born, "L"), today=TODAY).district_code == district
    assert len(DISTRICTS) == 7285


def test_district_codes_are_read_once():
    assert _district_codes() is _district_codes()
    assert len(_district_codes()) == len(DISTRICTS)


def test_validators_need_neither_database_nor_settings_nor_the_regions_app():
    # Imports check partners' files before anything is written, and resolve_file works on a
    # file alone. This test has no database access (pytest-django would refuse it); the
    # subprocess below also runs without Django settings and proves core does not import regions.
    script = (
        "import sys\n"
        "from django.core.exceptions import ValidationError\n"
        "from tumbuh.core.validators import validate_kbli, validate_nib, validate_nik\n"
        "assert validate_nik('3201011203850001').district_code == '32.01.01'\n"
        "assert validate_nib('9120001234567') == '9120001234567'\n"
        "assert validate_kbli('62015') == '62015'\n"
        "try:\n"
        "    validate_nik('3201011203850000')\n"
        "except ValidationError as error:\n"
        "    assert error.code == 'nik_serial'\n"
        "assert not [name for name in sys.modules if name.startswith('tumbuh.regions')]\n"
        "assert 'django.db.models' not in sys.modules\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(  # noqa: S603 - this Python, a fixed script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# A valid NIK, as a partner would send it, with what it must read as.
districts = st.sampled_from(DISTRICTS)
sexes = st.sampled_from(["L", "P"])
serials = st.integers(min_value=1, max_value=9999)
# The hundred years in which a two-digit year means one date: after TODAY a century ago.
birth_dates = st.dates(
    min_value=datetime.date(TODAY.year - 100, TODAY.month, TODAY.day + 1), max_value=TODAY
)


@st.composite
def valid_niks(draw):
    district, born, sex = draw(districts), draw(birth_dates), draw(sexes)
    return make_nik(district, born, sex, draw(serials)), district, born, sex


@given(valid_niks())
def test_valid_niks_round_trip(case):
    nik, district, born, sex = case
    assert validate_nik(nik, today=TODAY) == NikCheck(
        nik=nik, district_code=district, birth_date=born, sex=sex, flags=()
    )
    assert validate_nik(nik, birth_date=born, sex=sex, today=TODAY).flags == ()


@given(districts, st.dates(max_value=TODAY), sexes, serials)
def test_any_declared_birth_date_round_trips_whatever_the_century(district, born, sex, serial):
    checked = validate_nik(make_nik(district, born, sex, serial), birth_date=born, today=TODAY)
    assert (checked.birth_date, checked.sex, checked.flags) == (born, sex, ())


@given(valid_niks(), st.lists(st.tuples(st.integers(0, 16), st.sampled_from(SEPARATORS))))
def test_separators_anywhere_change_nothing(case, insertions):
    nik = case[0]
    written = nik
    for position, separator in insertions:
        written = written[:position] + separator + written[position:]
    assert validate_nik(written, today=TODAY).nik == nik


@given(valid_niks(), st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_unknown_district_is_refused(case, district):
    assume(district not in DISTRICT_DIGITS)
    error = refusal(validate_nik, district + case[0][6:], today=TODAY)
    assert error.code == "nik_district"
    assert error.params == {"district": f"{district[:2]}.{district[2:4]}.{district[4:]}"}


def _is_calendar_date(encoded_day: int, month: int, year: int) -> bool:
    day = encoded_day - 40 if encoded_day > 40 else encoded_day
    # 2000 + YY has the leap years of the NIK's century window (2000 itself was one).
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000 + year, month)[1]


@given(
    valid_niks(),
    st.integers(0, 99),
    st.one_of(st.integers(1, 12), st.integers(0, 99)),
    st.integers(0, 99),
)
def test_birth_date_digits_are_refused_exactly_when_they_are_no_date(case, day, month, year):
    nik = f"{case[0][:6]}{day:02d}{month:02d}{year:02d}{case[0][12:]}"
    if _is_calendar_date(day, month, year):
        checked = validate_nik(nik, today=TODAY)
        assert checked.sex == ("P" if day > 40 else "L")
        assert (checked.birth_date.day, checked.birth_date.month) == (day % 40 or 40, month)
    else:
        assert refusal(validate_nik, nik, today=TODAY).code == "nik_birth_date"


@given(valid_niks())
def test_serial_0000_is_refused(case):
    assert refusal(validate_nik, case[0][:12] + "0000", today=TODAY).code == "nik_serial"


@given(valid_niks(), st.integers(0, 15), st.sampled_from("0123456789"), st.booleans())
def test_one_digit_too_many_or_too_few_is_refused(case, position, digit, is_insertion):
    nik = case[0]
    if is_insertion:
        written = nik[:position] + digit + nik[position:]
    else:
        written = nik[:position] + nik[position + 1 :]
    error = refusal(validate_nik, written, today=TODAY)
    assert error.code == "nik_length"
    assert error.params == {"count": len(written)}


# Every dash the validator ignores (hyphen, figure dash, minus sign…) is a separator too.
not_a_digit_or_separator = st.characters(
    exclude_characters="0123456789.,-" + "".join(SEPARATORS) + validators._DASHES,
    exclude_categories=["Zs", "Cc"],
).filter(lambda character: not character.isspace())


@given(valid_niks(), st.integers(0, 15), not_a_digit_or_separator)
def test_any_other_character_is_refused(case, position, character):
    nik = case[0]
    written = nik[:position] + character + nik[position + 1 :]
    assert refusal(validate_nik, written, today=TODAY).code == "nik_characters"


@given(st.one_of(st.text(), st.from_regex(r"[0-9 .,eE+\-]{0,24}", fullmatch=True)))
def test_arbitrary_text_gives_a_nik_check_or_a_validation_error(text):
    try:
        checked = validate_nik(text, today=TODAY)
    except ValidationError as error:
        assert error.code in NIK_CODES
        assert english(error)
        return
    assert len(checked.nik) == 16
    assert checked.nik.isascii()
    assert checked.nik.isdigit()


@given(valid_niks(), st.sampled_from(["district", "birth_date", "serial"]))
def test_refusals_never_repeat_the_nik(case, broken):
    nik = case[0]
    written = {
        "district": "999999" + nik[6:],
        "birth_date": nik[:6] + "320185" + nik[12:],
        "serial": nik[:12] + "0000",
    }[broken]
    message = english(refusal(validate_nik, written, today=TODAY))
    assert written not in message
    assert written[6:] not in message
    assert written[6:12] not in message


# --- NIB ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "nib"),
    [
        ("9120001234567", "9120001234567"),
        ("0220001234567", "0220001234567"),
        (" 9120001234567 ", "9120001234567"),
        ("9120 0012 34567", "9120001234567"),
        ("912-000-1234-567", "9120001234567"),
        (9120001234567, "9120001234567"),
    ],
)
def test_nib_accepted(written, nib):
    assert validate_nib(written) == nib


@pytest.mark.parametrize(
    ("written", "code", "message"),
    [
        ("", "nib_empty", "The NIB is empty."),
        (" - ", "nib_empty", "The NIB is empty."),
        (None, "nib_empty", "The NIB is empty."),
        ("9.12E+12", "nib_scientific_notation", SPREADSHEET_NIB),
        ("9,12E+12", "nib_scientific_notation", SPREADSHEET_NIB),
        ("9120001234567.0", "nib_scientific_notation", SPREADSHEET_NIB),
        (9120001234567.0, "nib_scientific_notation", SPREADSHEET_NIB),
        ("NIB9120001234567", "nib_characters", ONLY_DIGITS_NIB),
        ("9120.001.234.567", "nib_characters", ONLY_DIGITS_NIB),
        ("912000123456", "nib_length", "A NIB has 13 digits; this one has 12."),
        ("91200012345678", "nib_length", "A NIB has 13 digits; this one has 14."),
        ("3201011203850001", "nib_length", "A NIB has 13 digits; this one has 16."),
    ],
)
def test_nib_refused_with_a_plain_reason(written, code, message):
    error = refusal(validate_nib, written)
    assert error.code == code
    assert english(error) == message


@given(
    st.from_regex(r"[0-9]{13}", fullmatch=True),
    st.lists(st.tuples(st.integers(0, 13), st.sampled_from([" ", "-", "\u00a0", "–"]))),
)
def test_nib_digits_survive_spaces_and_dashes(nib, insertions):
    written = nib
    for position, separator in insertions:
        written = written[:position] + separator + written[position:]
    assert validate_nib(written) == nib


@given(st.from_regex(r"[0-9]{1,30}", fullmatch=True))
def test_nib_of_any_other_length_is_refused(digits):
    assume(len(digits) != 13)
    error = refusal(validate_nib, digits)
    assert (error.code, error.params) == ("nib_length", {"count": len(digits)})


@given(st.one_of(st.text(), st.from_regex(r"[0-9 .,eE+\-]{0,20}", fullmatch=True)))
def test_arbitrary_text_gives_a_nib_or_a_validation_error(text):
    try:
        nib = validate_nib(text)
    except ValidationError as error:
        assert error.code in {
            "nib_empty",
            "nib_characters",
            "nib_length",
            "nib_scientific_notation",
        }
        return
    assert len(nib) == 13
    assert nib.isascii()
    assert nib.isdigit()


# --- KBLI 2020 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("62015", "62015"),
        ("01111", "01111"),
        (" 47911 ", "47911"),
        ("10792", "10792"),
        ("56102", "56102"),
        ("63122", "63122"),
        (56102, "56102"),
    ],
)
def test_kbli_kelompok_accepted(written, code):
    assert validate_kbli(written) == code


@pytest.mark.parametrize(
    ("written", "code", "message", "params"),
    [
        ("", "kbli_empty", "The KBLI code is empty.", None),
        ("  ", "kbli_empty", "The KBLI code is empty.", None),
        (None, "kbli_empty", "The KBLI code is empty.", None),
        ("62O15", "kbli_characters", ONLY_DIGITS_KBLI, None),
        ("62015.0", "kbli_characters", ONLY_DIGITS_KBLI, None),
        ("KBLI 62015", "kbli_characters", ONLY_DIGITS_KBLI, None),
        (
            "G",
            "kbli_level",
            "G is a kategori (a letter); choose a 5-digit KBLI code under it.",
            {"code": "G", "level": "kategori"},
        ),
        (
            "c",
            "kbli_level",
            "C is a kategori (a letter); choose a 5-digit KBLI code under it.",
            {"code": "C", "level": "kategori"},
        ),
        (
            "62",
            "kbli_level",
            "62 is a golongan pokok (2 digits); choose a 5-digit KBLI code under it.",
            {"code": "62", "level": "golongan_pokok"},
        ),
        (
            "479",
            "kbli_level",
            "479 is a golongan (3 digits); choose a 5-digit KBLI code under it.",
            {"code": "479", "level": "golongan"},
        ),
        (
            # A golongan the source list lacks, known from its children.
            "151",
            "kbli_level",
            "151 is a golongan (3 digits); choose a 5-digit KBLI code under it.",
            {"code": "151", "level": "golongan"},
        ),
        (
            "4791",
            "kbli_level",
            "4791 is a subgolongan (4 digits); choose a 5-digit KBLI code under it.",
            {"code": "4791", "level": "subgolongan"},
        ),
        (
            "1411",
            "kbli_level",
            "1411 is a subgolongan (4 digits); choose a 5-digit KBLI code under it. If a "
            "spreadsheet removed a leading 0, the code is 01411 (PEMBIBITAN DAN BUDIDAYA SAPI "
            "POTONG).",
            {
                "code": "1411",
                "level": "subgolongan",
                "suggestion": "01411",
                "title": "PEMBIBITAN DAN BUDIDAYA SAPI POTONG",
            },
        ),
        (
            "1111",
            "kbli_unknown",
            "1111 is not a KBLI 2020 code; it is probably 01111 (PERTANIAN JAGUNG), whose "
            "leading 0 a spreadsheet removed. Format the column as text.",
            {"code": "1111", "suggestion": "01111", "title": "PERTANIAN JAGUNG"},
        ),
        ("99999", "kbli_unknown", UNKNOWN_KBLI % "99999", {"code": "99999"}),
        ("99000", "kbli_unknown", UNKNOWN_KBLI % "99000", {"code": "99000"}),
        ("620151", "kbli_unknown", UNKNOWN_KBLI % "620151", {"code": "620151"}),
        ("0", "kbli_unknown", UNKNOWN_KBLI % "0", {"code": "0"}),
    ],
)
def test_kbli_refused_with_a_plain_reason(written, code, message, params):
    error = refusal(validate_kbli, written)
    assert error.code == code
    assert english(error) == message
    assert error.params == params


def test_kbli_list_is_complete():
    assert sorted(MISSING_GOLONGAN) == ["151", "331", "511", "512", "662", "872"]
    levels = collections.Counter(KBLI_LEVEL_OF.values())
    assert levels == {
        "kategori": 21,
        "golongan_pokok": 88,
        "golongan": 239,
        "subgolongan": 567,
        "kelompok": 1790,
    }


@pytest.mark.parametrize(
    ("code", "entry"),
    [
        ("62015", KbliEntry("62015", "AKTIVITAS PEMROGRAMAN BERBASIS KECERDASAN ARTIFISIAL", "J", "kelompok", "6201")),
        ("01111", KbliEntry("01111", "PERTANIAN JAGUNG", "A", "kelompok", "0111")),
        ("011", KbliEntry("011", "PERTANIAN TANAMAN SEMUSIM", "A", "golongan", "01")),
        ("G", KbliEntry("G", "PERDAGANGAN BESAR DAN ECERAN; REPARASI DAN PERAWATAN MOBIL DAN SEPEDA MOTOR", "G", "kategori", "")),
    ],
)  # fmt: skip
def test_kbli_entry(code, entry):
    assert kbli_entry(code) == entry


@pytest.mark.parametrize("code", ["1111", "99000", "151", "", "g", "KBLI"])
def test_kbli_entry_of_a_code_not_in_the_list_is_none(code):
    assert kbli_entry(code) is None


@pytest.mark.parametrize(
    ("code", "section"),
    [("10792", "C"), ("33200", "C"), ("62015", "J"), ("01111", "A"), ("56", "I"), ("C", "C"), ("151", "C")],
)  # fmt: skip
def test_kbli_section(code, section):
    assert kbli_section(code) == section


def test_processing_industry_is_section_c_from_10_to_33():
    for code in KELOMPOK:
        assert (kbli_section(code) == "C") == (10 <= int(code[:2]) <= 33)


@pytest.mark.parametrize("code", ["99999", "1111", "", "c"])
def test_kbli_section_of_an_unknown_code_raises_key_error(code):
    with pytest.raises(KeyError):
        kbli_section(code)


def test_every_kelompok_is_accepted():
    assert [code for code in KELOMPOK if validate_kbli(code) != code] == []


def test_every_code_above_kelompok_is_refused_naming_its_level():
    for code in ABOVE_KELOMPOK:
        error = refusal(validate_kbli, code)
        assert error.code == "kbli_level"
        assert english(error).startswith(f"{code} is a {KBLI_LEVEL_OF[code].replace('_', ' ')} (")


@given(st.from_regex(r"[0-9]{1,6}", fullmatch=True))
def test_digits_are_a_kelompok_another_level_or_unknown(digits):
    level = KBLI_LEVEL_OF.get(digits) or MISSING_GOLONGAN.get(digits)
    if level == "kelompok":
        assert validate_kbli(digits) == digits
    else:
        assert refusal(validate_kbli, digits).code == ("kbli_level" if level else "kbli_unknown")


@given(st.sampled_from([code for code in KELOMPOK if code.startswith("0")]))
def test_kelompok_that_lost_its_leading_zero_is_refused_with_the_likely_code(code):
    error = refusal(validate_kbli, code[1:])
    assert error.code == ("kbli_level" if code[1:] in KBLI_LEVEL_OF else "kbli_unknown")
    assert error.params["suggestion"] == code
    assert code in english(error)


@given(st.one_of(st.text(), st.from_regex(r"[0-9A-Za-z ]{0,8}", fullmatch=True)))
def test_arbitrary_text_gives_a_kelompok_or_a_validation_error(text):
    try:
        code = validate_kbli(text)
    except ValidationError as error:
        assert error.code in {"kbli_empty", "kbli_characters", "kbli_level", "kbli_unknown"}
        assert english(error)
        return
    assert KBLI_LEVEL_OF[code] == "kelompok"
