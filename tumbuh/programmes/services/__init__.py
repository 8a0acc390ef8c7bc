"""Every change to programmes, cohorts, enrolments, quotas and certificates goes through here.

Each service checks everything first, then writes in one transaction; a refusal raises
``core.refusals.Refused`` (a ``ValidationError`` with a translated message and a code of
``programmes.error_codes.ProgrammesError`` that callers branch on) and changes nothing. Attendance and visit notes have their own module,
``tumbuh.programmes.attendance``.

The package, by sub-area (every name is importable from ``tumbuh.programmes.services``):

- ``access``: who may act (``may_run_cohort``, ``partner_limits``,
  ``is_ministry_staff``);
- ``eligibility``: who may join a programme, its areas, the places held;
- ``programme_setup``: programmes, area and partner quotas, quota transfers;
- ``cohorts``: cohorts and the sessions and visits of mentors;
- ``transitions``: the enrolment status machine;
- ``enrolment``: enrolling and reviewers' decisions;
- ``completion``: completion, certificates and benefits;
- ``mentors``: mentor profiles and caseloads.
"""

from tumbuh.programmes.services.access import (
    GOVERNMENT_KINDS,
    RUNNING_ROLES,
    Actor,
    is_ministry_staff,
    may_run_cohort,
    partner_limits,
)
from tumbuh.programmes.services.cohorts import create_cohort, schedule_session
from tumbuh.programmes.services.completion import (
    check_completion,
    check_completion_of,
    complete_on_milestone,
    completion_status,
    deliver_benefit,
    issue_certificate,
    revoke_certificate,
)
from tumbuh.programmes.services.eligibility import (
    area_regency_codes,
    eligibility_problems,
    in_area,
    places_used,
)
from tumbuh.programmes.services.enrolment import decide_enrolment, enrol, enrol_businesses
from tumbuh.programmes.services.mentors import assign_mentor, register_mentor
from tumbuh.programmes.services.programme_setup import (
    create_programme,
    set_area_quota,
    set_partner_quota,
    transfer_quota,
    update_programme,
)
from tumbuh.programmes.services.transitions import transition

__all__ = [
    "GOVERNMENT_KINDS",
    "RUNNING_ROLES",
    "Actor",
    "area_regency_codes",
    "assign_mentor",
    "check_completion",
    "check_completion_of",
    "complete_on_milestone",
    "completion_status",
    "create_cohort",
    "create_programme",
    "decide_enrolment",
    "deliver_benefit",
    "eligibility_problems",
    "enrol",
    "enrol_businesses",
    "in_area",
    "is_ministry_staff",
    "issue_certificate",
    "may_run_cohort",
    "partner_limits",
    "places_used",
    "register_mentor",
    "revoke_certificate",
    "schedule_session",
    "set_area_quota",
    "set_partner_quota",
    "transfer_quota",
    "transition",
    "update_programme",
]
