"""Invented owners: names from the naming traditions of each province, a NIK, a phone number.

Names are drawn from "clusters" (Javanese, Sundanese, Batak, Minang, Balinese, Bugis, NTT,
Papuan, …). Each province mixes a few clusters, so Jawa Barat is mostly Sundanese with Javanese
neighbours and Kalimantan Timur mixes Javanese, Bugis, Banjar and Dayak owners, as migration made
it. The lists are invented for this generator from common given names and family names; none is
meant to be a real person.

A NIK is built the way Dukcapil builds it: the owner's district (``32.04.01`` → ``320401``), the
birth date as DDMMYY with 40 added to the day for women, and a serial that is never ``0000``.
Every NIK is unique (checked against a fixed-size bit table, so memory does not grow with the
number of people). Phone numbers are unique too: the last eight digits are a permutation of the
person's number.
"""

import datetime
import random
from dataclasses import dataclass

# --- name clusters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """One naming tradition: given names, second names or family names, and how they combine."""

    key: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    male_second: tuple[str, ...]
    female_second: tuple[str, ...]
    # Share of names that are a single word (Javanese "Slamet", Minang "Afrizal").
    single: float = 0.0
    # Titles of pilgrims (H., Hj.) are common where most people are Muslim.
    is_muslim: bool = True
    # Honorifics used in business names ("Warung Bu Sri", "Coto Daeng Nuhung", "Mama Yuliana").
    male_calls: tuple[str, ...] = ("Pak",)
    female_calls: tuple[str, ...] = ("Bu",)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


