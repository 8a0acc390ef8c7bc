"""Indonesian normalisation for entity resolution: exact outputs, SQL twin, idempotence."""

# ruff: noqa: S608 - the SQL is the module's own expressions; values are bound parameters

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tumbuh.registry.resolution.normalise import (
    BusinessName,
    PersonName,
    business_name_sql,
    digits_or_none,
    digits_sql,
    fold,
    modern_spelling,
    normalise_business_name,
    normalise_person_name,
    normalise_phone_or_none,
    normalise_village_name,
    person_name_core_sql,
    village_name_sql,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  CV.  Barokah   Jaya ", "cv barokah jaya"),
        ("Kedai Kopi Ma'ruf", "kedai kopi maruf"),
        ("Café Élan", "cafe elan"),
        ("TOKO—SUMBER/REJEKI!!", "toko sumber rejeki"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("soekarno", "sukarno"),
        ("djaya", "jaya"),
        ("tjitjih", "cicih"),
        ("njonja", "nyonya"),
        ("sjarif", "syarif"),
        ("chairul", "khairul"),
        # The old "ndj" and the modern "nj" meet in one key.
        ("pandjang", "panyang"),
        ("panjang", "panyang"),
        # j is never mapped to y: "jaya" and "jaja" stay apart.
        ("jaya", "jaya"),
        ("jogja", "jogja"),
    ],
)
def test_modern_spelling(text, expected):
    assert modern_spelling(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("C.V. Barokah Djaya", BusinessName("cv barokah jaya", "barokah jaya", "cv")),
        ("Toko Barokah Jaya", BusinessName("toko barokah jaya", "barokah jaya", "toko")),
        ("barokah jaya", BusinessName("barokah jaya", "barokah jaya", "")),
        ("Barokah Jaya, CV", BusinessName("barokah jaya cv", "barokah jaya", "cv")),
        ("PT Toko Kue Enak Tbk", BusinessName("pt toko kue enak tbk", "kue enak", "pt toko tbk")),
        ("Usaha Dagang Sumber Rejeki", BusinessName("ud sumber rejeki", "sumber rejeki", "ud")),
        ("UD. SUMBER REJEKI", BusinessName("ud sumber rejeki", "sumber rejeki", "ud")),
        ("Koperasi Simpan Pinjam Sedjahtera", BusinessName("ksp sejahtera", "sejahtera", "ksp")),
        ("KSP Sejahtera", BusinessName("ksp sejahtera", "sejahtera", "ksp")),
        ("BUM Desa Maju Bersama", BusinessName("bumdes maju bersama", "maju bersama", "bumdes")),
        ("Badan Usaha Milik Desa Maju", BusinessName("bumdes maju", "maju", "bumdes")),
        ("Warung Makan Bu Sri", BusinessName("rm sri", "sri", "rm")),
        ("WM Ibu Sri", BusinessName("rm sri", "sri", "rm")),
        ("Kedai Kopi Pak Tri", BusinessName("kedai kopi tri", "kopi tri", "kedai")),
        # The last word always stays, even when it is a form or a way of addressing someone.
        ("Toko", BusinessName("toko", "toko", "")),
        ("Toko Warung", BusinessName("toko warung", "warung", "toko")),
        ("Warung Ibu", BusinessName("warung ibu", "ibu", "warung")),
        ("", BusinessName("", "", "")),
    ],
)
def test_normalise_business_name(name, expected):
    assert normalise_business_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hj. Siti Aminah, S.E.", PersonName("siti aminah", "hajah s e")),
        ("Bu Siti Aminah", PersonName("siti aminah", "ibu")),
        ("Ibu Siti Aminah", PersonName("siti aminah", "ibu")),
        ("SITI AMINAH", PersonName("siti aminah", "")),
        ("H. Moch. Ali", PersonName("muhammad ali", "haji")),
        ("M. Arif", PersonName("muhammad arif", "")),
        ("Drs. H. Soekarno, M.M.", PersonName("sukarno", "drs haji m m")),
        ("Bapak Budi", PersonName("budi", "bapak")),
        ("Pak Budi", PersonName("budi", "bapak")),
        ("Ir. Tjahjo Kumolo", PersonName("cahjo kumolo", "ir")),
        ("Haji Ahmad Dahlan", PersonName("ahmad dahlan", "haji")),
        ("Hajjah Fatimah", PersonName("fatimah", "hajah")),
        ("Siti Aminah S.Pd.I", PersonName("siti aminah", "s pd i")),
        ("I Wayan Sudarma", PersonName("wayan sudarma", "i")),
        ("Njonja Meneer", PersonName("meneer", "nyonya")),
        # At least one word remains.
        ("Ibu Haji", PersonName("haji", "ibu")),
    ],
)
def test_normalise_person_name(name, expected):
    assert normalise_person_name(name) == expected


