"""Owners' personal data (UU 27/2022): the audited NIK reveal, the owner's copy of their data,
and their requests to correct or delete it, answered in the console before a deadline.

One partner file brings three businesses: Siti's and Budi's warungs in Dayeuhkolot (Jawa Barat,
32) and Yohanes's kiosk in Namosain (NTT, 53). Siti signs in with an owner account of her
warung, which also has a co-owner, Ani, whose data must never reach Siti.
"""

import datetime
import json
import re
import stat

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tumbuh.accounts.models import Membership, Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_organisation, make_owner, make_user
from tumbuh.core import personal
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.core.tests.weight import served_size
from tumbuh.registry import data_requests, personal_data, services
from tumbuh.registry.models import (
    BlockingKeys,
    DataRequest,
    Enterprise,
    ImportBatch,
    Ownership,
    Person,
)
from tumbuh.registry.tests.console_helpers import (
    DAYEUHKOLOT,
    NAMOSAIN,
    import_rows,
    nik,
    partner,
    row,
    write_csv,
)

SITI_NIK = nik("320412", day=12, month=3, year=85, female=True, serial=31)
BUDI_NIK = nik("320412", day=1, month=7, year=90, serial=32)
YOHANES_NIK = nik("537101", day=30, month=11, year=78, serial=33)
ANI_NIK = nik("320412", day=5, month=5, year=80, female=True, serial=34)
SITI_PHONE, SITI_E164 = "0812-4455-6677", "+6281244556677"
BUDI_PHONE = "0813-1111-2222"
REASON = "Verifikasi permohonan NIB di OSS"


@pytest.fixture
def world(tmp_path, db):
    """The imported businesses, Ani added as Siti's co-owner, and Siti's owner account."""
    import_rows(
        tmp_path,
        partner("", name="Pasar Mitra"),
        [
            row("Warung Siti", owner="Siti Aminah", nik=SITI_NIK, phone=SITI_PHONE,
                address="Jl. Mawar 5"),
            row("Warung Budi", owner="Budi Santoso", nik=BUDI_NIK, phone=BUDI_PHONE),
            row("Kios Kupang", owner="Yohanes", nik=YOHANES_NIK, village=NAMOSAIN),
            row("Toko Ani", owner="Ani Lestari", nik=ANI_NIK),
        ],
    )  # fmt: skip
    warung = Enterprise.objects.get(name="Warung Siti")
    siti = Person.objects.get(full_name="Siti Aminah")
    ani = Person.objects.get(full_name="Ani Lestari")
    Ownership.objects.create(enterprise=warung, person=ani)
    owner = make_owner(warung, full_name="Siti Aminah")
    return {
        "warung": warung,
        "siti": siti,
        "ani": ani,
        "owner": owner,
        "budi": Person.objects.get(full_name="Budi Santoso"),
        "kios": Enterprise.objects.get(name="Kios Kupang"),
    }


def reveal_url(enterprise, person) -> str:
    return reverse("registry:nik-reveal", args=[enterprise.public_id, person.public_id])


def region_admin(organisation):
    return make_user(organisation=organisation, role=Membership.Role.ADMIN)


# --- revealing a NIK --------------------------------------------------------------------------


def test_revealing_a_nik_needs_a_reason_and_records_who_when_whose_and_why(
    client_of, officer_32, world
):
    warung, siti = world["warung"], world["siti"]
    client = client_of(officer_32)
    url = reveal_url(warung, siti)
    assert url in client.get(warung.get_absolute_url()).content.decode()

    form = client.get(url)
    assert form.status_code == 200 and form["Cache-Control"] == "no-store"
    for reason in ("", "cek", f"cocokkan dengan {SITI_NIK} dari KTP"):
        refused = client.post(url, {"reason": reason})
        assert refused.status_code == 200 and refused["Cache-Control"] == "no-store"
        assert SITI_NIK not in refused.content.decode()
        assert refused.context["nik"] is None and refused.context["form"].errors
    assert not AuditEvent.objects.filter(action="registry.nik_revealed").exists()

    before = timezone.now()
    shown = client.post(url, {"reason": REASON})

    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert SITI_NIK in shown.content.decode() and shown.context["nik"] == SITI_NIK
    event = AuditEvent.objects.get(action="registry.nik_revealed")
    assert (event.actor, event.target_type, event.target_id, event.region_code) == (
        officer_32,
        "registry.person",
        str(siti.pk),
        DAYEUHKOLOT,
    )
    assert event.data == {
        "enterprise": warung.public_id,
        "person": siti.public_id,
        "reason": REASON,
    }
    assert event.created_at >= before
    # Never in the address, the event, the session or a message.
    assert SITI_NIK not in url and SITI_NIK not in json.dumps(event.data)
    assert SITI_NIK not in json.dumps(dict(client.session), default=str)
    assert list(shown.context["messages"]) == []