JAVANESE = Cluster(
    "javanese",
    male=_words(
        "Sutrisno Slamet Bambang Joko Budi Agus Sugeng Wahyudi Suparno Sukirno Hadi Teguh Puji Eko "
        "Dwi Tri Heru Gunawan Purnomo Suyanto Sugiyanto Haryanto Mulyono Sarno Paimin Giyanto "
        "Supriyadi Rohmat Margono Tukiman Darmanto Wiji Yanto Sutarno Suwarno"
    ),
    female=_words(
        "Sri Siti Sumarni Suparmi Wahyuni Endang Ngatini Sulastri Rini Yuli Retno Lestari Sumiati "
        "Kartini Wulan Ani Nur Dewi Tutik Suwarni Sumini Painem Suprapti Ratna Marsini Tumini "
        "Sukarti Sunarti Warsini Ngadiyem"
    ),
    male_second=_words(
        "Santoso Susilo Prasetyo Wibowo Setiawan Purnomo Nugroho Hartono Riyadi Saputro Wahyudi "
        "Kurniawan Utomo Sulistyo Raharjo Priyanto Handoko Sutrisno Widodo Hidayat Suharto "
        "Pamungkas Darmawan Sasongko Triyono"
    ),
    female_second=_words(
        "Rahayu Wahyuni Lestari Astuti Handayani Suryani Mulyani Purwanti Sulistyowati Wulandari "
        "Susanti Rahmawati Hartati Widayati Utami Setyowati Ningsih Indrawati Kusumawati Yuliani "
        "Pratiwi Sulastri Mardiyah Rusmiyati"
    ),
    single=0.25,
    male_calls=("Pak", "Pak", "Mas", "Cak"),
    female_calls=("Bu", "Bu", "Mbok", "Mbak"),
)
SUNDANESE = Cluster(
    "sundanese",
    male=_words(
        "Asep Ujang Dadang Dede Cecep Yayan Engkos Atep Deden Iwan Ade Jajang Endang Aep Mamat Dudi "
        "Usep Encep Rudi Hendra Ayi Oman Dodi Wawan Tatang Didin Agus Nanang Ecep Ajat"
    ),
    female=_words(
        "Euis Cucu Iis Nining Neneng Imas Yeni Entin Lilis Enok Ai Popon Teti Yani Neng Dedeh Nia "
        "Rina Ika Siti Enung Eti Oneng Cicih Titin Nurul Elis Heni Eem Kokom"
    ),
    male_second=_words(
        "Saepudin Suherman Sunarya Hidayat Supriatna Kusnadi Setiawan Rusmana Sutisna Mulyana "
        "Permana Sopandi Hermawan Gunawan Jaelani Hamdani Ruhiyat Nugraha Suryana Firmansyah "
        "Sobari Wiguna Somantri Rukmana"
    ),
    female_second=_words(
        "Kurniasih Rohaeti Nurhasanah Suryani Komalasari Sumiati Rosmiati Maryati Hayati Mulyani "
        "Nurjanah Herawati Fitriani Sulastri Rahmawati Sopiah Julaeha Rukmini Permatasari "
        "Pujiastuti Rosita Nurlaela"
    ),
    single=0.1,
    male_calls=("Pak", "Kang", "Mang"),
    female_calls=("Bu", "Teh", "Ceu"),
)
MALAY = Cluster(
    "malay",
    male=_words(
        "Muhammad Ahmad Abdul Syahrul Zulkifli Hasan Ismail Rizal Faisal Azhar Darmawan Hendri "
        "Rahmat Yusuf Ridwan Irwan Safrizal Mukhlis Nasrun Amiruddin Fadli Khairul Munawar "
        "Syamsul Taufik Hamdan Junaidi Saiful Zainal Ilham"
    ),
    female=_words(
        "Siti Nur Fatimah Aisyah Nurul Rahmawati Yusnita Fitri Rosmawati Hasanah Zubaidah "
        "Nurhayati Mardiana Juliana Rina Dewi Erni Yuliana Rosmini Halimah Mariam Salmah Rohana "
        "Kamariah Nurlela Hafsah Jamilah Asmah"
    ),
    male_second=_words(
        "Rahman Saputra Syahputra Ramadhan Hakim Abdullah Hamzah Iskandar Rosyid Fadli Maulana "
        "Kurniawan Effendi Harun Yunus Amin Salim Arifin Hasibuan Sulaiman Anwar Kadir Mansur"
    ),
    female_second=_words(
        "Aminah Hasanah Zahara Rahmah Khadijah Yanti Wati Nurlela Hayati Safitri Handayani Sari "
        "Suryani Marlina Susanti Lestari Ramadhani Rahayu Fitriani Ningsih Wahyuni Zainab"
    ),
    single=0.05,
    male_calls=("Pak", "Bang"),
    female_calls=("Bu", "Kak", "Mak"),
)
BATAK = Cluster(
    "batak",
    male=_words(
        "Tigor Hotman Parlindungan Sahat Robert Jhonson Poltak Marihot Benny Darwin Togar Binsar "
        "Bonar Sudung Ronald Hendrik Ricardo Edward Lamhot Manahan Pardamean Halomoan Jonner "
        "Rudolf Maruli"
    ),
    female=_words(
        "Rotua Lamtiur Tiurma Rosmawati Hotnida Nurmala Rumondang Romauli Sondang Melva Lisbet "
        "Debora Rusmini Tiominar Saurma Junita Erna Rianti Marta Nelly Hotmaida Dameria Mindo"
    ),
    male_second=_words(
        "Simanjuntak Siregar Nainggolan Sihombing Situmorang Pasaribu Hutapea Sitompul Simatupang "
        "Manurung Sinaga Silalahi Tambunan Panjaitan Hutagalung Sirait Lumbantobing Harahap "
        "Nasution Lubis Sembiring Ginting Tarigan Purba Damanik Saragih Napitupulu Marpaung"
    ),
    female_second=(),  # women take the same marga
    is_muslim=False,
    male_calls=("Pak", "Amang", "Bang"),
    female_calls=("Bu", "Inang", "Mak"),
)
MINANG = Cluster(
    "minang",
    male=_words(
        "Afrizal Yusrizal Zulhendri Syafrizal Erizal Dasril Jufri Nofrizal Yondri Hendri Rustam "
        "Irwandi Defri Asrul Zulkarnain Firdaus Masril Yulizar Jasman Edison Amril Novrianto"
    ),
    female=_words(
        "Nurhayati Desnita Yusnimar Rosmaniar Elfira Yulia Fitri Asmaniar Nelti Emi Yenni Dewi "
        "Rahmi Syafni Nurbaiti Wirda Erniwati Yusni Gusni Marlis Zuraida Yusmaniar Nurmaini"
    ),
    male_second=_words(
        "Putra Syahrial Amri Rais Chaniago Piliang Tanjung Koto Jambak Sikumbang Malin Sutan "
        "Bagindo Hendra"
    ),
    female_second=_words("Yanti Wati Sari Yenti Fitri Susanti Hendriani Marni Warni Elmi Yusra"),
    single=0.45,
    male_calls=("Pak", "Uda", "Ajo"),
    female_calls=("Bu", "Uni", "Amak"),
)
BALINESE = Cluster(
    "balinese",
    # Birth-order names come first (I Wayan, Ni Made); they are added in make_name.
    male=_words(
        "Sudarma Suarta Mudana Artawan Suparta Wiradana Sukadana Arsana Suardana Budiasa Astawa "
        "Sutama Dharma Kariasa Widana Merta Santika Adnyana Suwirya Sumerta Darmika Parwata"
    ),
    female=_words(
        "Sukerti Sriasih Suartini Ariani Wartini Sudiani Kartini Sumerti Suryani Wahyuni Astiti "
        "Puspawati Sudarmi Rusmini Suci Arini Sriani Warsiki Juliantari Widiantari Sukarmi"
    ),
    male_second=(),
    female_second=(),
    single=1.0,
    is_muslim=False,
    male_calls=("Pak", "Bli"),
    female_calls=("Bu", "Men", "Mbok"),
)
BALINESE_ORDER = ("Wayan", "Putu", "Gede", "Made", "Kadek", "Nengah", "Nyoman", "Komang", "Ketut")
SASAK = Cluster(
    "sasak",
    male=_words(
        "Zaini Muhammad Ahmad Sahnan Masrun Hirsan Suhaimi Mahsun Junaidi Rusdi Lukman Sapri "
        "Hamdi Mursid Sahril Zulkarnain Abdurrahman Saprudin"
    ),
    female=_words(
        "Nurul Rohani Sri Hamidah Sahnun Marni Rahmi Sumiati Halimah Murniati Saidah Mahnim "
        "Rukmini Hikmah Nurhidayah Sapiah"
    ),
    male_second=MALAY.male_second,
    female_second=MALAY.female_second,
    single=0.3,
    male_calls=("Pak", "Amaq"),
    female_calls=("Bu", "Inaq"),
)
NTT = Cluster(
    "ntt",
    male=_words(
        "Yohanes Fransiskus Yosef Kornelis Agustinus Petrus Paulus Markus Herman Dominikus "
        "Aloysius Stefanus Marthen Yakobus Simon Blasius Lukas Benediktus Wilhelmus Yeremias "
        "Gabriel Servasius Kristoforus Anselmus"
    ),
    female=_words(
        "Maria Agustina Marselina Yuliana Anastasia Theresia Veronika Kristina Margaretha "
        "Elisabeth Fransiska Yasinta Ursula Katarina Martha Yohana Bernadete Florentina Regina "
        "Imelda Oktaviana Adriana"
    ),
    male_second=_words(
        "Lake Bria Leto Ndun Bataona Nope Tefa Seran Kolo Manek Nahak Mau Fanggidae Ratu Pello "
        "Lado Ndolu Sogen Making Koten Rato Wula Bere Taek Klau Neno Tallo Radja Djami Amalo "
        "Banunaek Kase"
    ),
    female_second=(),
    is_muslim=False,
    male_calls=("Pak", "Bapa", "Om"),
    female_calls=("Bu", "Mama", "Mama"),
)
DAYAK = Cluster(
    "dayak",
    male=_words(
        "Antonius Yulius Hermanus Markus Agustinus Sabinus Dominikus Yohanes Natalis Paulus "
        "Stefanus Lukas Ignatius Kristianus Yosef Fransiskus"
    ),
    female=_words(
        "Maria Yuliana Natalia Agnes Theresia Kristina Veronika Monika Lusia Anastasia Sisilia "
        "Helena Yosefina Regina"
    ),
    male_second=_words(
        "Ngabut Lenjau Anyie Asang Bilung Usat Jalung Lawing Ajang Uvang Njau Ibau Ding Bulan "
        "Ngau Apui Liah Lahang Djuang Ringkai"
    ),
    female_second=(),
    is_muslim=False,
    male_calls=("Pak", "Bapak"),
    female_calls=("Bu", "Ine"),
)
BANJAR = Cluster(
    "banjar",
    male=_words(
        "Anang Syahrani Masrani Rusdiansyah Ahmad Muhammad Abdul Rahmadi Fahmi Hairul Noor Mahfuz "
        "Akhmad Rijali Saberi Yusran Gusti Ramli Supian"
    ),
    female=_words(
        "Masliani Noorhayati Rusmilawati Norma Fahriah Hairani Noorlaila Mariani Raudah Jamilah "
        "Rabiatul Siti Halimah Aluh Nurjannah"
    ),
    male_second=_words("Rahman Hidayat Saputra Ansyari Effendi Noor Arifin Hamdi Fauzi Rifani"),
    female_second=_words("Aminah Hasanah Rahmah Wati Sari Hayati Fitriani Norjanah"),
    single=0.2,
    male_calls=("Pak", "Julak", "Acil"),
    female_calls=("Bu", "Acil", "Galuh"),
)
BUGIS = Cluster(
    "bugis",
    male=_words(
        "Muhammad Arsyad Baharuddin Syamsuddin Rusli Jamaluddin Hasanuddin Amiruddin Kamaruddin "
        "Nasir Hamzah Rahman Ambo Sudirman Haris Mappa Baso Syarifuddin Ilyas Lukman Darwis"
    ),
    female=_words(
        "Sitti Hasnah Nurhaeda Rosmini Hasnawati Jumriah Hadijah Nurmiati Ratna Haslinda "
        "Syamsiah Rahmatia Kasmawati Mantasia Nurbaya Hasriani Sumarni Irmawati Nurjannah "
        "Hamsinah"
    ),
    male_second=_words("Amir Latif Tahir Rauf Saleh Sanusi Bakri Hamid Syam Yunus Rasyid Sattar"),
    female_second=_words("Rahman Amir Ali Daud Tahir Hamid Saleh"),
    single=0.3,
    male_calls=("Pak", "Daeng", "Puang"),
    female_calls=("Bu", "Daeng", "Indo"),
)
MINAHASA = Cluster(
    "minahasa",
    male=_words(
        "Johny Frangky Jemmy Stenly Roy Hendrik Ferry Alfrets Decky Noldy Jerry Marthen Rudy "
        "Welly Denny Novry Harly Jefry"
    ),
    female=_words(
        "Meiske Deisy Vonny Yuli Novita Stella Jeane Ivonne Grace Syane Olvie Lenny Mery Femmy "
        "Marlyn Christie Jull"
    ),
    male_second=_words(
        "Lumenta Rondonuwu Wowor Tumbelaka Mandagi Sondakh Kalalo Rumengan Pangemanan Sumampouw "
        "Lengkong Tumewu Wenas Mamahit Kaunang Rotinsulu Tambuwun Karundeng Polii Supit"
    ),
    female_second=(),
    is_muslim=False,
    male_calls=("Pak", "Om", "Opa"),
    female_calls=("Bu", "Tante", "Oma"),
)
MALUKU = Cluster(
    "maluku",
    male=_words(
        "Johanis Frans Yosias Jacob Semuel Abraham Izaak Markus Piet Chris Elias Hendrik Ruben "
        "Marthin Yopi"
    ),
    female=_words(
        "Maria Yosina Magdalena Helena Selfina Paulina Ester Agustina Nona Sarlota Yohana "
        "Juliana Everdina"
    ),
    male_second=_words(
        "Latuheru Pattinasarany Matulessy Tuhumury Pattiasina Sahetapy Latumahina Wattimena "
        "Pattikawa Tuasikal Ohorella Wailissa Marasabessy Lestaluhu Latuconsina Rumakat Soumokil "
        "Hehanussa Leiwakabessy"
    ),
    female_second=(),
    is_muslim=False,
    male_calls=("Pak", "Bapa", "Om"),
    female_calls=("Bu", "Mama", "Usi"),
)
PAPUAN = Cluster(
    "papuan",
    male=_words(
        "Yakobus Yohanis Petrus Markus Septinus Yulianus Yance Otniel Daniel Obed Mathias Amos "
        "Nikolaus Titus Benny Frans Elias Yonas Barnabas Hendrik Izak Silas"
    ),
    female=_words(
        "Maria Naomi Elisabeth Yuliana Dorkas Ribka Selvi Martina Yohana Debora Ruth Agustina "
        "Yakomina Marice Serlina Lince Magdalena Herlina"
    ),
    male_second=_words(
        "Wenda Kogoya Kambu Wonda Mote Yikwa Rumbiak Mandowen Ayomi Wanimbo Tabuni Murib Pigai "
        "Douw Kayame Rumbewas Sawaki Yoku Hamadi Korwa Wetipo Karubaba Mayor Ansaka Tebai Gobai"
    ),
    female_second=(),
    is_muslim=False,
    male_calls=("Pak", "Bapa", "Om"),
    female_calls=("Bu", "Mama", "Mama"),
)
CHINESE = Cluster(
    "chinese",
    male=_words(
        "Hendra Budi Andi Rudy Lukas Kevin Steven Johan Felix Ferry Darmawan Ricky Hendrik "
        "Yohanes Agus Sugianto Wiliam Tommy"
    ),
    female=_words(
        "Lili Susanti Linda Mei Lanny Yenny Fransiska Meliana Christine Sherly Jessica Vivian "
        "Lina Winda Angela Melinda"
    ),
    male_second=_words(
        "Wijaya Gunawan Halim Tanoto Salim Kusuma Tanjaya Santoso Hartanto Setiadi Sutanto "
        "Widjaja Chandra Tjahjadi Lim Tan Liem Tanuwijaya"
    ),
    female_second=(),
    is_muslim=False,
    male_calls=("Pak", "Koh", "Ko"),
    female_calls=("Bu", "Cik", "Ci"),
)

