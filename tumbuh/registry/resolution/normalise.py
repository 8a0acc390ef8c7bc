"""Indonesian normalisation of business and person names before matching.

The same business reaches Tumbuh as "CV. Barokah Djaya", "Toko Barokah Jaya" and "barokah jaya";
the same owner as "Hj. Siti Aminah, S.E." and "Bu Siti Aminah". Matching compares what is left
after these steps, which are the same for every field:

1. **fold**: lower case, accents stripped, apostrophes dropped, every other run of characters
   that is not a letter or digit becomes one space; trimmed.
2. **old spelling** (Ejaan Van Ophuijsen and Soewandi, still common in names): ``oe→u``,
   ``dj→j``, ``tj→c``, ``nj→ny``, ``sj→sy``, ``ch→kh``, applied in that order so that the old
   ``ndj`` (Pandjang) and the modern ``nj`` (Panjang) meet in the same key. ``j`` is *not*
   mapped to ``y``: modern names use both. The result is a matching key, not a spelling to
   show ("panyang"): consistency matters, not beauty.
3. **forms and titles**: in business names, spelled-out or dotted forms become one short form
   ("Usaha Dagang", "U.D." → "ud"; "Rumah Makan", "Warung Makan", "WM" → "rm") and the words
   people are addressed with ("Bu", "Pak", "Mbok"…) are dropped before another word ("Warung
   Bu Sri" and "Warung Sri" meet); then the legal or trade form (PT, CV, UD, Toko, Warung,
   Koperasi, BumDes…) is split from the start or the end. Person names lose their honorifics
   and titles (Bu, Pak, H., Hj., Drs., Ir. before; S.E., S.Pd., M.M. after), and a leading
   "M." or "Moh." becomes "muhammad". What is removed is returned beside the core, and at
   least one word always remains.

Each step is a regular expression that Python's ``re`` and DuckDB's RE2 read the same way, so
every function here has a SQL twin (``*_sql``) that normalises millions of rows inside DuckDB;
the tests check that both give the same answer. Every function is idempotent.
"""

import re
import unicodedata
from typing import NamedTuple

from django.core.exceptions import ValidationError

from tumbuh.core.validators import normalise_phone

# --- step 1: fold ---------------------------------------------------------------------------

_APOSTROPHES = "'’`´ʼ"
_APOSTROPHES_PATTERN = "[" + _APOSTROPHES + "]"
_NOT_ALNUM_PATTERN = "[^a-z0-9]+"


