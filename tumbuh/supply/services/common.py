"""What every supply service shares: who may act for a business, and how a commodity is read."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tumbuh.accounts.models import User
from tumbuh.core.refusals import Refused
from tumbuh.core.validators import validate_kbli
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of
from tumbuh.supply.error_codes import SupplyError

UNITS = ("kg", "ton", "kuintal", "liter", "pcs", "ikat", "karung", "butir", "ekor", "pak")


def is_system(by) -> bool:
    """The system actor (demo, tasks) and superusers act for any business."""
    return bool(getattr(by, "is_superuser", False))


def acts_for(by, enterprise: Enterprise) -> bool:
    """Whether ``by`` may act for ``enterprise``: a person linked to it (its owner or the BumDes's
    manager, ``registry.enterprises_of``) or the system actor. Fails closed."""
    if enterprise is None or not getattr(by, "is_authenticated", False):
        return False
    if is_system(by):
        return True
    return any(own.pk == enterprise.pk for own in enterprises_of(by))


def check_acts_for(by, enterprise: Enterprise) -> None:
    if not acts_for(by, enterprise):
        raise Refused(
            SupplyError.NOT_YOUR_BUSINESS,
            _("You do not act for %(name)s.") % {"name": enterprise.name},
        )


def check_live(enterprise: Enterprise, *, field: str = "") -> None:
    """A business merged into another is known by its survivor; refuse the stale record."""
    if enterprise.merged_into_id:
        raise Refused(
            SupplyError.BUSINESS_MERGED,
            _("%(name)s was merged into another record; use that record.")
            % {"name": enterprise.name},
            field=field,
        )


def acting_user(by) -> User | None:
    """The person to keep in a record's own "by" column (never the system actor)."""
    from tumbuh.accounts.services import acting_person

    return acting_person(by)


def clean_text(value, *, field: str, max_length: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise Refused(SupplyError.FIELD_REQUIRED, _("This field is required."), field=field)
    if len(text) > max_length:
        raise Refused(
            SupplyError.FIELD_TOO_LONG,
            _("At most %(max)s characters.") % {"max": max_length},
            field=field,
        )
    return text


def clean_quantity(value, *, field: str = "quantity", allow_zero: bool = False) -> int:
    """A whole number of units, 1 to 10 million (0 too with ``allow_zero``)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    low = 0 if allow_zero else 1
    if number is None or not (low <= number <= 10_000_000) or str(value).strip().startswith("+"):
        raise Refused(
            SupplyError.QUANTITY_INVALID,
            _("Give a whole number from %(low)s to 10,000,000.") % {"low": low},
            field=field,
        )
    return number


def clean_price(value, *, field: str = "price_idr") -> int:
    """A unit price in whole rupiah, Rp1 to Rp1,000,000,000."""
    try:
        number = int(str(value).strip().replace(".", ""))
    except (TypeError, ValueError):
        number = None
    if number is None or not (1 <= number <= 1_000_000_000):
        raise Refused(
            SupplyError.PRICE_INVALID,
            _("Give a price in whole rupiah, from 1 to 1,000,000,000."),
            field=field,
        )
    return number


def clean_unit(value) -> str:
    unit = str(value or "").strip().lower()
    if unit not in UNITS:
        raise Refused(
            SupplyError.UNIT_INVALID,
            _("Unknown unit “%(unit)s”; use one of: %(units)s.")
            % {"unit": unit[:20], "units": ", ".join(UNITS)},
            field="unit",
        )
    return unit


def clean_kbli(value) -> str:
    """A KBLI 2020 kelompok (five digits), or empty."""
    if not str(value or "").strip():
        return ""
    try:
        return validate_kbli(value)
    except ValidationError as error:
        raise Refused(SupplyError.KBLI_INVALID, error.messages[0], field="commodity_kbli") from None


def commodity_words(text: str) -> set[str]:
    """The words of a commodity that say what it is: lower case, accents off, words of three
    letters or more ("Ubi kayu (singkong)" → {"ubi", "kayu", "singkong"})."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return {word for word in re.findall(r"[a-z]+", plain) if len(word) >= 3}


def commodity_key(kbli: str, text: str) -> str:
    """The key two records of the same commodity share: the KBLI code when known, else the words
    in order."""
    return kbli or " ".join(sorted(commodity_words(text)))[:80]


def same_commodity(a_kbli: str, a_text: str, b_kbli: str, b_text: str) -> bool:
    """The same KBLI code when both give one; otherwise a word in common."""
    if a_kbli and b_kbli:
        return a_kbli == b_kbli
    return bool(commodity_words(a_text) & commodity_words(b_text))
