import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tumbuh.core.validators import mask_phone, normalise_phone, region_level


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("(021) 555-1234", "+62215551234"),
        ("0812.3456.789", "+628123456789"),
    ],
)
def test_phone_numbers_written_any_common_way(written, e164):
    assert normalise_phone(written) == e164


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("", "phone_empty"),
        ("+1 415 555 0100", "phone_not_indonesian"),
        ("1234567", "phone_prefix"),
        ("0812-34a6-7890", "phone_characters"),
        ("0812", "phone_length"),
        ("08123456789012345", "phone_length"),
        ("+620812345678", "phone_length"),
    ],
)
def test_phone_numbers_refused_with_a_reason(written, code):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(written)
    assert refused.value.code == code


@given(
    st.from_regex(r"8[1-9][0-9]{7,10}", fullmatch=True), st.sampled_from(["0", "62", "+62", "+62 "])
)
def test_every_prefix_of_a_mobile_number_gives_the_same_e164(national, prefix):
    assert normalise_phone(prefix + national) == "+62" + national


@given(st.text(max_size=20))
def test_normalise_phone_either_returns_e164_or_raises_validation_error(text):
    try:
        result = normalise_phone(text)
    except ValidationError:
        return
    assert result.startswith("+62")
    assert result[3:].isdigit()
    assert 8 <= len(result) - 3 <= 12


def test_mask_phone_hides_the_middle():
    assert mask_phone("+6281234567890") == "+62812*****890"


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("32", "province"),
        ("32.04", "regency"),
        ("32.04.12", "district"),
        ("32.04.12.2001", "village"),
    ],
)
def test_region_levels(code, level):
    assert region_level(code) == level


@pytest.mark.parametrize("code", ["3", "32.4", "32.04.1", "32-04", "Jawa Barat", ""])
def test_region_codes_refused(code):
    with pytest.raises(ValidationError):
        region_level(code)
