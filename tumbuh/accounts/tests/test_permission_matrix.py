"""Who sees what, walked: every role × kind of organisation against every console page, API
operation and export (docs/permissions.md).

One world is built once for the module: for each kind of organisation a bundle of its own (a
partner's import of three businesses, one merged into another and a review pair, a cohort it
runs with two participants and a certificate, its mentor with a caseload, a session, a visit
note and a signed attendance sheet, an assessment, a NIB case and a halal case with a photo, an
API key), and the bundles of a rival partner in the same village (Kilo, Dayeuhkolot, 32.04) and
in another province (Lima, Namosain, 53). Each persona (a membership of one role in one
organisation of one kind; partners' memberships have national scope, as in the finding that
started this) then requests every page and operation twice: with its own bundle's object and
with another's (the rival in its own village for a partner, the other province for government
staff), and a list or an export must show its own and never the other's.

The tables ``PAGES`` and ``OPERATIONS`` say what each one answers; the lists of console pages
and API operations come from the URL resolver and the OpenAPI document, so a new page or
operation without an entry (an explicit "public" or "not applicable" one is fine) fails
``test_every_page_and_operation_has_an_entry``.
"""

import datetime
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership, Organisation
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_user

Kind = Organisation.Kind
Role = Membership.Role
KINDS = list(Kind)
ROLES = list(Role)
OWN, OTHER = "own", "other"

# Each organisation of the world by a word that names its records ("Warung Delta").
TOKENS = {
    Kind.MINISTRY: "Alfa",
    Kind.PROVINCIAL_OFFICE: "Bravo",
    Kind.REGENCY_OFFICE: "Charlie",
    Kind.MARKETPLACE: "Delta",
    Kind.UNIVERSITY: "Echo",
    Kind.COMMUNITY: "Foxtrot",
    Kind.STATE_BANK: "Golf",
    Kind.BUMN: "Hotel",
    Kind.TELECOM_OPERATOR: "Juliett",
    Kind.BUMDES: "Oscar",
}
RIVAL_HERE, RIVAL_THERE = "Kilo", "Lima"  # a partner's bundles in Dayeuhkolot and in Namosain
# Where each kind's organisation is: the ministry and partners national (a partner's membership
# then has national scope), the offices and the BumDes in their region.
ORGANISATION_REGION = {
    Kind.PROVINCIAL_OFFICE: "32",
    Kind.REGENCY_OFFICE: "32.04",
    Kind.BUMDES: "32.04",
}
GOVERNMENT = Organisation.GOVERNMENT_KINDS

# --- what each role may do (docs/permissions.md, "Roles") -------------------------------------

RUNS = frozenset({Role.ADMIN, Role.OFFICER})  # registry, programmes, licensing console
READS_LEVELS = RUNS | {Role.MENTOR}  # capability console, licensing console
VIEWS_ORGANISATIONS = frozenset({Role.ADMIN, Role.OFFICER, Role.PLANNER})
PLANS = frozenset({Role.ADMIN, Role.OFFICER, Role.PLANNER})


@dataclass(frozen=True)
class Persona:
    role: str
    kind: str
    via_key: bool = False  # an API key of this role and organisation instead of a person

    def __str__(self):
        return f"{self.role}-{self.kind}{'-key' if self.via_key else ''}"

    @property
    def is_government(self) -> bool:
        return self.kind in GOVERNMENT

    @property
    def is_ministry(self) -> bool:
        return self.kind == Kind.MINISTRY

    @property
    def is_national(self) -> bool:
        """The membership's scope is the whole country (the ministry, every partner)."""
        return ORGANISATION_REGION.get(self.kind, "") == ""


PERSONAS = [Persona(role, kind) for role in ROLES for kind in KINDS]
KEYS = [Persona(role, kind, via_key=True) for role in ROLES for kind in KINDS]


def may(roles) -> Callable[[Persona], bool]:
    return lambda persona: persona.role in roles


def handles_cases(persona: Persona) -> bool:
    """Licensing cases: officers, and mentors in person (a key is nobody's mentor)."""
    return persona.role in RUNS or (persona.role == Role.MENTOR and not persona.via_key)


def handles_personal_data(persona: Persona) -> bool:
    """Owners' full NIK and data requests: admins and officers of the ministry and offices."""
    return persona.is_government and persona.role in RUNS


def ministry_staff(persona: Persona) -> bool:
    return persona.is_ministry and persona.role in RUNS


def views_dashboards(persona: Persona) -> bool:
    """The programme's figures: government staff who run or plan, in their regions."""
    return persona.is_government and persona.role in VIEWS_ORGANISATIONS


def everyone(persona: Persona) -> bool:
    return True


# --- how far a persona sees -------------------------------------------------------------------

BUSINESSES = "businesses"  # government: its regions; partner: what it brought, serves, mentors
OWN_RECORDS = "own records"  # government: its regions; partner: its cohorts, mentors, imports
REGION = "region"  # the membership's regions, whatever the kind (connectivity)
ASSIGNED = "assigned"  # the person's own caseload or cases, whatever the kind
SETTINGS = "settings"  # programme settings: government staff see every partner's share
COHORTS = "cohorts"  # as OWN_RECORDS, but a key acts for its own organisation's cohorts only


def sees_other(persona: Persona, reach: str) -> bool:
    """Whether ``persona`` sees the other bundle's object (see ``other_bundles``)."""
    if reach in (BUSINESSES, OWN_RECORDS):
        return persona.is_ministry
    if reach == COHORTS:
        return persona.is_ministry and not persona.via_key
    if reach == REGION:
        return persona.is_national
    if reach == SETTINGS:
        return persona.is_government and not persona.via_key
    return False


Rule = Callable[[Persona, str], int]


def rule(allowed, reach=BUSINESSES, *, ok=200, denied=403, hidden=404) -> Rule:
    """The status of a request for the own or the other object: ``denied`` when the persona's
    role may not (``allowed``), ``ok`` for what it sees, ``hidden`` for what it does not.
    ``reach`` is a reach or a function of the persona (a mentor reaches less than an officer)."""

    def expect(persona: Persona, which: str) -> int:
        if not allowed(persona):
            return denied
        how_far = reach(persona) if callable(reach) else reach
        return ok if which == OWN or sees_other(persona, how_far) else hidden

    return expect


def always(status: int) -> Rule:
    return lambda persona, which: status


def case_reach(persona: Persona) -> str:
    """Officers see the cases of their businesses; mentors the cases assigned to them."""
    return BUSINESSES if persona.role in RUNS else ASSIGNED


def evidence_reach(persona: Persona) -> str:
    return OWN_RECORDS if persona.role in RUNS else ASSIGNED


