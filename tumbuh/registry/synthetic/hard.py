"""A hard partner list with ground truth and a label per phenomenon (issue 14).

``generate_hard(businesses=..., seed=...)`` invents businesses in real villages and writes the
rows a messy partner list would hold about them, each row one partner's copy of one business.
Every row carries ``entity_id`` (the true business) and ``phenomena``: the names (see
:data:`PHENOMENA`) of every kind of noise applied to that row, and of the traps its business
sits in (an owner with two businesses, a phone shared in the family, a namesake in the
district). A pair of rows carries the union of both rows' labels, so precision and recall can be
given per phenomenon: recall over the true pairs with the label, precision over the predicted
pairs with the label.

The default generator (``tumbuh.registry.synthetic.generate``) writes whole partner files and
is used by the demo and other benchmarks; this module leaves it as it is and produces one table
(``HardSet.columns``; ``write_csv`` writes it with headers ``recognise`` knows).

Where the rates of :class:`HardMix` come from (they are estimates, not fitted to any model):

- rows per business (1.75) and the NIK missing in one row of a pair: the hard file of issue 14
  (14,025 rows from 8,000 businesses; 185 missed pairs sharing a NIK, many with the NIK given in
  only one row);
- the village code missing with names given: the issue's "Muara Payang" / "Muarapayang" misses;
  a quarter of rows, as in the district lists that give names only;
- honorifics, name parts, marga, old spelling, typos, legal forms: the default generator's
  ``NoiseRates`` roughly doubled, since the issue's file is the hard one of the two;
- one owner with two businesses (5 %), a phone shared by family members (3 %), a namesake with a
  generic business name in the district (4 %): the issue's false merges, above the default
  generator's 3 % and 2 %;
- national density: about 4,000 UMKM per district in Indonesia (issue 14); ``per_district``
  puts all businesses into as few districts as that density needs.

``UNSEEN_MIX`` is a second mix, different in every rate, for a file no model was tuned on.
"""

import csv
import dataclasses
import random
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from tumbuh.registry.synthetic.businesses import Catalogue
from tumbuh.registry.synthetic.businesses import make_name as make_business_name
from tumbuh.registry.synthetic.people import SEX_FEMALE, PeopleFactory
from tumbuh.registry.synthetic.places import load_geography

# Row noise (applied per row, independently).
PHENOMENA_ROW = (
    "owner_honorific",  # Haji, H., Hj., Hajjah, Ibu, Bu, Bapak, Pak, Mas, Mbak, in any case
    "owner_parts",  # abbreviated, dropped or reordered name parts; marga present or absent
    "owner_old_spelling",  # oe, dj, tj, j for y, sj, ch, doubled letters
    "owner_typo",  # a letter dropped, two transposed, a neighbouring key
    "business_form",  # PT, CV, CV., UD, Toko, Warung, Kedai, Usaha, Rumah Produksi added/dropped
    "business_form_glued",  # "CVKerupuk Ikan"
    "business_old_spelling",
    "business_typo",  # including two words written as one ("kuekering")
    "village_code_missing",  # names given instead
    "village_name_spelling",  # the names, spelled otherwise ("Muarapayang")
    "village_neighbour",  # another village of the same district
    "phone_missing",
    "phone_digit_dropped",
    "nik_missing",
    "nik_digit_wrong",
    "nik_digits_transposed",
    "nik_letter_for_digit",  # O for 0, l for 1, S for 5, B for 8
)
# Traps of the business (on every row of it and of the other business involved).
PHENOMENA_ENTITY = (
    "owner_two_businesses",  # same NIK, phone and name, another business
    "family_phone",  # another owner of the family (same family name, village) uses the phone
    "namesake",  # same owner's name and a generic business name, same district, another person
)
PHENOMENA = PHENOMENA_ROW + PHENOMENA_ENTITY


@dataclass(frozen=True)
class HardMix:
    """Per row (or per business for the traps), the chance of each phenomenon."""

    owner_honorific: float = 0.30
    owner_parts: float = 0.15
    owner_old_spelling: float = 0.08
    owner_typo: float = 0.08
    business_form: float = 0.35
    business_form_glued: float = 0.05
    business_old_spelling: float = 0.06
    business_typo: float = 0.10
    village_code_missing: float = 0.25
    village_name_spelling: float = 0.30  # of the rows without a village code
    village_neighbour: float = 0.03
    phone_missing: float = 0.12
    phone_digit_dropped: float = 0.03
    nik_missing: float = 0.25
    nik_digit_wrong: float = 0.03
    nik_digits_transposed: float = 0.02
    nik_letter_for_digit: float = 0.02
    owner_two_businesses: float = 0.05
    family_phone: float = 0.03
    namesake: float = 0.04
    kbli_missing: float = 0.30
    # Rows per business: 1, 2, 3, 4 rows (mean 1.75, as in the file).
    rows_per_business: tuple[float, ...] = (0.45, 0.40, 0.10, 0.05)