def fold(text: str | None) -> str:
    """Lower case, accents stripped, apostrophes dropped, other punctuation to single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = re.sub(_APOSTROPHES_PATTERN, "", stripped)
    return re.sub(_NOT_ALNUM_PATTERN, " ", stripped).strip()


def _fold_sql(expr: str) -> str:
    apostrophes = _APOSTROPHES_PATTERN.replace("'", "''")
    return (
        f"trim(regexp_replace(regexp_replace(strip_accents(lower({expr})), "
        f"'{apostrophes}', '', 'g'), '{_NOT_ALNUM_PATTERN}', ' ', 'g'))"
    )


# --- step 2: old spelling -------------------------------------------------------------------

# Applied in order. "d+j" rather than "dj" so that a run like "ddj" cannot leave a new "dj"
# behind, which keeps the mapping idempotent.
SPELLING_RULES: tuple[tuple[str, str], ...] = (
    ("oe", "u"),
    ("d+j", "j"),
    ("tj", "c"),
    ("nj", "ny"),
    ("sj", "sy"),
    ("ch", "kh"),
)
_SPELLING_COMPILED = tuple((re.compile(pattern), new) for pattern, new in SPELLING_RULES)


def modern_spelling(folded: str) -> str:
    """Map old Indonesian spellings in folded text to the modern ones (see the module doc)."""
    for pattern, new in _SPELLING_COMPILED:
        folded = pattern.sub(new, folded)
    return folded


def _guarded(expr: str, pattern: str, chain) -> str:
    """``chain(expr)`` only where ``pattern`` occurs: most names need none of the replacements,
    and one search is much cheaper than a chain of them. Same result either way."""
    return f"(CASE WHEN regexp_matches({expr}, '{pattern}') THEN {chain(expr)} ELSE {expr} END)"


def _modern_spelling_sql(expr: str) -> str:
    def chain(expr):
        for pattern, new in SPELLING_RULES:
            expr = f"regexp_replace({expr}, '{pattern}', '{new}', 'g')"
        return expr

    return _guarded(expr, "|".join(pattern for pattern, _new in SPELLING_RULES), chain)


def _key(text: str) -> str:
    """Fold and respell a constant of the lists below, so it is written as data will be."""
    return modern_spelling(fold(text))


def _longest_first(keys) -> list[str]:
    return sorted(set(keys), key=lambda key: (-len(key), key))


def _alternation(words) -> str:
    """Regex alternation of folded phrases, longest first so that "koperasi simpan pinjam" is
    tried before "koperasi". Folded phrases hold only a-z, 0-9 and single spaces, which mean
    themselves in both regex dialects, so nothing needs escaping (and stays valid SQL)."""
    keys = _longest_first(_key(word) for word in words)
    assert all(re.fullmatch(r"[a-z0-9]+(?: [a-z0-9]+)*", key) for key in keys), keys
    return "|".join(keys)


# --- step 3a: legal and trade forms of businesses ---------------------------------------------

# Spelled-out or dotted forms, mapped to one short canonical form everywhere in a name.
FORM_SYNONYMS: dict[str, str] = {
    "perseroan terbatas": "pt",
    "p t": "pt",
    "persekutuan komanditer": "cv",
    "commanditaire vennootschap": "cv",
    "c v": "cv",
    "usaha dagang": "ud",
    "u d": "ud",
    "perusahaan dagang": "pd",
    "p d": "pd",
    "firma": "fa",
    "badan usaha milik desa": "bumdes",
    "badan usaha milik desa bersama": "bumdesma",
    "bum desa": "bumdes",
    "bumdesa": "bumdes",
    "bum des": "bumdes",
    "koperasi simpan pinjam": "ksp",
    "koperasi simpan pinjam dan pembiayaan syariah": "kspps",
    "koperasi unit desa": "kud",
    "koperasi serba usaha": "ksu",
    "rumah makan": "rm",
    "warung makan": "rm",
    "wm": "rm",
    "industri rumah tangga": "irt",
    "home industry": "irt",
}

# Canonical forms that are split from the start or the end of a business name.
BUSINESS_FORMS: frozenset[str] = frozenset(
    {
        "pt", "tbk", "persero", "cv", "ud", "pd", "fa", "koperasi", "kop", "ksp", "kspps", "kud", "ksu",
        "bumdes", "bumdesma", "toko", "warung", "warteg", "kedai", "kios", "lapak", "depot",
        "rm", "irt", "umkm", "ukm", "ikm", "toko kelontong", "warung kelontong", "usaha",
        "rumah produksi",
    }
)  # fmt: skip

# How people are addressed inside business names ("Warung Bu Sri", "Salon Pak Tri"): written
# with or without, and in several forms ("Bu", "Ibu"), so they are left out of the name when
# another word follows (the name "Mas" alone stays).
ADDRESS_WORDS: frozenset[str] = frozenset(
    {
        "bu", "ibu", "pak", "bapak", "bpk", "mbak", "mba", "mbok", "mas", "kak", "kakak",
        "kang", "teh", "ceu", "cak", "bang", "abang", "uda", "uni", "mak", "om", "tante",
        "cik", "koh", "daeng", "bli", "mang", "acil", "amang", "inang", "ajo", "ny",
        "nyonya", "h", "hj", "haji", "hajah", "hajjah", "puang", "amak", "amaq", "inaq",
        "bapa", "mama", "julak", "opa", "oma",
    }
)  # fmt: skip

_SYNONYM_KEYS = {_key(alias): _key(form) for alias, form in FORM_SYNONYMS.items()}
_SYNONYM_PATTERN = r"\b(?:" + _alternation(FORM_SYNONYMS) + r")\b"
_ADDRESS_PATTERN = r"\b(?:" + _alternation(ADDRESS_WORDS) + ") "
_FORM_ALTERNATION = _alternation(BUSINESS_FORMS)
_LEADING_FORMS_PATTERN = "^((?:(?:" + _FORM_ALTERNATION + ") )+)"
_TRAILING_FORMS_PATTERN = "((?: (?:" + _FORM_ALTERNATION + "))+)$"


class BusinessName(NamedTuple):
    """A business name as matching sees it: ``full`` keeps the forms (canonical, in place),
    ``core`` is the name without them, ``form`` lists the forms removed ("" if none)."""

    full: str
    core: str
    form: str


def _canonical_forms(folded: str) -> str:
    folded = re.sub(_ADDRESS_PATTERN, "", folded)
    return re.sub(_SYNONYM_PATTERN, lambda m: _SYNONYM_KEYS[m.group(0)], folded)


def _split(text: str, leading: str, trailing: str) -> tuple[str, str, str]:
    """Remove a leading and then a trailing run of words matching the patterns; return (what is
    left, leading words, trailing words). Each removed word needs a space on its inner side, so
    the last word always stays."""
    lead = trail = ""
    match = re.search(leading, text)
    if match:
        lead, text = match.group(1).strip(), text[match.end() :]
    match = re.search(trailing, text)
    if match:
        trail, text = match.group(1).strip(), text[: match.start()]
    return text, lead, trail


def normalise_business_name(name: str | None) -> BusinessName:
    """Split a business name into its full key, core name and legal/trade form.

    >>> normalise_business_name("C.V. Barokah Djaya")
    BusinessName(full='cv barokah jaya', core='barokah jaya', form='cv')
    """
    full = _canonical_forms(modern_spelling(fold(name)))
    core, lead, trail = _split(full, _LEADING_FORMS_PATTERN, _TRAILING_FORMS_PATTERN)
    return BusinessName(full, core, " ".join(filter(None, [lead, trail])))


def _canonical_forms_sql(expr: str) -> str:
    # RE2 has no callback replacement: one regexp_replace per synonym, longest first, which
    # is what the single alternation in Python does.
    expr = f"regexp_replace({expr}, '{_ADDRESS_PATTERN}', '', 'g')"

    def chain(expr):
        for alias in _longest_first(_SYNONYM_KEYS):
            expr = f"regexp_replace({expr}, '\\b{alias}\\b', '{_SYNONYM_KEYS[alias]}', 'g')"
        return expr

    return _guarded(expr, _SYNONYM_PATTERN, chain)


def business_name_sql(expr: str) -> dict[str, str]:
    """DuckDB expressions for the ``full``, ``core`` and ``form`` of a business name column.

    ``full`` is an expression over ``expr``; ``core`` and ``form`` are expressions over the
    column ``name_full``, which the caller selects first (see ``engine.prepare_sql``)."""
    return {
        "full": _canonical_forms_sql(_modern_spelling_sql(_fold_sql(expr))),
        **_split_sql("name_full", _LEADING_FORMS_PATTERN, _TRAILING_FORMS_PATTERN),
    }


def _split_sql(column: str, leading: str, trailing: str) -> dict[str, str]:
    after_leading = f"regexp_replace({column}, '{leading}', '')"
    core = f"regexp_replace({after_leading}, '{trailing}', '')"
    form = (
        f"trim(concat_ws(' ', nullif(trim(regexp_extract({column}, '{leading}', 1)), ''), "
        f"nullif(trim(regexp_extract({after_leading}, '{trailing}', 1)), '')))"
    )
    return {"core": core, "form": form}


# --- step 3b: honorifics and titles of people -------------------------------------------------

# Canonical honorific for each way of writing it before a name.
HONORIFICS: dict[str, str] = {
    "bu": "ibu", "ibu": "ibu", "bunda": "ibu", "ny": "nyonya", "nyonya": "nyonya",
    "pak": "bapak", "bapak": "bapak", "bpk": "bapak", "bp": "bapak", "tn": "tuan",
    "tuan": "tuan", "nn": "nona", "nona": "nona", "sdr": "saudara", "saudara": "saudara",
    "sdri": "saudari", "saudari": "saudari", "mas": "mas", "mbak": "mbak", "mba": "mbak",
    "kak": "kak", "h": "haji", "haji": "haji", "hadji": "haji", "hj": "hajah",
    "hajjah": "hajah", "hajah": "hajah", "kh": "kyai haji", "kyai": "kyai", "kiai": "kyai",
    "ust": "ustaz", "ustad": "ustaz", "ustadz": "ustaz", "ustaz": "ustaz",
    "ustadzah": "ustazah", "ustazah": "ustazah", "drs": "drs", "dra": "dra", "dr": "dr",
    "drg": "drg", "ir": "ir", "prof": "prof", "apt": "apt", "alm": "alm", "almh": "almh",
    # Balinese birth-order names are kept; the "I" (men) and "Ni" (women) before them are
    # often left out.
    "i": "i", "ni": "ni",
}  # fmt: skip

# Academic titles written after a name, with or without dots ("S.E." folds to "s e").
DEGREES: frozenset[str] = frozenset(
    {
        "s e", "se", "s e i", "sei", "s h", "sh", "s h i", "shi", "s pd", "spd", "s pd i",
        "spdi", "s kom", "skom", "s t", "st", "s sos", "ssos", "s ag", "sag", "s ip", "sip",
        "s si", "ssi", "s kep", "skep", "s keb", "s farm", "sfarm", "s ked", "s gz", "s psi",
        "s ak", "s tr", "s ikom", "s hut", "s pt", "s tp", "s kes", "skm", "s km", "ns",
        "m m", "mm", "m si", "msi", "m pd", "mpd", "m kes", "mkes", "m kom", "m ag", "m t",
        "mt", "m h", "mh", "m ak", "m sc", "msc", "mba", "m b a", "a md", "amd", "a ma", "ama",
        "a md keb", "a md kep", "b sc", "bsc", "ph d", "phd", "lc", "ma",
    }
)  # fmt: skip

# Spellings of one given name that are common enough to matter (Muhammad above all).
NAME_VARIANTS: dict[str, str] = {
    variant: "muhammad"
    for variant in (
        "muhamad", "mohammad", "mohamad", "mohammed", "mohamed", "muhammed", "mochammad",
        "mochamad", "muchammad", "muchamad", "moch", "moh", "mohd", "muh", "mhd", "md",
    )
} | {"abd": "abdul", "abdoel": "abdul", "moehammad": "muhammad"}  # fmt: skip

_VARIANT_KEYS = {_key(variant): _key(name) for variant, name in NAME_VARIANTS.items()}
_VARIANT_KEYS = {k: v for k, v in _VARIANT_KEYS.items() if k != v}
_VARIANT_PATTERN = r"\b(?:" + _alternation(_VARIANT_KEYS) + r")\b"
_HONORIFIC_KEYS = {_key(word): canonical for word, canonical in HONORIFICS.items()}
# "M. Arif": a lone M before other words is Muhammad far more often than anything else.
_LEADING_M_PATTERN = "^m "
_LEADING_HONORIFICS_PATTERN = "^((?:(?:" + _alternation(HONORIFICS) + ") )+)"
_TRAILING_DEGREES_PATTERN = "((?: (?:" + _alternation(DEGREES) + "))+)$"


class PersonName(NamedTuple):
    """A person's name as matching sees it: ``core`` without honorifics and titles, and the
    removed ``honorific`` words (canonical, e.g. "hajah", "ibu", "s e") or ""."""

    core: str
    honorific: str


def normalise_person_name(name: str | None) -> PersonName:
    """Split a person's name into its core and its honorifics and titles.

    >>> normalise_person_name("Hj. Siti Aminah, S.E.")
    PersonName(core='siti aminah', honorific='hajah s e')
    """
    folded = modern_spelling(fold(name))
    folded = re.sub(_VARIANT_PATTERN, lambda m: _VARIANT_KEYS[m.group(0)], folded)
    core, lead, trail = _split(folded, _LEADING_HONORIFICS_PATTERN, _TRAILING_DEGREES_PATTERN)
    core = re.sub(_LEADING_M_PATTERN, "muhammad ", core)
    words = [_HONORIFIC_KEYS[word] for word in lead.split()] + ([trail] if trail else [])
    return PersonName(core, " ".join(words))


def person_name_core_sql(expr: str) -> str:
    """DuckDB expression for the core of a person's name (see ``normalise_person_name``)."""

    def chain(expr):
        for variant in _longest_first(_VARIANT_KEYS):
            expr = f"regexp_replace({expr}, '\\b{variant}\\b', '{_VARIANT_KEYS[variant]}', 'g')"
        return expr

    folded = _guarded(_modern_spelling_sql(_fold_sql(expr)), _VARIANT_PATTERN, chain)
    after_leading = f"regexp_replace({folded}, '{_LEADING_HONORIFICS_PATTERN}', '')"
    core = f"regexp_replace({after_leading}, '{_TRAILING_DEGREES_PATTERN}', '')"
    return f"regexp_replace({core}, '{_LEADING_M_PATTERN}', 'muhammad ')"