# --- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One request of a page or an operation, for the own and the other object.

    ``path(bundle, world)`` is the address for a bundle's object; a list ignores the bundle
    (one request) and its ``shows(bundle)`` texts say what it shows of each bundle: those of the
    persona's own bundle must be there when ``visible`` says so, those of the others never
    unless ``visible`` says it sees them. ``data(bundle, world)`` is a POST's body (JSON for the
    API).
    """

    path: Callable
    expect: Rule
    method: str = "get"
    is_list: bool = False
    shows: Callable | None = None
    visible: Rule | None = None
    data: Callable | None = None
    here: Callable | None = None  # the bundles to use instead of the persona's (connectivity)
    checks_presence: bool = True
    counts: Callable | None = None  # (counted, expected) from a response, for aggregates
    as_form: bool = False  # an API operation that reads a form (a file upload), not JSON


@dataclass(frozen=True)
class Exempt:
    """A page or operation this matrix does not walk, and why."""

    reason: str


PUBLIC = Exempt("public: the same for everyone, signed in or not")
SIGNED_IN = "signed in"


def get(path, expect, **options) -> list[Check]:
    return [Check(path, expect, **options)]


def listing(path, expect, shows=None, **options) -> list[Check]:
    """A page with one address (a string, or a function of the world): a list, an export."""
    address = path if callable(path) else (lambda world: path)
    return [
        Check(lambda bundle, world: address(world), expect, is_list=True, shows=shows, **options)
    ]


def names(bundle) -> list[str]:
    return [f"Warung {bundle.token}", f"Keripik {bundle.token}"]


def here_and_there(world, persona):
    """Connectivity objects: the own ones in Dayeuhkolot, the other ones in Namosain."""
    return world.bundles[RIVAL_HERE], [world.bundles[RIVAL_THERE]]


def administer_rule(persona: Persona, which: str) -> int:
    """Officers assess what they see; a mentor only their caseload (a ministry mentor sees the
    other business but may not assess it)."""
    if persona.role not in READS_LEVELS:
        return 403
    if which == OWN:
        return 200
    if not persona.is_ministry:
        return 404
    return 200 if persona.role in RUNS else 403


def start_rule(*, ok: int, refused: int | None = None) -> Rule:
    """Starting a case (each business has one open already, so a start that passes the check
    is refused): officers and mentors for the businesses they reach; nobody else. A mentor
    who may start but not see the open case (not theirs) gets ``refused``."""

    def expect(persona: Persona, which: str) -> int:
        if not handles_cases(persona):
            return 404
        if which == OWN:
            return ok
        if not persona.is_ministry:
            return 404
        return ok if persona.role in RUNS or refused is None else refused

    return expect


def api_key_rule(*, ok: int) -> Rule:
    """Keys and passwords of an organisation: its administrators only."""

    def expect(persona: Persona, which: str) -> int:
        if persona.role not in VIEWS_ORGANISATIONS:
            return 403
        if which == OTHER and not persona.is_ministry:
            return 404
        return ok if which == OWN and persona.role == Role.ADMIN else 403

    return expect


def assessment_rule(persona: Persona, which: str) -> int:
    """Submitting an assessment (with no answers: refused, 422, once access is granted)."""
    if persona.role not in READS_LEVELS:
        return 404
    if which == OWN:
        return 422
    if not persona.is_ministry:
        return 404
    # A person who mentors assesses their caseload only; a key of a reading role, what it sees.
    return 422 if persona.role in RUNS or persona.via_key else 403


def level_totals(persona: Persona, world) -> int:
    """Businesses counted in the levels by region: the deduplicated businesses a persona sees
    (two per bundle)."""
    if persona.is_ministry:
        return 2 * len(world.bundles)
    if persona.is_government:
        return 2 * (len(world.bundles) - 1)  # every bundle but Lima's is in 32.04
    return 2


PAGES: dict[str, list[Check] | Exempt] = {
    # core
    "core:home": PUBLIC,
    "core:healthz": PUBLIC,
    "core:switch-language": PUBLIC,
    "core:media": Exempt("public uploads (product photos) by their content-hashed names"),
    # accounts
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:password-reset": PUBLIC,
    "accounts:password-reset-done": PUBLIC,
    "accounts:password-reset-confirm": PUBLIC,
    "accounts:password-reset-complete": PUBLIC,
    "accounts:console-home": listing("/konsol/", always(200)),
    "accounts:organisation-list": listing(
        "/konsol/organisasi/",
        rule(may(VIEWS_ORGANISATIONS), OWN_RECORDS),
        shows=lambda bundle: [bundle.organisation.name],
    ),
    "accounts:organisation-detail": get(
        lambda b, w: f"/konsol/organisasi/{b.organisation.slug}/",
        rule(may(VIEWS_ORGANISATIONS), OWN_RECORDS),
    ),
    "accounts:api-key-issue": get(
        lambda b, w: f"/konsol/organisasi/{b.organisation.slug}/kunci-api/",
        api_key_rule(ok=302),
        method="post",
    ),
    "accounts:api-key-revoke": get(
        lambda b, w: (
            f"/konsol/organisasi/{b.organisation.slug}/kunci-api/{b.api_key.prefix}/cabut/"
        ),
        api_key_rule(ok=302),
        method="post",
    ),
    "accounts:member-password-reset": get(
        lambda b, w: f"/konsol/organisasi/{b.organisation.slug}/atur-ulang-sandi/",
        api_key_rule(ok=200),
        method="post",
        data=lambda b, w: {"membership": b.colleague_membership.pk},
    ),
    # regions: reference data and the national programme's priority areas
    "regions:picker": PUBLIC,
    "regions:console-picker": listing("/konsol/wilayah/", always(200)),
    "regions:area-list": listing("/konsol/kawasan/", always(200)),
    "regions:area-detail": listing(lambda w: f"/konsol/kawasan/{w.area.slug}/", always(200)),
    "regions:area-create": listing(
        "/konsol/kawasan/baru/", rule(ministry_staff, ok=302), method="post"
    ),
    "regions:area-edit": listing(
        lambda w: f"/konsol/kawasan/{w.area.slug}/ubah/", rule(ministry_staff)
    ),
    # registry
    "registry:enterprise-list": [
        *listing("/konsol/registri/", rule(may(RUNS)), shows=names),
        # The source filter names the organisations that sent rows: a partner only itself.
        *listing(
            "/konsol/registri/",
            rule(may(RUNS)),
            shows=lambda bundle: [bundle.organisation.name],
            visible=rule(may(RUNS), SETTINGS),
        ),
    ],
    "registry:enterprise-detail": get(
        lambda b, w: f"/konsol/registri/usaha/{b.business.public_id}/", rule(may(RUNS))
    ),
    "registry:merge-undo": get(
        lambda b, w: (
            f"/konsol/registri/usaha/{b.business.public_id}/penggabungan/{b.merge.pk}/batalkan/"
        ),
        rule(may(RUNS), ok=302),
        method="post",
    ),
    "registry:import-list": listing(
        "/konsol/registri/impor/",
        rule(may(RUNS), OWN_RECORDS),
        shows=lambda bundle: [bundle.batch.file_name],
    ),
    "registry:import-detail": get(
        lambda b, w: f"/konsol/registri/impor/{b.batch.public_id}/", rule(may(RUNS), OWN_RECORDS)
    ),
    "registry:import-report-csv": get(
        lambda b, w: f"/konsol/registri/impor/{b.batch.public_id}/laporan.csv",
        rule(may(RUNS), OWN_RECORDS),
    ),
    "registry:import-report-xlsx": get(
        lambda b, w: f"/konsol/registri/impor/{b.batch.public_id}/laporan.xlsx",
        rule(may(RUNS), OWN_RECORDS),
    ),
    "registry:review-queue": listing("/konsol/registri/tinjau/", rule(may(RUNS)), shows=names),
    "registry:review-pair": get(
        lambda b, w: f"/konsol/registri/tinjau/{b.candidate.pk}/", rule(may(RUNS))
    ),
    "registry:review-decide": get(
        lambda b, w: f"/konsol/registri/tinjau/{b.candidate.pk}/putuskan/",
        rule(may(RUNS), ok=302),
        method="post",
    ),
    "registry:scorecard": listing(
        "/konsol/registri/mitra/",
        rule(may(RUNS), OWN_RECORDS),
        shows=lambda bundle: [bundle.organisation.name],
    ),
    # registry: owners' personal data, for the registry's government staff of the business's
    # region (the reveal log: their admins); an owner's own data page answers everyone signed in
    "registry:nik-reveal": get(
        lambda b, w: (
            f"/konsol/registri/usaha/{b.business.public_id}/pemilik/{b.owner.public_id}/nik/"
        ),
        rule(handles_personal_data),
    ),
    "registry:nik-reveal-list": listing(
        "/konsol/registri/nik-dibuka/", rule(lambda p: p.is_government and p.role == Role.ADMIN)
    ),
    "registry:data-request-list": listing(
        "/konsol/registri/permintaan-data/",
        rule(handles_personal_data),
        shows=lambda bundle: [f"Warung {bundle.token}"],
    ),
    "registry:data-request-detail": get(
        lambda b, w: f"/konsol/registri/permintaan-data/{b.data_request.public_id}/",
        rule(handles_personal_data),
    ),
    "registry:my-data": listing("/data-saya/", always(200)),
    "registry:my-data-request": listing("/data-saya/permintaan/", always(200), method="post"),
    "registry:my-data-download": listing("/data-saya/unduh/", always(200), method="post"),
    # capability: the owner's pages answer only a business's own accounts
    "capability:self-assessment": PUBLIC,
    "capability:start": get(
        lambda b, w: f"/kecakapan-digital/{b.business.public_id}/mulai/", always(404)
    ),
    "capability:question": get(
        lambda b, w: f"/kecakapan-digital/{b.business.public_id}/pertanyaan/1/", always(404)
    ),
    "capability:review": get(
        lambda b, w: f"/kecakapan-digital/{b.business.public_id}/kirim/", always(404)
    ),
    "capability:result": get(
        lambda b, w: f"/kecakapan-digital/{b.business.public_id}/hasil/", always(404)
    ),
    "capability:console-home": listing(
        "/konsol/kecakapan/",
        rule(may(READS_LEVELS)),
        shows=lambda bundle: [f"Warung {bundle.token}"],
    ),
    "capability:enterprise": get(
        lambda b, w: f"/konsol/kecakapan/usaha/{b.business.public_id}/", rule(may(READS_LEVELS))
    ),
    "capability:administer": get(
        lambda b, w: f"/konsol/kecakapan/usaha/{b.business.public_id}/asesmen/", administer_rule
    ),
    # programmes: public certificate checks and cohort pages
    "programmes:certificate-lookup": PUBLIC,
    "programmes:certificate": PUBLIC,
    "programmes:certificate-pdf": PUBLIC,
    "programmes:certificate-typed": PUBLIC,
    "programmes:cohort-public": PUBLIC,
    "programmes:console-home": listing("/konsol/program/", rule(may(RUNS))),
    "programmes:cohort-list": listing(
        "/konsol/program/angkatan/",
        rule(may(RUNS), OWN_RECORDS),
        shows=lambda bundle: [bundle.cohort.name],
    ),
    "programmes:cohort-detail": get(
        lambda b, w: f"/konsol/program/angkatan/{b.cohort.public_id}/",
        rule(may(RUNS), OWN_RECORDS),
    ),
    "programmes:enrolment-detail": get(
        lambda b, w: f"/konsol/program/peserta/{b.enrolment.public_id}/",
        rule(may(RUNS), OWN_RECORDS),
    ),
    "programmes:enrolment-decide": get(
        lambda b, w: f"/konsol/program/peserta/{b.enrolment.public_id}/keputusan/",
        rule(may(RUNS), OWN_RECORDS, ok=302),
        method="post",
    ),
    "programmes:enrolment-benefit": get(
        lambda b, w: f"/konsol/program/peserta/{b.enrolment.public_id}/manfaat/",
        rule(may(RUNS), OWN_RECORDS, ok=302),
        method="post",
    ),
    "programmes:enrolment-assign": get(
        lambda b, w: f"/konsol/program/peserta/{b.enrolment.public_id}/pendamping/",
        rule(may(RUNS), OWN_RECORDS, ok=302),
        method="post",
    ),
    "programmes:certificate-revoke": get(
        lambda b, w: f"/konsol/program/sertifikat/{b.certificate.code}/cabut/",
        rule(may(RUNS), OWN_RECORDS, ok=302),
        method="post",
    ),
    "programmes:programme-create": listing("/konsol/program/baru/", rule(ministry_staff)),
    "programmes:session-create": get(
        lambda b, w: f"/konsol/program/angkatan/{b.cohort.public_id}/sesi-baru/",
        rule(may(RUNS), OWN_RECORDS),
    ),
    "programmes:console-mentors": listing(
        "/konsol/program/pendamping/",
        rule(may(RUNS), OWN_RECORDS),
        shows=lambda bundle: [bundle.mentor.user.full_name],
    ),
    "programmes:console-mentors-csv": listing(
        "/konsol/program/pendamping.csv",
        rule(may(RUNS), OWN_RECORDS),
        shows=lambda bundle: [bundle.mentor.user.full_name],
    ),
    "programmes:console-mentor-detail": get(
        lambda b, w: f"/konsol/program/pendamping/{b.mentor.public_id}/",
        rule(may(RUNS), OWN_RECORDS),
    ),
    "programmes:programme-detail": [
        Check(
            lambda b, w: f"/konsol/program/{w.programme.public_id}/",
            rule(may(RUNS)),
            is_list=True,
            shows=lambda bundle: [bundle.organisation.name],
            visible=rule(may(RUNS), SETTINGS),
        )
    ],
    "programmes:cohort-create": listing(
        lambda w: f"/konsol/program/{w.programme.public_id}/angkatan-baru/", rule(may(RUNS))
    ),
    "programmes:programme-edit": listing(
        lambda w: f"/konsol/program/{w.programme.public_id}/ubah/", rule(ministry_staff)
    ),
    "programmes:progress-csv": listing(
        lambda w: f"/konsol/program/{w.programme.public_id}/progres.csv",
        rule(may(RUNS)),
        shows=lambda bundle: [bundle.organisation.name],
        visible=rule(may(RUNS), SETTINGS),
    ),
    "programmes:enrolments-csv": listing(
        lambda w: f"/konsol/program/{w.programme.public_id}/peserta.csv",
        rule(may(RUNS), OWN_RECORDS),
        shows=names,
    ),
    "programmes:area-detail": listing(
        lambda w: f"/konsol/program/{w.programme.public_id}/kawasan/{w.area.slug}/",
        rule(may(RUNS)),
        shows=lambda bundle: [bundle.organisation.name],
        visible=rule(may(RUNS), SETTINGS),
    ),
    "programmes:attendance-evidence": get(
        lambda b, w: (
            f"/konsol/program/sesi/{b.session.public_id}/kehadiran/{b.business.public_id}/foto"
        ),
        rule(may(READS_LEVELS), evidence_reach, denied=404),
    ),
    # the mentor app: a mentor's own caseload, whatever their organisation
    "programmes:mentor-home": listing("/pendamping/", rule(may({Role.MENTOR}), ASSIGNED)),
    "programmes:mentor-caseload": listing(
        "/pendamping/binaan/", rule(may({Role.MENTOR}), ASSIGNED), shows=names
    ),
    "programmes:mentor-business": get(
        lambda b, w: f"/pendamping/binaan/{b.business.public_id}/",
        rule(may({Role.MENTOR}), ASSIGNED),
    ),
    "programmes:mentor-note-new": get(
        lambda b, w: f"/pendamping/binaan/{b.business.public_id}/catatan/",
        rule(may({Role.MENTOR}), ASSIGNED),
    ),
    "programmes:mentor-note": get(
        lambda b, w: f"/pendamping/catatan/{b.note.public_id}/",
        rule(may({Role.MENTOR}), ASSIGNED),
    ),
    "programmes:mentor-session": get(
        lambda b, w: f"/pendamping/sesi/{b.session.public_id}/",
        rule(may({Role.MENTOR}), ASSIGNED),
    ),
    "programmes:mentor-signal-check": listing(
        "/pendamping/cek-sinyal/", rule(may({Role.MENTOR}), ASSIGNED)
    ),
    "programmes:mentor-signal-probe": PUBLIC,
    "programmes:mentor-service-worker": PUBLIC,
    "programmes:mentor-manifest": PUBLIC,
    "programmes:mentor-sync": Exempt(
        "the offline queue: each record is checked by the handler of its kind against the "
        "mentor's own caseload and sessions (programmes/tests/test_mentor_sync.py)"
    ),
    "programmes:mentor-bundle": listing(
        "/pendamping/paket.json",
        rule(may({Role.MENTOR}), ASSIGNED),
        shows=lambda bundle: [bundle.session.public_id],
    ),
    # licensing
    "licensing:console-home": listing(
        "/konsol/perizinan/",
        rule(may(READS_LEVELS), case_reach),
        shows=names,
        checks_presence=False,  # the ten longest waiting only
    ),
    "licensing:nib-list": listing(
        "/konsol/perizinan/nib/",
        rule(may(READS_LEVELS), case_reach),
        shows=lambda bundle: [f"Warung {bundle.token}"],
    ),
    "licensing:halal-list": listing(
        "/konsol/perizinan/halal/",
        rule(may(READS_LEVELS), case_reach),
        shows=lambda bundle: [f"Keripik {bundle.token}"],
    ),
    "licensing:nib-start": [
        Check(
            lambda b, w: "/perizinan/nib/mulai/",
            always(200),
            is_list=True,
            shows=lambda bundle: [f"Warung {bundle.token}"],
            visible=rule(may(READS_LEVELS)),
            checks_presence=False,  # twenty businesses at most
        ),
        Check(
            lambda b, w: "/perizinan/nib/mulai/",
            start_rule(ok=302, refused=200),
            method="post",
            data=lambda b, w: {"business": b.business.public_id},
        ),
    ],
    "licensing:halal-start": [
        Check(
            lambda b, w: "/perizinan/halal/mulai/",
            always(200),
            is_list=True,
            shows=lambda bundle: [f"Keripik {bundle.token}"],
            visible=rule(may(READS_LEVELS)),
            checks_presence=False,
        ),
        Check(
            lambda b, w: "/perizinan/halal/mulai/",
            start_rule(ok=302, refused=200),
            method="post",
            data=lambda b, w: {"business": b.food.public_id},
        ),
    ],
    "licensing:nib-detail": [
        Check(
            lambda b, w: f"/perizinan/nib/{b.nib_case.public_id}/",
            rule(may(READS_LEVELS), case_reach, denied=404),
        ),
        Check(
            lambda b, w: f"/perizinan/nib/{b.nib_case.public_id}/",
            rule(may(READS_LEVELS), case_reach, denied=404),
            method="post",
        ),
    ],
    "licensing:halal-detail": [
        Check(
            lambda b, w: f"/perizinan/halal/{b.halal_case.public_id}/",
            rule(may(READS_LEVELS), case_reach, denied=404),
        ),
        Check(
            lambda b, w: f"/perizinan/halal/{b.halal_case.public_id}/",
            rule(may(READS_LEVELS), case_reach, denied=404),
            method="post",
            data=lambda b, w: {"action": "checklist"},
        ),
    ],
    "licensing:halal-photo": get(
        lambda b, w: b.photo.get_absolute_url(), rule(may(READS_LEVELS), case_reach, denied=404)
    ),
    "licensing:kbli-search": listing("/perizinan/kbli/", always(200)),
    # stores: a store answers to its business's own accounts and its buyers, not to roles
    **dict.fromkeys(
        [
            f"stores:{name}"
            for name in (
                *("cart", "checkout", "order-status", "order-cancel", "order-charge"),
                *("seller-orders", "seller-order", "seller-balances", "seller-home", "open"),
                *("seller-service-worker", "seller-manifest", "seller-sync", "seller-store"),
                *("wizard-step", "product-create", "product-edit", "product-restock"),
                *("consignment", "stores", "service-worker", "manifest", "storefront"),
                *("product", "order-sandbox-pay"),
            )
        ],
        Exempt(
            "stores: seller pages answer to the business's own accounts (registry business "
            "accounts), buyer pages to the order's code; no role or organisation reaches them"
        ),
    ),
    # supply: a business's supply pages answer to its own accounts, an order's to its two sides
    **dict.fromkeys(
        [
            f"supply:{name}"
            for name in (
                *("home", "offer-new", "offer", "request-new", "find", "link-new"),
                *("link-confirm", "order", "order-action", "order-document"),
                *("collections", "collection-pay", "deliveries"),
            )
        ],
        Exempt(
            "supply: a business's pages answer to its own accounts (registry business accounts), "
            "an order's to the accounts of its supplier and its buyer; no role or organisation "
            "reaches them (supply/tests/test_pages_*.py)"
        ),
    ),
    # The chains of the priority areas: whoever views the dashboards, in their regions.
    "supply:console-areas": listing("/konsol/rantai-pasok/", rule(views_dashboards)),
    "supply:console-area": Exempt(
        "an area's chain: the dashboards' viewers whose regions the area touches; walked by "
        "supply/tests/test_console.py (this world has no priority area)"
    ),
    "supply:console-business": Exempt(
        "a processor's suppliers and their enrolment into a cohort: walked by "
        "supply/tests/test_training.py"
    ),
    # catalogue: the public catalogue, and campaigns curated by the ministry's national staff
    "catalogue:home": PUBLIC,
    "catalogue:campaign": PUBLIC,
    "catalogue:console-campaigns": listing("/konsol/bbi/kampanye/", rule(ministry_staff)),
    "catalogue:console-campaign": listing(
        lambda w: f"/konsol/bbi/kampanye/{w.campaign.public_id}/", rule(ministry_staff)
    ),
    # A curator passes the check and then finds no product of that id (404).
    "catalogue:console-campaign-product": listing(
        lambda w: f"/konsol/bbi/kampanye/{w.campaign.public_id}/produk/",
        lambda persona, which: 404 if ministry_staff(persona) else 403,
        method="post",
    ),
    # connectivity: the infrastructure ledger, by the membership's regions (docs/permissions.md)
    "connectivity:home": listing("/konsol/konektivitas/", rule(may(PLANS), REGION)),
    "connectivity:ranking": listing("/konsol/konektivitas/peringkat/", rule(may(PLANS), REGION)),
    "connectivity:village": [
        Check(
            lambda b, w: f"/konsol/konektivitas/desa/{b.village}/",
            rule(may(PLANS), REGION),
            here=here_and_there,
        ),
        # Its businesses by name: a partner's planner sees its own, not its rival's there.
        Check(
            lambda b, w: f"/konsol/konektivitas/desa/{DAYEUHKOLOT}/",
            rule(may(PLANS), REGION),
            is_list=True,
            shows=names,
            visible=rule(may(PLANS)),
            here=lambda w, p: (w.own(p), [] if p.is_government else [w.bundles[RIVAL_HERE]]),
        ),
    ],
    "connectivity:plan-list": listing(
        "/konsol/konektivitas/rencana/",
        rule(may(PLANS), REGION),
        shows=lambda bundle: [bundle.plan.name],
        here=here_and_there,
    ),
    "connectivity:plan-create": listing("/konsol/konektivitas/rencana/baru/", rule(may(PLANS))),
    "connectivity:plan-detail": get(
        lambda b, w: f"/konsol/konektivitas/rencana/{b.plan.public_id}/",
        rule(may(PLANS), REGION),
        here=here_and_there,
    ),
    "connectivity:plan-cancel": get(
        lambda b, w: f"/konsol/konektivitas/rencana/{b.plan.public_id}/batal/",
        rule(may(PLANS), REGION, ok=302),
        method="post",
        here=here_and_there,
    ),
    "connectivity:plan-csv": get(
        lambda b, w: f"/konsol/konektivitas/rencana/{b.plan.public_id}/rencana.csv",
        rule(may(PLANS), REGION),
        here=here_and_there,
    ),
    "connectivity:site-list": listing(
        "/konsol/konektivitas/situs/",
        rule(may(PLANS), REGION),
        shows=lambda bundle: [bundle.site.code],
        here=here_and_there,
    ),
    "connectivity:site-detail": get(
        lambda b, w: f"/konsol/konektivitas/situs/{b.site.public_id}/",
        rule(may(PLANS), REGION),
        here=here_and_there,
    ),
    "connectivity:import-list": listing(
        "/konsol/konektivitas/impor/",
        rule(may(PLANS), REGION),
        shows=lambda bundle: [bundle.connectivity_import.file_name],
        here=here_and_there,
    ),
    "connectivity:import-detail": get(
        lambda b, w: f"/konsol/konektivitas/impor/{b.connectivity_import.public_id}/",
        rule(may(PLANS), REGION),
        here=here_and_there,
    ),
    "connectivity:import-report-csv": get(
        lambda b, w: f"/konsol/konektivitas/impor/{b.connectivity_import.public_id}/laporan.csv",
        rule(may(PLANS), REGION),
        here=here_and_there,
    ),
    "connectivity:maps": listing("/konsol/konektivitas/peta/", rule(may(PLANS), REGION)),
    # dashboards: government staff who may view them, by the membership's regions
    "dashboards:dashboard": listing("/konsol/dasbor/", rule(views_dashboards)),
    "dashboards:targets": listing("/konsol/dasbor/target/", rule(views_dashboards)),
    "dashboards:region": get(
        lambda b, w: f"/konsol/dasbor/wilayah/{b.village[:5]}/",
        rule(views_dashboards, REGION),
        here=here_and_there,
    ),
    "dashboards:download": get(
        lambda b, w: f"/konsol/dasbor/wilayah/{b.village[:5]}/unduh/tonggak.csv",
        rule(views_dashboards, REGION),
        here=here_and_there,
    ),
    # open data: aggregates with disclosure control, the same for everyone
    **{
        f"opendata:{name}": PUBLIC
        for name in (
            "home",
            "catalog",
            "map",
            "download",
            "dataset",
            "package-list",
            "package-show",
            "package-search",
        )
    },
}


def cases_visible(persona: Persona, which: str) -> int:
    """What a licensing list shows (an API list answers 200 to everyone, empty for those who
    see no case): officers their businesses' cases, mentors their assigned ones."""
    return rule(handles_cases, case_reach)(persona, which)


