"""Invented businesses: what they do (with a KBLI 2020 code that fits), their name and address.

Each business comes from an :class:`Archetype`: a kind of business people recognise ("warung
makan", "keripik", "toko kelontong", "bengkel motor", "tenun ikat", "BumDes", "KSP"), with the
head words of its name, the KBLI 2020 kelompok codes that fit it (all real 5-digit codes from
``kbli_2020.csv``, checked by the tests), how common it is, and where it is common: babi guling
in Bali, coto in Sulawesi Selatan, tenun ikat in NTT, batik in Java.

A name is kept in parts (legal form, head, core, honorific and call name, tail) so that partner
files can drop or swap a part the way people do: "CV Sumber Rejeki" / "Sumber Rejeki",
"Warung Makan Bu Sri" / "WM Ibu Sri", "BumDes Maju Bersama Desa Sukamaju" / "BUM Desa Maju
Bersama".
"""

import random
import re
from dataclasses import dataclass

from tumbuh.registry.synthetic.people import SEX_FEMALE, Person

KIND_UMKM = "umkm"
KIND_BUMDES = "bumdes"
KIND_COOPERATIVE = "cooperative"

SCALE_MIKRO = "mikro"
SCALE_KECIL = "kecil"
SCALE_MENENGAH = "menengah"

# Share of businesses by scale: UMKM are overwhelmingly micro businesses.
SCALE_WEIGHTS = ((SCALE_MIKRO, 0.88), (SCALE_KECIL, 0.09), (SCALE_MENENGAH, 0.03))
# Share of all businesses that are BumDes (only in desa, one per village) and cooperatives.
BUMDES_SHARE = 0.045
COOPERATIVE_SHARE = 0.03
# Who has a NIB (registered in OSS) by scale, and for BumDes and cooperatives.
NIB_SHARE = {SCALE_MIKRO: 0.35, SCALE_KECIL: 0.75, SCALE_MENENGAH: 0.95}
NIB_SHARE_BUMDES = 0.5
NIB_SHARE_COOPERATIVE = 0.7
EMAIL_SHARE = 0.25

CHRISTIAN_CLUSTERS = frozenset({"batak", "ntt", "dayak", "minahasa", "maluku", "papuan"})
JAVA_BALI = ("31", "32", "33", "34", "35", "36", "51")
SUMATRA = ("11", "12", "13", "14", "15", "16", "17", "18", "19", "21")
KALIMANTAN = ("61", "62", "63", "64", "65")
SULAWESI = ("71", "72", "73", "74", "75", "76")
EAST = ("52", "53", "81", "82", "91", "92", "93", "94", "95", "96", "97")


@dataclass(frozen=True)
class Archetype:
    """A recognisable kind of business and how it is named."""

    key: str
    kind: str
    # The usual head words first, then those a partner may write instead.
    heads: tuple[str, ...]
    kbli: tuple[str, ...]
    weight: float
    # What follows the head: owner | blessing | owner_or_blessing | place | place_owner |
    # bumdes | flower ("Warung Makan Bu Sri", "Keripik Singkong Maju Jaya", "Batik Lasem").
    core: str = "owner_or_blessing"
    # Which blessing words fit: general | food | agri | craft.
    theme: str = "general"
    # Where it is common (province code prefixes); elsewhere its weight is multiplied by
    # `elsewhere`.
    provinces: tuple[str, ...] = ()
    elsewhere: float = 1.0
    head_after: bool = False  # "Berkah Cell", not "Cell Berkah"
    legal: str = ""  # a legal form most of them use ("UD" for traders of farm produce)


def _a(key, heads, kbli, weight, **options) -> Archetype:
    kind = options.pop("kind", KIND_UMKM)
    return Archetype(key, kind, tuple(heads.split("|")), tuple(kbli.split()), weight, **options)


