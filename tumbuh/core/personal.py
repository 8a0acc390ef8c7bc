"""Personal data at rest: AES-GCM encryption, keyed hashes for matching, and masking.

NIK and phone numbers are stored encrypted (``encrypt``), with a keyed hash beside them
(``keyed_hash``) so that records can be matched without decrypting, and shown only masked. The
key comes from ``TUMBUH_DATA_KEY`` (settings); the hash key is derived from it with HKDF, so the
two never share bytes. A stored value carries a one-byte version, so keys can be rotated later.
"""

import base64
import hashlib
import hmac
import os
import re
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
NONCE_BYTES = 12
# Sixteen digits in a row: a NIK, a family card (KK) number or a payment card number. Free text
# (a mentor's visit note) must not carry one; the mentor app applies the same pattern on the
# device, so such a text is never kept on a phone either.
IDENTITY_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")


@cache
def _keys(material: str) -> "tuple[AESGCM, bytes]":
    # Imported on first use, not with the module: every process that imports the registry
    # would otherwise load the cryptography bindings (see tests/test_startup.py).
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    root = base64.b64decode(material)
    if len(root) != 32:
        raise ValueError("TUMBUH_DATA_KEY must be 32 bytes, base64-encoded")

    def derive(purpose: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(root)

    return AESGCM(derive(b"tumbuh personal data encryption v1")), derive(b"tumbuh matching hash v1")


def _cipher() -> "AESGCM":
    return _keys(settings.TUMBUH_DATA_KEY)[0]


def encrypt(text: str, *, context: str = "") -> bytes:
    """Encrypt ``text``; ``context`` (e.g. "nik") is authenticated, so values cannot be swapped."""
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + _cipher().encrypt(nonce, text.encode(), context.encode())


def decrypt(blob: bytes, *, context: str = "") -> str:
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise ValueError("unknown personal-data encryption version")
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    return _cipher().decrypt(nonce, sealed, context.encode()).decode()


def keyed_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 of an already normalised value, per kind ("nik", "phone"); hex, 64 characters.

    Equal values hash equally, so duplicates are found by comparing hashes; without the key the
    hash cannot be reversed by trying all 10^16 NIKs.
    """
    key = _keys(settings.TUMBUH_DATA_KEY)[1]
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    """``3201234567890001`` → ``3201**********01``: province and regency, then the last two."""
    if len(nik) != 16:
        return "*" * len(nik)
    return nik[:4] + "*" * 10 + nik[-2:]


def has_identity_number(text: str) -> bool:
    """True when ``text`` holds a 16-digit number (see ``IDENTITY_NUMBER``)."""
    return bool(IDENTITY_NUMBER.search(text or ""))