API = "/api/v1"
OPERATIONS: dict[tuple[str, str], list[Check] | Exempt] = {
    **{
        ("GET", f"{API}/regions/{path}"): PUBLIC
        for path in (
            "provinces",
            "provinces/{code}",
            "provinces/{code}/regencies",
            "regencies/{code}",
            "regencies/{code}/districts",
            "districts/{code}",
            "districts/{code}/villages",
            "villages/{code}",
            "search",
            "priority-areas",
            "priority-areas/{slug}",
        )
    },
    ("GET", f"{API}/accounts/me"): listing(f"{API}/accounts/me", always(200)),
    ("GET", f"{API}/accounts/organisations"): listing(
        f"{API}/accounts/organisations",
        always(200),
        shows=lambda bundle: [bundle.organisation.name],
        visible=rule(may(VIEWS_ORGANISATIONS), OWN_RECORDS),
    ),
    ("GET", f"{API}/accounts/organisations/{{slug}}"): get(
        lambda b, w: f"{API}/accounts/organisations/{b.organisation.slug}",
        rule(may(VIEWS_ORGANISATIONS), OWN_RECORDS, denied=404),
    ),
    ("GET", f"{API}/registry/enterprises"): listing(
        f"{API}/registry/enterprises", rule(may(RUNS)), shows=names
    ),
    ("GET", f"{API}/registry/enterprises/{{public_id}}"): get(
        lambda b, w: f"{API}/registry/enterprises/{b.business.public_id}", rule(may(RUNS))
    ),
    ("GET", f"{API}/registry/imports/{{public_id}}"): get(
        lambda b, w: f"{API}/registry/imports/{b.batch.public_id}", rule(may(RUNS), OWN_RECORDS)
    ),
    ("GET", f"{API}/capability/instrument"): listing(f"{API}/capability/instrument", always(200)),
    ("POST", f"{API}/capability/assessments"): get(
        lambda b, w: f"{API}/capability/assessments",
        assessment_rule,
        method="post",
        data=lambda b, w: {"enterprise": b.business.public_id, "answers": {}, "mode": "mentor"},
    ),
    ("GET", f"{API}/capability/enterprises/{{public_id}}/levels"): get(
        lambda b, w: f"{API}/capability/enterprises/{b.business.public_id}/levels",
        rule(may(READS_LEVELS), denied=404),
    ),
    ("GET", f"{API}/capability/regions/levels"): listing(
        f"{API}/capability/regions/levels",
        rule(may(READS_LEVELS)),
        counts=lambda response, persona, world: (
            sum(row["businesses"] for row in response.json()),
            level_totals(persona, world),
        ),
    ),
    ("GET", f"{API}/programmes/cohorts"): listing(
        f"{API}/programmes/cohorts",
        rule(may(RUNS), COHORTS),
        shows=lambda bundle: [bundle.cohort.name],
    ),
    ("GET", f"{API}/programmes/cohorts/{{public_id}}/sessions"): get(
        lambda b, w: f"{API}/programmes/cohorts/{b.cohort.public_id}/sessions",
        rule(may(RUNS), COHORTS),
    ),
    ("POST", f"{API}/programmes/cohorts/{{public_id}}/enrolments"): get(
        lambda b, w: f"{API}/programmes/cohorts/{b.cohort.public_id}/enrolments",
        rule(may(RUNS), COHORTS),
        method="post",
        data=lambda b, w: {"enterprises": [b.business.public_id]},
    ),
    ("POST", f"{API}/programmes/sessions/{{public_id}}/attendance"): get(
        lambda b, w: f"{API}/programmes/sessions/{b.session.public_id}/attendance",
        rule(may(RUNS), COHORTS, ok=422),
        method="post",
        data=lambda b, w: {"enterprise": b.business.public_id, "code": "000000"},
    ),
    ("GET", f"{API}/programmes/programmes/{{public_id}}/progress"): listing(
        lambda w: f"{API}/programmes/programmes/{w.programme.public_id}/progress",
        rule(may(RUNS)),
        shows=lambda bundle: [f'"{bundle.organisation.slug}"'],
        visible=rule(may(RUNS), SETTINGS),
    ),
    **{
        key: checks
        for kind, business in (("nib", "business"), ("halal", "food"))
        for key, checks in {
            ("GET", f"{API}/licensing/{kind}-cases"): listing(
                f"{API}/licensing/{kind}-cases",
                always(200),
                shows=lambda bundle, business=business: [getattr(bundle, business).name],
                visible=cases_visible,
            ),
            ("POST", f"{API}/licensing/{kind}-cases"): get(
                lambda b, w, kind=kind, business=business: f"{API}/licensing/{kind}-cases",
                start_rule(ok=422),
                method="post",
                data=lambda b, w, business=business: {
                    "business_id": getattr(b, business).public_id
                },
            ),
            ("GET", f"{API}/licensing/{kind}-cases/{{public_id}}"): get(
                lambda b, w, kind=kind: (
                    f"{API}/licensing/{kind}-cases/{getattr(b, f'{kind}_case').public_id}"
                ),
                rule(handles_cases, case_reach, denied=404),
            ),
            ("POST", f"{API}/licensing/{kind}-cases/{{public_id}}/advance"): get(
                lambda b, w, kind=kind: (
                    f"{API}/licensing/{kind}-cases/{getattr(b, f'{kind}_case').public_id}/advance"
                ),
                rule(handles_cases, case_reach, ok=422, denied=404),
                method="post",
                data=lambda b, w: {"to_step": "nowhere", "data": {}},
            ),
        }.items()
    },
    **{
        (method, f"{API}/supply{path}"): Exempt(
            "supply: a business's operations answer to its own accounts, an order's to its "
            "supplier's and its buyer's; no role reaches them (supply/tests/test_api.py)"
        )
        for method, path in (
            ("GET", "/links"),
            ("POST", "/links"),
            ("POST", "/links/{link_id}/confirm"),
            ("GET", "/offers"),
            ("POST", "/offers"),
            ("GET", "/offers/{public_id}"),
            ("POST", "/offers/{public_id}/close"),
            ("POST", "/offers/{public_id}/restock"),
            ("GET", "/requests"),
            ("POST", "/requests"),
            ("GET", "/requests/{public_id}"),
            ("GET", "/orders"),
            ("POST", "/orders"),
            ("GET", "/orders/{code}"),
            ("POST", "/orders/{code}/quote"),
            ("POST", "/orders/{code}/purchase-order"),
            ("POST", "/orders/{code}/decline"),
            ("POST", "/orders/{code}/cancel"),
            ("POST", "/orders/{code}/close-short"),
            ("POST", "/orders/{code}/deliveries"),
            ("POST", "/orders/{code}/deliveries/{number}/handover"),
            ("POST", "/orders/{code}/invoices"),
            ("POST", "/orders/{code}/invoices/{number}/payment"),
        )
    },
    **{
        (method, f"{API}/stores{path}"): Exempt(
            "stores: a seller's operations answer to the business's own accounts, a buyer's to "
            "the order's code, the payment provider's to its signature; no role reaches them"
        )
        for method, path in (
            ("GET", "/seller/products"),
            ("POST", "/seller/products"),
            ("PATCH", "/seller/products/{product_id}"),
            ("POST", "/seller/products/{product_id}/restock"),
            ("GET", "/"),
            ("GET", "/{slug}"),
            ("GET", "/{slug}/products"),
            ("GET", "/seller/orders"),
            ("GET", "/seller/orders/{code}"),
            ("POST", "/seller/orders/{code}/status"),
            ("POST", "/payments/notifications"),
            ("GET", "/orders/{code}"),
            ("POST", "/{slug}/orders"),
        )
    },
    ("GET", f"{API}/catalogue/products"): PUBLIC,
    ("GET", f"{API}/catalogue/campaigns"): PUBLIC,
    ("GET", f"{API}/catalogue/campaigns/{{slug}}"): PUBLIC,
    ("GET", f"{API}/connectivity/villages/{{code}}"): get(
        lambda b, w: f"{API}/connectivity/villages/{b.village}",
        rule(may(PLANS), REGION),
        here=here_and_there,
    ),
    ("GET", f"{API}/stats/onboarding"): get(
        lambda b, w: f"{API}/stats/onboarding?region={b.village[:5]}",
        rule(views_dashboards, REGION),
        here=here_and_there,
    ),
    ("GET", f"{API}/stats/onboarding/series"): get(
        lambda b, w: f"{API}/stats/onboarding/series?region={b.village[:5]}&period=month",
        rule(views_dashboards, REGION),
        here=here_and_there,
    ),
    ("GET", f"{API}/stats/{{area}}"): get(
        lambda b, w: f"{API}/stats/stores?region={b.village[:5]}",
        rule(views_dashboards, REGION),
        here=here_and_there,
    ),
    ("GET", f"{API}/connectivity/ranking"): listing(
        f"{API}/connectivity/ranking", rule(may(PLANS), REGION)
    ),
    ("GET", f"{API}/connectivity/plans"): listing(
        f"{API}/connectivity/plans",
        rule(may(PLANS), REGION),
        shows=lambda bundle: [bundle.plan.name],
        here=here_and_there,
    ),
    ("GET", f"{API}/connectivity/plans/{{public_id}}"): get(
        lambda b, w: f"{API}/connectivity/plans/{b.plan.public_id}",
        rule(may(PLANS), REGION),
        here=here_and_there,
    ),
    # A planner passes the check, then a file without the needed columns is refused (422).
    ("POST", f"{API}/connectivity/imports"): listing(
        f"{API}/connectivity/imports",
        rule(may(PLANS), ok=422),
        method="post",
        as_form=True,
        data=lambda b, w: {
            "kind": "sites",
            "file": ContentFile(b"operator,site_code\n", name="situs.csv"),
        },
    ),
    ("GET", f"{API}/connectivity/imports/{{public_id}}"): get(
        lambda b, w: f"{API}/connectivity/imports/{b.connectivity_import.public_id}",
        rule(may(PLANS), REGION),
        here=here_and_there,
    ),
    ("GET", f"{API}/connectivity/aggregates/provinces"): Exempt(
        "open data: counts per province, no name of a person or a business"
    ),
    ("GET", f"{API}/connectivity/aggregates/regencies"): Exempt(
        "open data: counts per regency, no name of a person or a business"
    ),
}


