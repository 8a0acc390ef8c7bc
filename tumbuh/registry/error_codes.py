"""Every code the registry refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: tests assert them, and the console shows each refusal's message. Add a
code here before raising it; never rename one. A partner row that cannot be imported is not a
refusal but a rejection of that row (``ImportRejection``, with its column and reason).
"""

from enum import StrEnum


class RegistryError(StrEnum):
    # A partner file and its column mapping
    FILE_UNREADABLE = "file_unreadable"
    COLUMNS_NOT_IN_FILE = "columns_not_in_file"
    COLUMN_USED_TWICE = "column_used_twice"
    COLUMNS_MISSING = "columns_missing"
    VILLAGE_COLUMN_MISSING = "village_column_missing"
    REGENCY_INVALID = "regency_invalid"
    IMPORT_STARTED = "import_started"

    # Milestones and business accounts
    UNKNOWN_MILESTONE = "unknown_milestone"
    UNKNOWN_ACCOUNT_ROLE = "unknown_account_role"

    # Merges and the review queue
    MERGE_WITH_ITSELF = "merge_with_itself"
    ALREADY_MERGED = "already_merged"
    ALREADY_UNDONE = "already_undone"
    MERGED_AGAIN = "merged_again"
    ALREADY_DECIDED = "already_decided"

    # Owners' personal data (registry.personal_data)
    PERSONAL_DATA_NOT_ALLOWED = "personal_data_not_allowed"
    NOT_AN_OWNER = "not_an_owner"
    NO_NIK = "no_nik"
    REASON_REQUIRED = "reason_required"
    IDENTITY_NUMBER_IN_TEXT = "identity_number_in_text"
    NOT_YOUR_BUSINESS = "not_your_business"
    UNKNOWN_REQUEST_KIND = "unknown_request_kind"
    REQUEST_TEXT_REQUIRED = "request_text_required"
    REQUEST_ALREADY_OPEN = "request_already_open"
    REQUEST_ALREADY_ANSWERED = "request_already_answered"
    ANSWER_REQUIRED = "answer_required"
    PERSON_REQUIRED = "person_required"
    ALREADY_ERASED = "already_erased"
    NIK_INVALID = "nik_invalid"
    NIK_TAKEN = "nik_taken"
    SEX_INVALID = "sex_invalid"
    PHONE_INVALID = "phone_invalid"
