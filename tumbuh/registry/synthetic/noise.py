"""How real partner lists differ from the truth: the variants of good rows, and the bad rows.

Good-row noise keeps a row valid (the importer accepts it) but makes it harder to match:
phone formats, a missing NIK, a NIK with one mistyped serial digit, business names with a legal
or trade prefix added or dropped, old spelling (oe/dj/tj), typos, honorifics and abbreviated
owner names, villages with typos. The rates are in :class:`NoiseRates`; each partner scales them
by its ``noise`` factor (a "clean" partner by 0.3).

Bad rows have exactly one defect of a known kind (:data:`BAD_REASONS`), one that the validators
in ``tumbuh.core.validators`` and the import refuse.
"""

import datetime
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz

from tumbuh.registry.synthetic.businesses import KIND_UMKM, BusinessName, strip_desa
from tumbuh.registry.synthetic.people import SEX_FEMALE, Person


@dataclass(frozen=True)
class NoiseRates:
    """Per good row, the chance of each kind of noise at noise factor 1.0.

    A partner multiplies every rate by its ``noise`` factor (the default "clean" partner 0.3, the
    messiest 1.3). Rates are independent, so a row may carry several kinds at once.
    """

    # The NIK cell is empty
    nik_missing: float = 0.08
    # One digit of the serial (last four) mistyped: still valid, no longer equal
    nik_typo: float = 0.02
    # The phone cell is empty
    phone_missing: float = 0.02
    # A legal or trade word added, dropped or swapped ("CV", "Toko", "Warung")
    name_form: float = 0.22
    # "Sumber Rejeki" → "Soember Redjeki" (Java, Sumatra, Kalimantan, Sulawesi names)
    name_old_spelling: float = 0.04
    # One letter dropped, doubled, swapped or two words joined
    name_typo: float = 0.04
    # Written all upper or all lower case
    name_case: float = 0.08
    # "Ibu Sri Rahayu", "H. Slamet", "Bapak Tigor Simanjuntak"
    owner_honorific: float = 0.15
    # "Sri R.", "M. Arif", "Wayan Sudarma" for "I Wayan Sudarma"
    owner_abbreviation: float = 0.08
    # An academic title after the name: ", S.Pd."
    owner_title: float = 0.02
    owner_typo: float = 0.03
    # Only where the misspelt name still clearly points at the village
    village_typo: float = 0.04
    # "Desa Sukamaju", "Kel. Cempaka Putih"
    village_prefix: float = 0.12
    district_typo: float = 0.01
    # "Kec. Cibiru"
    district_prefix: float = 0.15
    # "3204122001" instead of "32.04.12.2001"
    village_code_plain: float = 0.10
    kbli_missing: float = 0.08
    # The business has a NIB, the partner did not write it
    nib_missing: float = 0.20
    email_missing: float = 0.20
    # "Jalan" for "Jl.", "RT 3 RW 5", the village appended
    address_variant: float = 0.35
    address_missing: float = 0.04
    # The business is listed twice in the same file, written differently
    repeat_in_file: float = 0.006


DEFAULT_RATES = NoiseRates()

# One kind of defect per bad row; the importer must refuse each with a plain reason.
BAD_REASONS = (
    "nik_length",  # 15 or 17 digits
    "nik_characters",  # a letter among the digits ("O" for 0)
    "nik_serial_zero",  # serial 0000
    "nik_birth_date",  # digits 7–12 are no date (month 13, day 00 or 35)
    "nik_district",  # the first six digits are no district
    "nik_spreadsheet_number",  # "3,20401E+15" in a CSV saved from Excel (Excel-CSV partners only)
    "unknown_village",  # a housing estate, "-" or a village code that does not exist
    "empty_business_name",
    "malformed_phone",  # too short, too long, a letter, not Indonesian
    "invalid_kbli",  # not five digits
)

# --- text helpers -------------------------------------------------------------------------------

_OLD_SPELLING = {
    "j": "dj",
    "J": "Dj",
    "y": "j",
    "Y": "J",
    "c": "tj",
    "C": "Tj",
    "u": "oe",
    "U": "Oe",
}
_SIMILAR = {"a": "e", "e": "a", "i": "e", "o": "u", "u": "o", "n": "m", "m": "n", "s": "z", "k": "g", "g": "k", "t": "d", "d": "t", "r": "l", "l": "r", "b": "p", "p": "b"}  # fmt: skip
OLD_SPELLING_CLUSTERS = frozenset(
    {"javanese", "sundanese", "malay", "minang", "banjar", "sasak", "bugis"}
)


def old_spelling(text: str) -> str:
    """Van Ophuijsen spelling, as on old signboards: 'Suka Jaya' → 'Soeka Djaja'."""
    words = []
    for word in text.split(" "):
        if len(word) <= 3 or not word[1:].islower():  # "CV", "BumDes", "KSP" stay as they are
            words.append(word)
        else:
            words.append("".join(_OLD_SPELLING.get(ch, ch) for ch in word))
    return " ".join(words)