# --- the world --------------------------------------------------------------------------------


@dataclass
class Bundle:
    """One organisation's records in one village (see the module's docstring)."""

    token: str
    organisation: Organisation
    village: str
    business: object = None  # "Warung <token>": NIB case, active enrolment, assessment
    owner: object = None  # the business's owner (a registry person), with an open data request
    data_request: object = None
    food: object = None  # "Keripik <token>": a NIB, a halal case, a completed enrolment
    merge: object = None  # "Toko <token>" merged into the business
    batch: object = None
    candidate: object = None
    cohort: object = None
    enrolment: object = None
    certificate: object = None
    mentor: object = None
    session: object = None
    note: object = None
    assessment: object = None
    nib_case: object = None
    halal_case: object = None
    photo: object = None
    api_key: object = None
    colleague_membership: object = None
    site: object = None
    plan: object = None
    connectivity_import: object = None


@dataclass
class World:
    bundles: dict[str, Bundle]
    users: dict[Persona, object]
    programme: object
    area: object
    campaign: object
    keys: dict = field(default_factory=dict)  # (role, kind) → an API key's secret

    def own(self, persona: Persona) -> Bundle:
        return self.bundles[TOKENS[persona.kind]]

    def others(self, persona: Persona) -> list[Bundle]:
        """Government staff: the other province's; a partner: its rival's in the same village
        first, then in the other province."""
        if persona.is_government:
            return [self.bundles[RIVAL_THERE]]
        return [self.bundles[RIVAL_HERE], self.bundles[RIVAL_THERE]]


