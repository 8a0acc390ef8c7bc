"""Validators for Indonesian identifiers. Each raises ``ValidationError`` with a plain reason.

The registry issue adds NIK, NIB and KBLI here; this module already holds the two every part
needs from the start: phone numbers (login by phone) and Kemendagri region codes (scopes).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Kemendagri codes in dotted form, by level.
REGION_CODE_PATTERNS = {
    "province": re.compile(r"^\d{2}$"),
    "regency": re.compile(r"^\d{2}\.\d{2}$"),
    "district": re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    "village": re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
}

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def region_level(code: str) -> str:
    """Return the level of a Kemendagri code ("province" … "village") or raise."""
    for level, pattern in REGION_CODE_PATTERNS.items():
        if pattern.match(code):
            return level
    raise ValidationError(
        _("“%(code)s” is not a Kemendagri region code (e.g. 32, 32.04, 32.04.12, 32.04.12.2001)."),
        code="invalid_region_code",
        params={"code": code},
    )


def normalise_phone(value: str) -> str:
    """Return an Indonesian phone number in E.164 form (``+62…``).

    Accepts the ways people write numbers: ``0812-3456-7890``, ``+62 812 3456 7890``,
    ``62812…``, ``(021) 555-1234``, ``812…``. The national significant number (after 62) must
    have 8 to 12 digits and may not start with 0.
    """
    text = _PHONE_SEPARATORS.sub("", str(value or ""))
    if not text:
        raise ValidationError(_("The phone number is empty."), code="phone_empty")
    if text.startswith("+"):
        if not text.startswith("+62"):
            raise ValidationError(
                _("Only Indonesian numbers (+62) are accepted."), code="phone_not_indonesian"
            )
        national = text[3:]
    elif text.startswith("62"):
        national = text[2:]
    elif text.startswith("0"):
        national = text[1:]
    elif text.startswith("8"):
        national = text
    else:
        raise ValidationError(
            _("A phone number starts with 0, 62 or +62 (e.g. 0812-3456-7890)."),
            code="phone_prefix",
        )
    if not national.isdigit():
        raise ValidationError(
            _("A phone number may contain only digits, spaces, dashes and one leading +."),
            code="phone_characters",
        )
    if national.startswith("0") or not 8 <= len(national) <= 12:
        raise ValidationError(
            _(
                "An Indonesian phone number has 9 to 13 digits starting with 0 (e.g. 0812-3456-7890)."
            ),
            code="phone_length",
        )
    return "+62" + national


def mask_phone(e164: str) -> str:
    """Show a phone number without revealing it: ``+62812*****890``."""
    if len(e164) < 8:
        return "*" * len(e164)
    return e164[:6] + "*" * (len(e164) - 9) + e164[-3:]
