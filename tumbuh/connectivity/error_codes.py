"""Every code the connectivity app refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: the API answers them as ``reason`` and tests assert them. Add a code here
before raising it; never rename one. Access refusals (no actor, a role that may not plan, a region
outside the actor's) are ``PermissionDenied``, not codes.
"""

from enum import StrEnum


class ConnectivityError(StrEnum):
    # The planner's input: budget, weights, equity rules, candidates and costs
    BUDGET_NOT_POSITIVE = "budget_not_positive"
    BUDGET_TOO_SMALL = "budget_too_small"
    NO_CANDIDATES = "no_candidates"
    NEGATIVE_WEIGHT = "negative_weight"
    SHARE_OUT_OF_RANGE = "share_out_of_range"
    NEGATIVE_MINIMUM = "negative_minimum"
    DUPLICATE_CANDIDATE = "duplicate_candidate"
    NO_BACKHAUL = "no_backhaul"
    COST_NOT_POSITIVE = "cost_not_positive"
    BANDS_INVALID = "bands_invalid"
    NEGATIVE_DISTANCE = "negative_distance"
    NEGATIVE_PLACE = "negative_place"
    PROVINCE_WITHOUT_CANDIDATES = "province_without_candidates"
    PROVINCE_TOO_FEW_CANDIDATES = "province_too_few_candidates"
    MINIMUMS_OVER_BUDGET = "minimums_over_budget"

    # The planner's answer
    EQUITY_UNMET = "equity_unmet"
    SOLVER_FAILED = "solver_failed"
    NO_PLAN_IN_TIME = "no_plan_in_time"

    # Saving a plan, and its run in the background
    REGION_REQUIRED = "region_required"
    REGION_OUTSIDE_SCOPE = "region_outside_scope"
    TIME_LIMIT_NOT_POSITIVE = "time_limit_not_positive"
    TIME_LIMIT_OVERRUN = "time_limit_overrun"
    PLANNER_CRASHED = "planner_crashed"
    WORKER_LOST = "worker_lost"
    PLAN_NOT_ACTIVE = "plan_not_active"
    PLAN_NOT_READY = "plan_not_ready"

    # Build tracking
    DATE_IN_FUTURE = "date_in_future"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"

    # Imports: the file as a whole (a bad row is a rejection, not a refusal)
    UNKNOWN_KIND = "unknown_kind"
    FILE_NOT_CSV = "file_not_csv"
    FILE_NOT_UTF8 = "file_not_utf8"
    FILE_EMPTY = "file_empty"
    NO_ROWS = "no_rows"
    FILE_UNREADABLE = "file_unreadable"
    COLUMN_TWICE = "column_twice"
    COLUMNS_MISSING = "columns_missing"

    # Signal checks (the mentor app's sync answers these as its own reason "invalid")
    UNKNOWN_TECHNOLOGY = "unknown_technology"
    MEASUREMENT_INCOMPLETE = "measurement_incomplete"
    MEASUREMENT_OUT_OF_RANGE = "measurement_out_of_range"