def small_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "JPEG")
    return buffer.getvalue()


_nibs = itertools.count(1)


def build_bundle(bundle: Bundle, *, mentor_user, programme_area, instrument, directory) -> None:
    """Every record of ``bundle`` through the services (builders where a test has its own)."""
    from tumbuh.accounts.services import system_actor
    from tumbuh.capability import services as capability_services
    from tumbuh.capability.tests.conftest import LOWEST
    from tumbuh.licensing import services as licensing_services
    from tumbuh.licensing.models import HalalEvidencePhoto
    from tumbuh.programmes import services as programme_services
    from tumbuh.programmes.models import Attendance, Enrolment, VisitNote
    from tumbuh.programmes.tests.builders import make_cohort, make_enrolment, make_session
    from tumbuh.registry import services as registry_services
    from tumbuh.registry.models import DataRequest, Enterprise
    from tumbuh.registry.tests.console_helpers import import_rows, make_candidate, row

    system = system_actor()
    token, village = bundle.token, bundle.village
    bundle.batch = import_rows(
        directory,
        bundle.organisation,
        [
            row(f"Warung {token}", owner=f"Pemilik {token}", village=village, scale="mikro"),
            row(
                f"Keripik {token}",
                village=village,
                scale="mikro",
                kbli="10794",
                nib=f"91200{next(_nibs):08d}",
            ),
            row(f"Toko {token}", village=village),
        ],
        name=f"{token}.csv",
        by=system,
    )
    found = {e.name: e for e in Enterprise.objects.filter(name__endswith=f" {token}")}
    bundle.business, bundle.food = found[f"Warung {token}"], found[f"Keripik {token}"]
    bundle.merge = registry_services.merge_enterprises(
        keep=bundle.business, drop=found[f"Toko {token}"], by=system
    )
    bundle.candidate = make_candidate(bundle.business, bundle.food)
    bundle.owner = bundle.business.ownerships.get().person
    bundle.data_request = DataRequest.objects.create(
        kind=DataRequest.Kind.CORRECTION,
        enterprise=bundle.business,
        person=bundle.owner,
        text=f"Perbaiki nama {token}",
        due_at=timezone.now(),
    )
    bundle.cohort = make_cohort(
        programme_area=programme_area,
        partner=bundle.organisation,
        village=village,
        name=f"Angkatan {token}",
    )
    bundle.enrolment = make_enrolment(bundle.cohort, bundle.business)
    completed = make_enrolment(bundle.cohort, bundle.food, status=Enrolment.Status.COMPLETED)
    bundle.certificate = programme_services.issue_certificate(enrolment=completed, by=system)
    bundle.mentor = programme_services.register_mentor(
        user=mentor_user,
        organisation=bundle.organisation,
        region_code=village[:5],
        villages=[village],
        by=system,
    )
    for enterprise in (bundle.business, bundle.food):
        programme_services.assign_mentor(mentor=bundle.mentor, enterprise=enterprise, by=system)
    bundle.session = make_session(mentor=bundle.mentor, cohort=bundle.cohort)
    Attendance.objects.create(
        session=bundle.session,
        enterprise=bundle.business,
        method=Attendance.Method.MARKED,
        reason="Daftar hadir kertas",
        evidence=ContentFile(small_jpeg(), name="hadir.jpg"),
        recorded_at=timezone.now(),
    )
    bundle.note = VisitNote.objects.create(
        mentor=bundle.mentor,
        enterprise=bundle.business,
        text=f"Kunjungan {token}",
        visited_at=timezone.now(),
    )
    bundle.assessment = capability_services.submit_assessment(
        enterprise=bundle.business, instrument=instrument, answers=LOWEST, by=system, mode="mentor"
    )
    bundle.nib_case = licensing_services.start_nib_case(
        enterprise=bundle.business, by=system, assigned_mentor=mentor_user
    )
    bundle.halal_case = licensing_services.start_halal_case(
        enterprise=bundle.food, by=system, assigned_mentor=mentor_user
    )
    bundle.photo = HalalEvidencePhoto.objects.create(
        case=bundle.halal_case, image=ContentFile(small_jpeg(), name="dapur.jpg")
    )
    bundle.api_key, _secret = account_services.issue_api_key(
        organisation=bundle.organisation, label=f"Kunci {token}", by=system
    )
    bundle.colleague_membership = mentor_user.memberships.get(organisation=bundle.organisation)


