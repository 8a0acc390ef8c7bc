"""An officer of Jawa Barat (32) never sees or reaches a business, an import, a review pair or a
scorecard row of Nusa Tenggara Timur (53), on a page or through the API: a record outside one's
regions is a 404, like a record that does not exist, and a refused change changes nothing."""

import pytest
from pytest_django.asserts import assertNotContains

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_user
from tumbuh.registry import services
from tumbuh.registry.models import Enterprise, ImportBatch, MatchCandidate, MergeRecord
from tumbuh.registry.tests.console_helpers import (
    DAYEUHKOLOT,
    GEGERKALONG,
    NAMOSAIN,
    NUNBAUN_SABU,
    SUKAPURA,
    import_rows,
    make_candidate,
    partner,
    row,
)


@pytest.fixture
def world(db, tmp_path, office_32, office_53):
    """Two provinces, each with a partner's import, a review pair and a merge; one pair across."""
    partner_32, partner_53 = partner("32", name="Mitra Jabar"), partner("53", name="Mitra NTT")
    batch_32 = import_rows(
        tmp_path,
        partner_32,
        [row("Warung Sari"), row("Warung Sarie", village=SUKAPURA),
         row("Toko Maju", village=GEGERKALONG), row("Toko Majoe", village=GEGERKALONG),
         row("Ditolak", village="32.04.12.9999")],
        name="jabar.csv",
    )  # fmt: skip
    batch_53 = import_rows(
        tmp_path,
        partner_53,
        [row("Kios Kupang", village=NAMOSAIN), row("Kios Kupang Baru", village=NUNBAUN_SABU),
         row("Tenun Ikat", village=NAMOSAIN), row("Tenun Ikat Sabu", village=NUNBAUN_SABU),
         row("Ditolak Juga", village="53.71.01.9999")],
        name="ntt.csv",
    )  # fmt: skip
    by_name = {enterprise.name: enterprise for enterprise in Enterprise.objects.all()}
    merge_32 = services.merge_enterprises(
        keep=by_name["Toko Maju"], drop=by_name["Toko Majoe"], by=system_actor()
    )
    merge_53 = services.merge_enterprises(
        keep=by_name["Tenun Ikat"], drop=by_name["Tenun Ikat Sabu"], by=system_actor()
    )
    return {
        "batch_32": batch_32,
        "batch_53": batch_53,
        "pair_32": make_candidate(by_name["Warung Sari"], by_name["Warung Sarie"], 0.8),
        "pair_53": make_candidate(by_name["Kios Kupang"], by_name["Kios Kupang Baru"], 0.8),
        "pair_across": make_candidate(by_name["Warung Sari"], by_name["Kios Kupang"], 0.7),
        "merge_32": merge_32,
        "merge_53": merge_53,
        "partner_32": partner_32,
        "partner_53": partner_53,
        **by_name,
    }


def names(response) -> list[str]:
    return [enterprise.name for enterprise in response.context["page"]]


# --- pages ------------------------------------------------------------------------------------


def test_the_list_shows_only_ones_regions(client_of, officer_32, officer_53, national_admin, world):
    assert names(client_of(officer_32).get("/konsol/registri/")) == [
        "Toko Maju", "Warung Sari", "Warung Sarie"]  # fmt: skip
    assert names(client_of(officer_53).get("/konsol/registri/")) == [
        "Kios Kupang", "Kios Kupang Baru", "Tenun Ikat"]  # fmt: skip
    assert len(names(client_of(national_admin).get("/konsol/registri/"))) == 6


def test_a_regency_officer_sees_the_regency_only(client_of, office_32, world):
    bandung = make_user(organisation=office_32, region_code="32.04")

    response = client_of(bandung).get("/konsol/registri/", {"province": "32"})

    assert names(response) == ["Warung Sari", "Warung Sarie"]
    assert response.context["form"].fields["province"].choices[1:] == [("32", "Jawa Barat")]
    assert response.context["form"].fields["regency"].choices[1:] == [
        ("32.04", "Kabupaten Bandung")]  # fmt: skip


def test_another_regions_business_is_not_found(client_of, officer_32, world):
    client = client_of(officer_32)

    assert client.get(world["Kios Kupang"].get_absolute_url()).status_code == 404
    assert client.get(world["Tenun Ikat Sabu"].get_absolute_url()).status_code == 404
    assert client.get(world["Warung Sari"].get_absolute_url()).status_code == 200