CLUSTERS = {
    cluster.key: cluster
    for cluster in (
        JAVANESE,
        SUNDANESE,
        MALAY,
        BATAK,
        MINANG,
        BALINESE,
        SASAK,
        NTT,
        DAYAK,
        BANJAR,
        BUGIS,
        MINAHASA,
        MALUKU,
        PAPUAN,
        CHINESE,
    )
}

# Which naming traditions live in each province, with rough shares (migration included).
PROVINCE_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    "11": (("malay", 95), ("javanese", 5)),
    "12": (("batak", 55), ("malay", 25), ("javanese", 15), ("chinese", 5)),
    "13": (("minang", 90), ("malay", 5), ("javanese", 5)),
    "14": (("malay", 55), ("javanese", 20), ("minang", 10), ("batak", 10), ("chinese", 5)),
    "15": (("malay", 65), ("javanese", 25), ("minang", 10)),
    "16": (("malay", 75), ("javanese", 25)),
    "17": (("malay", 70), ("javanese", 25), ("minang", 5)),
    "18": (("javanese", 60), ("malay", 30), ("sundanese", 10)),
    "19": (("malay", 75), ("chinese", 20), ("javanese", 5)),
    "21": (("malay", 55), ("javanese", 15), ("batak", 10), ("chinese", 10), ("minang", 10)),
    "31": (("javanese", 40), ("sundanese", 20), ("malay", 20), ("chinese", 10), ("batak", 5), ("minang", 5)),
    "32": (("sundanese", 85), ("javanese", 15)),
    "33": (("javanese", 97), ("chinese", 3)),
    "34": (("javanese", 98), ("chinese", 2)),
    "35": (("javanese", 95), ("chinese", 5)),
    "36": (("sundanese", 60), ("malay", 25), ("javanese", 15)),
    "51": (("balinese", 90), ("javanese", 10)),
    "52": (("sasak", 80), ("malay", 15), ("javanese", 5)),
    "53": (("ntt", 95), ("malay", 5)),
    "61": (("malay", 40), ("dayak", 35), ("javanese", 15), ("chinese", 10)),
    "62": (("dayak", 45), ("banjar", 30), ("javanese", 25)),
    "63": (("banjar", 75), ("javanese", 20), ("dayak", 5)),
    "64": (("javanese", 35), ("bugis", 25), ("banjar", 20), ("dayak", 20)),
    "65": (("dayak", 35), ("bugis", 30), ("javanese", 20), ("banjar", 15)),
    "71": (("minahasa", 85), ("malay", 10), ("bugis", 5)),
    "72": (("bugis", 50), ("malay", 35), ("javanese", 15)),
    "73": (("bugis", 95), ("javanese", 5)),
    "74": (("bugis", 70), ("malay", 20), ("javanese", 10)),
    "75": (("malay", 90), ("bugis", 10)),
    "76": (("bugis", 90), ("javanese", 10)),
    "81": (("maluku", 90), ("bugis", 10)),
    "82": (("malay", 60), ("maluku", 30), ("bugis", 10)),
}  # fmt: skip
_PAPUA_MIX = (("papuan", 70), ("javanese", 15), ("bugis", 15))
_DEFAULT_MIX = (("malay", 50), ("javanese", 50))


