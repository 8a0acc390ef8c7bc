"""CSV imports for the connectivity ledger: BTS sites, fibre points of presence, village facts.

``import_csv(path=..., kind=..., by=...)`` reads the whole file and checks every row before
anything is written; then the good rows are written in one transaction with the
``ConnectivityImport`` batch, its rejections and an audit event, and the ledger is recomputed.
Every data row ends as created, updated, unchanged (already known with the same values) or
rejected with its row, column, value and a plain reason; the counts add up to ``total_rows``.
Blank lines are not rows.
A file that cannot be read at all (not a text CSV, empty, a required column missing) is refused
(``core.refusals.Refused`` with a ``ConnectivityError`` code) and nothing is written. The
importer ``by`` is required and must be an actor who may plan infrastructure; rows about villages
outside its regions are rejected.

Headers are compared case-insensitively with punctuation ignored ("Kode Site", "kode_site" and
"KODE-SITE" are the same). Required columns are marked *; the first name is the one to use.

Sites (key: operator + kode_site)
    operator*; kode_site* (site_code, kode, code, site_id, kode_bts); nama (name, nama_site);
    latitude* (lintang, lat); longitude* (bujur, lon, lng); kode_desa (village_code,
    kode_kelurahan, kode_wilayah); teknologi* (technology: 2g/gsm, 3g/umts, 4g/lte);
    medan (terrain: datar/flat, berbukit/hilly, pegunungan/mountainous; default datar);
    status* (rencana/planned, kontrak/contracted, konstruksi/dibangun/under_construction,
    mengudara/on air/on_air, mati/off air/off_air); backhaul (serat optik/fibre/fiber,
    gelombang mikro/microwave, satelit/satellite/vsat, tidak ada/none; default none);
    pendanaan* (funding: negara/bakti/state, operator); tanggal_rencana (planned_on),
    tanggal_kontrak (contracted_on), tanggal_selesai_bangun (built_on), tanggal_on_air
    (on_air_on, tanggal_mengudara); sumber (source); tanggal_sumber* (source_date).
Points of presence (key: kode)
    kode* (code, kode_pop); nama* (name); operator; latitude*; longitude*; sumber;
    tanggal_sumber*.
Village facts (key: kode_desa + lapisan + nilai + sumber + tanggal, the model's constraint)
    kode_desa*; lapisan* (layer: cakupan/jaringan akses/last_mile, backhaul/middle_mile,
    titik akses/access_point, cek sinyal/signal_check); nilai* (value: a technology or
    tidak ada/none for cakupan and cek sinyal, a backhaul kind for backhaul, free text of at
    most 20 characters for titik akses); keterangan (detail); sumber; tanggal* (observed_on).

``sumber`` may be left out (or empty) when the import is made on behalf of an organisation:
the organisation's name is the source. Dates are 2024-12-31, 31/12/2024, 31-12-2024 or
31.12.2024 (day first), never in the future. Decimal commas in coordinates are accepted.

Decisions (see docs/connectivity-imports.md):

* Coordinates must lie within Indonesia's box (latitude −11.5…6.5, longitude 94…141.5) and
  within 50 km of a village centre, which refuses points at sea and swapped coordinates. A
  site's village is the nearest village centre unless ``kode_desa`` names one, which must exist
  and lie within 30 km of the coordinates. A point of presence gets its nearest village.
* An empty cell, or a column left out, never erases a known value: it keeps what the ledger
  has (or the default for a new row).
* An import is the operator's statement of fact, so a site may move to any status, not only
  along ``Site.TRANSITIONS``; each status change (and each new site) writes a ``SiteEvent``
  with the note "import <file>", dated by the status's own date column if given, else by the
  source date.
* A key that appears twice in the file: the first valid row is imported, the later ones are
  refused (duplicates are looked for among valid rows).
* Operators are matched case-insensitively: "TELKOMSEL" joins the existing "Telkomsel".
* Reasons are stored in Indonesian, the programme's language; file-level errors are raised in
  the active language.

The package, step by step: ``reading`` (the file and its columns), ``columns`` (the columns and
accepted values of each kind), ``rows`` (one row's checks and the cleaner of each kind),
``checks`` (checks across rows), ``writing`` (the ledger's rows), ``batch`` (:func:`import_csv`:
the batch, its rejections and event), and ``common`` (what the steps share). Every public name is
importable from ``tumbuh.connectivity.importing``.
"""

from tumbuh.connectivity.importing.batch import import_csv
from tumbuh.connectivity.importing.checks import (
    MAX_KM_FROM_NAMED_VILLAGE,
    MAX_KM_FROM_VILLAGE,
    check_rows,
    drop_duplicates,
    keep_in_scope,
    place_rows,
)
from tumbuh.connectivity.importing.columns import (
    ACCEPTED,
    BACKHAULS,
    COLUMNS,
    FUNDINGS,
    LATITUDE,
    LAYERS,
    LONGITUDE,
    NO_SIGNAL,
    SOURCE,
    SOURCE_DATE,
    STATUSES,
    TECHNOLOGIES,
    TERRAINS,
    VILLAGE_CODE,
    Column,
)
from tumbuh.connectivity.importing.common import CHUNK, Kind, simple
from tumbuh.connectivity.importing.reading import Table, map_columns, read_csv
from tumbuh.connectivity.importing.rows import (
    CLEANERS,
    DATE_FORMATS,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    Clean,
    Context,
    Rejection,
    Row,
    RowProblem,
    clean_fact,
    clean_point_of_presence,
    clean_site,
)
from tumbuh.connectivity.importing.writing import (
    POP_FIELDS,
    SITE_FIELDS,
    STATUS_DATES,
    Written,
    write_facts,
    write_points_of_presence,
    write_sites,
)

__all__ = [
    "ACCEPTED",
    "BACKHAULS",
    "CHUNK",
    "CLEANERS",
    "COLUMNS",
    "DATE_FORMATS",
    "FUNDINGS",
    "LATITUDE",
    "LATITUDE_RANGE",
    "LAYERS",
    "LONGITUDE",
    "LONGITUDE_RANGE",
    "MAX_KM_FROM_NAMED_VILLAGE",
    "MAX_KM_FROM_VILLAGE",
    "NO_SIGNAL",
    "POP_FIELDS",
    "SITE_FIELDS",
    "SOURCE",
    "SOURCE_DATE",
    "STATUSES",
    "STATUS_DATES",
    "TECHNOLOGIES",
    "TERRAINS",
    "VILLAGE_CODE",
    "Clean",
    "Column",
    "Context",
    "Kind",
    "Rejection",
    "Row",
    "RowProblem",
    "Table",
    "Written",
    "check_rows",
    "clean_fact",
    "clean_point_of_presence",
    "clean_site",
    "drop_duplicates",
    "import_csv",
    "keep_in_scope",
    "map_columns",
    "place_rows",
    "read_csv",
    "simple",
    "write_facts",
    "write_points_of_presence",
    "write_sites",
]