def test_another_regions_merge_cannot_be_undone(client_of, officer_32, world):
    tenun = world["Tenun Ikat"]
    url = f"/konsol/registri/usaha/{tenun.public_id}/penggabungan/{world['merge_53'].pk}/batalkan/"
    # A merge of this region reached through a business of this region, but the wrong record.
    mixed = (
        f"/konsol/registri/usaha/{world['Warung Sari'].public_id}/penggabungan/"
        f"{world['merge_53'].pk}/batalkan/"
    )

    assert client_of(officer_32).post(url).status_code == 404
    assert client_of(officer_32).post(mixed).status_code == 404

    world["merge_53"].refresh_from_db()
    assert world["merge_53"].undone_at is None
    assert Enterprise.objects.get(name="Tenun Ikat Sabu").merged_into == tenun


def test_a_merge_across_regions_needs_both_in_scope(client_of, officer_32, world):
    merge = services.merge_enterprises(
        keep=world["Warung Sari"], drop=world["Kios Kupang"], by=system_actor()
    )
    url = (
        f"/konsol/registri/usaha/{world['Warung Sari'].public_id}/penggabungan/{merge.pk}/batalkan/"
    )

    assert client_of(officer_32).post(url).status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None


def test_imports_are_seen_by_their_organisation_and_its_regions_offices(
    client_of, officer_32, officer_53, national_admin, world
):
    staff_53 = make_user(organisation=world["partner_53"], role=Membership.Role.OFFICER)
    national_partner = partner("", name="Marketplace Nasional")
    staff_national = make_user(organisation=national_partner, role=Membership.Role.OFFICER)

    def files(user):
        response = client_of(user).get("/konsol/registri/impor/")
        return sorted(batch.file_name for batch in response.context["page"])

    assert files(officer_32) == ["jabar.csv"]
    assert files(officer_53) == ["ntt.csv"]
    assert files(staff_53) == ["ntt.csv"]
    # A national partner's staff see their organisation's imports, not everyone's.
    assert files(staff_national) == []
    assert files(national_admin) == ["jabar.csv", "ntt.csv"]


@pytest.mark.parametrize("suffix", ["", "laporan.csv", "laporan.xlsx"])
def test_another_regions_import_is_not_found(client_of, officer_32, world, suffix):
    client = client_of(officer_32)
    batch_53, batch_32 = world["batch_53"], world["batch_32"]

    assert client.get(f"/konsol/registri/impor/{batch_53.public_id}/{suffix}").status_code == 404
    assert client.get(f"/konsol/registri/impor/{batch_32.public_id}/{suffix}").status_code == 200


def test_a_partners_staff_cannot_reach_another_partners_import_in_their_region(
    client_of, office_32, world, tmp_path
):
    other = partner("32", name="Kampus Bandung")
    batch = import_rows(tmp_path, other, [row("Kopi")], name="kampus.csv")
    staff = make_user(organisation=world["partner_32"], role=Membership.Role.OFFICER)

    assert client_of(staff).get(batch.get_absolute_url()).status_code == 404
    assert client_of(staff).get(world["batch_32"].get_absolute_url()).status_code == 200


def test_an_office_may_see_but_not_start_a_partners_upload(client_of, officer_32, world, tmp_path):
    staff = make_user(organisation=world["partner_32"], role=Membership.Role.OFFICER)
    path = tmp_path / "baru.csv"
    path.write_text("Nama Usaha,Kode Desa\nKopi,32.04.12.2002\n", encoding="utf-8")
    batch = services.start_import(
        organisation=world["partner_32"], path=path, file_name="baru.csv", by=staff
    )
    data = {"column-0": "business_name", "column-1": "village_code", "regency": ""}

    page = client_of(officer_32).get(batch.get_absolute_url())
    refused = client_of(officer_32).post(batch.get_absolute_url(), data)

    assert page.context["form"] is None
    assert refused.status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED


def test_the_review_queue_needs_both_records_in_scope(
    client_of, officer_32, officer_53, national_admin, world
):
    def queue(user):
        return list(client_of(user).get("/konsol/registri/tinjau/").context["page"])

    assert queue(officer_32) == [world["pair_32"]]
    assert queue(officer_53) == [world["pair_53"]]
    assert queue(national_admin) == [world["pair_32"], world["pair_53"], world["pair_across"]]