ARCHETYPES: tuple[Archetype, ...] = (
    # Eating and drinking (KBLI 56)
    _a("warung_makan", "Warung Makan|Warung|WM|Rumah Makan|Warung Nasi", "56102", 14, theme="food"),
    _a("rumah_makan_padang", "Rumah Makan Padang|RM Padang|RM|Masakan Padang|Nasi Padang", "56102 56101", 4, core="blessing", theme="food"),
    _a("warung_nasi", "Warung Nasi|Warung|Warung Nasi Sunda|Rumah Makan", "56102", 5, core="owner", provinces=("32", "36"), elsewhere=0.0),
    _a("bakso", "Bakso|Bakso dan Mie Ayam|Warung Bakso|Bakso Sapi", "56103", 4, theme="food"),
    _a("mie_ayam", "Mie Ayam|Mie Ayam Bakso|Warung Mie Ayam|Mi Ayam", "56103", 3, core="owner"),
    _a("sate", "Sate|Sate Ayam|Warung Sate|Sate Kambing", "56103", 2, core="owner"),
    _a("soto", "Soto|Warung Soto|Soto Ayam|Soto Lamongan", "56103", 2, core="owner", provinces=JAVA_BALI, elsewhere=0.4),
    _a("coto", "Coto Makassar|Coto|Warung Coto|Coto Daging", "56102", 4, core="owner", provinces=("73", "74", "76"), elsewhere=0.05),
    _a("babi_guling", "Babi Guling|Warung Babi Guling|Warung|Be Guling", "56102", 4, core="owner", provinces=("51",), elsewhere=0.0),
    _a("lapo", "Lapo|Lapo Tuak|Rumah Makan|Lapo Nauli", "56102", 3, core="owner", provinces=("12",), elsewhere=0.0),
    _a("angkringan", "Angkringan|Wedangan|Hik|Warung Angkringan", "56104", 3, core="owner", provinces=("33", "34", "35"), elsewhere=0.1),
    _a("ayam_geprek", "Ayam Geprek|Ayam Penyet|Geprek|Warung Ayam Geprek", "56103", 2, theme="food"),
    _a("kedai_kopi", "Kedai Kopi|Warung Kopi|Warkop|Kopi", "56304", 4, theme="food"),
    _a("kopi_daerah", "Kopi|Kopi Bubuk|Kedai Kopi", "10761", 2, core="place_owner", provinces=("11", "16", "18", "51", "53", "73", "33", "32"), elsewhere=0.2),
    _a("minuman", "Es Teh|Es Kelapa Muda|Jus Buah|Es Teler|Es Campur", "56304 56306", 2, theme="food"),
    _a("katering", "Catering|Katering|Jasa Boga|Dapur", "56210", 2, theme="food"),
    # Food processing (KBLI 10, 11)
    _a("keripik", "Keripik Singkong|Keripik|Keripik Pisang|Kripik Singkong", "10794", 3, core="blessing", theme="food"),
    _a("keripik_tempe", "Keripik Tempe|Keripik|Kripik Tempe", "10794", 1.5, core="blessing", theme="food", provinces=("33", "34", "35"), elsewhere=0.3),
    _a("kerupuk", "Kerupuk Udang|Kerupuk|Krupuk Udang|Kerupuk Ikan", "10794", 2, core="blessing", theme="food"),
    _a("rempeyek", "Rempeyek|Peyek|Rempeyek Kacang", "10794", 1, core="owner"),
    _a("kue_basah", "Kue Basah|Jajanan Pasar|Kue|Aneka Kue", "10792", 4, core="owner"),
    _a("roti", "Toko Roti|Roti|Bakery|Roti dan Kue", "10710", 3, core="blessing", theme="food"),
    _a("tahu", "Tahu|Pabrik Tahu|Produksi Tahu|Tahu Putih", "10392", 2),
    _a("tempe", "Tempe|Pengrajin Tempe|Tempe Murni|Produksi Tempe", "10391", 2, core="owner"),
    _a("sambal", "Sambal|Sambel|Sambal Bawang|Sambal Roa", "10772", 1, core="owner"),
    _a("dodol", "Dodol|Dodol Khas|Jenang", "10796", 1, core="place"),
    _a("gula_aren", "Gula Aren|Gula Merah|Gula Semut|Gula Kelapa", "10722", 1.5, core="blessing", theme="agri"),
    _a("frozen_food", "Frozen Food|Dimsum|Nugget|Olahan Beku", "10750", 1, core="owner"),
    _a("ikan_asin", "Ikan Asin|Ikan Kering|Pengasinan Ikan|Ikan Asap", "10211 10212", 1.5, theme="food", provinces=SULAWESI + EAST + SUMATRA, elsewhere=0.5),
    _a("abon", "Abon Sapi|Abon|Abon Ikan|Abon Ayam", "10130 10219", 1, core="blessing", theme="food"),
    _a("rumput_laut", "Olahan Rumput Laut|Rumput Laut|Dodol Rumput Laut", "10298", 1, core="blessing", provinces=("53", "73", "74", "52", "72"), elsewhere=0.05),
    _a("air_isi_ulang", "Depot Air Minum|Depot Air|Air Isi Ulang|DAMIU", "11052", 2, core="blessing"),
    _a("jamu", "Jamu|Jamu Gendong|Jamu Tradisional|Jamu Racikan", "21022", 1, core="owner", provinces=("33", "34", "35"), elsewhere=0.3),
    # Retail (KBLI 47)
    _a("kelontong", "Toko Kelontong|Toko|Kelontong|Warung Kelontong|Warung", "47112", 12),
    _a("sembako", "Toko Sembako|Sembako|Toko|Warung Sembako|Agen Sembako", "47112", 5, core="blessing"),
    _a("beras", "Toko Beras|Beras|Agen Beras|Penjual Beras", "47241", 2, core="blessing"),
    _a("pakaian", "Toko Pakaian|Butik|Toko Baju|Distro|Fashion", "47711", 3),
    _a("kosmetik", "Toko Kosmetik|Kosmetik|Skincare|Beauty Store", "47724", 1, core="owner"),
    _a("konter", "Cell|Ponsel|Phone Cell|Konter Pulsa", "47414", 3, core="blessing", head_after=True),
    _a("bangunan", "Toko Bangunan|TB|Material|Toko Material", "47528", 2, core="blessing"),
    _a("toko_tani", "Toko Tani|Kios Pupuk|Toko Pertanian|Kios Tani", "47763", 2, core="blessing", theme="agri"),
    _a("sayur", "Sayur|Pedagang Sayur|Lapak Sayur|Sayur Segar", "47813", 2, core="owner"),
    _a("ikan_segar", "Lapak Ikan|Ikan Segar|Penjual Ikan|Ikan", "47815", 1.5, core="owner"),
    _a("olshop", "Olshop|Online Shop|Shop|Store", "47911 47912", 1, core="owner", head_after=True),
    # Crafts and manufacturing (KBLI 13, 14, 16, 23, 31, 32)
    _a("batik", "Batik|Batik Tulis|Rumah Batik|Batik Cap", "13134", 3, core="place", provinces=("31", "32", "33", "34", "35"), elsewhere=0.15),
    _a("tenun_ikat", "Tenun Ikat|Tenun|Kain Tenun|Sentra Tenun", "13122", 4, core="place", provinces=("53", "52", "74"), elsewhere=0.02),
    _a("songket", "Songket|Tenun Songket|Kain Songket", "13121", 3, core="place", provinces=("16", "13", "52", "51"), elsewhere=0.0),
    _a("konveksi", "Konveksi|Konfeksi|Garmen|Produksi Pakaian", "14111", 2, core="blessing", theme="craft"),
    _a("penjahit", "Penjahit|Jahit|Modiste|Taylor", "14120", 3, core="owner"),
    _a("bordir", "Bordir|Sulaman|Bordir dan Sulaman", "14302", 2, core="place", provinces=("13", "32", "35", "11"), elsewhere=0.05),
    _a("anyaman", "Kerajinan Bambu|Anyaman Bambu|Anyaman Rotan|Kerajinan", "16291", 1.5, core="blessing", theme="craft"),
    _a("ukiran", "Ukiran Kayu|Ukir|Seni Ukir|Kerajinan Ukir", "16293", 2, core="owner", provinces=("33", "51", "93", "62"), elsewhere=0.1),
    _a("mebel", "Mebel|Meubel|Furniture|Mebeler", "31001", 2, core="blessing", theme="craft"),
    _a("gerabah", "Gerabah|Kerajinan Gerabah|Tembikar|Keramik", "23932", 0.7, core="place"),
    _a("noken", "Noken|Kerajinan Noken|Noken Asli", "32903", 4, core="owner", provinces=("91", "92", "93", "94", "95", "96", "97"), elsewhere=0.0),
    _a("perak", "Kerajinan Perak|Perak|Silver", "32112", 2, core="place", provinces=("34", "51"), elsewhere=0.0),
    # Services (KBLI 45, 55, 82, 95, 96)
    _a("bengkel", "Bengkel Motor|Bengkel|Service Motor|Servis Motor", "45407", 3),
    _a("pangkas", "Pangkas Rambut|Barbershop|Cukur Rambut|Barber", "96111", 2),
    _a("salon", "Salon|Salon Kecantikan|Beauty Salon|Salon dan Spa", "96112", 2, core="owner"),
    _a("laundry", "Laundry|Laundry Kiloan|Binatu|Laundri", "96200", 2, core="blessing"),
    _a("fotokopi", "Fotokopi|Foto Copy|Fotocopy|Fotokopi dan ATK", "82190", 1.5, core="blessing"),
    _a("servis_hp", "Servis HP|Service HP|Servis Elektronik|Reparasi Elektronik", "95120 95210", 1, core="blessing"),
    _a("homestay", "Homestay|Pondok Wisata|Penginapan|Guest House", "55130", 1, core="blessing", provinces=("51", "52", "53", "34"), elsewhere=0.3),
    # Farming, livestock, fish (KBLI 01, 03) and trading farm produce (46)
    _a("tani_padi", "Usaha Tani|Tani|Sawah|Kelompok Usaha Tani", "01122 01121", 3, core="blessing", theme="agri"),
    _a("sayuran", "Kebun Sayur|Sayur Organik|Hortikultura|Kebun", "01131 01133", 1.5, core="blessing", theme="agri"),
    _a("cabai", "Kebun Cabai|Cabai|Cabe|Kebun Cabe", "01283", 1, theme="agri"),
    _a("sawit", "Kebun Sawit|Sawit|Kebun Kelapa Sawit|Kebun", "01262", 3, provinces=("12", "14", "15", "16", "61", "62", "64", "65", "76"), elsewhere=0.0),
    _a("karet", "Kebun Karet|Karet|Getah Karet|Kebun", "01291", 2, provinces=("12", "14", "15", "16", "61", "62", "63"), elsewhere=0.0),
    _a("kelapa", "Kebun Kelapa|Kelapa|Kopra|Kebun", "01261", 1, provinces=SULAWESI + EAST, elsewhere=0.2),
    _a("kakao", "Kebun Kakao|Kakao|Coklat|Kebun", "01270", 1.5, provinces=("72", "73", "74", "76"), elsewhere=0.0),
    _a("ayam", "Peternakan Ayam|Ternak Ayam|Kandang Ayam|Peternak Ayam", "01461 01462 01464", 2, core="blessing", theme="agri"),
    _a("ternak", "Ternak Kambing|Peternakan Kambing|Ternak Sapi|Peternakan", "01442 01411", 2, theme="agri"),
    _a("babi", "Ternak Babi|Peternakan Babi|Kandang Babi", "01450", 2, core="owner", provinces=("12", "51", "53", "71", "91", "92", "93", "94", "95", "96", "97"), elsewhere=0.0),
    _a("lele", "Budidaya Lele|Budidaya Ikan|Kolam Ikan|Kolam Lele", "03221", 2, core="blessing", theme="agri"),
    _a("tambak", "Tambak|Tambak Udang|Budidaya Bandeng|Tambak Bandeng", "03251 03254", 1, core="blessing", theme="agri", provinces=("73", "35", "33", "32", "64"), elsewhere=0.2),
    _a("madu", "Madu Hutan|Madu|Madu Lebah|Madu Murni", "01493", 1, core="place"),
    _a("hasil_bumi", "Pengepul Hasil Bumi|Hasil Bumi|Pengepul|Agen Hasil Tani", "46201", 2, core="blessing", theme="agri", legal="UD"),
    _a("penggilingan", "Penggilingan Padi|Penggilingan|Selep|Huller", "10631", 1.5, core="blessing", theme="agri"),
    _a("hasil_laut", "Hasil Laut|Pengepul Ikan|Perikanan|Ikan", "46206", 1, core="blessing", legal="UD", provinces=SULAWESI + EAST + SUMATRA, elsewhere=0.3),
    # Cooperatives
    _a("ksp", "Koperasi Simpan Pinjam|KSP|Kop. Simpan Pinjam|Koperasi", "64141", 3, core="blessing", kind=KIND_COOPERATIVE),
    _a("kud", "KUD|Koperasi Unit Desa|Koperasi", "46201", 2, core="blessing", theme="agri", kind=KIND_COOPERATIVE),
    _a("kopwan", "Koperasi Wanita|Kopwan|Koperasi", "64141", 1.5, core="flower", kind=KIND_COOPERATIVE),
    _a("koperasi_produsen", "Koperasi Produsen|Kop. Produsen|Koperasi", "46209 10794", 1.5, core="blessing", theme="agri", kind=KIND_COOPERATIVE),
    _a("ksu", "Koperasi Serba Usaha|KSU|Koperasi Konsumen|Koperasi", "47112", 2, core="blessing", kind=KIND_COOPERATIVE),
    # Village-owned enterprises
    _a("bumdes", "BumDes|BUMDes|BUM Desa|Badan Usaha Milik Desa|Bumdes", "47112 11052 46201 93231", 1, core="bumdes", kind=KIND_BUMDES),
)  # fmt: skip

