"""Connectivity imports: every row accounted for, re-imports change nothing, bad rows explained.

Villages and centres are the real ones of the test provinces (conftest): Bokonusan
(53.01.04.2003) in Kupang, with Onansila 3.4 km and Uiboa 5.1 km from its centre; Pondok Rajeg
(32.01.01.1001) in Bogor; Sentani Kota (91.03.01.1001) in Jayapura.
"""

import csv
import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from tumbuh.accounts.models import Membership, Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_organisation, make_user
from tumbuh.connectivity.importing import import_csv
from tumbuh.connectivity.models import (
    ConnectivityImport,
    ConnectivityRejection,
    PointOfPresence,
    Site,
    SiteEvent,
    VillageConnectivity,
    VillageFact,
)
from tumbuh.core.models import AuditEvent

BOKONUSAN = ("53.01.04.2003", "-10.227484", "123.379606")
ONANSILA = "53.01.23.2003"
UIBOA = "53.01.23.2006"
PONDOK_RAJEG = ("32.01.01.1001", "-6.456300", "106.819878")
SENTANI_KOTA = "91.03.01.1001"

SITE_HEADER = [
    "Operator", "Kode Site", "Nama", "Latitude", "Longitude", "Kode Desa", "Teknologi", "Medan",
    "Status", "Backhaul", "Pendanaan", "Tanggal On Air", "Sumber", "Tanggal Sumber",
]  # fmt: skip
SITES = [
    ["Telkomsel", "KPG-001", "BTS Bokonusan", BOKONUSAN[1], BOKONUSAN[2], "", "LTE", "datar",
     "On Air", "satelit", "BAKTI", "15/03/2024", "BAKTI 2024", "2024-06-30"],
    ["Telkomsel", "BGR-100", "BTS Pondok Rajeg", PONDOK_RAJEG[1], PONDOK_RAJEG[2],
     PONDOK_RAJEG[0], "4G", "", "rencana", "", "operator", "", "BAKTI 2024", "2024-06-30"],
]  # fmt: skip


def national_planner():
    """A planner of the ministry: may import anywhere."""
    ministry = make_organisation(kind=Organisation.Kind.MINISTRY)
    return make_user(organisation=ministry, role=Membership.Role.PLANNER)


def write_csv(directory, name, header, rows, *, delimiter=",", encoding="utf-8"):
    path = directory / name
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def reason(msgid: str, **params) -> str:
    """A reason as the import stores it: in Indonesian (the msgid until it is translated)."""
    with translation.override("id"):
        return gettext(msgid) % params