DEFAULT_HARD_MIX = HardMix()
# Another mix for a file no model was trained or tuned on: every rate moved.
UNSEEN_MIX = HardMix(
    owner_honorific=0.40,
    owner_parts=0.10,
    owner_old_spelling=0.12,
    owner_typo=0.05,
    business_form=0.25,
    business_form_glued=0.08,
    business_old_spelling=0.10,
    business_typo=0.07,
    village_code_missing=0.40,
    village_name_spelling=0.20,
    village_neighbour=0.05,
    phone_missing=0.20,
    phone_digit_dropped=0.02,
    nik_missing=0.35,
    nik_digit_wrong=0.02,
    nik_digits_transposed=0.03,
    nik_letter_for_digit=0.03,
    owner_two_businesses=0.07,
    family_phone=0.02,
    namesake=0.06,
    kbli_missing=0.40,
    rows_per_business=(0.50, 0.32, 0.13, 0.05),
)

HEADERS = {
    "record_id": "No",
    "business_name": "Nama Usaha",
    "owner_name": "Nama Pemilik",
    "nik": "NIK",
    "phone": "No HP",
    "village_code": "Kode Desa",
    "village_name": "Desa/Kelurahan",
    "district_name": "Kecamatan",
    "regency_name": "Kabupaten/Kota",
    "province_name": "Provinsi",
    "kbli": "KBLI",
    "nib": "NIB",
}
COLUMNS = (*HEADERS, "entity_id", "phenomena")

_HONORIFICS_FEMALE = ("Hj.", "Hajjah", "Hajah", "Ibu", "Bu", "Mbak", "Hj")
_HONORIFICS_MALE = ("H.", "Haji", "H", "Bapak", "Pak", "Mas", "Bpk.")
_OLD = (("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j"), ("sy", "sj"), ("kh", "ch"))
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {}
for _row_index, _row in enumerate(_KEYBOARD):
    for _i, _key in enumerate(_row):
        _NEIGHBOURS[_key] = _row[max(0, _i - 1) : _i] + _row[_i + 1 : _i + 2]
_LETTERS_FOR_DIGITS = {"0": "O", "1": "l", "5": "S", "8": "B", "2": "Z", "6": "G"}
_FORMS = ("PT", "CV", "CV.", "UD", "Toko", "Warung", "Kedai", "Usaha", "Rumah Produksi")
# Second words of heads that are two words ("Warung Makan", "Rumah Makan", "Warung Nasi").
_TWO_WORD_HEADS = ("Makan", "Nasi", "Kopi", "Makan Padang")
_PHONE_STYLES = (
    "0{a}{b}{c}",
    "0{a}-{b}-{c}",
    "0{a} {b} {c}",
    "+62{a}{b}{c}",
    "+62 {a} {b} {c}",
    "62{a}{b}{c}",
    "{a}{b}{c}",
    "(0{a}) {b}{c}",
)
# Common given names and family names, to give namesakes at national density (issue 14: "Sri",
# "Muhammad", "Siti" with a handful of family names).
COMMON_FEMALE = ("Sri", "Siti", "Nur", "Dewi", "Ani", "Yuni", "Rina", "Wahyuni")
COMMON_MALE = ("Muhammad", "Ahmad", "Agus", "Budi", "Andi", "Joko", "Eko", "Slamet")
COMMON_FAMILY = ("Rahayu", "Lestari", "Siregar", "Saputra", "Hidayat", "Wati", "Susanti", "Lubis")
# Share of owners named from the common lists (the rest from their naming tradition).
COMMON_NAME_SHARE = 0.12


@dataclass
class HardSet:
    """The generated rows, column by column (``COLUMNS``), and what went into them."""

    seed: int
    businesses: int
    mix: HardMix
    per_district: int | None
    columns: dict[str, list] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.columns["record_id"])

    def table(self) -> pa.Table:
        return pa.table(
            {name: pa.array(values, pa.string()) for name, values in self.columns.items()}
        )

    def write_csv(self, path: str | Path, *, with_truth: bool = False) -> None:
        """The partner's file (headers of ``HEADERS``); with ``with_truth`` the truth columns too."""
        names = list(HEADERS) + (["entity_id", "phenomena"] if with_truth else [])
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([HEADERS.get(name, name) for name in names])
            writer.writerows(zip(*(self.columns[name] for name in names), strict=True))