def build_connectivity(bundle: Bundle, organisation) -> None:
    """A site, a plan and an operator's import in the bundle's village (rivals' bundles)."""
    from tumbuh.connectivity.models import ConnectivityImport, Site, SitePlan, Technology

    bundle.site = Site.objects.create(
        operator="Operator Uji",
        code=f"SITUS-{bundle.token.upper()}",
        latitude=0.0,
        longitude=105.0,
        village_id=bundle.village,
        technology=Technology.G4,
        status=Site.Status.PLANNED,
        funding=Site.Funding.OPERATOR,
        source="uji",
        source_date=datetime.date(2026, 1, 1),
    )
    bundle.plan = SitePlan.objects.create(
        name=f"Rencana {bundle.token}",
        region_code=bundle.village[:5],
        budget_idr=1_000_000_000,
        solver=SitePlan.Solver.GREEDY,
    )
    bundle.connectivity_import = ConnectivityImport.objects.create(
        kind=ConnectivityImport.Kind.SITES,
        organisation=organisation,
        file_name=f"situs-{bundle.token}.csv",
        file_sha256="0" * 64,
    )


def build_world(directory) -> World:
    from tumbuh.accounts.services import system_actor
    from tumbuh.capability.services import load_instrument
    from tumbuh.catalogue import services as catalogue_services
    from tumbuh.conftest import make_organisation
    from tumbuh.programmes.tests.builders import make_area, make_programme, make_programme_area

    instrument, _created = load_instrument()
    organisations = {
        kind: make_organisation(
            kind=kind, region_code=ORGANISATION_REGION.get(kind, ""), name=f"Organisasi {token}"
        )
        for kind, token in TOKENS.items()
    }
    rival = make_organisation(kind=Kind.MARKETPLACE, name="Mitra Saingan")
    users = {
        persona: make_user(
            organisation=organisations[persona.kind],
            role=persona.role,
            full_name=(
                f"Pendamping {TOKENS[persona.kind]}"
                if persona.role == Role.MENTOR
                else f"{persona.role.label} {TOKENS[persona.kind]}"
            ),
        )
        for persona in PERSONAS
    }
    area = make_area(regencies=("32.04", "53.71"), name="Kawasan Matriks")
    programme = make_programme(organisation=organisations[Kind.MINISTRY], kbli_sections=[])
    programme_area = make_programme_area(programme=programme, area=area, quota=1000)
    bundles = {
        token: Bundle(token, organisations[kind], DAYEUHKOLOT) for kind, token in TOKENS.items()
    }
    bundles[RIVAL_HERE] = Bundle(RIVAL_HERE, rival, DAYEUHKOLOT)
    bundles[RIVAL_THERE] = Bundle(RIVAL_THERE, rival, NAMOSAIN)
    for bundle in bundles.values():
        mentor_user = next(
            (
                user
                for persona, user in users.items()
                if persona.role == Role.MENTOR
                and bundle.organisation == organisations[persona.kind]
            ),
            None,
        ) or make_user(organisation=rival, role=Role.MENTOR, full_name=f"Pendamping {bundle.token}")
        build_bundle(
            bundle,
            mentor_user=mentor_user,
            programme_area=programme_area,
            instrument=instrument,
            directory=directory,
        )
    build_connectivity(bundles[RIVAL_HERE], organisations[Kind.REGENCY_OFFICE])
    office_there = make_organisation(region_code="53", name="Dinas Lima")
    build_connectivity(bundles[RIVAL_THERE], office_there)
    now = timezone.now()
    campaign = catalogue_services.create_campaign(
        by=users[Persona(Role.ADMIN, Kind.MINISTRY)],
        title="Kampanye Matriks",
        starts_at=now,
        ends_at=now + datetime.timedelta(days=30),
    )
    keys = {
        (persona.role, persona.kind): account_services.issue_api_key(
            organisation=organisations[persona.kind],
            label=f"Klien {persona}",
            role=persona.role,
            by=system_actor(),
        )[1]
        for persona in PERSONAS
    }
    return World(bundles, users, programme, area, campaign, keys)