# --- places -----------------------------------------------------------------------------------

_VILLAGE_WORDS_PATTERN = "^((?:(?:" + _alternation(["desa", "ds", "kelurahan", "kel"]) + ") )+)"


def normalise_village_name(name: str | None) -> str:
    """A village name without "Desa"/"Kelurahan" in front, folded and respelled."""
    folded = modern_spelling(fold(name))
    return re.sub(_VILLAGE_WORDS_PATTERN, "", folded)


def village_name_sql(expr: str) -> str:
    return (
        f"regexp_replace({_modern_spelling_sql(_fold_sql(expr))}, '{_VILLAGE_WORDS_PATTERN}', '')"
    )


# --- identifiers ------------------------------------------------------------------------------


def normalise_phone_or_none(value: str | None) -> str | None:
    """E.164 (+62…) through ``tumbuh.core.validators.normalise_phone``; None if invalid."""
    if value is None or not str(value).strip():
        return None
    try:
        return normalise_phone(str(value))
    except ValidationError:
        return None


def digits_or_none(value: str | None, *, length: int | None = None) -> str | None:
    """The digits of an identifier (NIB, KBLI); None if there are none or not ``length``."""
    digits = re.sub(r"\D", "", str(value or ""))
    if not digits or (length is not None and len(digits) != length):
        return None
    return digits


def digits_sql(expr: str, *, length: int | None = None) -> str:
    digits = f"nullif(regexp_replace(CAST({expr} AS VARCHAR), '[^0-9]', '', 'g'), '')"
    if length is None:
        return digits
    return f"(CASE WHEN length({digits}) = {length} THEN {digits} END)"
