"""A certificate code as people type it: any case, spaces and dashes lead to its one address;
anything that cannot be a code gets the lookup page saying so, never a server error."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tumbuh.programmes.models import Certificate, Enrolment, canonical_certificate_code
from tumbuh.programmes.services import issue_certificate
from tumbuh.programmes.tests.builders import make_enrolment

# Pages in English (the msgids), whatever the catalogues say.
pytestmark = pytest.mark.usefixtures("english")

CODE = "abcd2345efgh6789"


@pytest.fixture
def certificate(cohort, business):
    enrolment = make_enrolment(cohort, business, status=Enrolment.Status.COMPLETED)
    certificate = issue_certificate(enrolment=enrolment, by=None)
    Certificate.objects.filter(pk=certificate.pk).update(code=CODE)
    certificate.refresh_from_db()
    return certificate


@pytest.mark.parametrize(
    "typed",
    [
        "abcd2345efgh6789",
        "ABCD2345EFGH6789",
        "ABCD-2345-EFGH-6789",
        "abcd 2345 efgh 6789",
        " Abcd – 2345 — efgh‐6789\t",
        "abcd\u00a02345\u2011efgh 6789",
    ],
)
def test_the_canonical_code_of_what_people_type(typed):
    assert canonical_certificate_code(typed) == CODE


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abcd2345efgh678",  # too short
        "abcd2345efgh67899",  # too long
        "abcd/2345/efgh/6789",
        "abcd.2345.efgh.6789",
        "abcd2345efgh678o",  # o, 0, 1 and l are not in the alphabet
        "abcd2345efgh6780",
        "abcd2345efgh678l",
        "abcd2345efgh678é",
        "<script>abcd2345",
        "abcd2345efgh6789%",
    ],
)
def test_what_cannot_be_a_code(typed):
    assert canonical_certificate_code(typed) is None


@given(st.text(max_size=40))
def test_the_canonical_code_is_none_or_sixteen_letters_of_the_alphabet(typed):
    code = canonical_certificate_code(typed)
    if code is not None:
        assert len(code) == 16 and set(code) <= set("abcdefghijkmnpqrstuvwxyz23456789")
        assert canonical_certificate_code(code) == code
        assert canonical_certificate_code(code.upper()) == code


@pytest.mark.parametrize(
    "path",
    [
        "/sertifikat/ABCD2345EFGH6789/",
        "/sertifikat/ABCD-2345-EFGH-6789/",
        "/sertifikat/abcd%202345%20efgh%206789/",
        "/sertifikat/Abcd-2345-Efgh-6789",  # without the last slash too
    ],
)
def test_a_code_written_another_way_moves_permanently_to_its_address(client, certificate, path):
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (301, "/sertifikat/abcd2345efgh6789/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["certificate"] == certificate


def test_the_download_moves_to_its_canonical_address_too(client, certificate):
    response = client.get("/sertifikat/ABCD-2345-EFGH-6789/unduh/")
    assert (response.status_code, response["Location"]) == (
        301,
        "/sertifikat/abcd2345efgh6789/unduh/",
    )
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get("/sertifikat/abcd2345efgh6789/unduh").status_code == 200


@pytest.mark.parametrize("typed", ["ABCD-2345-EFGH-6789", " abcd 2345 efgh 6789 "])
def test_the_lookup_form_takes_the_code_as_typed(client, certificate, typed):
    response = client.get("/sertifikat/", {"code": typed})
    assert (response.status_code, response["Location"]) == (302, "/sertifikat/abcd2345efgh6789/")


@pytest.mark.parametrize(
    "path",
    [
        "/sertifikat/abcd/2345efgh6789/",
        "/sertifikat/abcd2345/efgh6789",
        "/sertifikat/abcd2345efgh6789/extra/",
        "/sertifikat/abcd2345efgh6789/unduh/lagi/",
        "/sertifikat/abcd%2F2345efgh6789/",
        "/sertifikat/..%2F..%2Fetc%2Fpasswd",
        "/sertifikat/abcd.2345.efgh.6789/",
        "/sertifikat/%3Cscript%3E/",
        "/sertifikat/abcd2345efgh6780/",
        "/sertifikat/" + "a" * 3000 + "/",
        "/sertifikat/abcd.2345/unduh/",
    ],
)
def test_junk_gets_the_lookup_page_saying_it_is_not_a_code(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.context["invalid"] is True and response.context["unknown"] is False
    body = response.content.decode()
    assert "This is not a certificate code." in body and 'name="code"' in body
    assert "<script>" not in body


@pytest.mark.parametrize(
    "path", ["/sertifikat/zzzz2345efgh6789/", "/sertifikat/ZZZZ-2345-EFGH-6789/"]
)
def test_a_well_formed_unknown_code_is_not_found(client, db, path):
    response = client.get(path, follow=True)
    assert response.status_code == 404
    assert response.context["unknown"] is True and response.context["invalid"] is False
    assert "No certificate has this code." in response.content.decode()
    assert client.get("/sertifikat/zzzz2345efgh6789/unduh/").status_code == 404


@pytest.mark.parametrize(
    "typed", ["abcd/2345/efgh/6789", "abcd–2345", "<b>", "abcd2345efgh678O", "a" * 65]
)
def test_the_lookup_form_refuses_junk_with_a_reason(client, db, typed):
    response = client.get("/sertifikat/", {"code": typed})
    assert response.status_code == 200
    [error] = response.context["form"].errors["code"]
    assert error.startswith("This is not a certificate code") or "at most 64" in error
    assert "<b>" not in response.content.decode()
