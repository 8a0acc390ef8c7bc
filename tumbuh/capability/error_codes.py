"""Every code the capability app refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: API clients (the mentor app's offline queue among them) and tests read
them. Add a code here before raising it; never rename one.
"""

from enum import StrEnum


class CapabilityError(StrEnum):
    # The instrument (the questionnaire) and its versions
    INSTRUMENT_INVALID = "instrument_invalid"
    VERSION_CHANGED = "version_changed"
    UNKNOWN_VERSION = "unknown_version"
    NO_INSTRUMENT = "no_instrument"

    # Answers
    ANSWERS_NOT_A_MAPPING = "answers_not_a_mapping"
    ANSWERS_INVALID = "answers_invalid"
    UNKNOWN_QUESTION = "unknown_question"
    UNKNOWN_OPTION = "unknown_option"

    # An assessment
    CLIENT_ID_TOO_LONG = "client_id_too_long"
    CLIENT_ID_MISMATCH = "client_id_mismatch"
    CLIENT_ID_USED = "client_id_used"
    UNKNOWN_MODE = "unknown_mode"
    TIME_WITHOUT_ZONE = "time_without_zone"
    TIME_IN_FUTURE = "time_in_future"

    # Filters of the API
    REGION_INVALID = "region_invalid"
