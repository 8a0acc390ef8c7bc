"""Every code the licensing app refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: the partner API answers them as ``reason``, pages and tests rely on them.
Add a code here before raising it; never rename one. Who may not act on a case or a business is
``PermissionDenied``, not a code. (A NIB's own format is checked by ``core.validators``, with its
codes ``nib_empty``, ``nib_length`` and ``nib_characters``.)
"""

from enum import StrEnum


class LicensingError(StrEnum):
    # Opening and moving a case
    CASE_OPEN = "case_open"
    UNKNOWN_STEP = "unknown_step"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    CASE_FINISHED = "case_finished"
    WRONG_STEP = "wrong_step"
    MENTOR_NOT_ELIGIBLE = "mentor_not_eligible"
    MENTOR_MISSING = "mentor_missing"

    # NIB assistance: the data of each step, and the NIB
    APPLICANT_INVALID = "applicant_invalid"
    BUSINESS_INVALID = "business_invalid"
    KBLI_INVALID = "kbli_invalid"
    ALREADY_HAS_NIB = "already_has_nib"
    NIB_NOT_IN_OSS = "nib_not_in_oss"
    OSS_NOT_CHECKED = "oss_not_checked"
    NIB_TAKEN = "nib_taken"

    # Halal self-declare: the rules (BPJPH), each a code of its own, and all of them at once
    NOT_ELIGIBLE = "not_eligible"
    SCALE = "scale"
    NIB = "nib"
    PRODUCTS = "products"
    PROCESS = "process"
    RISKY_PRODUCT = "risky_product"
    INGREDIENTS = "ingredients"
    SLAUGHTERED_UNCERTIFIED = "slaughtered_uncertified"
    INGREDIENT_NOT_ASSURED = "ingredient_not_assured"
    REGISTRATION_NUMBER = "registration_number"

    # Halal self-declare: the steps' data
    SIHALAL_ACCOUNT = "sihalal_account"
    PRODUCTS_INVALID = "products_invalid"
    CHECKLIST_UNKNOWN = "checklist_unknown"
    VERIFICATION_INCOMPLETE = "verification_incomplete"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_NOT_IMAGE = "photo_not_image"
    DATE_INVALID = "date_invalid"
    CERTIFICATE_NUMBER_MISSING = "certificate_number_missing"
    ISSUE_DATE_IN_FUTURE = "issue_date_in_future"
    VALIDITY_BEFORE_ISSUE = "validity_before_issue"
    CERTIFICATE_TAKEN = "certificate_taken"
