"""The columns of each kind of file, with their accepted names, and the accepted values of
the coded columns (Indonesian and English spellings).
"""

from dataclasses import dataclass

from tumbuh.connectivity.importing.common import Kind
from tumbuh.connectivity.models import Backhaul, Site, Technology, Terrain, VillageFact


@dataclass(frozen=True)
class Column:
    key: str
    name: str  # the name to use in files, shown when the column is missing
    aliases: tuple[str, ...]
    required: bool = False


SOURCE = Column("source", "sumber", ("sumber", "source", "sumber data"))
SOURCE_DATE = Column(
    "source_date", "tanggal_sumber", ("tanggal sumber", "source date", "tanggal data"), True
)
LATITUDE = Column("latitude", "latitude", ("latitude", "lintang", "lat"), True)
LONGITUDE = Column("longitude", "longitude", ("longitude", "bujur", "lon", "long", "lng"), True)
VILLAGE_CODE = Column(
    "village_code",
    "kode_desa",
    ("kode desa", "village code", "kode desa kelurahan", "kode kelurahan", "kode wilayah"),
)
COLUMNS: dict[str, tuple[Column, ...]] = {
    Kind.SITES: (
        Column("operator", "operator", ("operator", "nama operator"), True),
        Column("code", "kode_site", ("kode site", "site code", "kode", "code", "site id",
               "id site", "kode bts"), True),
        Column("name", "nama", ("nama", "name", "nama site", "site name")),
        LATITUDE,
        LONGITUDE,
        VILLAGE_CODE,
        Column("technology", "teknologi", ("teknologi", "technology"), True),
        Column("terrain", "medan", ("medan", "terrain")),
        Column("status", "status", ("status", "status site"), True),
        Column("backhaul", "backhaul", ("backhaul", "jenis backhaul")),
        Column("funding", "pendanaan", ("pendanaan", "funding", "sumber dana"), True),
        Column("planned_on", "tanggal_rencana", ("tanggal rencana", "planned on")),
        Column("contracted_on", "tanggal_kontrak", ("tanggal kontrak", "contracted on")),
        Column("built_on", "tanggal_selesai_bangun", ("tanggal selesai bangun",
               "tanggal dibangun", "built on")),
        Column("on_air_on", "tanggal_on_air", ("tanggal on air", "tanggal mengudara",
               "on air on", "on air since", "on air date")),
        SOURCE,
        SOURCE_DATE,
    ),
    Kind.POINTS_OF_PRESENCE: (
        Column("code", "kode", ("kode", "code", "kode pop", "pop code"), True),
        Column("name", "nama", ("nama", "name", "nama pop"), True),
        Column("operator", "operator", ("operator", "nama operator")),
        LATITUDE,
        LONGITUDE,
        SOURCE,
        SOURCE_DATE,
    ),
    Kind.FACTS: (
        Column(VILLAGE_CODE.key, VILLAGE_CODE.name, VILLAGE_CODE.aliases, True),
        Column("layer", "lapisan", ("lapisan", "layer"), True),
        Column("value", "nilai", ("nilai", "value"), True),
        Column("detail", "keterangan", ("keterangan", "detail", "catatan")),
        SOURCE,
        Column("observed_on", "tanggal", ("tanggal", "observed on", "tanggal pengamatan",
               "tanggal observasi", "date"), True),
    ),
}  # fmt: skip
TECHNOLOGIES = {
    "2g": Technology.G2, "gsm": Technology.G2,
    "3g": Technology.G3, "umts": Technology.G3, "wcdma": Technology.G3, "hspa": Technology.G3,
    "4g": Technology.G4, "lte": Technology.G4, "4g lte": Technology.G4, "lte 4g": Technology.G4,
}  # fmt: skip
NO_SIGNAL = {
    "none": Technology.NONE, "tidak ada": Technology.NONE, "tidak ada sinyal": Technology.NONE,
    "no signal": Technology.NONE, "blank spot": Technology.NONE,
}  # fmt: skip
STATUSES = {
    "planned": Site.Status.PLANNED, "rencana": Site.Status.PLANNED,
    "direncanakan": Site.Status.PLANNED,
    "contracted": Site.Status.CONTRACTED, "kontrak": Site.Status.CONTRACTED,
    "dikontrak": Site.Status.CONTRACTED,
    "under construction": Site.Status.UNDER_CONSTRUCTION,
    "konstruksi": Site.Status.UNDER_CONSTRUCTION, "dibangun": Site.Status.UNDER_CONSTRUCTION,
    "sedang dibangun": Site.Status.UNDER_CONSTRUCTION,
    "on air": Site.Status.ON_AIR, "onair": Site.Status.ON_AIR, "mengudara": Site.Status.ON_AIR,
    "off air": Site.Status.OFF_AIR, "offair": Site.Status.OFF_AIR, "mati": Site.Status.OFF_AIR,
}  # fmt: skip
BACKHAULS = {
    "fibre": Backhaul.FIBRE, "fiber": Backhaul.FIBRE, "fo": Backhaul.FIBRE,
    "serat optik": Backhaul.FIBRE, "fiber optik": Backhaul.FIBRE,
    "fiber optic": Backhaul.FIBRE, "fibre optic": Backhaul.FIBRE,
    "microwave": Backhaul.MICROWAVE, "mw": Backhaul.MICROWAVE,
    "gelombang mikro": Backhaul.MICROWAVE,
    "satellite": Backhaul.SATELLITE, "satelit": Backhaul.SATELLITE, "vsat": Backhaul.SATELLITE,
    "none": Backhaul.NONE, "tidak ada": Backhaul.NONE,
}  # fmt: skip
TERRAINS = {
    "flat": Terrain.FLAT, "datar": Terrain.FLAT,
    "hilly": Terrain.HILLY, "berbukit": Terrain.HILLY, "perbukitan": Terrain.HILLY,
    "mountainous": Terrain.MOUNTAINOUS, "pegunungan": Terrain.MOUNTAINOUS,
}  # fmt: skip
FUNDINGS = {
    "state": Site.Funding.STATE, "negara": Site.Funding.STATE, "bakti": Site.Funding.STATE,
    "pemerintah": Site.Funding.STATE,
    "operator": Site.Funding.OPERATOR, "swasta": Site.Funding.OPERATOR,
}  # fmt: skip
LAYERS = {
    "last mile": VillageFact.Layer.LAST_MILE, "cakupan": VillageFact.Layer.LAST_MILE,
    "jaringan akses": VillageFact.Layer.LAST_MILE,
    "middle mile": VillageFact.Layer.MIDDLE_MILE, "backhaul": VillageFact.Layer.MIDDLE_MILE,
    "access point": VillageFact.Layer.ACCESS_POINT, "titik akses": VillageFact.Layer.ACCESS_POINT,
    "signal check": VillageFact.Layer.SIGNAL_CHECK, "cek sinyal": VillageFact.Layer.SIGNAL_CHECK,
}  # fmt: skip
# The accepted values as a reason lists them (values of the data, not translated).
ACCEPTED = {
    "technology": "2G, 3G, 4G (LTE)",
    "fact_technology": "tidak ada (none), 2G, 3G, 4G (LTE)",
    "status": "rencana (planned), kontrak (contracted), konstruksi (under_construction), "
    "mengudara (on_air), mati (off_air)",
    "backhaul": "serat optik (fibre), gelombang mikro (microwave), satelit (satellite), "
    "tidak ada (none)",
    "terrain": "datar (flat), berbukit (hilly), pegunungan (mountainous)",
    "funding": "negara/BAKTI (state), operator",
    "layer": "cakupan (last_mile), backhaul (middle_mile), titik akses (access_point), "
    "cek sinyal (signal_check)",
}
