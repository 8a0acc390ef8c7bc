"""Halal evidence photos (a kitchen, its people, their papers) are private uploads: served only
through the case's photo view to those who may see the case, never from /media/."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.licensing import services
from tumbuh.licensing.models import HalalCase
from tumbuh.licensing.tests.conftest import halal_case_at, halal_ready_enterprise, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(officer_32, mentor_32):
    case = halal_case_at(HalalCase.Step.VERIFICATION, by=officer_32, mentor=mentor_32)
    return services.add_evidence_photo(
        case=case, upload=SimpleUploadedFile("dapur.png", png_bytes((8, 6))), by=mentor_32
    )


def test_the_photo_is_kept_in_the_private_storage(photo, settings):
    assert (settings.PRIVATE_MEDIA_ROOT / photo.image.name).exists()
    assert not (settings.MEDIA_ROOT / photo.image.name).exists()
    assert photo.get_absolute_url() == (
        f"/perizinan/halal/{photo.case.public_id}/foto/{photo.image.name.rsplit('/', 1)[1]}"
    )


@pytest.mark.parametrize("who", ["officer_32", "mentor_32"])
def test_staff_who_see_the_case_get_the_photo_never_cached(
    client_of, photo, who, request, settings
):
    response = client_of(request.getfixturevalue(who)).get(photo.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"  # encoded again by core.images
    assert response["Cache-Control"] == "private, no-store"
    stored = (settings.PRIVATE_MEDIA_ROOT / photo.image.name).read_bytes()
    assert b"".join(response.streaming_content) == stored


def test_anonymous_visitors_and_another_regions_officer_get_nothing(
    client, client_of, officer_53, photo
):
    url = photo.get_absolute_url()

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/masuk/")
    assert client_of(officer_53).get(url).status_code == 404
    # Nor from the public media, under its stored name.
    client.logout()
    assert client.get(f"/media/{photo.image.name}").status_code == 404


def test_a_name_not_of_this_case_is_404(client_of, officer_32, photo):
    other = halal_case_at(
        HalalCase.Step.VERIFICATION,
        enterprise=halal_ready_enterprise("Dodol Ibu Ratna", nib="9120001234568"),
        by=officer_32,
    )
    url = f"/perizinan/halal/{other.public_id}/foto/{photo.file_name}"
    assert client_of(officer_32).get(url).status_code == 404


def test_the_case_page_shows_the_photo_through_its_view(client_of, officer_32, photo):
    response = client_of(officer_32).get(photo.case.get_absolute_url())

    assert response.status_code == 200
    assert f'<img src="{photo.get_absolute_url()}"' in response.content.decode()
    assert "/media/" not in response.content.decode()
