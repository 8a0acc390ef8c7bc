"""No NIK and no phone number, in any format, leaves the registry: not on a page or an htmx
fragment, not in an API response, not in a rejection report, not in the logs.

The partner file carries NIKs and phone numbers in the columns meant for them, and also where a
partner should not have put them: a NIK in a column the mapping does not know ("No Identitas"),
a phone number written into the address. Every registry page and endpoint is then read as the
national admin (who sees everything) and the full text of each is searched for every form of
every number.
"""

import io
import logging
import re

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.accounts.services import system_actor
from tumbuh.registry import services
from tumbuh.registry.models import Enterprise, ImportBatch
from tumbuh.registry.tests.console_helpers import (
    GEGERKALONG,
    HEADERS,
    NAMOSAIN,
    SUKAPURA,
    make_candidate,
    nik,
    partner,
    row,
    write_csv,
)

EXTRA_HEADERS = [*HEADERS, "No Identitas"]
NIKS = {
    "siti": nik("320412", day=12, month=3, year=85, female=True, serial=11),
    "budi": nik("327301", day=1, month=7, year=90, serial=12),
    "yohanes": nik("537101", day=30, month=11, year=78, serial=13),
    "unmapped": nik("320412", day=5, month=5, year=80, serial=14),
    "rejected": nik("320412", day=6, month=6, year=81, serial=15),
}
PHONES = {  # as written in the file → E.164
    # Not 0812-3456-7890: the validators' messages give that one as an example.
    "0812-4455-6677": "+6281244556677",
    "+62 813 1111 2222": "+6281311112222",
    "6285712345678": "+6285712345678",
    "(0821) 9876 5432": "+6282198765432",
    "0811.2233.4455": "+6281122334455",
}
ADDRESS_PHONE = "0822-7777-8888"


def forms_of_phone(written: str, e164: str) -> set[str]:
    national = e164[3:]
    return {written, e164, "0" + national, "62" + national, national, re.sub(r"\D", "", written)}


SECRETS = {
    *NIKS.values(),
    " ".join(re.findall("....", NIKS["unmapped"])),  # the NIK as written, in groups of four
    *(form for written, e164 in PHONES.items() for form in forms_of_phone(written, e164)),
    *forms_of_phone(ADDRESS_PHONE, "+6282277778888"),
}


def partner_rows() -> list[dict]:
    phones = list(PHONES)
    rows = [
        row("Warung Sari", owner="Siti Aminah", nik=NIKS["siti"], phone=phones[0], kbli="10792",
            nib="9120001234567", scale="mikro", address=f"Jl. Mawar 5, HP {ADDRESS_PHONE}"),
        row("Warung Sarie", owner="Siti Aminah", nik=NIKS["siti"], phone=phones[1],
            village=SUKAPURA, kbli="10792"),
        row("Toko Maju", owner="Budi", nik=NIKS["budi"], phone=phones[2], village=GEGERKALONG),
        row("Kios Kupang", owner="Yohanes", nik=NIKS["yohanes"], phone=phones[3],
            village=NAMOSAIN),
        # Rejected rows: an unknown village, a bad phone; their NIK and phone stay out of reports.
        row("Ditolak", owner="Ani", nik=NIKS["rejected"], phone=phones[4],
            village="32.04.12.9999"),
        row("Telepon Salah", nik=NIKS["rejected"], phone="12345"),
    ]  # fmt: skip
    for values in rows:
        values["No Identitas"] = ""
    rows[2]["No Identitas"] = " ".join(re.findall("....", NIKS["unmapped"]))
    rows[4]["No Identitas"] = NIKS["unmapped"]
    return rows


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return "\n".join(" | ".join(str(v) for v in values if v is not None) for values in
                         sheet.values)  # fmt: skip
    return response.content.decode()


def test_no_nik_or_phone_number_leaves_the_registry(
    client_of, national_admin, ministry, tmp_path, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    client = client_of(national_admin)
    client.cookies["bahasa"] = "en"
    sender = partner("", name="Marketplace Nasional")
    path = write_csv(tmp_path, partner_rows(), headers=EXTRA_HEADERS)

    # Through the console: upload, the mapping step with its preview, run.
    upload = SimpleUploadedFile("mitra.csv", path.read_bytes(), content_type="text/csv")
    client.post("/konsol/registri/impor/", {"organisation": ministry.slug, "file": upload})
    uploaded = ImportBatch.objects.get()
    pages = {"mapping step": client.get(uploaded.get_absolute_url())}
    form = pages["mapping step"].context["form"]
    assert form is not None and len(pages["mapping step"].context["preview"]) == 5
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            uploaded.get_absolute_url(),
            {**{f.html_name: f.value() for f in form.columns()}, "regency": ""},
        )
    # And the same businesses from a second partner, through the command-line path.
    batch = services.import_file(path=path, organisation=sender, by=system_actor())
    assert (batch.created_count, batch.linked_count, batch.rejected_count) == (0, 4, 2)

    uploaded.refresh_from_db()
    assert (uploaded.created_count, uploaded.rejected_count) == (4, 2)
    sari, sarie = (
        Enterprise.objects.get(name="Warung Sari"),
        Enterprise.objects.get(name="Warung Sarie"),
    )
    candidate = make_candidate(sari, Enterprise.objects.get(name="Toko Maju"))
    services.merge_enterprises(keep=sari, drop=sarie, by=national_admin)

    report = f"/konsol/registri/impor/{uploaded.public_id}/laporan"
    urls = [
        "/konsol/registri/",
        "/konsol/registri/?q=warung",
        "/konsol/registri/impor/",
        uploaded.get_absolute_url(),
        batch.get_absolute_url(),
        report + ".csv",
        report + ".xlsx",
        f"/konsol/registri/impor/{batch.public_id}/laporan.csv",
        "/konsol/registri/tinjau/",
        f"/konsol/registri/tinjau/{candidate.pk}/",
        "/konsol/registri/mitra/",
        "/api/v1/registry/enterprises",
        f"/api/v1/registry/imports/{uploaded.public_id}",
        *(enterprise.get_absolute_url() for enterprise in Enterprise.objects.all()),
        *(f"/api/v1/registry/enterprises/{e.public_id}" for e in Enterprise.objects.all()),
    ]
    for url in urls:
        pages[url] = client.get(url)
    pages["list fragment"] = client.get("/konsol/registri/", headers={"HX-Request": "true"})
    for name, response in pages.items():
        assert response.status_code == 200, name
    texts = {name: body(response) for name, response in pages.items()}
    texts["logs"] = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )

    leaks = sorted(
        (secret, name) for name, text in texts.items() for secret in SECRETS if secret in text
    )
    assert leaks == []
    # The pages did show what they should, masked.
    assert "+62812*****677" in texts[sari.get_absolute_url()]
    assert "3204**********11" in texts[sari.get_absolute_url()]
    assert "Jl. Mawar 5, HP ••••" in texts[sari.get_absolute_url()]
    assert "3204**********14" in texts[report + ".csv"]
    assert "Telepon Salah" in texts[report + ".xlsx"]
    assert "3273**********12" in texts["mapping step"]