@pytest.mark.parametrize("who", ["partner officer", "mentor", "seller", "owner"])
def test_a_nik_is_not_revealed_to_anyone_without_the_right(client_of, world, who):
    warung, siti = world["warung"], world["siti"]
    if who == "partner officer":
        brought = Organisation.objects.get(name="Pasar Mitra")
        user = make_user(organisation=brought, role=Membership.Role.OFFICER)
    elif who == "mentor":
        user = make_user(
            organisation=make_organisation(region_code="32"), role=Membership.Role.MENTOR
        )
    elif who == "seller":
        user = make_user(
            organisation=make_organisation(kind=Organisation.Kind.BUMDES, region_code="32.04"),
            role=Membership.Role.SELLER,
        )
    else:
        user = world["owner"]
    client = client_of(user)
    url = reveal_url(warung, siti)

    assert client.get(url).status_code == 403
    refused = client.post(url, {"reason": REASON})

    assert refused.status_code == 403 and SITI_NIK not in refused.content.decode()
    assert url not in client.get(warung.get_absolute_url()).content.decode()
    with pytest.raises(Refused) as refusal:
        personal_data.reveal_nik(person=siti, enterprise=warung, reason=REASON, by=user)
    assert refusal.value.code == "personal_data_not_allowed"
    assert not AuditEvent.objects.filter(action="registry.nik_revealed").exists()


def test_a_nik_is_revealed_only_in_the_officers_region_and_for_an_owner_of_the_business(
    client, officer_32, officer_53, world
):
    client.force_login(officer_53)
    url = reveal_url(world["warung"], world["siti"])
    assert client.post(url, {"reason": REASON}).status_code == 404
    with pytest.raises(Refused) as refusal:
        personal_data.reveal_nik(
            person=world["siti"], enterprise=world["warung"], reason=REASON, by=officer_53
        )
    assert refusal.value.code == "personal_data_not_allowed"
    # Budi owns another business: he is not found under Siti's.
    client.force_login(officer_32)
    assert (
        client.post(reveal_url(world["warung"], world["budi"]), {"reason": REASON}).status_code
        == 404
    )
    with pytest.raises(Refused) as refusal:
        personal_data.reveal_nik(
            person=world["budi"], enterprise=world["warung"], reason=REASON, by=officer_32
        )
    assert refusal.value.code == "not_an_owner"
    assert not AuditEvent.objects.filter(action="registry.nik_revealed").exists()


def test_the_admins_of_the_region_list_the_reveals(
    client_of, officer_32, office_32, office_53, world
):
    personal_data.reveal_nik(
        person=world["siti"], enterprise=world["warung"], reason=REASON, by=officer_32
    )
    url = reverse("registry:nik-reveal-list")

    page = client_of(region_admin(office_32)).get(url)

    assert page.status_code == 200
    [shown] = page.context["reveals"]
    assert (shown["event"].actor, shown["person"], shown["enterprise"], shown["reason"]) == (
        officer_32,
        world["siti"],
        world["warung"],
        REASON,
    )
    assert SITI_NIK not in page.content.decode()
    assert client_of(region_admin(office_53)).get(url).context["reveals"] == []
    assert client_of(officer_32).get(url).status_code == 403


# --- the owner's copy of their data -----------------------------------------------------------


