"""The registry console at /konsol/registri/: the list, a business's page, imports from upload to
report, the review queue with merge and undo, and the partners' scorecard."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from tumbuh.accounts.models import Membership
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import COUNT_QUERIES, make_enterprise, make_user
from tumbuh.registry import queries, services
from tumbuh.registry.models import (
    Enterprise,
    ImportBatch,
    MatchCandidate,
    MergeRecord,
    Milestone,
)
from tumbuh.registry.tests.console_helpers import (
    DAYEUHKOLOT,
    GEGERKALONG,
    HEADERS,
    NAMOSAIN,
    SUKAPURA,
    import_rows,
    make_candidate,
    nik,
    partner,
    record_milestone,
    row,
)

# Pages in English (the language switch's cookie), so assertions match the msgids.
pytestmark = pytest.mark.usefixtures("english")

LIST = "/konsol/registri/"
IMPORTS = "/konsol/registri/impor/"
QUEUE = "/konsol/registri/tinjau/"
SCORECARD = "/konsol/registri/mitra/"


def listed_names(response) -> list[str]:
    return [enterprise.name for enterprise in response.context["page"]]


def csv_upload(rows: list[dict], *, name="mitra.csv", headers=HEADERS) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LIST, IMPORTS, QUEUE, SCORECARD])
def test_pages_need_a_role_that_may_import_businesses(client_of, office_32, path):
    mentor = make_user(organisation=office_32, role=Membership.Role.MENTOR)

    assert client_of(mentor).get(path).status_code == 403


@pytest.mark.parametrize("path", [LIST, IMPORTS, QUEUE, SCORECARD])
def test_pages_send_visitors_to_sign_in(client, db, path):
    response = client.get(path)

    assertRedirects(response, f"/masuk/?next={path}", fetch_redirect_response=False)


# --- the list ---------------------------------------------------------------------------------


@pytest.fixture
def registry_32(office_32, tmp_path):
    """Five businesses in Jawa Barat from one partner file, one of them merged into another."""
    sender = partner("32", name="Mitra Pasar Digital")
    batch = import_rows(
        tmp_path,
        sender,
        [
            row("Warung Sari", owner="Siti Aminah", kbli="10792", scale="mikro",
                nib="9120001234567"),
            row("Toko Maju", village=GEGERKALONG, kbli="47111", scale="kecil"),
            row("Kopi Gunung", village=SUKAPURA, kbli="01270", scale="mikro"),
            row("Bengkel Jaya", village=GEGERKALONG, kbli="45201"),
            row("Warung Sarie", kbli="10792"),
        ],
    )  # fmt: skip
    assert (batch.status, batch.created_count) == ("done", 5)
    services.merge_enterprises(
        keep=Enterprise.objects.get(name="Warung Sari"),
        drop=Enterprise.objects.get(name="Warung Sarie"),
        by=system_actor(),
    )
    return sender


def test_the_list_counts_deduplicated_businesses_only(client_of, officer_32, registry_32):
    response = client_of(officer_32).get(LIST)

    assert response.status_code == 200
    assert listed_names(response) == ["Bengkel Jaya", "Kopi Gunung", "Toko Maju", "Warung Sari"]
    assertContains(response, "<h2>4 businesses match</h2>", html=True)
    assertNotContains(response, "Warung Sarie")


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"province": "32"}, ["Bengkel Jaya", "Kopi Gunung", "Toko Maju", "Warung Sari"]),
        ({"province": "32", "regency": "32.73"}, ["Bengkel Jaya", "Toko Maju"]),
        # A regency left from another province is dropped, not an error.
        ({"province": "32", "regency": "53.71"}, ["Bengkel Jaya", "Kopi Gunung", "Toko Maju",
                                                  "Warung Sari"]),
        ({"scale": "mikro"}, ["Kopi Gunung", "Warung Sari"]),
        ({"kbli_section": "C"}, ["Warung Sari"]),  # 10792, manufacturing
        ({"kbli_section": "A"}, ["Kopi Gunung"]),  # 01270, agriculture
        ({"kbli_section": "G"}, ["Bengkel Jaya", "Toko Maju"]),  # 45201 and 47111, trade
        ({"milestone": "store_live"}, ["Toko Maju"]),
        ({"q": "warung"}, ["Warung Sari"]),
        ({"kind": "bumdes"}, []),
        ({"source": "organisation-none"}, ["Bengkel Jaya", "Kopi Gunung", "Toko Maju",
                                           "Warung Sari"]),
    ],
)  # fmt: skip
def test_the_list_filters(client_of, officer_32, registry_32, filters, names):
    record_milestone(Enterprise.objects.get(name="Toko Maju"), Milestone.Kind.STORE_LIVE)

    response = client_of(officer_32).get(LIST, filters)

    assert listed_names(response) == names


def test_the_source_filter_keeps_businesses_a_partner_sent(
    client_of, officer_32, registry_32, tmp_path
):
    other = partner("32", name="Kampus Bandung")
    import_rows(tmp_path, other, [row("Kopi Gunung Baru", village=SUKAPURA)], name="kampus.csv")
    client = client_of(officer_32)

    response = client.get(LIST, {"source": other.slug})

    assert listed_names(response) == ["Kopi Gunung Baru"]
    options = response.context["form"].fields["source"].choices
    assert options == [
        ("", "All organisations"),
        (other.slug, "Kampus Bandung"),
        (registry_32.slug, "Mitra Pasar Digital"),
    ]


def test_htmx_gets_the_results_and_the_regency_choices_only(client_of, officer_32, registry_32):
    response = client_of(officer_32).get(LIST, {"province": "32"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="results"')
    assert "<html" not in content
    assertContains(response, '<div id="regency-field" hx-swap-oob="true">')
    assertContains(response, '<option value="32.73">Kota Bandung</option>', html=True)
    assert response["Vary"] == "HX-Request, Cookie, Accept-Encoding"


def test_the_list_pages_by_fifty_with_a_constant_number_of_queries(
    client_of, officer_32, query_count
):
    Enterprise.objects.bulk_create(
        Enterprise(name=f"Usaha {number:02d}", village_id=DAYEUHKOLOT) for number in range(51)
    )
    make_enterprise("Usaha di Kupang", village=NAMOSAIN)
    client = client_of(officer_32)
    client.get(LIST)  # the session and the KBLI list are read once

    with query_count() as first:
        response = client.get(LIST, {"kbli_section": "", "q": "usaha"})
    cursor = response.context["page"].next_cursor
    with query_count() as second:
        next_page = client.get(LIST, {"q": "usaha", "cursor": cursor})
    # session, user, capability, scope, provinces, source organisations, count, rows (the
    # captured queries are read from the log, which the next request empties)
    # A search on PostgreSQL asks the planner how many names hold its keys, then counts its
    # matches once more, to know whether it may rank them all.
    searched = 1 + COUNT_QUERIES if connection.vendor == "postgresql" else 0
    assert len(first) == len(second) == 8 + COUNT_QUERIES + searched  # with the menu's memberships
    back = client.get(LIST, {"q": "usaha", "cursor": next_page.context["page"].previous_cursor})

    assert len(response.context["page"]) == 50
    assertContains(response, "<h2>51 businesses match</h2>", html=True)
    assert response.context["page"].previous_cursor is None
    assert 'rel="next"' in response.content.decode()
    assert listed_names(next_page) == ["Usaha 50"]
    assert next_page.context["page"].next_cursor is None
    assert listed_names(back) == listed_names(response)


def test_a_search_with_more_matches_than_it_ranks_says_it_shows_the_first_found(
    client_of, officer_32, english, monkeypatch
):
    monkeypatch.setattr(queries, "RANKED_SEARCH_CAP", 2)
    for name in ("Warung Kopi", "Kopiah Haji", "Kopi Aceh"):
        make_enterprise(name, village=DAYEUHKOLOT)
    client = client_of(officer_32)

    many = client.get(LIST, {"q": "kopi"})
    few = client.get(LIST, {"q": "kopi aceh"})

    said = "These are the first 2 businesses found, closest names first."
    if connection.vendor == "postgresql":
        assert len(listed_names(many)) == 2
        assert said in many.content.decode()
        assertContains(many, "<h2>More than 2 businesses match</h2>", html=True)
    else:  # SQLite does not rank: every match, by name
        assert listed_names(many) == ["Kopi Aceh", "Kopiah Haji", "Warung Kopi"]
        assert said not in many.content.decode()
    assert said not in few.content.decode()
    assert listed_names(few) == ["Kopi Aceh"]


def test_a_cursor_that_is_not_the_lists_gives_the_first_page_and_says_so(
    client_of, officer_32, english
):
    make_enterprise("Usaha Satu", village=DAYEUHKOLOT)
    make_enterprise("Usaha Dua", village=DAYEUHKOLOT)

    response = client_of(officer_32).get(LIST, {"cursor": "bm90LWEtY3Vyc29y"})

    assert response.status_code == 200
    assert listed_names(response) == ["Usaha Dua", "Usaha Satu"]
    assertContains(response, "(it may be cut short)")


# --- a business -------------------------------------------------------------------------------


def test_the_business_page_shows_everything_personal_data_masked(
    client_of, officer_32, office_32, tmp_path
):
    sender = partner("32", name="Mitra Pasar Digital")
    siti = nik("320412", day=12, month=3, year=85, female=True, serial=7)
    import_rows(
        tmp_path,
        sender,
        [row("Warung Sari", owner="Siti Aminah", nik=siti, phone="0812-3456-7890",
             kbli="10792 56101", nib="9120001234567", scale="mikro", address="Jl. Mawar 5")],
    )  # fmt: skip
    enterprise = Enterprise.objects.get(name="Warung Sari")

    response = client_of(officer_32).get(f"/konsol/registri/usaha/{enterprise.public_id}/")

    assert response.status_code == 200
    assertContains(response, "<h1>Warung Sari</h1>", html=True)
    assertContains(response, "<dd>9120001234567</dd>", html=True)
    assertContains(response, "10792 · Industri kue basah")
    assertContains(response, "56101 · Restoran")
    assertContains(
        response,
        "<dd>Dayeuhkolot, Dayeuhkolot, Kabupaten Bandung, Jawa Barat "
        '<span class="muted">(32.04.12.2002)</span></dd>',
        html=True,
    )
    assertContains(response, "<dd>+62812*****890</dd>", html=True)
    assertContains(response, "Siti Aminah · owner · NIK 3204**********07")
    assertContains(response, "· registered</li>")
    assertContains(response, '<span class="muted">Alamat:</span> Jl. Mawar 5')
    assertNotContains(response, siti)
    assertNotContains(response, "3456-7890")


def test_an_unknown_business_is_not_found(client_of, officer_32):
    assert client_of(officer_32).get("/konsol/registri/usaha/tidakada1234/").status_code == 404


def test_a_merged_record_links_to_the_business_that_counts_for_it(client_of, officer_32):
    kept, dropped = make_enterprise("Toko Maju"), make_enterprise("Toko Majoe")
    services.merge_enterprises(keep=kept, drop=dropped, by=system_actor())

    response = client_of(officer_32).get(dropped.get_absolute_url())

    assertContains(
        response,
        f'This record was merged into <a href="{kept.get_absolute_url()}">Toko Maju</a>',
    )


# --- imports ----------------------------------------------------------------------------------


ROWS = [
    row("Warung Sari", owner="Siti Aminah", nik=nik("320412", female=True), phone="0812-3456-7890",
        kbli="10792", nib="9120001234567", scale="mikro"),
    row("Toko Maju", owner="Budi", nik=nik("327301", serial=2), village=GEGERKALONG, kbli="47111"),
    row("Warung Sari Cabang", nib="9120001234567", kbli="10792"),  # joins Warung Sari by NIB
    row("Tanpa Desa", village="32.04.12.9999"),
    row("NIK Salah", nik="3204", village=SUKAPURA),
]  # fmt: skip


def test_an_import_from_upload_to_report(
    client_of, officer_32, office_32, django_capture_on_commit_callbacks
):
    client = client_of(officer_32)

    response = client.post(
        IMPORTS, {"organisation": office_32.slug, "file": csv_upload(ROWS, name="umkm jabar.csv")}
    )

    batch = ImportBatch.objects.get()
    assertRedirects(response, f"/konsol/registri/impor/{batch.public_id}/")
    assert (batch.organisation, batch.uploaded_by, batch.status) == (office_32, officer_32,
                                                                     "uploaded")  # fmt: skip

    # The mapping step: every header with its recognised field, the first rows masked.
    page = client.get(batch.get_absolute_url())
    form = page.context["form"]
    assert [(field.label, field.value()) for field in form.columns()] == [
        ("Nama Usaha", "business_name"),
        ("Nama Pemilik", "owner_name"),
        ("NIK", "nik"),
        ("No HP", "phone"),
        ("Kode Desa", "village_code"),
        ("KBLI", "kbli"),
        ("NIB", "nib"),
        ("Skala", "scale"),
        ("Alamat", "address"),
    ]
    assert page.context["preview"][0] == [
        "Warung Sari", "Siti Aminah", "3204**********01", "+62812*****890", DAYEUHKOLOT,
        "10792", "9120001234567", "mikro", "",
    ]  # fmt: skip
    assert len(page.context["preview"]) == 5
    assertNotContains(page, ROWS[0]["NIK"])

    mapping = {f"column-{index}": value for index, (_, value) in
               enumerate((f.label, f.value()) for f in form.columns())}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(batch.get_absolute_url(), {**mapping, "regency": ""})
    assertRedirects(response, batch.get_absolute_url())

    batch.refresh_from_db()
    assert batch.status == "done"
    counts = (batch.created_count, batch.linked_count, batch.already_imported_count,
              batch.rejected_count)  # fmt: skip
    assert counts == (2, 1, 0, 2)
    assert sum(counts) == batch.total_rows == 5

    done = client.get(batch.get_absolute_url())
    assertContains(done, '<th scope="row">New businesses</th><td class="num">2</td>', html=True)
    assertContains(
        done, '<th scope="row">Joined an existing business</th><td class="num">1</td>', html=True
    )
    assertContains(
        done, '<th scope="row">Already imported before</th><td class="num">0</td>', html=True
    )
    assertContains(done, '<th scope="row">Rejected</th><td class="num">2</td>', html=True)
    assertContains(done, '<th scope="row">Rows in the file</th><td class="num">5</td>', html=True)
    assertNotContains(done, "<progress")

    report = client.get(f"/konsol/registri/impor/{batch.public_id}/laporan.csv")
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert report["Content-Disposition"] == (
        f'attachment; filename="laporan-{batch.public_id}.csv"'
    )
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    reasons = [
        ImportBatch.objects.get().rejections.get(row_number=number).reason for number in (5, 6)
    ]
    assert lines == [
        ["Row", "Column", "Reason", "Nama Usaha", "Nama Pemilik", "Kode Desa", "KBLI", "NIB",
         "Skala", "Alamat"],
        ["5", "Kode Desa", reasons[0], "Tanpa Desa", "", "32.04.12.9999", "", "", "", ""],
        ["6", "NIK", reasons[1], "NIK Salah", "", SUKAPURA, "", "", "", ""],
    ]  # fmt: skip

    workbook = client.get(f"/konsol/registri/impor/{batch.public_id}/laporan.xlsx")
    assert workbook["Content-Disposition"] == (
        f'attachment; filename="laporan-{batch.public_id}.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    cells = [["" if v is None else str(v) for v in values] for values in sheet.values]
    assert cells == lines


def test_while_an_import_runs_the_page_polls_its_progress(
    client_of, officer_32, office_32, django_capture_on_commit_callbacks
):
    client = client_of(officer_32)
    client.post(IMPORTS, {"organisation": office_32.slug, "file": csv_upload(ROWS)})
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.confirm_import(batch=batch, mapping=batch.mapping, by=officer_32)

    page = client.get(batch.get_absolute_url())
    fragment = client.get(batch.get_absolute_url(), headers={"HX-Request": "true"})

    assertContains(page, f'hx-get="{batch.get_absolute_url()}" hx-trigger="every 2s"')
    assertContains(page, '<noscript><meta http-equiv="refresh" content="5"></noscript>')
    assertContains(page, "<progress")
    assert fragment.content.decode().strip().startswith('<div id="import-progress"')
    assertNotContains(fragment, "<html")

    for callback in callbacks:
        callback()
    finished = client.get(batch.get_absolute_url(), headers={"HX-Request": "true"})
    assert finished.status_code == 204
    assert finished["HX-Refresh"] == "true"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Nama Usaha,NIK\n".encode("utf-16"),
         "The file is UTF-16 text. Save it from Excel as “CSV UTF-8 (comma delimited)”."),
        (b"Nama Usaha,Nama Usaha\nWarung,Toko\n",
         "The column “Nama Usaha” appears twice (columns A and B)."),
        (b"", "The submitted file is empty."),
    ],
)  # fmt: skip
def test_a_broken_file_gives_its_reason_and_keeps_nothing(
    client_of, officer_32, office_32, content, message, settings
):
    upload = SimpleUploadedFile("rusak.csv", content, content_type="text/csv")

    response = client_of(officer_32).post(IMPORTS, {"organisation": office_32.slug, "file": upload})

    assert response.status_code == 200
    with translation.override("en"):
        assert response.context["form"].errors == {"file": [message]}
    assertContains(response, message)
    assert not ImportBatch.objects.exists()
    assert not (settings.PRIVATE_MEDIA_ROOT / "imports").exists()
    assert not (settings.MEDIA_ROOT / "imports").exists()


def test_a_large_upload_is_read_from_its_temporary_file(client_of, officer_32, office_32, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file

    response = client_of(officer_32).post(
        IMPORTS, {"organisation": office_32.slug, "file": csv_upload(ROWS)}
    )

    batch = ImportBatch.objects.get()
    assertRedirects(response, batch.get_absolute_url())
    assert batch.headers == HEADERS


def test_an_upload_over_200_mb_or_of_another_type_is_refused(
    client_of, officer_32, office_32, monkeypatch
):
    monkeypatch.setattr("tumbuh.registry.forms.MAX_UPLOAD_BYTES", 10)
    client = client_of(officer_32)

    too_big = client.post(IMPORTS, {"organisation": office_32.slug, "file": csv_upload(ROWS)})
    monkeypatch.undo()
    image = SimpleUploadedFile("foto.png", b"\x89PNG....", content_type="image/png")
    wrong_type = client.post(IMPORTS, {"organisation": office_32.slug, "file": image})

    assert too_big.context["form"].errors == {
        "file": ["The file is larger than 200 MB. Split it into several files."]
    }
    assert wrong_type.context["form"].errors == {"file": ["Upload a CSV (UTF-8) or an XLSX file."]}
    assert not ImportBatch.objects.exists()


def test_only_the_organisations_of_ones_memberships_can_be_chosen(client_of, officer_32, office_53):
    response = client_of(officer_32).post(
        IMPORTS, {"organisation": office_53.slug, "file": csv_upload(ROWS)}
    )

    assert list(response.context["form"].errors) == ["organisation"]
    assert not ImportBatch.objects.exists()


def test_a_mapping_with_a_field_twice_or_without_a_business_name_is_refused(
    client_of, officer_32, office_32
):
    client = client_of(officer_32)
    client.post(IMPORTS, {"organisation": office_32.slug, "file": csv_upload(ROWS)})
    batch = ImportBatch.objects.get()
    columns = {f"column-{index}": "" for index in range(len(HEADERS))}

    twice = client.post(
        batch.get_absolute_url(),
        {**columns, "column-0": "business_name", "column-1": "business_name"},
    )
    nameless = client.post(batch.get_absolute_url(), {**columns, "column-4": "village_code"})

    assert twice.context["form"].non_field_errors() == [
        "“Business name” is chosen for two columns: Nama Usaha and Nama Pemilik."
    ]
    assert nameless.context["form"].non_field_errors() == ["Choose the column of: Business name"]
    batch.refresh_from_db()
    assert (batch.status, batch.mapping["business_name"]) == ("uploaded", "Nama Usaha")


def test_imports_list_newest_first(client_of, officer_32, office_32, tmp_path):
    import_rows(tmp_path, office_32, [row("Satu")], name="pertama.csv")
    import_rows(tmp_path, office_32, [row("Dua")], name="kedua.csv")

    response = client_of(officer_32).get(IMPORTS)

    assert [batch.file_name for batch in response.context["page"]] == ["kedua.csv", "pertama.csv"]
    assertContains(response, '<option value="organisation-', count=1)


# --- review queue, merge and undo -------------------------------------------------------------


@pytest.fixture
def pair(tmp_path):
    sender = partner("32")
    import_rows(
        tmp_path,
        sender,
        [
            row("Toko Maju", owner="Budi Santoso", nik=nik("320412", serial=3), kbli="47111",
                phone="0813-1111-2222"),
            row("Toko Majoe", owner="Budi Santoso", kbli="47111", village=SUKAPURA),
        ],
    )  # fmt: skip
    return make_candidate(
        Enterprise.objects.get(name="Toko Maju"), Enterprise.objects.get(name="Toko Majoe"), 0.83
    )


def test_the_queue_lists_pending_pairs_most_likely_first(client_of, officer_32, pair):
    other = make_candidate(make_enterprise("Kopi A"), make_enterprise("Kopi B"), 0.91)
    decided = make_candidate(make_enterprise("Roti A"), make_enterprise("Roti B"), 0.95)
    MatchCandidate.objects.filter(pk=decided.pk).update(status=MatchCandidate.Status.KEPT_APART)

    response = client_of(officer_32).get(QUEUE)

    assert list(response.context["page"]) == [other, pair]
    assertContains(response, "<h2>2 pairs waiting</h2>", html=True)


def test_the_pair_page_shows_both_records_and_the_evidence(client_of, officer_32, pair):
    response = client_of(officer_32).get(f"/konsol/registri/tinjau/{pair.pk}/")

    assert response.status_code == 200
    assert [side["enterprise"].name for side in response.context["sides"]] == [
        "Toko Maju", "Toko Majoe"]  # fmt: skip
    assertContains(response, '<li><span class="badge">for</span> same NIK</li>', html=True)
    assertContains(
        response,
        '<li><span class="badge">no evidence</span> phone number missing in one record</li>',
        html=True,
    )
    assertContains(
        response, '<li><span class="badge">against</span> business names 71 % similar</li>',
        html=True,
    )  # fmt: skip
    assertContains(response, "Budi Santoso · owner · NIK 3204**********03")
    assertContains(response, "<dd>+62813*****222</dd>", html=True)
    assertContains(response, '<button type="submit" name="decision" value="merge">Merge</button>')
    assertNotContains(response, "1111-2222")


def test_merging_from_the_queue_and_undoing_it(client_of, officer_32, pair):
    client = client_of(officer_32)
    low, high = pair.enterprise_low, pair.enterprise_high

    response = client.post(f"/konsol/registri/tinjau/{pair.pk}/putuskan/", {"decision": "merge"})

    assertRedirects(response, QUEUE, fetch_redirect_response=False)
    pair.refresh_from_db()
    high.refresh_from_db()
    assert (pair.status, pair.decided_by, high.merged_into) == ("merged", officer_32, low)
    assert list(client.get(QUEUE).context["page"]) == []
    record = MergeRecord.objects.get()
    kept_page = client.get(low.get_absolute_url())
    assertContains(kept_page, f'action="/konsol/registri/usaha/{low.public_id}/penggabungan/'
                              f'{record.pk}/batalkan/"')  # fmt: skip
    assert listed_names(client.get(LIST)) == ["Toko Maju"]

    undo = client.post(f"/konsol/registri/usaha/{low.public_id}/penggabungan/{record.pk}/batalkan/")

    assertRedirects(undo, low.get_absolute_url(), fetch_redirect_response=False)
    high.refresh_from_db()
    record.refresh_from_db()
    assert high.merged_into is None
    assert (record.undone_by, record.is_undone) == (officer_32, True)
    assert listed_names(client.get(LIST)) == ["Toko Majoe", "Toko Maju"]
    again = client.post(
        f"/konsol/registri/usaha/{low.public_id}/penggabungan/{record.pk}/batalkan/", follow=True
    )
    assertContains(again, "This merge has already been undone.")


def test_keeping_a_pair_apart(client_of, officer_32, pair):
    response = client_of(officer_32).post(
        f"/konsol/registri/tinjau/{pair.pk}/putuskan/", {"decision": "apart"}
    )

    assertRedirects(response, QUEUE, fetch_redirect_response=False)
    pair.refresh_from_db()
    assert pair.status == "kept_apart"
    assert Enterprise.objects.deduplicated().count() == 2
    assert not MergeRecord.objects.exists()


def test_a_decision_must_be_merge_or_apart_and_is_taken_once(client_of, officer_32, pair):
    client = client_of(officer_32)
    url = f"/konsol/registri/tinjau/{pair.pk}/putuskan/"

    unclear = client.post(url, {"decision": "maybe"}, follow=True)
    client.post(url, {"decision": "apart"})
    twice = client.post(url, {"decision": "merge"}, follow=True)

    assertContains(unclear, "Choose to merge the two records or to keep them apart.")
    assertContains(twice, "This pair has already been decided.")
    pair.refresh_from_db()
    assert pair.status == "kept_apart"
    assert not MergeRecord.objects.exists()


# --- scorecard --------------------------------------------------------------------------------


def test_the_scorecard_counts_each_partners_rows(client_of, officer_32, tmp_path, query_count):
    sender = partner("32", name="Mitra Pasar Digital")
    import_rows(tmp_path, sender, ROWS)  # 2 new, 1 joined by NIB, 1 unknown village, 1 bad NIK
    import_rows(tmp_path, sender, [ROWS[0], row("Lain", nik="1"), row("Baru", village=SUKAPURA)],
                name="lagi.csv")  # fmt: skip
    second = partner("32", name="Kampus Bandung")
    import_rows(tmp_path, second, [row("Toko Majoe", village=GEGERKALONG)], name="kampus.csv")
    services.merge_enterprises(
        keep=Enterprise.objects.get(name="Toko Maju"),
        drop=Enterprise.objects.get(name="Toko Majoe"),
        by=system_actor(),
    )
    client = client_of(officer_32)
    client.get(SCORECARD)

    with query_count() as queries:
        response = client.get(SCORECARD)

    rows = [
        (r.organisation.name, r.rows_sent, r.duplicates, r.invalid_nik, r.unknown_village,
         r.other_rejections, round(r.accepted_percent, 1))
        for r in response.context["rows"]
    ]  # fmt: skip
    assert rows == [
        # Toko Majoe was merged into Toko Maju: one duplicate on each side.
        ("Kampus Bandung", 1, 1, 0, 0, 0, 100.0),
        # 4 records (Warung Sari ×2 with its NIB twin, Toko Maju, Baru) + 3 rejections; the
        # repeated Warung Sari row was already imported and is not a new row.
        ("Mitra Pasar Digital", 7, 3, 2, 1, 0, 57.1),
    ]
    assertContains(response, '<td>Mitra Pasar Digital</td><td class="num">7</td>')
    # session, user, capability, import access, scope, organisations, records, rejections
    assert len(queries) == 9  # with the console menu's memberships


def test_kbli_sections_are_ranges_of_divisions():
    from tumbuh.registry.queries import kbli_section_ranges

    ranges = kbli_section_ranges()
    assert ranges["A"] == [("01", "03")]
    assert ranges["C"] == [("10", "33")]
    assert ranges["G"] == [("45", "47")]
    assert list(ranges) == list("ABCDEFGHIJKLMNOPQRSTU")


def test_the_import_list_costs_a_constant_number_of_queries(
    client_of, officer_32, office_32, tmp_path, query_count
):
    client = client_of(officer_32)
    import_rows(tmp_path, office_32, [row("Satu")], name="satu.csv")
    client.get(IMPORTS)
    with query_count() as one:
        client.get(IMPORTS)
    for number in range(3):
        import_rows(tmp_path, office_32, [row(f"Usaha {number}")], name=f"{number}.csv")

    with query_count() as four:
        response = client.get(IMPORTS)

    assert len(response.context["page"]) == 4
    # session, user, capability, upload organisations, import access, scope, rows (no count:
    # the list pages by keyset)
    assert len(one) == len(four) == 8  # with the console menu's memberships


def test_the_review_queue_costs_a_constant_number_of_queries(
    client_of, officer_32, pair, query_count
):
    client = client_of(officer_32)
    client.get(QUEUE)
    with query_count() as one:
        client.get(QUEUE)
    for number in range(3):
        make_candidate(make_enterprise(f"Kopi {number}"), make_enterprise(f"Kopi {number}b"))

    with query_count() as four:
        response = client.get(QUEUE)

    assert len(response.context["page"]) == 4
    # session, user, capability, scope, rows (one page: its rows are the count)
    assert len(one) == len(four) == 6  # with the console menu's memberships