@pytest.fixture(scope="module")
def media_roots(tmp_path_factory):
    uploads = tmp_path_factory.mktemp("matrix-uploads")
    return uploads / "media", uploads / "private"


@pytest.fixture(autouse=True)
def upload_dirs(settings, media_roots):
    """The world's uploads (sign-in sheets, halal photos) stay where every test reads them."""
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = media_roots


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, media_roots):
    """The world, built once for the module in a transaction rolled back at its end; each test
    runs inside it in its own (rolled back) savepoint."""
    media, private = media_roots
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PRIVATE_MEDIA_ROOT=private),
        transaction.atomic(),
    ):
        yield build_world(tmp_path_factory.mktemp("matrix-imports"))
        transaction.set_rollback(True)


# --- walking the table ------------------------------------------------------------------------


def body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def send(client, check: Check, path: str, data, *, is_api: bool):
    if check.method == "get":
        return client.get(path)
    if is_api and not check.as_form:
        return client.post(path, data or {}, content_type="application/json")
    return client.post(path, data or {})


def walk(client, persona: Persona, world: World, table: dict, *, is_api: bool) -> list[str]:
    """Every check of ``table`` for ``persona``: the failures, one line each."""
    failures: list[str] = []
    later = []  # a POST to one's own object may change it: after everything else

    def request(name, check, which, bundle):
        path = check.path(bundle, world)
        data = check.data(bundle, world) if check.data else None
        response = send(client, check, path, data, is_api=is_api)
        expected = check.expect(persona, which)
        label = f"{name} {check.method.upper()} {path} ({which} {bundle.token})"
        if response.status_code != expected:
            failures.append(f"{label}: {response.status_code}, expected {expected}")
            return
        if not check.is_list or expected != 200:
            return
        text = body(response)
        visible = check.visible or check.expect
        own, others = check.here(world, persona) if check.here else (bundle, world.others(persona))
        if check.shows and check.checks_presence and visible(persona, OWN) == 200:
            failures.extend(
                f"{label}: {marker!r} missing" for marker in check.shows(own) if marker not in text
            )
        if check.shows:
            for other in others:
                shown = visible(persona, OTHER) == 200
                if shown and not check.checks_presence:
                    continue
                failures.extend(
                    f"{label}: {marker!r} {'missing' if shown else 'shown'}"
                    for marker in check.shows(other)
                    if (marker in text) != shown
                )
        if check.counts:
            counted, wanted = check.counts(response, persona, world)
            if counted != wanted:
                failures.append(f"{label}: counted {counted}, expected {wanted}")

    for name, checks in table.items():
        if isinstance(checks, Exempt):
            continue
        for check in checks:
            own, others = check.here(world, persona) if check.here else (world.own(persona), None)
            other = others[0] if others else world.others(persona)[0]
            if check.is_list:
                if check.method == "get":
                    request(name, check, OWN, own)
                else:
                    later.append((name, check, OWN, own))
                continue
            request(name, check, OTHER, other)
            if check.method == "get":
                request(name, check, OWN, own)
            else:
                later.append((name, check, OWN, own))
    for item in later:
        request(*item)
    return failures


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
def test_console_pages_and_exports(persona, world, db, client):
    client.force_login(world.users[persona])
    failures = walk(client, persona, world, PAGES, is_api=False)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