def generate_hard(
    *,
    businesses: int,
    seed: int,
    mix: HardMix = DEFAULT_HARD_MIX,
    per_district: int | None = None,
    provinces: list[str] | None = None,
) -> HardSet:
    """Invent ``businesses`` businesses and the rows about them; the same arguments give the
    same rows. With ``per_district``, every chosen district holds about that many businesses."""
    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    geo = load_geography(provinces)
    people = PeopleFactory(rng)
    catalogue = Catalogue()
    districts = None
    if per_district:
        count = max(1, round(businesses / per_district))
        districts = sorted({geo.random_district(rng) for _ in range(count * 3)})
        rng.shuffle(districts)
        districts = districts[:count]
    result = HardSet(seed, businesses, mix, per_district, {name: [] for name in COLUMNS})
    columns = result.columns
    recent: dict[int, list] = {}  # district → recent (owner, village, archetype) of businesses
    rows_cumulative = []
    total = 0.0
    for share in mix.rows_per_business:
        total += share
        rows_cumulative.append(total)
    for number in range(businesses):
        if districts:
            district = districts[number % len(districts)]
            village = geo.random_village_in_district(rng, district)
        else:
            village = geo.random_village(rng)
            district = geo.village_district[village]
        traps = []
        previous = recent.get(district) or []
        roll = rng.random()
        owner = None
        if previous and roll < mix.owner_two_businesses:
            owner, village, _archetype, _labels = rng.choice(previous)
            traps.append("owner_two_businesses")
        elif previous and roll < mix.owner_two_businesses + mix.family_phone:
            relative, village, _archetype, _labels = rng.choice(previous)
            owner = _relative(rng, people, geo.district_codes[district], relative)
            traps.append("family_phone")
        elif previous and roll < mix.owner_two_businesses + mix.family_phone + mix.namesake:
            namesake, village, _archetype, _labels = rng.choice(previous)
            owner = _new_owner(rng, people, geo.district_codes[district])
            owner.words, owner.sex = list(namesake.words), namesake.sex
            traps.append("namesake")
        if owner is None:
            owner = _new_owner(rng, people, geo.district_codes[district])
        province = geo.district_codes[district][:2]
        archetype = catalogue.umkm(rng, province)
        person = owner.person
        name = make_business_name(
            rng,
            archetype,
            owner=person,
            scale="mikro",
            village_name=geo.village_names[village],
            district_name=geo.district_names[district],
        )
        business_name = name.text()
        if traps == ["namesake"]:
            # A generic name of the same kind: "Warung Makan Berkah" twice in one district.
            business_name = _generic_name(rng, archetype)
        # The other business of a trap needs no label of its own: a pair carries the labels of
        # both its rows, so every pair of the two businesses carries the trap.
        kbli = rng.choice(archetype.kbli)
        nib = f"{rng.randrange(10**12, 10**13)}" if rng.random() < 0.35 else ""
        entity_id = f"B{number:07d}"
        labels_entity = list(traps)
        entry = (owner, village, archetype, labels_entity)
        previous = recent.setdefault(district, [])
        previous.append(entry)
        if len(previous) > 64:
            previous.pop(0)
        count = 1 + sum(1 for bound in rows_cumulative[:-1] if rng.random() * total >= bound)
        for _copy in range(count):
            _append_row(
                rng, columns, mix, geo, entity_id, labels_entity, owner, business_name,
                village, district, kbli, nib,
            )  # fmt: skip
    # Row ids are positions in a shuffled order, so a business's rows are not adjacent.
    order = list(range(len(columns["entity_id"])))
    rng.shuffle(order)
    for name in COLUMNS:
        values = columns[name]
        columns[name] = [values[index] for index in order]
    columns["record_id"] = [str(index + 1) for index in range(len(order))]
    return result


class _OwnerInfo:
    """An owner: a person of ``people`` with the words of their name (which a namesake copies)."""

    __slots__ = ("nik", "person", "phone", "sex", "words")