def typo(rng: random.Random, text: str) -> str:
    """One slip of the hand in a word of four letters or more (never the first letter)."""
    words = text.split(" ")
    candidates = [
        i
        for i, word in enumerate(words)
        if len(word) >= 4 and word.isalpha() and not word.isupper()
    ]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    roll = rng.random()
    position = rng.randrange(1, len(word) - 1)
    if roll < 0.15 and index + 1 < len(words) and words[index + 1][:1].isalpha():
        # Two words written as one: "Maju Jaya" → "Majujaya".
        words[index : index + 2] = [word + words[index + 1].lower()]
        return " ".join(words)
    if roll < 0.4:
        word = word[:position] + word[position + 1 :]  # a letter dropped
    elif roll < 0.6:
        word = word[:position] + word[position] + word[position:]  # a letter doubled
    elif roll < 0.8:
        word = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    else:
        letter = word[position]
        replacement = _SIMILAR.get(letter.lower(), "a")
        word = word[:position] + replacement + word[position + 1 :]
    words[index] = word
    return " ".join(words)


def change_case(rng: random.Random, text: str) -> str:
    return text.upper() if rng.random() < 0.7 else text.lower()


# --- business names -----------------------------------------------------------------------------

_HONORIFIC_VARIANTS = {
    "Bu": ("Ibu", ""),
    "Pak": ("Bapak", "Bpk", ""),
    "Mbak": ("Mba", "Mbak"),
    "Mas": ("", "Mas"),
    "Mbok": ("Mbok", ""),
}


def business_name(
    rng: random.Random, name: BusinessName, factor: float, rates: NoiseRates, *, cluster_key: str
) -> str:
    """The business name as one partner writes it."""
    archetype = name.archetype
    parts = {}
    if rng.random() < rates.name_form * factor:
        roll = rng.random()
        has_words = bool(name.core or name.call)
        if name.legal and roll < 0.5:
            style = rng.random()
            if style < 0.55:
                parts["legal"] = ""
            elif style < 0.8:
                parts["legal"] = name.legal + "."
            else:
                # "Sumber Rejeki, CV": the form written after the name, as in official lists.
                text = name.text(legal="")
                return _finish(rng, f"{text}, {name.legal}", factor, rates, cluster_key)
        elif name.tail and roll < 0.8:
            village = name.tail.removeprefix("Desa ")
            parts["tail"] = rng.choice(("", f"Ds. {village}", village, ""))
            if rng.random() < 0.5:
                parts["head"] = rng.choice(archetype.heads[1:])
        elif name.honorific and roll < 0.45:
            parts["honorific"] = rng.choice(_HONORIFIC_VARIANTS.get(name.honorific, ("",)))
        elif archetype.kind == KIND_UMKM and not name.legal and roll < 0.6 and name.core:
            parts["legal"] = rng.choice(("UD", "UD", "CV", "Toko", "Usaha"))
            if parts["legal"] in ("Toko", "Usaha"):
                parts["head"] = ""
        elif name.head:
            choices = list(archetype.heads[1:])
            if name.core:  # "Sumber Rejeki" alone still names the shop; "Bu Sri" alone does not
                choices.append("")
            parts["head"] = rng.choice(choices)
        elif has_words:
            parts["head"] = rng.choice(archetype.heads)
    text = name.text(**parts)
    if not any(ch.isalpha() for ch in text.replace(name.legal, "")):
        text = name.text()
    return _finish(rng, text, factor, rates, cluster_key)


def _finish(rng, text, factor, rates, cluster_key):
    if cluster_key in OLD_SPELLING_CLUSTERS and rng.random() < rates.name_old_spelling * factor:
        text = old_spelling(text)
    if rng.random() < rates.name_typo * factor:
        text = typo(rng, text)
    if rng.random() < rates.name_case * factor:
        text = change_case(rng, text)
    return text


# --- owner names --------------------------------------------------------------------------------

_MUHAMMAD = ("M.", "Moh.", "Muh.", "Mohammad", "Muhamad")
_TITLES = (", S.Pd.", ", S.E.", ", S.H.", ", A.Md.", ", S.Kom.", ", S.P.", ", S.Sos.")