ARCHETYPES_BY_KEY = {archetype.key: archetype for archetype in ARCHETYPES}


def _weighted(text: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """'Berkah:5|Maju Jaya:3|Sederhana' → words and cumulative weights (default weight 1)."""
    words, cumulative, total = [], [], 0.0
    for item in text.split("|"):
        word, _sep, weight = item.partition(":")
        total += float(weight or 1)
        words.append(word.strip())
        cumulative.append(total)
    return tuple(words), tuple(cumulative)


# A few words are very common, so that several businesses in one district share a name.
BLESSINGS = {
    "general": _weighted(
        "Berkah:6|Barokah:5|Maju Jaya:5|Sumber Rejeki:5|Sederhana:3|Makmur:3|Jaya Abadi:2|"
        "Sinar Jaya:2|Mekar Sari:2|Karya Mandiri:2|Sejahtera:2|Mandiri:2|Amanah:2|Rezeki:2|"
        "Harapan Baru|Cahaya|Mitra Usaha|Lancar Jaya|Putra Mandiri|Dua Saudara|Tiga Putra|"
        "Al-Hidayah|Anugerah|Sinar Harapan|Mulia|Maju Bersama|Sentosa|Abadi|Bintang|Permata|"
        "Kurnia|Indah|Murah Meriah|Family|Bahagia|Idaman|Utama|Sakinah|Pelangi|Citra"
    ),
    "food": _weighted(
        "Sari Rasa:4|Barokah:4|Berkah:4|Sederhana:4|Nikmat:3|Lezat:2|Selera:2|Citra Rasa:2|"
        "Rasa Sayang|Enak|Mantap|Sedap|Pojok|Sari Bundo|Kita|Mama|Bunda|Idola|Favorit|"
        "Sumber Rejeki:2|Maju Jaya:2|Murah Meriah|Legit|Gurih|Renyah|Sari Murni|Lestari"
    ),
    "agri": _weighted(
        "Tani Makmur:5|Tani Jaya:3|Subur Makmur:3|Sri Tani|Hasil Bumi:2|Tunas Harapan|"
        "Sumber Tani|Agro Lestari|Mekar Tani|Sido Makmur|Subur:2|Makmur Jaya:2|Tani Mandiri|"
        "Sumber Rejeki:2|Berkah Tani|Hijau Lestari|Karya Tani|Bumi Makmur|Panen Raya"
    ),
    "craft": _weighted(
        "Karya Mandiri:3|Karya Indah:2|Kreasi|Cipta Karya|Mustika|Seni Indah|Jaya Abadi:2|"
        "Kriya Nusantara|Putra Jaya|Sumber Rejeki:2|Maju Jaya:2|Berkah:2|Sinar Mas|Kencana"
    ),
}
REGIONAL_BLESSINGS = {
    "javanese": _weighted(
        "Sido Mulyo:2|Sido Mampir|Ngudi Rejeki|Rukun Makmur|Sri Rejeki:2|Tentrem|Lestari|Agung|Sumber Waras|Rahayu|Sido Rukun|Manunggal"
    ),
    "sundanese": _weighted(
        "Saluyu|Mugi Rahayu:2|Sauyunan|Pusaka|Sinar Galuh|Rahayu|Sawargi|Someah|Barokah Sunda"
    ),
    "minang": _weighted(
        "Salero Bundo:2|Saiyo|Ampera|Sederhana:3|Pagi Sore|Simpang Raya|Sakato|Ranah Minang"
    ),
    "balinese": _weighted(
        "Dewata:2|Santhi|Sari Dewi|Ayu|Jaya Sari|Merta Sari|Bali Asri|Dharma|Laksmi"
    ),
    "bugis": _weighted("Sipakatau|Mattiro|Amanah:2|Sipatuo|Pallawa|Bosowa|Karaeng|Sulapa Eppa"),
    "batak": _weighted("Horas:2|Dos Roha|Nauli|Sehati|Martabe|Sada Roha"),
}
CHRISTIAN_BLESSINGS = _weighted(
    "Berkat:3|Imanuel:2|Diberkati|Kasih:2|Shalom|Anugerah:2|Efata|Sion|Elim|Kasih Setia|Bethel"
)
BUMDES_NAMES = _weighted(
    "Maju Bersama:4|Sejahtera:3|Mandiri:3|Karya Bersama:2|Makmur:2|Berkah:2|Tunas Harapan|"
    "Sumber Makmur|Mitra Sejahtera|Bina Usaha|Gotong Royong:2|Mekar Jaya|Artha Jaya|Bangun Desa|"
    "Usaha Bersama|Sinar Harapan|Sido Makmur|Maju Makmur|Sepakat|Desa Mandiri"
)
FLOWERS = _weighted(
    "Mawar:2|Melati:2|Anggrek|Kenanga|Srikandi|Kartini:2|Flamboyan|Cempaka|Teratai|Seroja"
)


def pick(rng: random.Random, weighted: tuple[tuple[str, ...], tuple[float, ...]]) -> str:
    words, cumulative = weighted
    return rng.choices(words, cum_weights=cumulative)[0]


class BusinessName:
    """A business name in parts, so that a partner can write it differently."""

    __slots__ = ("archetype", "call", "core", "head", "honorific", "legal", "tail")

    def __init__(self, legal, head, core, honorific, call, tail, archetype):
        self.legal = legal
        self.head = head
        self.core = core
        self.honorific = honorific
        self.call = call
        self.tail = tail
        self.archetype = archetype

    def parts(self, *, legal=None, head=None, core=None, honorific=None, call=None, tail=None):
        """The words of the name, in order, with any part replaced."""
        legal = self.legal if legal is None else legal
        head = self.head if head is None else head
        core = self.core if core is None else core
        honorific = self.honorific if honorific is None else honorific
        call = self.call if call is None else call
        tail = self.tail if tail is None else tail
        if self.archetype.head_after:
            return [legal, core, honorific, call, head, tail]
        return [legal, head, core, honorific, call, tail]

    def text(self, **replace) -> str:
        return " ".join(part for part in self.parts(**replace) if part)


class Business:
    """One true business: the record the partners' rows are noisy copies of."""

    __slots__ = (
        "address",
        "archetype",
        "email",
        "entity_id",
        "kbli",
        "kind",
        "name",
        "nib",
        "number",
        "owner",
        "scale",
        "slug",
        "village",
    )

    def __init__(self, **values):
        for key, value in values.items():
            setattr(self, key, value)


# --- choosing ---------------------------------------------------------------------------------


class Catalogue:
    """Archetype weights per province, computed once."""

    def __init__(self):
        self._umkm: dict[str, tuple[list[Archetype], list[float]]] = {}
        self.cooperatives = [a for a in ARCHETYPES if a.kind == KIND_COOPERATIVE]
        self._cooperative_cumulative = _cumulative([a.weight for a in self.cooperatives])
        self.bumdes = ARCHETYPES_BY_KEY["bumdes"]

    def umkm(self, rng: random.Random, province_code: str) -> Archetype:
        if province_code not in self._umkm:
            chosen, weights = [], []
            for archetype in ARCHETYPES:
                if archetype.kind != KIND_UMKM:
                    continue
                weight = archetype.weight
                if archetype.provinces and not province_code.startswith(archetype.provinces):
                    weight *= archetype.elsewhere
                if weight > 0:
                    chosen.append(archetype)
                    weights.append(weight)
            self._umkm[province_code] = (chosen, _cumulative(weights))
        chosen, cumulative = self._umkm[province_code]
        return rng.choices(chosen, cum_weights=cumulative)[0]

    def cooperative(self, rng: random.Random) -> Archetype:
        return rng.choices(self.cooperatives, cum_weights=self._cooperative_cumulative)[0]


def _cumulative(weights: list[float]) -> list[float]:
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def blessing(rng: random.Random, theme: str, cluster_key: str) -> str:
    roll = rng.random()
    if cluster_key in CHRISTIAN_CLUSTERS and roll < 0.3:
        return pick(rng, CHRISTIAN_BLESSINGS)
    if cluster_key in REGIONAL_BLESSINGS and roll < 0.35:
        return pick(rng, REGIONAL_BLESSINGS[cluster_key])
    return pick(rng, BLESSINGS[theme])


def owner_call(rng: random.Random, owner: Person) -> tuple[str, str]:
    calls = owner.cluster.female_calls if owner.sex == SEX_FEMALE else owner.cluster.male_calls
    return rng.choice(calls), owner.call_name


def strip_desa(village_name: str) -> str:
    for prefix in ("Desa Adat ", "Desa "):
        if village_name.startswith(prefix):
            return village_name[len(prefix) :]
    return village_name


def make_name(
    rng: random.Random,
    archetype: Archetype,
    *,
    owner: Person,
    scale: str,
    village_name: str,
    district_name: str,
) -> BusinessName:
    head = archetype.heads[0]
    core = honorific = call = tail = legal = ""
    style = archetype.core
    if style == "owner_or_blessing":
        style = "owner" if rng.random() < 0.45 else "blessing"
    if style == "owner":
        honorific, call = owner_call(rng, owner)
    elif style == "blessing":
        core = blessing(rng, archetype.theme, owner.cluster.key)
    elif style == "place":
        place = district_name if rng.random() < 0.6 else strip_desa(village_name)
        core = (
            place if rng.random() < 0.6 else f"{place} {blessing(rng, 'craft', owner.cluster.key)}"
        )
    elif style == "place_owner":
        core = district_name
        honorific, call = owner_call(rng, owner)
    elif style == "bumdes":
        core = pick(rng, BUMDES_NAMES)
        tail = f"Desa {strip_desa(village_name)}"
    elif style == "flower":
        core = pick(rng, FLOWERS)
    if archetype.kind == KIND_UMKM:
        roll = rng.random()
        if archetype.legal and roll < 0.6:
            legal = archetype.legal
        elif scale == SCALE_MENENGAH:
            legal = "CV" if roll < 0.45 else "PT" if roll < 0.75 else ""
        elif scale == SCALE_KECIL:
            legal = "UD" if roll < 0.25 else "CV" if roll < 0.4 else ""
        elif roll < 0.03:
            legal = "UD"
        if legal == "PT" and call and not core:
            legal = "CV"  # "PT Warung Bu Sri" is not a name anyone registers
        # "CV Sumber Rejeki": a registered company usually drops the shop words of its name.
        if legal and core and rng.random() < 0.6:
            head = ""
        if legal and not (core or call):
            core = blessing(rng, archetype.theme, owner.cluster.key)
    return BusinessName(legal, head, core, honorific, call, tail, archetype)


# --- addresses ----------------------------------------------------------------------------------

STREETS = _weighted(
    "Merdeka:3|Sudirman:3|Diponegoro:3|Ahmad Yani:3|Gatot Subroto:2|Pahlawan:3|Veteran|Pemuda:2|"
    "Kartini:2|Mawar|Melati|Kenanga|Flamboyan|Pasar:2|Masjid|Pendidikan|Imam Bonjol:2|"
    "Hasanuddin|Teuku Umar|Gajah Mada|Hayam Wuruk|Kenari|Cendana|Sisingamangaraja|Pattimura|"
    "Trikora|Sam Ratulangi|Dr. Sutomo|Kihajar Dewantara|Cut Nyak Dhien|Pramuka|Anggrek|Nusantara"
)
HAMLETS = _weighted(
    "Krajan:3|Kidul:2|Lor:2|Wetan:2|Kulon:2|Tengah:2|I:2|II:2|III|IV|V|Sukamaju|Mekarsari|Sidomulyo|Karanganyar|Sumbersari|Baru|Timur|Barat"
)


class Address:
    """A street address in parts: 'Jl. Merdeka No. 12, RT 003/RW 005' or 'Dusun Krajan RT …'."""

    __slots__ = ("number", "place", "rt", "rw", "unit")

    def __init__(self, unit, place, number, rt, rw):
        self.unit = unit  # "Jl." or "Dusun" / "Banjar" / "Jorong" / "Lingkungan"
        self.place = place
        self.number = number
        self.rt = rt
        self.rw = rw

    def text(self) -> str:
        words = f"{self.unit} {self.place}"
        if self.number:
            words += f" No. {self.number}"
        if self.rt:
            words += f", RT {self.rt:03d}/RW {self.rw:03d}"
        return words


def make_address(rng: random.Random, *, village_code: str, village_name: str) -> Address:
    is_kelurahan = village_code[9] == "1"
    province = village_code[:2]
    if is_kelurahan or rng.random() < 0.45:
        place = f"Raya {strip_desa(village_name)}" if rng.random() < 0.12 else pick(rng, STREETS)
        number = rng.randint(1, 150)
        rt = rng.randint(1, 15) if rng.random() < 0.6 else 0
        return Address("Jl.", place, number, rt, rng.randint(1, 12))
    unit = {"51": "Banjar", "13": "Jorong"}.get(province, "Dusun")
    return Address(unit, pick(rng, HAMLETS), 0, rng.randint(1, 9), rng.randint(1, 6))


# --- contact ------------------------------------------------------------------------------------

EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_words(text: str) -> str:
    return _NOT_SLUG.sub("", text.lower())


def make_email(rng: random.Random, name: BusinessName, owner: Person) -> str:
    """An address at a reserved example domain, so that no real mailbox is ever written to."""
    if rng.random() < 0.5:
        words = owner.name.lower().replace("'", "").split()
        local = (
            ".".join(slug_words(word) for word in words[-2:]) + f"{owner.birth_date.year % 100:02d}"
        )
    else:
        local = slug_words(name.text(legal=""))[:24] + str(rng.randint(1, 999))
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"
