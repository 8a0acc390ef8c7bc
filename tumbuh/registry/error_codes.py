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
