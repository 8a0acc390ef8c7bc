"""The admin pages show cases and certificates read-only, the NIK and phone number only masked."""

import pytest
from django.urls import reverse

from tumbuh.conftest import make_user
from tumbuh.licensing.models import HalalCase, NibCase
from tumbuh.licensing.tests.conftest import NIK, halal_case_at, nib_case_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client_of):
    return client_of(make_user(is_staff=True, is_superuser=True))


def test_a_nib_case_is_shown_read_only_and_masked(staff_client, officer_32):
    case = nib_case_at(NibCase.Step.KBLI, by=officer_32)
    changelist = staff_client.get(reverse("admin:licensing_nibcase_changelist"))
    assert changelist.status_code == 200 and case.public_id.encode() in changelist.content
    page = staff_client.get(reverse("admin:licensing_nibcase_change", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "3204**********01" in html and NIK not in html and "81234567890" not in html
    assert 'name="_save"' not in html
    assert staff_client.get(reverse("admin:licensing_nibcase_add")).status_code == 403
    assert (
        staff_client.post(
            reverse("admin:licensing_nibcase_delete", args=[case.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert NibCase.objects.filter(pk=case.pk, step=NibCase.Step.KBLI).exists()


def test_halal_cases_and_certificates_are_listed(staff_client, officer_32, mentor_32):
    case = halal_case_at(HalalCase.Step.ISSUED, by=officer_32, mentor=mentor_32)
    page = staff_client.get(reverse("admin:licensing_halalcase_change", args=[case.pk]))
    assert page.status_code == 200 and "SH2026-0001234" in page.content.decode()
    certificates = staff_client.get(reverse("admin:licensing_halalcertificate_changelist"))
    assert "ID32110001234560126" in certificates.content.decode()