def test_api_operations(persona, world, db, client):
    client.force_login(world.users[persona])
    failures = walk(client, persona, world, OPERATIONS, is_api=True)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", KEYS, ids=str)
def test_api_operations_with_a_key(persona, world, db, client):
    """A partner's machine client: the key acts with its role for its organisation."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.keys[persona.role, persona.kind]}"
    failures = walk(client, persona, world, OPERATIONS, is_api=True)
    assert not failures, "\n".join(failures)


# --- every page and operation has an entry ----------------------------------------------------


def url_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)


# Whole namespaces walked elsewhere or by no role.
NAMESPACES = {
    "api": Exempt("the API: every operation of /api/v1/openapi.json has its entry in OPERATIONS"),
    "admin": Exempt("Django's admin: technical staff (is_staff) only, which no role grants"),
}


def test_every_page_and_operation_has_an_entry():
    from tumbuh.api import api

    pages = {
        name
        for name in url_names(get_resolver().url_patterns)
        if name.partition(":")[0] not in NAMESPACES
    }
    operations = {
        (method.upper(), path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    assert sorted(pages - set(PAGES)) == []
    assert sorted(operations - set(OPERATIONS)) == []
    for entry in [*PAGES.values(), *OPERATIONS.values()]:
        assert isinstance(entry, Exempt) or all(isinstance(c, Check) for c in entry)
