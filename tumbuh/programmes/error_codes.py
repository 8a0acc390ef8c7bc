"""Every code the programmes app refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: the partner API answers them as ``reason``, the mentor app's offline
queue (``static/programmes/mentor.js``) and its sync protocol carry them, and tests assert them.
Add a code here before raising it; never rename one.
"""

from enum import StrEnum


class ProgrammesError(StrEnum):
    # Who may act
    NOT_ALLOWED = "not_allowed"
    OUTSIDE_PARTNER_SCOPE = "outside_partner_scope"

    # Eligibility of a business for a programme
    NOT_ELIGIBLE_KBLI = "not_eligible_kbli"
    NOT_ELIGIBLE_SCALE = "not_eligible_scale"
    NOT_ELIGIBLE_REGION = "not_eligible_region"
    OUTSIDE_AREA = "outside_area"

    # Setting up programmes, quotas and cohorts
    BAD_RULE = "bad_rule"
    BAD_NUMBER = "bad_number"
    BAD_PERIOD = "bad_period"
    BAD_CAPACITY = "bad_capacity"
    AMOUNT_INVALID = "amount_invalid"
    QUOTA_BELOW_USE = "quota_below_use"
    QUOTA_IN_USE = "quota_in_use"
    SHARES_EXCEED_QUOTA = "shares_exceed_quota"
    NOT_A_PARTNER = "not_a_partner"
    SAME_PARTNER = "same_partner"
    NO_PARTNER_QUOTA = "no_partner_quota"
    REASON_REQUIRED = "reason_required"

    # Sessions and mentors
    COHORT_OR_VISIT = "cohort_or_visit"
    START_REQUIRED = "start_required"
    TITLE_REQUIRED = "title_required"
    MENTOR_INACTIVE = "mentor_inactive"
    WRONG_MENTOR = "wrong_mentor"
    NOT_IN_CASELOAD = "not_in_caseload"
    BAD_SPECIALITY = "bad_speciality"

    # Enrolments and their status machine
    COHORT_CLOSED = "cohort_closed"
    ALREADY_ENROLLED = "already_enrolled"
    ALREADY_IN_PROGRAMME = "already_in_programme"
    AREA_QUOTA_FULL = "area_quota_full"
    PARTNER_QUOTA_FULL = "partner_quota_full"
    COHORT_FULL = "cohort_full"
    UNKNOWN_STATUS = "unknown_status"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    CHANGED_MEANWHILE = "changed_meanwhile"
    COMPLETION_IS_EARNED = "completion_is_earned"
    UNKNOWN_BUSINESS = "unknown_business"

    # Completion, certificates and benefits
    NOT_COMPLETED = "not_completed"
    ALREADY_REVOKED = "already_revoked"
    WRONG_PROGRAMME = "wrong_programme"
    NOT_PARTICIPANT = "not_participant"
    ALREADY_DELIVERED = "already_delivered"

    # Attendance
    WRONG_SESSION = "wrong_session"
    WRONG_CODE = "wrong_code"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    ALREADY_USED = "already_used"
    NOT_ENROLLED = "not_enrolled"
    RECORDED_IN_FUTURE = "recorded_in_future"
    CLIENT_ID_REUSED = "client_id_reused"
    BAD_EVIDENCE = "bad_evidence"

    # Visit notes
    TEXT_REQUIRED = "text_required"
    TEXT_TOO_LONG = "text_too_long"
    IDENTITY_NUMBER_IN_TEXT = "identity_number_in_text"
    VISITED_IN_FUTURE = "visited_in_future"
    UNKNOWN_NOTE = "unknown_note"
    WRONG_BUSINESS = "wrong_business"
    CONFLICT = "conflict"

    # The mentor app's sync protocol (programmes/mentor/sync.py and its views)
    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    UNKNOWN_KIND = "unknown_kind"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    IN_FUTURE = "in_future"
    INVALID = "invalid"
    NOT_A_MENTOR = "not_a_mentor"
    NOT_YOUR_SESSION = "not_your_session"
    NOT_YOUR_NOTE = "not_your_note"
    CLIENT_ID_TAKEN = "client_id_taken"
    CHANGED_ON_SERVER = "changed_on_server"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