def snapshot():
    return {
        "imports": ConnectivityImport.objects.count(),
        "rejections": ConnectivityRejection.objects.count(),
        "sites": list(Site.objects.order_by("pk").values()),
        "events": SiteEvent.objects.count(),
        "points": list(PointOfPresence.objects.order_by("pk").values()),
        "facts": list(VillageFact.objects.order_by("pk").values()),
        "ledger": list(VillageConnectivity.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.filter(action="connectivity.imported").count(),
    }


def counts(batch):
    return (
        batch.total_rows,
        batch.created_count,
        batch.updated_count,
        batch.unchanged_count,
        batch.rejected_count,
    )


# --- sites ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sites_import_places_each_site_and_recomputes_the_ledger(tmp_path):
    office = make_organisation(region_code="53", name="Dinas Kominfo NTT")
    officer = national_planner()
    path = write_csv(tmp_path, "bts.csv", SITE_HEADER, SITES)

    batch = import_csv(path=path, kind="sites", organisation=office, by=officer)

    assert counts(batch) == (2, 2, 0, 0, 0)
    assert (batch.kind, batch.file_name, batch.organisation, batch.uploaded_by) == (
        "sites", "bts.csv", office, officer,
    )  # fmt: skip
    assert len(batch.file_sha256) == 64
    kupang = Site.objects.get(code="KPG-001")
    assert (kupang.operator, kupang.name, kupang.latitude, kupang.longitude) == (
        "Telkomsel", "BTS Bokonusan", -10.227484, 123.379606,
    )  # fmt: skip
    assert kupang.village_id == BOKONUSAN[0]  # the nearest village centre
    assert (kupang.technology, kupang.terrain, kupang.status, kupang.backhaul) == (
        "4g", "flat", "on_air", "satellite",
    )  # fmt: skip
    assert (kupang.funding, kupang.on_air_on, kupang.planned_on) == (
        "state", datetime.date(2024, 3, 15), None,
    )  # fmt: skip
    assert (kupang.source, kupang.source_date) == ("BAKTI 2024", datetime.date(2024, 6, 30))
    bogor = Site.objects.get(code="BGR-100")
    assert bogor.village_id == PONDOK_RAJEG[0]
    assert (bogor.status, bogor.backhaul, bogor.funding) == ("planned", "none", "operator")
    assert [
        (e.site.code, e.from_status, e.to_status, e.occurred_on, e.note, e.by)
        for e in SiteEvent.objects.order_by("site__code")
    ] == [
        ("BGR-100", "", "planned", datetime.date(2024, 6, 30), "import bts.csv", officer),
        ("KPG-001", "", "on_air", datetime.date(2024, 3, 15), "import bts.csv", officer),
    ]
    # recompute ran: a 4G site on flat land covers 5 km around it
    ledger = {row.village_id: row for row in VillageConnectivity.objects.all()}
    assert (ledger[BOKONUSAN[0]].last_mile, ledger[BOKONUSAN[0]].last_mile_site) == ("4g", kupang)
    assert ledger[BOKONUSAN[0]].covered_4g_since == datetime.date(2024, 3, 15)
    assert ledger[BOKONUSAN[0]].middle_mile == "satellite"
    assert ledger[ONANSILA].last_mile == "4g"
    assert ledger[UIBOA].last_mile == "none"  # 5.1 km away
    assert ledger[PONDOK_RAJEG[0]].last_mile == "none"  # only planned
    event = AuditEvent.objects.get(action="connectivity.imported")
    assert (event.actor, event.target_id, event.region_code) == (officer, str(batch.pk), "53")
    assert event.data == {
        "kind": "sites", "file": "bts.csv", "rows": 2, "created": 2, "updated": 0,
        "unchanged": 0, "rejected": 0,
    }  # fmt: skip


@pytest.mark.django_db
def test_reimporting_the_same_sites_changes_nothing(tmp_path):
    path = write_csv(tmp_path, "bts.csv", SITE_HEADER, SITES)
    import_csv(path=path, kind="sites", by=system_actor())
    before = snapshot()

    again = import_csv(path=path, kind="sites", by=system_actor())

    assert counts(again) == (2, 0, 0, 2, 0)
    after = snapshot()
    assert after["imports"] == before["imports"] + 1
    assert after["audit"] == before["audit"] + 1
    for name in ("sites", "events", "ledger", "rejections"):
        assert after[name] == before[name], name


@pytest.mark.django_db
def test_operator_names_match_whatever_their_case(tmp_path):
    import_csv(
        path=write_csv(tmp_path, "a.csv", SITE_HEADER, SITES), kind="sites", by=system_actor()
    )
    shouting = [["TELKOMSEL", *row[1:]] for row in SITES]

    batch = import_csv(
        path=write_csv(tmp_path, "b.csv", SITE_HEADER, shouting), kind="sites", by=system_actor()
    )

    assert counts(batch) == (2, 0, 0, 2, 0)
    assert set(Site.objects.values_list("operator", flat=True)) == {"Telkomsel"}


@pytest.mark.django_db
def test_a_changed_row_updates_the_site_and_records_its_status_change(tmp_path):
    import_csv(
        path=write_csv(tmp_path, "bts.csv", SITE_HEADER, SITES), kind="sites", by=system_actor()
    )
    operator = national_planner()
    changed = [SITES[0], [*SITES[1]]]
    changed[1][8], changed[1][11] = "mengudara", "01-07-2024"  # status, tanggal on air
    changed[1][13] = "2024-07-31"

    batch = import_csv(
        path=write_csv(tmp_path, "bts-juli.csv", SITE_HEADER, changed), kind="sites", by=operator
    )

    assert counts(batch) == (2, 0, 1, 1, 0)
    bogor = Site.objects.get(code="BGR-100")
    assert (bogor.status, bogor.on_air_on, bogor.source_date) == (
        "on_air", datetime.date(2024, 7, 1), datetime.date(2024, 7, 31),
    )  # fmt: skip
    # an import may skip steps of Site.TRANSITIONS: it states what is true on the ground
    assert [
        (e.from_status, e.to_status, e.occurred_on, e.note, e.by)
        for e in bogor.events.order_by("pk")
    ] == [
        ("", "planned", datetime.date(2024, 6, 30), "import bts.csv", None),
        ("planned", "on_air", datetime.date(2024, 7, 1), "import bts-juli.csv", operator),
    ]
    assert SiteEvent.objects.filter(site__code="KPG-001").count() == 1
    assert VillageConnectivity.objects.get(village_id=PONDOK_RAJEG[0]).last_mile == "4g"


@pytest.mark.django_db
def test_empty_cells_and_missing_columns_keep_what_the_ledger_knows(tmp_path):
    import_csv(
        path=write_csv(tmp_path, "bts.csv", SITE_HEADER, SITES), kind="sites", by=system_actor()
    )
    header = [h for h in SITE_HEADER if h not in ("Nama", "Medan", "Tanggal On Air")]
    rows = [[v for h, v in zip(SITE_HEADER, row, strict=True) if h in header] for row in SITES]
    rows[0][header.index("Backhaul")] = ""

    batch = import_csv(
        path=write_csv(tmp_path, "pendek.csv", header, rows), kind="sites", by=system_actor()
    )

    assert counts(batch) == (2, 0, 0, 2, 0)
    kupang = Site.objects.get(code="KPG-001")
    assert (kupang.name, kupang.backhaul, kupang.on_air_on) == (
        "BTS Bokonusan", "satellite", datetime.date(2024, 3, 15),
    )  # fmt: skip


@pytest.mark.django_db
def test_semicolons_decimal_commas_and_a_byte_order_mark_are_read(tmp_path):
    rows = [[*SITES[0]]]
    rows[0][3], rows[0][4] = "-10,227484", "123,379606"
    path = write_csv(tmp_path, "excel.csv", SITE_HEADER, rows, delimiter=";", encoding="utf-8-sig")

    batch = import_csv(path=path, kind="sites", by=system_actor())

    assert counts(batch) == (1, 1, 0, 0, 0)
    site = Site.objects.get()
    assert (site.latitude, site.longitude, site.village_id) == (
        -10.227484, 123.379606, BOKONUSAN[0],
    )  # fmt: skip


@pytest.mark.django_db
def test_each_bad_site_row_is_refused_with_its_row_column_and_reason(tmp_path):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    good = SITES[0]

    def variant(code, **changes):
        row = [*good]
        row[1] = code
        for header, value in changes.items():
            row[SITE_HEADER.index(header)] = value
        return row

    rows = [
        good,  # row 2
        variant("A", Operator=""),
        variant("B", Latitude="sepuluh"),
        variant("C", Latitude="40.1", Longitude="10.2"),
        variant("D", Latitude="123.379606", Longitude="-10.227484"),
        variant("E", Latitude="-5.0", Longitude="110.0"),  # Java Sea, far from loaded villages
        variant("F", **{"Kode Desa": "53.01.04.2999"}),
        variant("G", **{"Kode Desa": "5301"}),
        variant("H", **{"Kode Desa": PONDOK_RAJEG[0]}),  # in Jawa Barat, the site in NTT
        variant("I", Teknologi="5G"),
        variant("J", Status="aktif"),
        variant("K", Backhaul="kabel"),
        variant("L", **{"Tanggal On Air": "31/02/2024"}),
        variant("M", **{"Tanggal Sumber": tomorrow}),
        variant("KPG-001"),  # the same key as row 2
        [*variant("N"), "lebih"],
        variant("O", Medan="rawa"),
        variant("P", Pendanaan="hibah"),
    ]
    path = write_csv(tmp_path, "salah.csv", SITE_HEADER, rows)

    batch = import_csv(path=path, kind="sites", by=system_actor())

    assert counts(batch) == (18, 1, 0, 0, 17)
    assert list(Site.objects.values_list("code", flat=True)) == ["KPG-001"]
    accepted_technology = "2G, 3G, 4G (LTE)"
    accepted_status = (
        "rencana (planned), kontrak (contracted), konstruksi (under_construction), "
        "mengudara (on_air), mati (off_air)"
    )
    accepted_backhaul = (
        "serat optik (fibre), gelombang mikro (microwave), satelit (satellite), tidak ada (none)"
    )
    not_accepted = "“%(value)s” is not an accepted %(column)s; use one of: %(accepted)s."
    not_village = "“%(code)s” is not a village code (e.g. 32.04.12.2001)."
    assert [
        (r.row_number, r.column, r.value, r.reason) for r in batch.rejections.order_by("row_number")
    ] == [
        (3, "Operator", "", reason("%(column)s must not be empty.", column="Operator")),
        (4, "Latitude", "sepuluh", reason(
            "“%(value)s” is not a number in decimal degrees (e.g. -10.2275).", value="sepuluh")),
        (5, "Latitude", "40.1", reason(
            "%(latitude)s, %(longitude)s is outside Indonesia (latitude -11.5 to 6.5, "
            "longitude 94 to 141.5).", latitude="40.1", longitude="10.2")),
        (6, "Latitude", "123.379606", reason(
            "%(latitude)s, %(longitude)s is outside Indonesia; latitude and longitude look "
            "swapped.", latitude="123.379606", longitude="-10.227484")),
        (7, "Latitude", "-5.0", reason(
            "%(latitude)s, %(longitude)s is more than %(limit)s km from every village centre; "
            "check the coordinates.", latitude="-5.0", longitude="110.0", limit=50)),
        (8, "Kode Desa", "53.01.04.2999", reason(not_village, code="53.01.04.2999")),
        (9, "Kode Desa", "5301", reason(not_village, code="5301")),
        (10, "Kode Desa", PONDOK_RAJEG[0], reason(
            "The coordinates are %(distance)s km from the centre of %(code)s %(name)s (the "
            "limit is %(limit)s km); check the village code or the coordinates.",
            distance="1869.0", code=PONDOK_RAJEG[0], name="Pondok Rajeg", limit=30)),
        (11, "Teknologi", "5G", reason(
            not_accepted, value="5G", column="Teknologi", accepted=accepted_technology)),
        (12, "Status", "aktif", reason(
            not_accepted, value="aktif", column="Status", accepted=accepted_status)),
        (13, "Backhaul", "kabel", reason(
            not_accepted, value="kabel", column="Backhaul", accepted=accepted_backhaul)),
        (14, "Tanggal On Air", "31/02/2024", reason(
            "“%(value)s” is not a date (use 2024-12-31 or 31/12/2024).", value="31/02/2024")),
        (15, "Tanggal Sumber", tomorrow, reason("“%(value)s” is in the future.", value=tomorrow)),
        (16, "Kode Site", "KPG-001", reason(
            "“%(key)s” appears twice in this file (first in row %(row)s); only that row is "
            "imported.", key="Telkomsel KPG-001", row=2)),
        (17, "", "", reason(
            "The row has %(found)s values but the header names %(expected)s columns.",
            found=15, expected=14)),
        (18, "Medan", "rawa", reason(
            not_accepted, value="rawa", column="Medan",
            accepted="datar (flat), berbukit (hilly), pegunungan (mountainous)")),
        (19, "Pendanaan", "hibah", reason(
            not_accepted, value="hibah", column="Pendanaan",
            accepted="negara/BAKTI (state), operator")),
    ]  # fmt: skip
    assert "bukan kode desa" in batch.rejections.get(row_number=8).reason  # Indonesian


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (",".join(SITE_HEADER).encode() + b"\n", "The file has column names but no rows."),
        (b"PK\x03\x04rest-of-a-workbook", "This is an Excel workbook, not a CSV file."),
        ("Operator,Kode Site\n".encode("utf-16"), "The file is UTF-16 text."),
        (b"Operator,Kode Site\nTelkomsel,Bandung \xe9\n", "The file is not UTF-8 text (line 2)."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(tmp_path, content, message):
    path = tmp_path / "rusak.csv"
    path.write_bytes(content)
    before = snapshot()

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_csv(path=path, kind="sites", by=system_actor())

    assert refused.value.messages[0].startswith(message)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_missing_required_column_refuses_the_whole_file(tmp_path):
    header = [h for h in SITE_HEADER if h != "Status"]
    rows = [[v for h, v in zip(SITE_HEADER, row, strict=True) if h != "Status"] for row in SITES]
    path = write_csv(tmp_path, "tanpa-status.csv", header, rows)
    before = snapshot()

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_csv(path=path, kind="sites", by=system_actor())

    assert refused.value.messages == [
        "The file has no column for: status. Columns found: Operator, Kode Site, Nama, "
        "Latitude, Longitude, Kode Desa, Teknologi, Medan, Backhaul, Pendanaan, Tanggal On Air, "
        "Sumber."
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_the_source_column_may_be_left_out_for_an_organisation(tmp_path):
    header = [h for h in SITE_HEADER if h != "Sumber"]
    rows = [[v for h, v in zip(SITE_HEADER, row, strict=True) if h != "Sumber"] for row in SITES]
    path = write_csv(tmp_path, "bts.csv", header, rows)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_csv(path=path, kind="sites", by=system_actor())
    assert refused.value.messages[0].startswith("The file has no column for: sumber.")

    batch = import_csv(
        path=path, kind="sites", organisation=make_organisation(name="BAKTI"), by=system_actor()
    )

    assert counts(batch) == (2, 2, 0, 0, 0)
    assert set(Site.objects.values_list("source", flat=True)) == {"BAKTI"}


@pytest.mark.django_db
def test_two_columns_for_one_field_refuse_the_file(tmp_path):
    path = write_csv(tmp_path, "dua.csv", [*SITE_HEADER, "lintang"], [[*SITES[0], "-10.2"]])
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        import_csv(path=path, kind="sites", by=system_actor())
    assert refused.value.messages == [
        "The columns “Latitude” and “lintang” both hold latitude; keep one."
    ]
    assert not ConnectivityImport.objects.exists()


# --- points of presence -------------------------------------------------------------------------


POP_HEADER = ["kode", "nama", "operator", "lintang", "bujur", "sumber", "tanggal_sumber"]
POPS = [
    ["PR-KPG-01", "PoP Kupang", "Telkom", "-10.2300", "123.3800", "Palapa Ring", "2024-01-31"],
    ["PR-SNT-01", "PoP Sentani", "", "-2.5400", "140.5300", "Palapa Ring", "31.01.2024"],
]


@pytest.mark.django_db
def test_points_of_presence_import_with_their_nearest_village(tmp_path):
    path = write_csv(tmp_path, "pop.csv", POP_HEADER, POPS)

    batch = import_csv(path=path, kind="pops", by=system_actor())

    assert counts(batch) == (2, 2, 0, 0, 0)
    assert list(
        PointOfPresence.objects.values_list(
            "code", "name", "operator", "latitude", "longitude", "village_id", "source_date"
        )
    ) == [
        ("PR-KPG-01", "PoP Kupang", "Telkom", -10.23, 123.38, BOKONUSAN[0],
         datetime.date(2024, 1, 31)),
        ("PR-SNT-01", "PoP Sentani", "", -2.54, 140.53, SENTANI_KOTA, datetime.date(2024, 1, 31)),
    ]  # fmt: skip
    kupang = PointOfPresence.objects.get(code="PR-KPG-01")
    ledger = VillageConnectivity.objects.get(village_id=BOKONUSAN[0])
    assert (ledger.nearest_pop, ledger.fibre_distance_km) == (kupang, 0.28)
    before = snapshot()

    again = import_csv(path=path, kind="pops", by=system_actor())

    assert counts(again) == (2, 0, 0, 2, 0)
    assert snapshot()["points"] == before["points"]
    moved = [[*POPS[0]], POPS[1]]
    moved[0][1] = "PoP Kupang Barat"
    assert counts(import_csv(path=write_csv(tmp_path, "p2.csv", POP_HEADER, moved), kind="pops", by=system_actor())) == (
        2, 0, 1, 1, 0,
    )  # fmt: skip
    assert PointOfPresence.objects.get(code="PR-KPG-01").name == "PoP Kupang Barat"


# --- village facts ------------------------------------------------------------------------------


FACT_HEADER = ["kode_desa", "lapisan", "nilai", "keterangan", "sumber", "tanggal"]
FACTS = [
    [SENTANI_KOTA, "cakupan", "4G", "Telkomsel", "Survei Kominfo", "2024-05-02"],
    [SENTANI_KOTA, "backhaul", "satelit", "", "Survei Kominfo", "2024-05-02"],
    [SENTANI_KOTA, "titik akses", "wifi desa", "Balai desa", "Survei Kominfo", "2024-05-02"],
    ["9103011001", "cek sinyal", "3g", "depan pasar", "Survei Kominfo", "2024-05-03"],
    [BOKONUSAN[0], "middle_mile", "4G", "", "Survei Kominfo", "2024-05-02"],
    [BOKONUSAN[0], "lapisan lain", "4G", "", "Survei Kominfo", "2024-05-02"],
    [SENTANI_KOTA, "cakupan", "LTE", "lagi", "Survei Kominfo", "2024-05-02"],
]


@pytest.mark.django_db
def test_village_facts_import_and_feed_the_ledger(tmp_path):
    mentor = national_planner()
    path = write_csv(tmp_path, "fakta.csv", FACT_HEADER, FACTS)

    batch = import_csv(path=path, kind="facts", by=mentor)

    assert counts(batch) == (7, 4, 0, 0, 3)
    assert list(
        VillageFact.objects.order_by("pk").values_list(
            "village_id", "layer", "value", "detail", "source", "observed_on", "batch", "recorded_by"
        )
    ) == [
        (SENTANI_KOTA, "last_mile", "4g", "Telkomsel", "Survei Kominfo",
         datetime.date(2024, 5, 2), batch.pk, mentor.pk),
        (SENTANI_KOTA, "middle_mile", "satellite", "", "Survei Kominfo",
         datetime.date(2024, 5, 2), batch.pk, mentor.pk),
        (SENTANI_KOTA, "access_point", "wifi desa", "Balai desa", "Survei Kominfo",
         datetime.date(2024, 5, 2), batch.pk, mentor.pk),
        (SENTANI_KOTA, "signal_check", "3g", "depan pasar", "Survei Kominfo",
         datetime.date(2024, 5, 3), batch.pk, mentor.pk),
    ]  # fmt: skip
    not_accepted = "“%(value)s” is not an accepted %(column)s; use one of: %(accepted)s."
    assert [(r.row_number, r.column, r.value, r.reason) for r in batch.rejections.all()] == [
        (6, "nilai", "4G", reason(not_accepted, value="4G", column="nilai", accepted=(
            "serat optik (fibre), gelombang mikro (microwave), satelit (satellite), "
            "tidak ada (none)"))),
        (7, "lapisan", "lapisan lain", reason(not_accepted, value="lapisan lain", column="lapisan",
            accepted="cakupan (last_mile), backhaul (middle_mile), titik akses (access_point), "
            "cek sinyal (signal_check)")),
        (8, "kode_desa", SENTANI_KOTA, reason(
            "“%(key)s” appears twice in this file (first in row %(row)s); only that row is "
            "imported.", key=f"{SENTANI_KOTA} / last_mile / 4g / Survei Kominfo / 2024-05-02",
            row=2)),
    ]  # fmt: skip
    ledger = VillageConnectivity.objects.get(village_id=SENTANI_KOTA)
    assert (ledger.last_mile, ledger.last_mile_basis, ledger.middle_mile, ledger.access_points) == (
        "4g", "Survei Kominfo (2024-05-02)", "satellite", 1,
    )  # fmt: skip
    before = snapshot()

    again = import_csv(path=path, kind="facts", by=mentor)

    assert counts(again) == (7, 0, 0, 4, 3)
    after = snapshot()
    assert (after["facts"], after["ledger"]) == (before["facts"], before["ledger"])
    FACTS_CHANGED = [[*FACTS[0]]]
    FACTS_CHANGED[0][3] = "Telkomsel dan Indosat"
    changed = import_csv(
        path=write_csv(tmp_path, "fakta-2.csv", FACT_HEADER, FACTS_CHANGED),
        kind="facts",
        by=system_actor(),
    )
    assert counts(changed) == (1, 0, 1, 0, 0)
    assert VillageFact.objects.get(layer="last_mile").detail == "Telkomsel dan Indosat"
    assert VillageFact.objects.count() == 4


# --- the command ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_prints_counts_and_rejections_as_json(tmp_path):
    office = make_organisation(name="BAKTI")
    rows = [*SITES, [*SITES[0][:1], "X-1", *SITES[0][2:6], "5G", *SITES[0][7:]]]
    path = write_csv(tmp_path, "bts.csv", SITE_HEADER, rows)
    out = io.StringIO()

    call_command(
        "import_connectivity", str(path), kind="sites", source=office.slug, as_json=True, stdout=out
    )

    summary = json.loads(out.getvalue())
    batch = ConnectivityImport.objects.get()
    assert batch.organisation == office
    assert {key: value for key, value in summary.items() if key != "seconds"} == {
        "import": batch.public_id,
        "kind": "sites",
        "file": "bts.csv",
        "rows": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "rejections": [
            {
                "row": 4,
                "column": "Teknologi",
                "value": "5G",
                "reason": reason(
                    "“%(value)s” is not an accepted %(column)s; use one of: %(accepted)s.",
                    value="5G",
                    column="Teknologi",
                    accepted="2G, 3G, 4G (LTE)",
                ),
            }
        ],
    }


@pytest.mark.django_db
def test_command_prints_a_summary(tmp_path):
    out = io.StringIO()
    call_command(
        "import_connectivity",
        str(write_csv(tmp_path, "bts.csv", SITE_HEADER, SITES)),
        kind="sites",
        stdout=out,
    )
    assert out.getvalue().startswith(
        "bts.csv: 2 rows — 2 new, 0 updated, 0 unchanged, 0 rejected ("
    )


@pytest.mark.django_db
def test_command_fails_clearly_on_a_file_it_cannot_read(tmp_path):
    path = tmp_path / "kosong.csv"
    path.write_bytes(b"")
    with translation.override("en"), pytest.raises(CommandError) as failed:
        call_command("import_connectivity", str(path), kind="pops")
    assert str(failed.value) == "kosong.csv: The file is empty."
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_connectivity", str(tmp_path / "tidak-ada.csv"), kind="pops")
    with pytest.raises(CommandError, match="No organisation"):
        call_command("import_connectivity", str(path), kind="pops", source="tidak-ada")
    assert not ConnectivityImport.objects.exists()


@pytest.mark.django_db
def test_the_documented_examples_import_without_rejections(tmp_path):
    text = (settings.BASE_DIR / "docs" / "connectivity-imports.md").read_text(encoding="utf-8")
    examples = [block.split("```", 1)[0] for block in text.split("```csv\n")[1:]]
    assert len(examples) == 3
    for kind, example in zip(["sites", "pops", "facts"], examples, strict=True):
        path = tmp_path / f"{kind}.csv"
        path.write_text(example, encoding="utf-8")
        batch = import_csv(path=path, kind=kind, by=system_actor())
        assert (batch.rejected_count, batch.created_count) == (0, batch.total_rows), kind


@pytest.mark.django_db
def test_rows_outside_the_uploaders_regions_are_refused(tmp_path):
    office = make_organisation(region_code="53", name="Dinas Kominfo NTT")
    officer = make_user(organisation=office, role=Membership.Role.PLANNER)
    path = write_csv(tmp_path, "bts.csv", SITE_HEADER, SITES)

    batch = import_csv(path=path, kind="sites", organisation=office, by=officer)

    assert counts(batch) == (2, 1, 0, 0, 1)
    rejection = batch.rejections.get()
    assert rejection.row_number == 3
    assert rejection.reason == reason(
        "Village %(code)s is outside your regions; only your regions' data can be imported.",
        code=PONDOK_RAJEG[0],
    )
    assert not Site.objects.filter(code="BGR-100").exists()