def owner_name(
    rng: random.Random, owner: Person, factor: float, rates: NoiseRates, *, today_year: int
) -> str:
    name = owner.name
    words = name.split()
    if rng.random() < rates.owner_abbreviation * factor:
        if words[0] in ("I", "Ni") and len(words) >= 3:
            words = words[1:]  # "Wayan Sudarma": the I / Ni is often left out
        elif words[0] == "Muhammad" and len(words) >= 2:
            words[0] = rng.choice(_MUHAMMAD)
        elif len(words) >= 2:
            if rng.random() < 0.5:
                words[-1] = words[-1][0] + "."
            else:
                words[0] = words[0][0] + "."
        name = " ".join(words)
    if (
        owner.cluster.key == "javanese"
        and owner.birth_date.year < 1975
        and rng.random() < rates.name_old_spelling * factor * 2
    ):
        name = old_spelling(name)
    if rng.random() < rates.owner_typo * factor:
        name = typo(rng, name)
    if rng.random() < rates.owner_honorific * factor:
        age = today_year - owner.birth_date.year
        pilgrim = owner.cluster.is_muslim and age >= 40 and rng.random() < 0.3
        if owner.sex == SEX_FEMALE:
            name = ("Hj. " if pilgrim else rng.choice(("Ibu ", "Bu ", "Ny. ", "Ibu "))) + name
        else:
            name = ("H. " if pilgrim else rng.choice(("Bapak ", "Pak ", "Bpk. ", "Bapak "))) + name
    elif rng.random() < rates.owner_title * factor:
        name += rng.choice(_TITLES)
    return name


# --- phones -------------------------------------------------------------------------------------


def phone_text(style: str, national: str) -> str:
    """One of the ways people write the same mobile number (all valid)."""
    if style == "dashed":
        return f"0{national[:3]}-{national[3:7]}-{national[7:]}"
    if style == "plain":
        return "0" + national
    if style == "spaced":
        return f"0{national[:3]} {national[3:7]} {national[7:]}"
    if style == "intl_spaced":
        return f"+62 {national[:3]} {national[3:7]} {national[7:]}"
    if style == "intl":
        return "+62" + national
    if style == "country":
        return "62" + national
    if style == "bare":
        return national  # a spreadsheet dropped the leading 0
    if style == "intl_dashed":
        return f"+62 {national[:3]}-{national[3:7]}-{national[7:]}"
    raise ValueError(style)


def malformed_phone(rng: random.Random, national: str) -> str:
    roll = rng.random()
    if roll < 0.3:
        return "0" + national[: rng.randint(4, 6)]  # too short
    if roll < 0.5:
        return "0" + national + str(rng.randint(100, 9999))  # too long
    if roll < 0.7:
        position = rng.randrange(4, len(national))
        return "0" + national[:position] + rng.choice("oOlI") + national[position + 1 :]
    if roll < 0.85:
        return rng.choice(("tidak ada", "belum punya", "no hp"))
    return "+1 555 0" + national[-3:]  # not an Indonesian number


# --- NIK ----------------------------------------------------------------------------------------


def nik_with_typo(rng: random.Random, nik: str) -> str:
    """One mistyped digit in the serial, never 0000 and never the same NIK."""
    serial = list(nik[12:])
    for _attempt in range(10):
        changed = serial[:]
        position = rng.randrange(4)
        if rng.random() < 0.3 and position < 3 and changed[position] != changed[position + 1]:
            changed[position], changed[position + 1] = changed[position + 1], changed[position]
        else:
            changed[position] = rng.choice([d for d in "0123456789" if d != serial[position]])
        text = "".join(changed)
        if text != "0000" and text != nik[12:]:
            return nik[:12] + text
    return nik


_NOT_PROVINCES = ("00", "10", "20", "30", "40", "50", "60", "70", "80", "90", "98", "99")


def bad_nik(rng: random.Random, nik: str, reason: str) -> str:
    if reason == "nik_length":
        if rng.random() < 0.6:
            position = rng.randrange(6, 16)
            return nik[:position] + nik[position + 1 :]
        return nik + str(rng.randint(0, 9))
    if reason == "nik_characters":
        position = rng.randrange(6, 16)
        return nik[:position] + rng.choice("OIlBS") + nik[position + 1 :]
    if reason == "nik_serial_zero":
        return nik[:12] + "0000"
    if reason == "nik_birth_date":
        if rng.random() < 0.5:
            month = rng.choice(("00", "13", "14", "15", "19", "21", "31"))
            return nik[:8] + month + nik[10:]
        day = rng.choice(("00", "32", "35", "38", "72", "75", "80"))
        return nik[:6] + day + nik[8:]
    if reason == "nik_district":
        return rng.choice(_NOT_PROVINCES) + nik[2:]
    if reason == "nik_spreadsheet_number":
        mantissa = f"{nik[0]},{nik[1:6]}" if rng.random() < 0.5 else f"{nik[0]}.{nik[1:6]}"
        return f"{mantissa}E+15"
    raise ValueError(reason)


# --- places -------------------------------------------------------------------------------------

UNKNOWN_VILLAGES = (
    "Perum Griya Asri Blok C",
    "Komplek Bumi Permai Indah",
    "Ruko Sentra Niaga",
    "Perumahan Villa Mutiara",
    "-",
    "belum diisi",
    "tidak tahu",
    "Asrama Polisi",
)