def province_mix(province_code: str) -> tuple[tuple[str, int], ...]:
    if province_code.startswith("9"):
        return _PAPUA_MIX
    return PROVINCE_MIX.get(province_code, _DEFAULT_MIX)


# --- people ---------------------------------------------------------------------------------------

SEX_MALE = "L"
SEX_FEMALE = "P"

# Mobile prefixes of Indonesian operators (after the leading 0).
MOBILE_PREFIXES = _words(
    "811 812 813 821 822 823 851 852 853 814 815 816 855 856 857 858 817 818 819 859 877 878 "
    "895 896 897 898 899 881 882 887 888 831 832 838"
)
_SUFFIX_SPACE = 10**8

BIRTH_FIRST = datetime.date(1955, 1, 1).toordinal()
BIRTH_LAST = datetime.date(2005, 12, 31).toordinal()
BIRTH_MODE = datetime.date(1982, 6, 1).toordinal()


class Person:
    """An owner (or BumDes director, cooperative chair): everything the partner files show."""

    __slots__ = (
        "birth_date",
        "call_name",
        "cluster",
        "district_code",
        "name",
        "nik",
        "person_id",
        "phone",
        "sex",
    )

    def __init__(
        self, person_id, cluster, sex, name, call_name, birth_date, district_code, nik, phone
    ):
        self.person_id = person_id
        self.cluster = cluster
        self.sex = sex
        self.name = name
        self.call_name = call_name
        self.birth_date = birth_date
        self.district_code = district_code
        self.nik = nik
        self.phone = phone  # national significant number, e.g. "81234567890"

    @property
    def phone_e164(self) -> str:
        return "+62" + self.phone


