"""Small builders for the registry console, API and personal-data tests.

Partner files are real CSVs written to ``tmp_path`` and imported with ``services.import_file``;
the villages and NIK districts are real ones of the provinces the session loads (Jawa Barat 32,
Nusa Tenggara Timur 53, Papua 91).
"""

import csv
from pathlib import Path

from django.utils import timezone

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_organisation
from tumbuh.registry import services
from tumbuh.registry.models import Enterprise, MatchCandidate

# Real villages: Dayeuhkolot and Sukapura (Kab. Bandung, 32), Gegerkalong (Kota Bandung, 32),
# Namosain and Nunbaun Sabu (Kota Kupang, 53).
DAYEUHKOLOT = "32.04.12.2002"
SUKAPURA = "32.04.12.2005"
GEGERKALONG = "32.73.01.1002"
NAMOSAIN = "53.71.01.1001"
NUNBAUN_SABU = "53.71.01.1002"

HEADERS = ["Nama Usaha", "Nama Pemilik", "NIK", "No HP", "Kode Desa", "KBLI", "NIB", "Skala",
           "Alamat"]  # fmt: skip


def nik(district: str, *, day: int = 12, month: int = 3, year: int = 85, female=False,
        serial: int = 1) -> str:  # fmt: skip
    """A valid NIK issued in ``district`` ("320412" for 32.04.12)."""
    return f"{district}{day + (40 if female else 0):02d}{month:02d}{year:02d}{serial:04d}"


def row(name, *, owner="", nik="", phone="", village=DAYEUHKOLOT, kbli="", nib="", scale="",
        address="") -> dict:  # fmt: skip
    return {
        "Nama Usaha": name,
        "Nama Pemilik": owner,
        "NIK": nik,
        "No HP": phone,
        "Kode Desa": village,
        "KBLI": kbli,
        "NIB": nib,
        "Skala": scale,
        "Alamat": address,
    }


def write_csv(directory: Path, rows: list[dict], *, name="mitra.csv", headers=HEADERS) -> Path:
    path = directory / name
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_rows(directory: Path, organisation, rows: list[dict], *, name="mitra.csv", by=None):
    """Import ``rows`` as the partner file ``name`` of ``organisation``, by ``by`` or else the
    system actor; return the batch."""
    path = write_csv(directory, rows, name=name)
    return services.import_file(path=path, organisation=organisation, by=by or system_actor())


def partner(region_code: str = "", *, name=None) -> Organisation:
    return make_organisation(kind=Organisation.Kind.MARKETPLACE, region_code=region_code, name=name)


EVIDENCE = [
    {"field": "nik", "agrees": True, "text": "same NIK"},
    {"field": "phone", "agrees": None, "text": "phone number missing in one record"},
    {"field": "business_name", "agrees": False, "text": "business names 71 % similar"},
]


def make_candidate(first: Enterprise, second: Enterprise, probability=0.8) -> MatchCandidate:
    low, high = sorted([first, second], key=lambda enterprise: enterprise.pk)
    return MatchCandidate.objects.create(
        enterprise_low=low, enterprise_high=high, probability=probability, evidence=EVIDENCE
    )


def record_milestone(enterprise: Enterprise, kind: str):
    return services.record_milestone(
        enterprise=enterprise, kind=kind, source="test", occurred_at=timezone.now(), by=None
    )


def plan_on_the_words_index_only() -> None:
    """Inside the test's transaction (PostgreSQL), leave the words index of names the only way
    to read the live businesses by their names, as a 30 M registry's planner would choose it:
    the indexes whose predicate the lists share are dropped (a bitmap scan of a whole partial
    index needs no condition), the index merged with its pending entries, the table analysed,
    and plain index and table scans turned off. All of it goes with the test's rollback."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'registry_enterprise' "
            "AND indexname <> 'enterprise_name_words_idx' AND indexdef LIKE '%%WHERE%%'"
        )
        for (index,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{index}"')
        cursor.execute("SELECT gin_clean_pending_list('enterprise_name_words_idx'::regclass)")
        cursor.execute("ANALYZE registry_enterprise")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