def village_name(
    rng: random.Random,
    name: str,
    siblings: Callable[[], list[str]],
    factor: float,
    rates: NoiseRates,
    *,
    is_kelurahan: bool,
) -> str:
    """A village name as a partner writes it; a typo only where it still clearly means this village.

    ``siblings`` returns the names of the district's villages (asked only when a typo is tried).
    """
    text = name
    if rng.random() < rates.village_typo * factor and len(name) >= 7:
        candidate = typo(rng, name)
        if candidate != name and _clearly_closest(candidate, name, siblings()):
            text = candidate
    if rng.random() < rates.village_prefix * factor and not name.startswith("Desa"):
        if is_kelurahan:
            text = rng.choice(("Kel. ", "Kelurahan ")) + text
        else:
            text = rng.choice(("Desa ", "Ds. ", "Desa ")) + text
    return text


def district_name(
    rng: random.Random,
    name: str,
    siblings: Callable[[], list[str]],
    factor: float,
    rates: NoiseRates,
) -> str:
    text = name
    if rng.random() < rates.district_typo * factor and len(name) >= 7:
        candidate = typo(rng, name)
        if candidate != name and _clearly_closest(candidate, name, siblings()):
            text = candidate
    if rng.random() < rates.district_prefix * factor:
        text = rng.choice(("Kec. ", "Kecamatan ")) + text
    return text


_ADMINISTRATIVE_WORDS = re.compile(
    r"^(desa|kelurahan|kel|ds|kampung|kampong|nagari|gampong|kecamatan|kec|distrik|kota)\b\.?\s*"
)


def _place_key(text: str) -> str:
    """Lower-case words without the administrative words a partner may add or drop."""
    text = " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())
    previous = None
    while previous != text:
        previous = text
        text = _ADMINISTRATIVE_WORDS.sub("", text).strip()
    return text


def _clearly_closest(candidate: str, true_name: str, siblings: list[str]) -> bool:
    """The misspelt name is much nearer the true name than any other name of the same area.

    Checked with two common scorers (plain and weighted ratio, which also rewards partial
    matches such as "Patrol Brau" ~ "Patrol") on names without "Desa", "Kota" and the like, so
    that any reasonable fuzzy matcher still finds the village.
    """
    key, true_key = _place_key(candidate), _place_key(true_name)
    for scorer in (fuzz.ratio, fuzz.WRatio):
        own = scorer(key, true_key)
        if own < 88:
            return False
        for other in siblings:
            if other != true_name and scorer(key, _place_key(other)) > own - 10:
                return False
    return True


def regency_name(rng: random.Random, name: str, *, ambiguous: bool, style: str) -> str:
    """'Kabupaten Bandung' as 'Kab. Bandung' or 'KAB. BANDUNG'; the prefix dropped only if unambiguous."""
    kind, _sep, base = name.partition(" ")
    if style == "short" or (style == "mixed" and rng.random() < 0.5):
        if kind == "Kabupaten":
            return "Kab. " + base
        return name
    if style == "bare" and not ambiguous:
        return base
    return name


def unknown_village_code(rng: random.Random, district_code: str, existing: set[str]) -> str:
    while True:
        code = f"{district_code}.{rng.choice('129')}{rng.randint(0, 999):03d}"
        if code not in existing:
            return code


# --- addresses and dates ------------------------------------------------------------------------


def address_text(
    rng: random.Random, address, village: str, factor: float, rates: NoiseRates
) -> str:
    if rng.random() < rates.address_missing * factor:
        return ""
    if rng.random() >= rates.address_variant * factor:
        return address.text()
    unit = address.unit
    if unit == "Jl.":
        unit = rng.choice(("Jalan", "Jln.", "JL.", "Jl"))
    elif unit == "Dusun":
        unit = rng.choice(("Dsn.", "Dsn", "Dusun"))
    elif unit == "Banjar":
        unit = rng.choice(("Br.", "Banjar"))
    words = f"{unit} {address.place}"
    if address.number:
        words += rng.choice(
            (
                f" No. {address.number}",
                f" No.{address.number}",
                f" {address.number}",
                f" Nomor {address.number}",
            )
        )
    if address.rt:
        words += rng.choice(
            (
                f" RT {address.rt} RW {address.rw}",
                f" RT.{address.rt:02d}/RW.{address.rw:02d}",
                f" Rt {address.rt:02d} Rw {address.rw:02d}",
                f", RT {address.rt:03d}/{address.rw:03d}",
            )
        )
    if rng.random() < 0.4:
        words += f", {strip_desa(village)}"
    return words


DATE_STYLES = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y")


def date_text(rng: random.Random, value: datetime.date, styles=DATE_STYLES) -> str:
    return value.strftime(rng.choice(styles))