def _new_owner(rng: random.Random, people: PeopleFactory, district_code: str) -> _OwnerInfo:
    person = people.make(district_code=district_code)
    owner = _OwnerInfo()
    owner.person = person
    owner.sex = person.sex
    owner.nik = person.nik
    owner.phone = person.phone
    if rng.random() < COMMON_NAME_SHARE:
        given = rng.choice(COMMON_FEMALE if person.sex == SEX_FEMALE else COMMON_MALE)
        owner.words = [given, rng.choice(COMMON_FAMILY)]
    else:
        owner.words = person.name.split()
    return owner


def _relative(
    rng: random.Random, people: PeopleFactory, district_code: str, relative: _OwnerInfo
) -> _OwnerInfo:
    """A family member: own NIK and given name, the relative's family name and phone."""
    owner = _new_owner(rng, people, district_code)
    if len(relative.words) > 1 and len(owner.words) > 1:
        owner.words = [owner.words[0], *relative.words[1:]]
    owner.phone = relative.phone
    return owner


def _generic_name(rng: random.Random, archetype) -> str:
    return f"{archetype.heads[0]} {rng.choice(('Berkah', 'Barokah', 'Maju Jaya', 'Sejahtera', 'Mandiri', 'Makmur'))}"


def _case(rng: random.Random, text: str) -> str:
    roll = rng.random()
    return text.upper() if roll < 0.3 else text.lower() if roll < 0.5 else text


def _old_spelling(rng: random.Random, text: str) -> str:
    """One old spelling (or a doubled letter) somewhere it applies; the text if none does."""
    options = [(old, new) for old, new in _OLD if old in text.lower()]
    if not options or rng.random() < 0.15:
        letters = [i for i, ch in enumerate(text) if ch.isalpha() and ch.lower() not in "aeiou"]
        if not letters:
            return text
        i = rng.choice(letters)
        return text[:i] + text[i] + text[i:]
    modern, old = rng.choice(options)
    lower = text.lower()
    i = lower.index(modern)
    old = old.capitalize() if text[i].isupper() else old
    return text[:i] + old + text[i + len(modern) :]


def _typo(rng: random.Random, text: str, *, join_words: bool = False) -> str:
    words = text.split(" ")
    if join_words and len(words) >= 2 and rng.random() < 0.25:
        i = rng.randrange(len(words) - 1)
        words[i : i + 2] = [words[i] + words[i + 1].lower()]
        return " ".join(words)
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    p = rng.randrange(1, len(word) - 1)
    roll = rng.random()
    if roll < 0.35:
        word = word[:p] + word[p + 1 :]
    elif roll < 0.65:
        word = word[:p] + word[p + 1] + word[p] + word[p + 2 :]
    else:
        near = _NEIGHBOURS.get(word[p].lower())
        if near:
            letter = rng.choice(near)
            word = word[:p] + (letter.upper() if word[p].isupper() else letter) + word[p + 1 :]
    words[i] = word
    return " ".join(words)


def _owner_text(rng, mix: HardMix, owner: _OwnerInfo, labels: list[str]) -> str:
    words = list(owner.words)
    if len(words) >= 2 and rng.random() < mix.owner_parts:
        labels.append("owner_parts")
        roll = rng.random()
        if roll < 0.35:
            words = [words[0], words[-1][0] + "."]  # "Wahyuni S."
        elif roll < 0.55:
            words = [words[0][0] + ".", *words[1:]]  # "S. Rahayu"
        elif roll < 0.8:
            words = words[:1] if len(words) == 2 else words[:1] + words[2:]  # marga or part dropped
        else:
            words = [*words[1:], words[0]]  # reordered
    text = " ".join(words)
    if rng.random() < mix.owner_old_spelling:
        labels.append("owner_old_spelling")
        text = _old_spelling(rng, text)
    if rng.random() < mix.owner_typo:
        labels.append("owner_typo")
        text = _typo(rng, text)
    if rng.random() < mix.owner_honorific:
        labels.append("owner_honorific")
        honorific = rng.choice(_HONORIFICS_FEMALE if owner.sex == SEX_FEMALE else _HONORIFICS_MALE)
        text = f"{honorific} {text}"
    return _case(rng, text) if rng.random() < 0.3 else text