def make_name(rng: random.Random, cluster: Cluster, sex: str) -> tuple[str, str]:
    """Return (full name, the name people call them by) for one person of ``cluster``."""
    female = sex == SEX_FEMALE
    given = rng.choice(cluster.female if female else cluster.male)
    if cluster.key == "balinese":
        order = rng.choice(BALINESE_ORDER)
        prefix = "Ni" if female else "I"
        if female and rng.random() < 0.25:
            prefix = "Ni Luh"
        if order == "Gede" and not female:
            prefix = "I" if rng.random() < 0.5 else ""
        name = " ".join(part for part in (prefix, order, given) if part)
        return name, order
    if cluster.key == "sasak" and rng.random() < 0.2:
        title = "Baiq" if female else "Lalu"
        return f"{title} {given}", given
    if cluster.key == "bugis" and rng.random() < 0.12:
        second = rng.choice(cluster.female_second if female else cluster.male_second)
        return f"Andi {given} {second}", given
    seconds = cluster.female_second if female and cluster.female_second else cluster.male_second
    if not seconds or rng.random() < cluster.single:
        return given, given
    second = rng.choice(seconds)
    if second == given:
        return given, given
    return f"{given} {second}", given


def nik_for(district_code: str, birth_date: datetime.date, sex: str, serial: int) -> str:
    """The 16 digits of a NIK: district, DDMMYY (day + 40 for women), 4-digit serial."""
    day = birth_date.day + (40 if sex == SEX_FEMALE else 0)
    return (
        f"{district_code.replace('.', '')}{day:02d}{birth_date.month:02d}"
        f"{birth_date.year % 100:02d}{serial:04d}"
    )


