"""Personal data at rest: encryption bound to a context, keyed hashes for matching, masking."""

import base64
import hashlib
import hmac

import pytest
from cryptography.exceptions import InvalidTag

from tumbuh.core.personal import NONCE_BYTES, VERSION, decrypt, encrypt, keyed_hash, mask_nik

KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(bytes(range(32, 64))).decode()
NIK = "3201011203850001"
TAG_BYTES = 16


@pytest.fixture(autouse=True)
def data_key(settings):
    """A known key, so that the pinned values below can be checked."""
    settings.TUMBUH_DATA_KEY = KEY


@pytest.mark.parametrize(
    ("text", "context"),
    [(NIK, "nik"), ("+6281234567890", "phone"), ("Siti Rahayu, Jl. Merdeka 1", ""), ("", "nik")],
)
def test_encrypt_then_decrypt_with_the_same_context_gives_the_text(text, context):
    assert decrypt(encrypt(text, context=context), context=context) == text


def test_stored_value_is_version_nonce_ciphertext_and_tag():
    blob = encrypt(NIK, context="nik")
    assert blob[:1] == VERSION
    assert len(blob) == 1 + NONCE_BYTES + len(NIK) + TAG_BYTES
    assert NIK.encode() not in blob


def test_decrypt_accepts_a_memoryview_as_postgresql_returns_binary_fields():
    assert decrypt(memoryview(encrypt(NIK, context="nik")), context="nik") == NIK


@pytest.mark.parametrize(("sealed_as", "opened_as"), [("nik", "phone"), ("nik", ""), ("", "nik")])
def test_decrypt_with_another_context_fails(sealed_as, opened_as):
    # A NIK ciphertext copied into a phone column cannot be read as a phone number.
    with pytest.raises(InvalidTag):
        decrypt(encrypt(NIK, context=sealed_as), context=opened_as)


def test_the_same_text_encrypts_differently_every_time():
    blobs = {encrypt(NIK, context="nik") for _ in range(20)}
    assert len(blobs) == 20
    assert len({blob[1 : 1 + NONCE_BYTES] for blob in blobs}) == 20


@pytest.mark.parametrize(
    "position",
    [
        1,  # first byte of the nonce
        NONCE_BYTES,  # last byte of the nonce
        1 + NONCE_BYTES,  # first byte of the ciphertext
        -TAG_BYTES - 1,  # last byte of the ciphertext
        -1,  # last byte of the tag
    ],
)
def test_any_changed_byte_is_detected(position):
    blob = bytearray(encrypt(NIK, context="nik"))
    blob[position] ^= 0x01
    with pytest.raises(InvalidTag):
        decrypt(bytes(blob), context="nik")


def test_truncated_value_is_detected():
    blob = encrypt(NIK, context="nik")
    with pytest.raises(InvalidTag):
        decrypt(blob[:-1], context="nik")


@pytest.mark.parametrize("version", [b"\x00", b"\x02"])
def test_unknown_version_is_refused(version):
    blob = version + encrypt(NIK, context="nik")[1:]
    with pytest.raises(ValueError, match="unknown personal-data encryption version"):
        decrypt(blob, context="nik")


def test_another_key_cannot_decrypt(settings):
    blob = encrypt(NIK, context="nik")
    settings.TUMBUH_DATA_KEY = OTHER_KEY
    with pytest.raises(InvalidTag):
        decrypt(blob, context="nik")


@pytest.mark.parametrize(
    "key", [base64.b64encode(bytes(16)).decode(), base64.b64encode(bytes(33)).decode()]
)
def test_key_must_be_32_bytes(settings, key):
    settings.TUMBUH_DATA_KEY = key
    with pytest.raises(ValueError, match="TUMBUH_DATA_KEY must be 32 bytes"):
        encrypt(NIK, context="nik")


def test_value_encrypted_by_an_earlier_release_still_decrypts():
    # Made with KEY by the first release. Stored NIKs must stay readable across upgrades.
    blob = base64.b64decode("Aa3+rW6KPJCZIVT+3d/M6fZydvd2DIjMRgUyc8xEMGZlG5AaKfdeKfbtPdfR")
    assert decrypt(blob, context="nik") == NIK


def test_keyed_hash_is_stable_and_pinned():
    # Changing how the hash is made would break matching against every stored hash: these
    # values, made with KEY by the first release, may only change with a migration that
    # re-hashes the registry.
    assert keyed_hash("nik", NIK) == keyed_hash("nik", NIK)
    assert keyed_hash("nik", NIK) == (
        "4e444a23c7ac933beaae32a8dffce0be10585a6a726aa5729b5f05621bbb3b35"
    )
    assert keyed_hash("phone", "+6281234567890") == (
        "2c953e6b7d8de3a17b74b0b19e66db9a163cfe62a60436b25eeca02005687628"
    )


def test_keyed_hash_is_64_hex_characters():
    digest = keyed_hash("nik", NIK)
    assert len(digest) == 64
    assert set(digest) <= set("0123456789abcdef")


def test_keyed_hash_separates_kinds():
    # The same digits as a NIK and as something else must never match each other.
    assert keyed_hash("nik", NIK) != keyed_hash("phone", NIK)
    assert keyed_hash("nik", NIK) != keyed_hash("nib", NIK)


def test_keyed_hash_distinguishes_values():
    assert keyed_hash("nik", NIK) != keyed_hash("nik", "3201011203850002")


def test_keyed_hash_depends_on_the_key(settings):
    before = keyed_hash("nik", NIK)
    settings.TUMBUH_DATA_KEY = OTHER_KEY
    assert keyed_hash("nik", NIK) != before


def test_keyed_hash_is_not_a_plain_hash_nor_keyed_with_the_root_key():
    # Without the derived key the hash cannot be recomputed for all 10^16 NIKs.
    root = base64.b64decode(KEY)
    digest = keyed_hash("nik", NIK)
    assert digest != hashlib.sha256(f"nik:{NIK}".encode()).hexdigest()
    assert digest != hmac.new(root, f"nik:{NIK}".encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("nik", "masked"),
    [
        ("3201011203850001", "3201**********01"),
        ("9103015203850042", "9103**********42"),
        ("320101120385000", "***************"),
        ("32010112038500011", "*****************"),
        ("", ""),
    ],
)
def test_mask_nik_shows_province_regency_and_last_two(nik, masked):
    assert mask_nik(nik) == masked