def _business_text(rng, mix: HardMix, name: str, labels: list[str]) -> str:
    words = name.split(" ")
    if rng.random() < mix.business_form:
        labels.append("business_form")
        leading = 2 if " ".join(words[:2]) in _FORMS else 1 if words[0] in _FORMS else 0
        # "Warung Makan Bu Sri" never loses just its "Warung": the head is two words.
        if leading and len(words) > leading and words[leading] not in _TWO_WORD_HEADS:
            words = words[leading:]
        else:
            words = [rng.choice(_FORMS), *words]
    text = " ".join(words)
    if rng.random() < mix.business_form_glued:
        labels.append("business_form_glued")
        form = rng.choice(("CV", "PT", "UD", "Toko"))
        first, _space, rest = text.partition(" ")
        if first in _FORMS and rest and rest.split(" ")[0] not in _TWO_WORD_HEADS:
            text = rest
        text = form + text
    if rng.random() < mix.business_old_spelling:
        labels.append("business_old_spelling")
        text = _old_spelling(rng, text)
    if rng.random() < mix.business_typo:
        labels.append("business_typo")
        text = _typo(rng, text, join_words=True)
    return _case(rng, text) if rng.random() < 0.4 else text


def _phone_text(rng, mix: HardMix, phone: str, labels: list[str]) -> str:
    if rng.random() < mix.phone_missing:
        labels.append("phone_missing")
        return ""
    if rng.random() < mix.phone_digit_dropped:
        labels.append("phone_digit_dropped")
        p = rng.randrange(3, len(phone))
        phone = phone[:p] + phone[p + 1 :]
    style = rng.choice(_PHONE_STYLES)
    return style.format(a=phone[:3], b=phone[3:7], c=phone[7:])


def _nik_text(rng, mix: HardMix, nik: str, labels: list[str]) -> str:
    if rng.random() < mix.nik_missing:
        labels.append("nik_missing")
        return ""
    roll = rng.random()
    if roll < mix.nik_digit_wrong:
        labels.append("nik_digit_wrong")
        p = rng.randrange(6, 16)
        nik = nik[:p] + rng.choice([d for d in "0123456789" if d != nik[p]]) + nik[p + 1 :]
    elif roll < mix.nik_digit_wrong + mix.nik_digits_transposed:
        positions = [p for p in range(6, 15) if nik[p] != nik[p + 1]]
        if positions:
            labels.append("nik_digits_transposed")
            p = rng.choice(positions)
            nik = nik[:p] + nik[p + 1] + nik[p] + nik[p + 2 :]
    if rng.random() < mix.nik_letter_for_digit:
        positions = [p for p, digit in enumerate(nik) if digit in _LETTERS_FOR_DIGITS]
        if positions:
            labels.append("nik_letter_for_digit")
            p = rng.choice(positions)
            nik = nik[:p] + _LETTERS_FOR_DIGITS[nik[p]] + nik[p + 1 :]
    return nik


def _append_row(
    rng, columns, mix, geo, entity_id, labels_entity, owner, business_name, village, district,
    kbli, nib,
):  # fmt: skip
    labels: list[str] = []
    if rng.random() < mix.village_neighbour:
        siblings = geo.district_villages[district]
        if len(siblings) > 1:
            labels.append("village_neighbour")
            village = rng.choice([v for v in siblings if v != village])
    regency = geo.district_regency[district]
    village_code = geo.village_codes[village]
    village_name = geo.village_names[village]
    district_name = geo.district_names[district]
    if rng.random() < mix.village_code_missing:
        labels.append("village_code_missing")
        village_code = ""
        if rng.random() < mix.village_name_spelling:
            labels.append("village_name_spelling")
            if " " in village_name and rng.random() < 0.5:
                village_name = village_name.replace(" ", "", 1)
            else:
                village_name = _typo(rng, village_name)
    elif rng.random() < 0.5:
        village_code = village_code.replace(".", "")
    columns["record_id"].append("")
    columns["business_name"].append(_business_text(rng, mix, business_name, labels))
    columns["owner_name"].append(_owner_text(rng, mix, owner, labels))
    columns["nik"].append(_nik_text(rng, mix, owner.nik, labels))
    columns["phone"].append(_phone_text(rng, mix, owner.phone, labels))
    columns["village_code"].append(village_code)
    columns["village_name"].append(village_name)
    columns["district_name"].append(district_name)
    columns["regency_name"].append(geo.regency_names[regency])
    columns["province_name"].append(geo.province_names[geo.regency_codes[regency][:2]])
    columns["kbli"].append("" if rng.random() < mix.kbli_missing else kbli)
    columns["nib"].append(nib if nib and rng.random() < 0.6 else "")
    columns["entity_id"].append(entity_id)
    columns["phenomena"].append(" ".join(sorted(set(labels + labels_entity))))


def mix_with(mix: HardMix, **changes) -> HardMix:
    return dataclasses.replace(mix, **changes)
