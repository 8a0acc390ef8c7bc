"""The one write path for licensing cases: start, advance, record the NIB, issue a certificate.

- ``cases``: what both pipelines share (who may act, opening a case, the guarded transition
  with its event row and idempotency key, the assigned mentor, the milestone);
- ``nib``: NIB assistance (OSS steps, recording the NIB);
- ``halal``: halal self-declare assistance (SiHalal steps, products, the verification visit,
  the certificate), with its rules in ``eligibility``.

Every service is keyword-only and takes its actor ``by`` (a user, or an API key): one who may
not act on the case or business is refused with ``PermissionDenied``, and so is no actor at
all. Every function checks everything first and raises ``core.refusals.Refused`` with a
``LicensingError`` code (``licensing/error_codes.py``) and a translated reason when it refuses
(nothing is written then); otherwise it writes in one transaction: the
case, an event row (who, when, from which step to which) and an audit event. Repeating a step
change that already happened (the same request sent twice, or the same ``idempotency_key``)
changes nothing and returns the case as it is.

Callers import from here (``from tumbuh.licensing import services``).
"""

from tumbuh.licensing.services.cases import MILESTONE_SOURCE, Actor
from tumbuh.licensing.services.eligibility import (
    IngredientDraft,
    ProductDraft,
    Refusal,
    check_halal_eligibility,
)
from tumbuh.licensing.services.halal import (
    DATE_MESSAGE,
    HALAL_CHECKLIST,
    MAX_PHOTO_BYTES,
    MENTOR_MISSING,
    add_evidence_photo,
    advance_halal_case,
    checklist_labels,
    issue_halal_certificate,
    record_checklist,
    set_halal_products,
    start_halal_case,
)
from tumbuh.licensing.services.nib import (
    CAPITAL_MESSAGE,
    MAX_KBLI_CODES,
    WORKFORCE_MESSAGE,
    Applicant,
    BusinessData,
    advance_nib_case,
    clean_kbli_codes,
    record_nib,
    start_nib_case,
)

__all__ = [
    "CAPITAL_MESSAGE",
    "DATE_MESSAGE",
    "HALAL_CHECKLIST",
    "MAX_KBLI_CODES",
    "MAX_PHOTO_BYTES",
    "MENTOR_MISSING",
    "MILESTONE_SOURCE",
    "WORKFORCE_MESSAGE",
    "Actor",
    "Applicant",
    "BusinessData",
    "IngredientDraft",
    "ProductDraft",
    "Refusal",
    "add_evidence_photo",
    "advance_halal_case",
    "advance_nib_case",
    "check_halal_eligibility",
    "checklist_labels",
    "clean_kbli_codes",
    "issue_halal_certificate",
    "record_checklist",
    "record_nib",
    "set_halal_products",
    "start_halal_case",
    "start_nib_case",
]