def test_the_owner_downloads_their_data_and_no_one_elses(client_of, officer_32, world):
    personal_data.reveal_nik(
        person=world["siti"], enterprise=world["warung"], reason=REASON, by=officer_32
    )
    client = client_of(world["owner"])
    assert client.get(reverse("registry:my-data-download")).status_code == 405

    response = client.post(reverse("registry:my-data-download"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'attachment; filename="data-saya-tumbuh.json"'
    data = json.loads(response.content)
    [business] = data["businesses"]
    assert (business["id"], business["name"], business["your_role"]) == (
        world["warung"].public_id,
        "Warung Siti",
        "owner",
    )
    assert business["you"] == [
        {
            "id": world["siti"].public_id,
            "full_name": "Siti Aminah",
            "nik": SITI_NIK,
            "nik_flags": [],
            "birth_date": "1985-03-12",
            "sex": "perempuan",
            "phone": None,
        }
    ]
    assert business["phone"] == SITI_E164 and business["other_people"] == 1
    assert business["nik_seen_by_staff"][0]["reason"] == REASON
    assert [row["organisation"] for row in business["partner_rows"]] == ["Pasar Mitra"]
    assert business["partner_rows"][0]["values"]["Alamat"] == "Jl. Mawar 5"
    text = response.content.decode()
    for someone_else in (ANI_NIK, "Ani Lestari", BUDI_NIK, "Budi", YOHANES_NIK, "Yohanes"):
        assert someone_else not in text
    event = AuditEvent.objects.get(action="registry.owner_data_downloaded")
    assert (event.actor, event.data) == (
        world["owner"],
        {"businesses": [world["warung"].public_id]},
    )


def test_a_login_without_a_business_downloads_only_its_account(client_of, world):
    stranger = make_user(full_name="Siti Aminah")
    data = json.loads(client_of(stranger).post(reverse("registry:my-data-download")).content)
    assert (data["businesses"], data["account"]["full_name"]) == ([], "Siti Aminah")
    assert SITI_NIK not in json.dumps(data)


def test_the_owner_page_is_light_and_needs_no_javascript(client_of, world):
    page = client_of(world["owner"]).get(reverse("registry:my-data"))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "<script" not in html and SITI_NIK not in html and "3204**********31" in html
    assert served_size(page) <= 14 * 1024
    assert (
        reverse("registry:my-data")
        in client_of(world["owner"]).get(reverse("capability:self-assessment")).content.decode()
    )


# --- requests: lifecycle, deadline, overdue ---------------------------------------------------


def test_a_correction_request_is_answered_in_the_console_before_its_deadline(
    client_of, english, officer_32, officer_53, world, settings
):
    settings.TUMBUH_DATA_REQUEST_DAYS = {"correction": 3, "deletion": 14}
    warung, siti = world["warung"], world["siti"]
    owner = Client()
    owner.force_login(world["owner"])
    owner.cookies["bahasa"] = "en"
    sent = owner.post(
        reverse("registry:my-data-request"),
        {"business": warung.public_id, "kind": "correction", "text": "Nama saya Siti Aminah S."},
    )
    assert sent.status_code == 302
    request = DataRequest.objects.get()
    assert (request.kind, request.status, request.person, request.requested_by) == (
        "correction",
        "open",
        siti,
        world["owner"],
    )
    assert request.due_at - request.created_at == datetime.timedelta(days=3)

    staff = client_of(officer_32)
    listed = staff.get(reverse("registry:data-request-list"))
    assert listed.context["rows"] == [(request, False)]
    elsewhere = Client()
    elsewhere.force_login(officer_53)
    assert elsewhere.get(reverse("registry:data-request-list")).context["rows"] == []
    assert elsewhere.get(request.get_absolute_url()).status_code == 404
    DataRequest.objects.filter(pk=request.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    listed = staff.get(reverse("registry:data-request-list"))
    assert listed.context["rows"] == [(request, True)]
    assert "overdue" in listed.content.decode()

    detail = staff.get(request.get_absolute_url())
    assert detail["Cache-Control"] == "no-store"
    answered = staff.post(
        request.get_absolute_url(),
        {
            "decision": "accept",
            "person": siti.public_id,
            "full_name": "Siti Aminah Sari",
            "answer": "Nama Anda sudah kami perbaiki.",
        },
    )

    assert answered.status_code == 302
    request.refresh_from_db()
    siti.refresh_from_db()
    assert (request.status, request.handled_by, request.answer) == (
        "done",
        officer_32,
        "Nama Anda sudah kami perbaiki.",
    )
    assert siti.full_name == "Siti Aminah Sari"
    assert list(
        AuditEvent.objects.filter(action__startswith="registry.")
        .exclude(action="registry.import_started")
        .order_by("pk")
        .values_list("action", "actor")
    )[-3:] == [
        ("registry.data_request_opened", world["owner"].pk),
        ("registry.owner_data_corrected", officer_32.pk),
        ("registry.data_request_done", officer_32.pk),
    ]
    assert AuditEvent.objects.get(action="registry.owner_data_corrected").data == {
        "enterprise": warung.public_id,
        "fields": ["full_name"],
    }
    assert (
        "Nama Anda sudah kami perbaiki." in owner.get(reverse("registry:my-data")).content.decode()
    )
    assert staff.get(reverse("registry:data-request-list")).context["rows"] == []
    # Answered once only.
    with pytest.raises(Refused) as refusal:
        data_requests.decide_data_request(
            data_request=request, accept=False, answer="Tidak.", by=officer_32
        )
    assert refusal.value.code == "request_already_answered"
    assert DataRequest.objects.get().status == "done"


def test_an_owner_asks_only_about_their_business_and_never_with_a_nik(client_of, world):
    with pytest.raises(Refused) as refusal:
        data_requests.open_data_request(
            enterprise=world["kios"], kind="deletion", text="Hapus.", by=world["owner"]
        )
    assert refusal.value.code == "not_your_business"
    with pytest.raises(Refused) as refusal:
        data_requests.open_data_request(
            enterprise=world["warung"],
            kind="correction",
            text=f"NIK saya yang benar {SITI_NIK}",
            by=world["owner"],
        )
    assert refusal.value.code == "identity_number_in_text"
    page = client_of(world["owner"]).post(
        reverse("registry:my-data-request"),
        {"business": world["kios"].public_id, "kind": "deletion", "text": "Hapus."},
    )
    assert page.status_code == 200 and page.context["form"].errors
    assert not DataRequest.objects.exists()


def test_a_refused_request_changes_nothing_but_its_status(officer_32, world):
    request = data_requests.open_data_request(
        enterprise=world["warung"], kind="deletion", text="Hapus data saya.", by=world["owner"]
    )
    with pytest.raises(Refused) as refusal:
        data_requests.decide_data_request(
            data_request=request, accept=False, answer="  ", by=officer_32
        )
    assert refusal.value.code == "answer_required"
    data_requests.decide_data_request(
        data_request=request,
        accept=False,
        answer="Data Anda diperlukan untuk NIB yang sedang diproses.",
        by=officer_32,
    )
    request.refresh_from_db()
    world["siti"].refresh_from_db()
    assert (request.status, world["siti"].full_name, world["siti"].erased_at) == (
        "refused",
        "Siti Aminah",
        None,
    )
    assert AuditEvent.objects.filter(action="registry.data_request_refused").count() == 1


# --- deletion ---------------------------------------------------------------------------------


def test_an_accepted_deletion_erases_the_person_and_is_audited(client_of, officer_32, world):
    warung, siti = world["warung"], world["siti"]
    businesses = Enterprise.objects.deduplicated().count()
    request = data_requests.open_data_request(
        enterprise=warung, kind="deletion", text="Hapus data pribadi saya.", by=world["owner"]
    )
    assert request.due_at - request.created_at == datetime.timedelta(days=14)
    with pytest.raises(Refused) as refusal:  # whose data: the officer must say
        data_requests.decide_data_request(
            data_request=request, accept=True, answer="Sudah dihapus.", by=officer_32
        )
    assert refusal.value.code == "person_required"
    assert Person.objects.get(pk=siti.pk).erased_at is None

    answered = client_of(officer_32).post(
        request.get_absolute_url(),
        {"decision": "accept", "person": siti.public_id, "answer": "Data Anda sudah dihapus."},
    )

    assert answered.status_code == 302
    siti.refresh_from_db()
    assert siti.erased_at is not None
    assert (siti.full_name, siti.nik_hash, siti.nik_encrypted, siti.nik_masked) == (
        "",
        None,
        None,
        "",
    )
    assert (siti.birth_date, siti.sex, siti.nik_flags) == (None, "", [])
    assert Ownership.objects.filter(enterprise=warung, person=siti).exists()
    assert Enterprise.objects.deduplicated().count() == businesses
    [record] = warung.records.all()
    assert record.personal_encrypted is None
    assert record.values["Nama Pemilik"] == "" and record.values["Alamat"] == "Jl. Mawar 5"
    warung.refresh_from_db()
    assert warung.phone_masked.startswith("+62812")  # Ani co-owns it: the phone stays
    nik_hash = personal.keyed_hash("nik", SITI_NIK)
    assert not Person.objects.filter(nik_hash=nik_hash).exists()
    # Ani, the co-owner, and everyone else are untouched.
    world["ani"].refresh_from_db()
    assert (world["ani"].full_name, world["ani"].erased_at) == ("Ani Lestari", None)
    erased = AuditEvent.objects.get(action="registry.person_erased")
    assert (erased.actor, erased.target_id, erased.data) == (
        officer_32,
        str(siti.pk),
        {"enterprises": [warung.public_id], "partner_rows": 1, "business_phones": 0},
    )
    done = AuditEvent.objects.get(action="registry.data_request_done")
    assert done.data == {"kind": "deletion", "person": siti.public_id, "corrected": []}
    page = client_of(officer_32).get(warung.get_absolute_url()).content.decode()
    assert "Siti Aminah" not in page and "3204**********31" not in page
    with pytest.raises(Refused) as refusal:
        data_requests.erase_person(person=siti, by=officer_32)
    assert refusal.value.code == "already_erased"


def test_erasing_a_sole_owner_also_erases_the_business_phone(officer_32, world):
    budi = world["budi"]
    budi_business = Enterprise.objects.get(name="Warung Budi")
    data_requests.erase_person(person=budi, by=system_actor())
    budi_business.refresh_from_db()
    assert (budi_business.phone_masked, budi_business.phone_encrypted) == ("", None)
    with pytest.raises(Refused) as refusal:
        data_requests.erase_person(person=world["siti"], by=make_user())
    assert refusal.value.code == "personal_data_not_allowed"
    assert Person.objects.get(pk=world["siti"].pk).erased_at is None


def test_erasing_an_owner_makes_their_businesses_blocking_keys_again_without_their_name(world):
    budi_business = Enterprise.objects.get(name="Warung Budi")
    keys = BlockingKeys.objects.filter(enterprise=budi_business)
    before = keys.values_list("owner_key", "token_key", "province_key").get()

    data_requests.erase_person(person=world["budi"], by=system_actor())
    after = keys.values_list("owner_key", "token_key", "province_key").get()

    assert all(before)  # the import made them from "Budi Santoso"
    assert after == (None, None, None)


# --- partner files at rest --------------------------------------------------------------------


def test_partner_files_never_imported_are_purged_after_their_days(tmp_path, ministry):
    path = write_csv(tmp_path, [row("Warung Lama", owner="Siti", nik=SITI_NIK)])
    stale = services.start_import(
        organisation=ministry, path=path, file_name="lama.csv", by=system_actor()
    )
    fresh = services.start_import(
        organisation=ministry, path=path, file_name="baru.csv", by=system_actor()
    )
    ImportBatch.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    stale_name = stale.file.name
    assert stale.file.storage.exists(stale_name)

    with pytest.raises(Refused):
        personal_data.purge_import_files(older_than=datetime.timedelta(days=7), by=make_user())
    purged = personal_data.purge_import_files(
        older_than=datetime.timedelta(days=7), by=system_actor()
    )

    assert purged == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.file.name == "" and not fresh.file.storage.exists(stale_name)
    assert fresh.file.storage.exists(fresh.file.name)
    assert AuditEvent.objects.filter(action="registry.import_file_purged").count() == 1


def test_no_personal_number_in_the_console_pages_of_requests(client_of, officer_32, world):
    request = data_requests.open_data_request(
        enterprise=world["warung"], kind="deletion", text="Hapus data saya.", by=world["owner"]
    )
    client = client_of(officer_32)
    pages = [
        client.get(reverse("registry:data-request-list")),
        client.get(request.get_absolute_url()),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert not re.search(r"(?<!\d)\d{16}(?!\d)", html)
        assert SITI_PHONE not in html and SITI_E164 not in html


def test_a_resolved_partner_file_keeps_its_columns_and_is_for_its_owner_only(tmp_path):
    """``tumbuh resolve_file`` returns the partner's own file with its NIK and phone columns as
    given (they are the partner's), written readable by its owner only."""
    from tumbuh.registry.resolution import engine
    from tumbuh.registry.resolution.files import resolve_file

    source, output, model = tmp_path / "mitra.csv", tmp_path / "hasil.csv", tmp_path / "m.json"
    engine.default_model().save(model)
    write_csv(
        tmp_path,
        [row("Warung Siti", owner="Siti", nik=SITI_NIK, phone=SITI_PHONE), row("Toko Budi")],
    )
    resolve_file(source, output, model_path=model)

    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert SITI_NIK in output.read_text() and SITI_PHONE in output.read_text()