@pytest.mark.parametrize("pair", ["pair_53", "pair_across"])
def test_a_pair_outside_ones_regions_cannot_be_seen_or_decided(client_of, officer_32, world, pair):
    candidate = world[pair]
    client = client_of(officer_32)

    page = client.get(f"/konsol/registri/tinjau/{candidate.pk}/")
    decided = client.post(
        f"/konsol/registri/tinjau/{candidate.pk}/putuskan/", {"decision": "merge"}
    )

    assert (page.status_code, decided.status_code) == (404, 404)
    candidate.refresh_from_db()
    assert candidate.status == MatchCandidate.Status.PENDING
    assert MergeRecord.objects.count() == 2
    assert Enterprise.objects.deduplicated().count() == 6


def test_the_scorecard_shows_only_ones_regions_partners(
    client_of, officer_32, officer_53, national_admin, world
):
    def organisations(user):
        response = client_of(user).get("/konsol/registri/mitra/")
        return [r.organisation.name for r in response.context["rows"]], response

    rows_32, response = organisations(officer_32)
    assert rows_32 == ["Mitra Jabar"]
    assertNotContains(response, "Mitra NTT")
    assert organisations(officer_53)[0] == ["Mitra NTT"]
    assert organisations(national_admin)[0] == ["Mitra Jabar", "Mitra NTT"]


def test_the_source_filter_offers_national_and_regional_senders_only(
    client_of, officer_32, world, tmp_path
):
    national_partner = partner("", name="Marketplace Nasional")
    import_rows(tmp_path, national_partner, [row("Kopi", village=DAYEUHKOLOT)], name="nas.csv")

    response = client_of(officer_32).get("/konsol/registri/")

    assert response.context["form"].fields["source"].choices[1:] == [
        (national_partner.slug, "Marketplace Nasional"),
        (world["partner_32"].slug, "Mitra Jabar"),
    ]


# --- API --------------------------------------------------------------------------------------


def test_the_api_shows_only_ones_regions(client_of, officer_32, world):
    client = client_of(officer_32)

    listed = client.get("/api/v1/registry/enterprises").json()
    business = client.get(f"/api/v1/registry/enterprises/{world['Kios Kupang'].public_id}")
    batch = client.get(f"/api/v1/registry/imports/{world['batch_53'].public_id}")

    assert [item["name"] for item in listed["items"]] == ["Toko Maju", "Warung Sari",
                                                          "Warung Sarie"]  # fmt: skip
    assert business.status_code == batch.status_code == 404
    assert business.json() == {
        "code": "not_found",
        "detail": f"No business {world['Kios Kupang'].public_id!r} in your regions.",
    }
    assert batch.json()["code"] == "not_found"


def test_an_api_key_acts_within_its_organisations_region(client, world, office_53):
    _key, secret = account_services.issue_api_key(
        organisation=office_53, label="integrasi", by=account_services.system_actor()
    )
    headers = {"Authorization": f"Bearer {secret}"}

    listed = client.get("/api/v1/registry/enterprises", headers=headers).json()
    own = client.get(f"/api/v1/registry/imports/{world['batch_53'].public_id}", headers=headers)
    other = client.get(f"/api/v1/registry/imports/{world['batch_32'].public_id}", headers=headers)
    business = client.get(
        f"/api/v1/registry/enterprises/{world['Warung Sari'].public_id}", headers=headers
    )

    assert [item["name"] for item in listed["items"]] == ["Kios Kupang", "Kios Kupang Baru",
                                                          "Tenun Ikat"]  # fmt: skip
    assert own.status_code == 200
    assert (other.status_code, business.status_code) == (404, 404)


def test_a_partners_api_key_sees_its_own_imports_only(client, world, tmp_path):
    other = partner("53", name="Koperasi NTT")
    batch = import_rows(tmp_path, other, [row("Kopi", village=NAMOSAIN)], name="kop.csv")
    _key, secret = account_services.issue_api_key(
        organisation=world["partner_53"], label="crm", by=account_services.system_actor()
    )
    headers = {"Authorization": f"Bearer {secret}"}

    own = client.get(f"/api/v1/registry/imports/{world['batch_53'].public_id}", headers=headers)
    neighbour = client.get(f"/api/v1/registry/imports/{batch.public_id}", headers=headers)

    assert (own.status_code, neighbour.status_code) == (200, 404)