def test_honorific_variants_meet():
    variants = ["Hj. Siti Aminah", "Ibu Siti Aminah", "Bu Siti Aminah, S.E.", "SITI AMINAH"]
    assert {normalise_person_name(name).core for name in variants} == {"siti aminah"}


def test_business_variants_meet():
    variants = ["CV Sumber Rejeki", "Toko Sumber Rejeki", "SUMBER REJEKI", "Soember Redjeki, CV."]
    assert {normalise_business_name(name).core for name in variants} == {"sumber rejeki"}


def test_village_name():
    assert normalise_village_name("Desa Soemberdjo") == "sumberjo"
    assert normalise_village_name("Kel. Cempaka Putih") == "cempaka putih"


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),
        ("0812", None),
        ("tidak ada", None),
        ("+1 555 0123", None),
        ("", None),
        (None, None),
    ],
)
def test_phone(phone, expected):
    assert normalise_phone_or_none(phone) == expected


def test_digits():
    assert digits_or_none("9120.0012.34567") == "9120001234567"
    assert digits_or_none("56102", length=5) == "56102"
    assert digits_or_none("5610", length=5) is None
    assert digits_or_none("-") is None


# --- the SQL twin ---------------------------------------------------------------------------

WORDS = (
    "cv", "pt", "ud", "toko", "warung", "kedai", "koperasi", "ksp", "simpan", "pinjam",
    "bumdes", "bum", "desa", "usaha", "dagang", "rumah", "makan", "wm", "bu", "ibu", "pak", "h",
    "hj", "haji", "s", "e", "m", "moch", "i", "ni", "drs", "ir", "barokah", "sumber", "rejeki",
    "djaya", "tjitjih", "soekarno", "njonja", "p", "t", "c", "v",
)  # fmt: skip

# Letters people type in names, with accents and punctuation, so that the two regex dialects
# and the two case and accent foldings are compared where they could differ.
names = st.text(
    alphabet="abcdehijkmnoprstuyABCDHJKMNOPSTUY .,'-/éèüÉ",
    max_size=40,
) | st.lists(
    st.sampled_from(WORDS),
    max_size=6,
).map(" ".join)


def _sql_business(con, name):
    sql = business_name_sql("business_name")
    return con.execute(
        f"SELECT name_full, {sql['core']}, {sql['form']} FROM "
        f"(SELECT {sql['full']} AS name_full FROM (SELECT ?::VARCHAR AS business_name))",
        [name],
    ).fetchall()[0]


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


@settings(max_examples=150, deadline=None)
@given(name=names)
@example(name="Kop Simpan Pinjam Sedjahtera")
@example(name="c v p t barokah")
def test_business_name_sql_matches_python(con, name):
    assert _sql_business(con, name) == tuple(normalise_business_name(name))


@settings(max_examples=150, deadline=None)
@given(name=names)
@example(name="Drs. H. Moch. Soekarno, S.E., M.M.")
def test_person_name_sql_matches_python(con, name):
    sql = person_name_core_sql("owner_name")
    result = con.execute(f"SELECT {sql} FROM (SELECT ?::VARCHAR AS owner_name)", [name]).fetchall()
    assert result[0][0] == normalise_person_name(name).core


@settings(max_examples=50, deadline=None)
@given(name=names)
def test_village_name_sql_matches_python(con, name):
    sql = village_name_sql("village_name")
    result = con.execute(
        f"SELECT {sql} FROM (SELECT ?::VARCHAR AS village_name)", [name]
    ).fetchall()
    assert result[0][0] == normalise_village_name(name)


def test_digits_sql(con):
    sql = digits_sql("kbli", length=5)
    rows = con.execute(
        f"SELECT {sql} FROM (VALUES ('56102'), ('5610'), (' 56.102 '), (NULL)) t(kbli)"
    ).fetchall()
    assert [row[0] for row in rows] == ["56102", None, "56102", None]


# --- idempotence ----------------------------------------------------------------------------


@given(text=st.text(max_size=40) | names)
def test_fold_and_spelling_are_idempotent(text):
    once = modern_spelling(fold(text))
    assert modern_spelling(fold(once)) == once


@given(name=st.text(max_size=40) | names)
@example(name="ddjaja")
@example(name="kop simpan pinjam")
def test_business_name_is_idempotent(name):
    once = normalise_business_name(name)
    assert normalise_business_name(once.full) == once
    assert normalise_business_name(once.core).core == once.core


@given(name=st.text(max_size=40) | names)
@example(name="ibu haji")
@example(name="h m ali s e")
def test_person_name_is_idempotent(name):
    once = normalise_person_name(name)
    assert normalise_person_name(once.core).core == once.core


@given(phone=st.text(alphabet="0123456789+- ()", max_size=18))
def test_phone_is_idempotent(phone):
    once = normalise_phone_or_none(phone)
    assert once is None or normalise_phone_or_none(once) == once