class UniqueTable:
    """A fixed-size bit table that remembers which NIKs are taken.

    A set would grow with the number of people; this table stays at 16 MB. A false "taken" only
    makes the caller draw another serial, so every NIK handed out is unique.
    """

    BITS = 27

    def __init__(self):
        self.bits = bytearray(1 << (self.BITS - 3))

    def _slot(self, number: int) -> tuple[int, int]:
        mixed = (number * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        index = mixed >> (64 - self.BITS)
        return index >> 3, 1 << (index & 7)

    def add_if_new(self, number: int) -> bool:
        byte, mask = self._slot(number)
        if self.bits[byte] & mask:
            return False
        self.bits[byte] |= mask
        return True


class PeopleFactory:
    """Makes people for a seed: unique NIKs and phone numbers, names fitting the province."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken = UniqueTable()
        self.count = 0
        # Phone suffixes are an affine permutation of the person's number, so they never repeat.
        self._multiplier = rng.randrange(1, _SUFFIX_SPACE // 10) * 10 + rng.choice((1, 3, 7, 9))
        self._offset = rng.randrange(_SUFFIX_SPACE)
        self._mixes: dict[str, tuple[list[Cluster], list[int]]] = {}

    def _clusters(self, province_code: str) -> tuple[list[Cluster], list[int]]:
        if province_code not in self._mixes:
            mix = province_mix(province_code)
            total = 0
            cumulative = []
            for _key, weight in mix:
                total += weight
                cumulative.append(total)
            self._mixes[province_code] = ([CLUSTERS[key] for key, _w in mix], cumulative)
        return self._mixes[province_code]

    def make(self, *, district_code: str, sex: str | None = None) -> Person:
        rng = self.rng
        clusters, cumulative = self._clusters(district_code[:2])
        cluster = rng.choices(clusters, cum_weights=cumulative)[0]
        if sex is None:
            sex = SEX_FEMALE if rng.random() < 0.55 else SEX_MALE  # most UMKM owners are women
        name, call_name = make_name(rng, cluster, sex)
        birth_date = datetime.date.fromordinal(
            int(rng.triangular(BIRTH_FIRST, BIRTH_LAST, BIRTH_MODE))
        )
        while True:
            serial = rng.randint(1, 300) if rng.random() < 0.85 else rng.randint(301, 9999)
            nik = nik_for(district_code, birth_date, sex, serial)
            if self.taken.add_if_new(int(nik)):
                break
        person_id = self.count
        self.count += 1
        suffix = (person_id * self._multiplier + self._offset) % _SUFFIX_SPACE
        phone = f"{rng.choice(MOBILE_PREFIXES)}{suffix:08d}"
        return Person(
            person_id, cluster, sex, name, call_name, birth_date, district_code, nik, phone
        )

    def claim_nik(self, nik: str) -> bool:
        """Reserve a NIK made by a typo, so that no later person is given it for real."""
        return self.taken.add_if_new(int(nik))
