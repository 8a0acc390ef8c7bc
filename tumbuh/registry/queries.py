"""Reads of the registry shared by the console and the API: scoped, filtered, aggregated.

Everything here goes through :mod:`tumbuh.accounts.scoping` with the roles that hold
``Capability.IMPORT_BUSINESSES``, so a page and an endpoint that show the same records show the
same ones: government staff see the businesses of their regions, a partner's staff the ones it
brought (its source records, :func:`brought_by`), serves or mentors (docs/permissions.md). Personal data never leaves this module in clear: owners carry their masked NIK,
enterprises their masked phone, and source-record values are the non-personal columns with
anything that still looks like a NIK or a phone number masked (:func:`redact`).
"""

import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.postgres.search import TrigramWordDistance
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Substr
from django.utils import translation

from tumbuh.accounts.models import APIKey, Organisation
from tumbuh.accounts.permissions import Capability, capabilities, roles_with
from tumbuh.accounts.scoping import reach_for, scope_for, scoped, scoped_businesses
from tumbuh.core import bulk, keyset, personal
from tumbuh.core.hooks import hooks
from tumbuh.core.region_filter import in_region, region_q
from tumbuh.core.validators import kbli_entry, kbli_section, mask_phone
from tumbuh.regions.models import Province, Regency
from tumbuh.registry import name_search
from tumbuh.registry.columns import FIELDS_BY_KEY, PERSONAL_FIELDS
from tumbuh.registry.models import (
    Enterprise,
    EnterpriseAccount,
    EnterpriseKbli,
    ImportBatch,
    ImportRejection,
    MatchCandidate,
    MergeRecord,
    Milestone,
    Ownership,
    SourceRecord,
)

REGISTRY_ROLES = roles_with(Capability.IMPORT_BUSINESSES)
PAGE_SIZE = 50
# The registry list's order, ending in a unique column for keyset pages (core.keyset); the
# enterprise_live_name_idx index reads it.
ENTERPRISE_ORDER = ("name", "pk")
REVIEW_ORDER = ("-probability", "pk")
# Organisations that oversee a region's registry, not only their own imports.
SUPERVISING_KINDS = frozenset(
    {
        Organisation.Kind.MINISTRY,
        Organisation.Kind.PROVINCIAL_OFFICE,
        Organisation.Kind.REGENCY_OFFICE,
    }
)
# Columns whose digits are identifiers of the business or the place, never of a person.
UNREDACTED_FIELDS = ("nib", "village_code", "kbli")
VILLAGE_FIELDS = ("village_code", "village_name", "district_name", "regency_name", "province_name")
# ``Enterprise.region_field`` says "village_id", but a foreign key has no ``startswith`` lookup;
# through ``village__code`` Django uses the same column without a join.
ENTERPRISE_REGION_FIELD = "village__code"
REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2})?)?$")


# --- KBLI sections ----------------------------------------------------------------------------


@cache
def kbli_section_ranges() -> dict[str, list[tuple[str, str]]]:
    """Each KBLI 2020 section letter → its runs of 2-digit divisions, e.g. C → [("10", "33")]."""
    ranges: dict[str, list[tuple[str, str]]] = {}
    previous: tuple[str, int] | None = None
    for number in range(100):
        code = f"{number:02d}"
        try:
            section = kbli_section(code)
        except KeyError:
            continue
        runs = ranges.setdefault(section, [])
        if previous == (section, number - 1):
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
        previous = (section, number)
    return dict(sorted(ranges.items()))


def kbli_section_choices() -> list[tuple[str, str]]:
    return [
        (letter, f"{letter} · {kbli_entry(letter).title.capitalize()}")
        for letter in kbli_section_ranges()
    ]


def kbli_title(code: str) -> str:
    entry = kbli_entry(code)
    return entry.title.capitalize() if entry else ""


def _in_section(letter: str) -> Q:
    condition = Q()
    for first, last in kbli_section_ranges().get(letter, []):
        # Codes are 5-digit strings, so "10" ≤ code ≤ "33999" is the whole of 10–33.
        condition |= Q(code__gte=first, code__lte=last + "999")
    return condition


# --- personal data ----------------------------------------------------------------------------

_NIK_LIKE = re.compile(r"(?<![\d])\d(?:[ .\-]?\d){15}(?![\d])")
_PHONE_LIKE = re.compile(r"(?<![\d+])(?:\+[\s]?62|62|0)[\s\-.()]*8(?:[\s\-.()]*\d){7,11}(?![\d])")
MASK = "••••"


def redact(text: str) -> str:
    """Mask anything in a partner's free text that looks like a NIK or a mobile number.

    Personal columns are never shown; this catches the same data in other columns (a NIK in a
    "No. Identitas" column the mapping did not know, "HP 0812…" written into an address).
    """
    if not text or not any(char.isdigit() for char in text):
        return text
    text = _NIK_LIKE.sub(lambda match: personal.mask_nik(re.sub(r"\D", "", match.group())), text)
    return _PHONE_LIKE.sub(MASK, text)


def personal_headers(mapping: dict) -> set[str]:
    return {header for key, header in mapping.items() if key in PERSONAL_FIELDS and header}


def shown_values(values: dict, mapping: dict) -> list[tuple[str, str]]:
    """A row's non-personal values as (header, text) pairs, safe to show and export."""
    hidden = personal_headers(mapping)
    trusted = {mapping.get(key) for key in UNREDACTED_FIELDS}
    return [
        (header, value if header in trusted else redact(str(value)))
        for header, value in values.items()
        if header not in hidden
    ]


def masked_cell(field_key: str, text: str) -> str:
    """A personal cell of a preview, masked: NIK as 3201**********01, phones as +62812*****890."""
    from django.core.exceptions import ValidationError

    from tumbuh.core.validators import normalise_phone

    text = (text or "").strip()
    if not text:
        return ""
    if field_key == "nik":
        digits = re.sub(r"\D", "", text)
        return personal.mask_nik(digits) if len(digits) == 16 else MASK
    if field_key == "phone":
        try:
            return mask_phone(normalise_phone(text))
        except ValidationError:
            return MASK
    return MASK


# --- enterprises ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnterpriseFilters:
    """The filters of the registry list, the same for the console and the API."""

    region: str = ""  # a province, regency or district code
    kind: str = ""
    scale: str = ""
    kbli_section: str = ""
    milestone: str = ""
    source: str = ""  # an organisation's slug
    q: str = ""


def brought_by(organisation_id: int) -> QuerySet:
    """The ids of the businesses ``organisation_id`` brought: those its imported rows resolved
    to (a row moves with its business's merges) and the records they first made (merged away
    since, or not). A ``settings.PARTNER_BUSINESSES`` hook."""
    rows = SourceRecord.objects.filter(organisation_id=organisation_id)
    return Enterprise.objects.filter(
        Q(pk__in=rows.values("enterprise_id")) | Q(pk__in=rows.values("first_enterprise_id"))
    ).values("pk")


def _scoped_enterprises(enterprises: QuerySet, actor, field: str = "") -> QuerySet:
    """``enterprises`` (or rows with a business at ``field``) that ``actor`` may see."""
    prefix = f"{field}__" if field else ""
    return scoped_businesses(
        enterprises,
        actor,
        enterprise=field or "pk",
        field=f"{prefix}{ENTERPRISE_REGION_FIELD}",
        roles=REGISTRY_ROLES,
    )


def _only_region(actor) -> str:
    """The one region a government officer sees the registry of ("" for anyone else)."""
    reach = reach_for(actor, roles=REGISTRY_ROLES)
    if reach.partners or reach.regions.is_national or len(reach.regions.codes) != 1:
        return ""
    return next(iter(reach.regions.codes))


def _in_region(enterprises: QuerySet, code: str) -> QuerySet:
    """The businesses of a region. For a province or a regency, by the leading characters of the
    village code, the expression the registry's name indexes begin with (models.Enterprise): a
    page of a province reads its first rows from an index instead of sorting the province, a
    capped count reads only that index, and the planner's estimate is the region's (the
    equivalent ``LIKE '32.%'`` beside it would make it guess a hundred times too few). Village
    codes are always whole ("32.04.12.2002"), so this is exactly ``region_q``."""
    if len(code) in (2, 5):
        key = Substr("village_id", 1, len(code))
        return enterprises.alias(region_key=key).filter(region_key=code)
    return enterprises.filter(region_q(ENTERPRISE_REGION_FIELD, code))


def registry_enterprises(actor, filters: EnterpriseFilters | None = None) -> QuerySet[Enterprise]:
    """Deduplicated businesses the actor may see that match ``filters``, by name."""
    filters = filters or EnterpriseFilters()
    asked = filters.region if filters.region and REGION_CODE.match(filters.region) else ""
    own = _only_region(actor)
    if own:
        # An office of one region sees exactly that region: one condition, the narrower of its
        # region and the one asked for (none when they do not overlap).
        if asked and not in_region(asked, own):
            if not in_region(own, asked):
                return Enterprise.objects.none()
            asked = ""
        enterprises = _in_region(Enterprise.objects.deduplicated(), asked or own)
    else:
        enterprises = _scoped_enterprises(Enterprise.objects.deduplicated(), actor)
        if asked:
            enterprises = _in_region(enterprises, asked)
    if filters.kind:
        enterprises = enterprises.filter(kind=filters.kind)
    if filters.scale:
        enterprises = enterprises.filter(scale=filters.scale)
    if filters.kbli_section:
        codes = EnterpriseKbli.objects.filter(_in_section(filters.kbli_section))
        enterprises = enterprises.filter(Exists(codes.filter(enterprise=OuterRef("pk"))))
    if filters.milestone:
        reached = Milestone.objects.filter(enterprise=OuterRef("pk"), kind=filters.milestone)
        enterprises = enterprises.filter(Exists(reached))
    if filters.source:
        sent = SourceRecord.objects.filter(
            enterprise=OuterRef("pk"), organisation__slug=filters.source
        )
        enterprises = enterprises.filter(Exists(sent))
    if filters.q:
        words = name_search.words_of(filters.q)
        if not words:  # only punctuation: no name holds no word
            enterprises = enterprises.none()
        elif connection.vendor == "postgresql":
            enterprises = _ranked_search(enterprises, words)
        else:
            enterprises = enterprises.filter(name__iregex=name_search.phrase_pattern(words))
    return enterprises.order_by(*enterprise_order(enterprises))


# A search ranks at most this many matches (docs/scale.md, "Search").
RANKED_SEARCH_CAP = 1000
# A search with far more matches than it ranks takes the first ones a scan of the table meets
# when the scan would read at most this many rows to find them (a word in one name of twenty:
# 20,000 rows); a rarer phrase takes them from the words index ("warung kop*", one name in 200).
SEARCH_SCAN_ROWS = 50_000
# The memory a search's read of its first matches may take for the index's list of them.
SEARCH_WORK_MEM = "64MB"
# Far more matches than it ranks, a search takes its first ones from about this many entries of
# the words index, which PostgreSQL draws at random (``gin_fuzzy_search_limit``), instead of
# listing every match first: "warung kop*" has 150,000 at 30 M (86 ms against 47, psql).
SEARCH_SAMPLE_ENTRIES = 20 * RANKED_SEARCH_CAP


def _ranked_search(enterprises: QuerySet, words: list[str]) -> QuerySet:
    """The businesses of ``enterprises`` whose name holds the phrase ``words`` (the last word
    possibly cut short; ``name_search``), closest first (pg_trgm word-similarity distance),
    then by name: the business whose name is the words asked for before the one that only
    contains them.

    Ranking sorts the matches, so a search ranks at most ``RANKED_SEARCH_CAP`` of them, and the
    list says so when there are more (``is_sampled_search``). Counted at the bounded cost of
    ``keyset.capped_count``:

    - at most the cap: all of them, found by the GIN index of the names' words (migration
      0013) through the rarest keys the phrase implies, then checked against the phrase;
    - a few times the cap: the first ones that index finds;
    - far more: the first ones a scan of the table meets when that scan is short, else the
      first ones the index finds. A word in one name of twenty is in 1.5 M names at 30 M: the
      index would list every match before the first row is read, while the scan stops once it
      has the cap, after reading about cap / share rows (20,000) whatever the size of the
      registry. A phrase in one name of 200 would make that scan read 200,000 rows: it takes
      the first ones among about ``SEARCH_SAMPLE_ENTRIES`` entries the index draws at random
      from its 150,000 (all of them, when those held fewer than the cap).
    """
    pattern = name_search.phrase_pattern(words)
    phrase = enterprises.filter(name__iregex=pattern)
    keys = name_search.query_keys(words)
    indexed = (
        enterprises.alias(name_keys=name_search.NameKeys("name")).filter(name_keys__contains=keys)
        if keys
        else phrase
    )
    matches = indexed.filter(name__iregex=pattern) if keys else phrase
    # How many match is judged on the keys alone: the planner knows their share from the
    # statistics of migration 0013, while a regular expression's share is a fixed guess.
    estimate = keyset.planner_estimate(indexed)
    settings = {"work_mem": SEARCH_WORK_MEM}
    if estimate is not None and estimate > keyset.TRUSTED_ESTIMATE * RANKED_SEARCH_CAP:
        found = matches
        scanned = RANKED_SEARCH_CAP * (keyset.planner_estimate(enterprises) or 0)
        if scanned <= SEARCH_SCAN_ROWS * estimate:
            found = phrase  # no index serves it: the planner scans, and the LIMIT stops it
        else:
            settings["gin_fuzzy_search_limit"] = str(SEARCH_SAMPLE_ENTRIES)
    else:
        if keyset.capped_count(matches, cap=RANKED_SEARCH_CAP).is_exact:
            return matches.annotate(distance=TrigramWordDistance(" ".join(words), "name"))
        found = matches
    # Every condition stays inside: repeated outside, it would make the planner expect a few
    # dozen rows instead of the cap and join the villages' regencies by a nested loop. Memory
    # enough for the index's list of matches to stay exact (at 4 MB, 150,000 matches became a
    # list of whole pages whose every row was checked again: 750 ms instead of 143).
    with transaction.atomic(), bulk.local_settings(**settings):
        first = list(found.order_by().values_list("pk", flat=True)[:RANKED_SEARCH_CAP])
    if len(first) < RANKED_SEARCH_CAP and "gin_fuzzy_search_limit" in settings:
        # The entries the index drew held fewer matches of the phrase: read them all.
        with transaction.atomic(), bulk.local_settings(work_mem=SEARCH_WORK_MEM):
            first = list(found.order_by().values_list("pk", flat=True)[:RANKED_SEARCH_CAP])
    if not first:  # the statistics promised matches that are not there
        return enterprises.none().annotate(distance=Value(0.0))
    matches = Enterprise.objects.filter(pk__in=bulk.in_values(first))
    if len(first) == RANKED_SEARCH_CAP:  # fewer, and they are every match there is
        matches = matches.alias(search_sampled=Value(True))
    return matches.annotate(distance=TrigramWordDistance(" ".join(words), "name"))


def reads_keys_first(filters: EnterpriseFilters, enterprises: QuerySet) -> bool:
    """Whether a page of a registry list reads its businesses' ids first (``core.keyset``): a
    list filtered on another table (a milestone, a KBLI section, a source) checks that table
    for every business the name order meets until a page is full. The name indexes of a province
    and a regency hold the village code, so those ids come from the index alone, and only the
    page's own rows are read from the table. Any other list reads its page's rows at once; a
    ranked search has already narrowed its matches (at most ``RANKED_SEARCH_CAP``)."""
    checks_another_table = filters.milestone or filters.kbli_section or filters.source
    return bool(checks_another_table) and not is_ranked(enterprises)


def is_ranked(enterprises: QuerySet) -> bool:
    """Whether a registry list is a ranked search (closest names first), not by name."""
    return "distance" in enterprises.query.annotations


def list_count(actor, filters: EnterpriseFilters, enterprises: QuerySet, page=None):
    """How many businesses a registry list (``registry_enterprises(actor, filters)``) holds.

    - A search that found more than it ranks: "more than ``RANKED_SEARCH_CAP``".
    - A list that is every business of a region (or of the country), filtered at most by kind,
      scale and milestone, is what the dashboards' rollups count. When they count more than
      ``keyset.COUNT_CAP`` such businesses, their figure is the answer, labelled with the time
      it was taken (``settings.REGISTRY_COUNTS``): one indexed lookup, where counting would
      run out of time and fall back on the planner's estimate, which misjudges a filter on
      another table by as much as forty times (a province and a milestone one business in 30
      has: 4,000 expected, 160,000 there).
    - Anything else, and a shorter list: counted (``keyset.capped_count``), so a list of a few
      thousand is exact and up to date.
    """
    if is_sampled_search(enterprises):
        return keyset.Count(value=RANKED_SEARCH_CAP, is_exact=False, cap=RANKED_SEARCH_CAP)
    one_page = page is not None and not page.has_previous and not page.has_next
    region = None if one_page else _whole_region(actor, filters)
    if region is not None:
        for source in hooks("REGISTRY_COUNTS"):
            kept = source(
                region, kind=filters.kind, scale=filters.scale, milestone=filters.milestone
            )
            if kept is not None and kept[0] > keyset.COUNT_CAP:
                value, as_of = kept
                return keyset.Count(value=value, is_exact=False, cap=keyset.COUNT_CAP, as_of=as_of)
    return keyset.capped_count(enterprises, page=page)


def _whole_region(actor, filters: EnterpriseFilters) -> str | None:
    """The region (``""``: the country) every live business of which the list holds, but for
    its kind, scale and milestone filters; None for any other list: a search, a KBLI section,
    a partner's businesses, a list of someone who sees only some of them. Mirrors the regions
    of ``registry_enterprises``."""
    if filters.q or filters.kbli_section or filters.source:
        return None
    asked = filters.region if filters.region and REGION_CODE.match(filters.region) else ""
    own = _only_region(actor)
    if own:
        if asked and not in_region(asked, own):
            if not in_region(own, asked):
                return None  # no business at all: counted for nothing
            asked = ""
        return asked or own
    reach = reach_for(actor, roles=REGISTRY_ROLES)
    if reach.partners or not reach.regions.is_national:
        return None
    return asked


def is_sampled_search(enterprises: QuerySet) -> bool:
    """Whether a search found more businesses than it ranks (the list shows the first ones)."""
    return "search_sampled" in enterprises.query.annotations


def enterprise_order(enterprises: QuerySet) -> tuple[str, ...]:
    """The order of a list from ``registry_enterprises`` (keyset pages, core.keyset): by name,
    a ranked search closest first."""
    return ("distance", *ENTERPRISE_ORDER) if is_ranked(enterprises) else ENTERPRISE_ORDER


def visible_enterprise(actor, public_id: str, *, with_details=False) -> Enterprise | None:
    """One enterprise (merged or not) the actor may see, with its place; None otherwise."""
    enterprises = _scoped_enterprises(Enterprise.objects.all(), actor)
    if with_details:
        enterprises = with_registry_details(enterprises)
    else:
        enterprises = enterprises.select_related(
            "village__district", "village__regency__province", "merged_into"
        )
    return enterprises.filter(public_id=public_id).first()


def with_registry_details(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """Prefetch what an enterprise page and a review pair show: owners, codes, journey, rows."""
    return enterprises.select_related(
        "village__district", "village__regency__province", "merged_into"
    ).prefetch_related(
        Prefetch("ownerships", Ownership.objects.select_related("person").order_by("pk")),
        Prefetch("kbli_codes", EnterpriseKbli.objects.order_by("code")),
        Prefetch("milestones", Milestone.objects.order_by("occurred_at", "pk")),
        Prefetch(
            "records",
            SourceRecord.objects.select_related("organisation", "batch").order_by(
                "imported_at", "pk"
            ),
        ),
    )


def merge_of(enterprise: Enterprise, merge_id: int) -> MergeRecord | None:
    """A merge that ``enterprise`` took part in, kept or dropped."""
    return (
        MergeRecord.objects.filter(Q(kept=enterprise) | Q(dropped=enterprise), pk=merge_id)
        .select_related("kept", "dropped")
        .first()
    )


def merge_history(enterprise: Enterprise) -> QuerySet[MergeRecord]:
    return (
        MergeRecord.objects.filter(Q(kept=enterprise) | Q(dropped=enterprise))
        .select_related("kept", "dropped", "merged_by", "undone_by")
        .order_by("-merged_at", "-pk")
    )


def account_emails(enterprise: Enterprise) -> list[str]:
    """The e-mail addresses of the active logins that act for ``enterprise`` or for a record
    merged into it (an owner who signed up under a duplicate keeps hearing of the business),
    sorted, each once."""
    accounts = EnterpriseAccount.objects.filter(
        Q(enterprise=enterprise) | Q(enterprise__merged_into=enterprise)
    ).select_related("user")
    return sorted({a.user.email for a in accounts if a.user.email and a.user.is_active})


def all_in_scope(actor, *enterprise_ids: int) -> bool:
    ids = set(enterprise_ids)
    visible = _scoped_enterprises(Enterprise.objects.filter(pk__in=ids), actor)
    return visible.count() == len(ids)


def source_organisation_choices(actor) -> list[tuple[str, str]]:
    """Organisations that sent rows and that the actor may name: national ones and those in
    the actor's regions; a partner's staff, their own organisation only."""
    senders = Organisation.objects.filter(
        Exists(ImportBatch.objects.filter(organisation=OuterRef("pk")))
    )
    reach = reach_for(actor, roles=REGISTRY_ROLES)
    if reach.regions.is_empty:
        organisations = senders.filter(pk__in=reach.organisation_ids)
    else:
        organisations = scoped(senders, actor, roles=REGISTRY_ROLES) | senders.filter(
            region_code=""
        )
    return list(organisations.order_by("name").values_list("slug", "name"))


def province_choices(actor) -> list[tuple[str, str]]:
    """Provinces the actor can see some of (a regency scope shows its province too)."""
    scope = scope_for(actor, roles=REGISTRY_ROLES)
    provinces = Province.objects.order_by("name")
    if not scope.is_national:
        provinces = provinces.filter(code__in={code[:2] for code in scope.codes})
    return list(provinces.values_list("code", "name"))


def regency_choices(actor, province: str) -> list[tuple[str, str]]:
    if not province:
        return []
    regencies = scoped(Regency.objects.filter(province_id=province), actor, roles=REGISTRY_ROLES)
    return list(regencies.order_by("name").values_list("code", "name"))


def regency_groups(actor) -> list[tuple[str, list[tuple[str, str]]]]:
    """Regencies in the actor's regions grouped by province, for a select with optgroups."""
    regencies = scoped(Regency.objects.select_related("province"), actor, roles=REGISTRY_ROLES)
    groups: dict[str, list[tuple[str, str]]] = {}
    for regency in regencies.order_by("province__name", "name"):
        groups.setdefault(regency.province.name, []).append((regency.code, regency.name))
    return list(groups.items())


# --- imports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportAccess:
    """Whose imports an actor sees: its own organisations', and a region's when it supervises."""

    is_national_staff: bool
    own_organisation_ids: frozenset[int]
    supervises: bool


def import_access(actor) -> ImportAccess:
    if isinstance(actor, APIKey):
        if not actor.is_active or actor.role not in REGISTRY_ROLES:
            return ImportAccess(False, frozenset(), False)
        return ImportAccess(
            False,
            frozenset({actor.organisation_id}),
            actor.organisation.kind in SUPERVISING_KINDS,
        )
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return ImportAccess(False, frozenset(), False)
    if actor.is_superuser:
        return ImportAccess(True, frozenset(), True)
    granting = capabilities(actor).get(Capability.IMPORT_BUSINESSES, [])
    return ImportAccess(
        False,
        frozenset(m.organisation_id for m in granting),
        any(m.organisation.kind in SUPERVISING_KINDS for m in granting),
    )


def visible_imports(actor) -> QuerySet[ImportBatch]:
    """A partner's staff see their organisation's imports; regional and ministry offices also
    see the imports of the organisations in their regions (the ministry's national staff: all)."""
    batches = ImportBatch.objects.select_related("organisation", "uploaded_by")
    access = import_access(actor)
    if access.is_national_staff:
        return batches
    own = batches.filter(organisation_id__in=access.own_organisation_ids)
    if access.supervises:
        return scoped(batches, actor, roles=REGISTRY_ROLES) | own
    return own


def upload_organisations(user) -> list[Organisation]:
    """The organisations a person may import for: those of memberships that grant it."""
    if user.is_superuser:
        return list(Organisation.objects.filter(is_active=True).order_by("name"))
    granting = capabilities(user).get(Capability.IMPORT_BUSINESSES, [])
    found = {m.organisation_id: m.organisation for m in granting if m.organisation.is_active}
    return sorted(found.values(), key=lambda organisation: organisation.name)


def report_headers(batch: ImportBatch) -> list[str]:
    hidden = personal_headers(batch.mapping)
    return [header for header in batch.headers if header not in hidden]


def report_rows(batch: ImportBatch):
    """The rejection report: row, column, reason and the row's non-personal values."""
    headers = report_headers(batch)
    for rejection in batch.rejections.order_by("row_number", "pk").iterator(chunk_size=2000):
        values = dict(shown_values(rejection.values, batch.mapping))
        yield [
            rejection.row_number,
            rejection.column,
            rejection.reason,
            *(values.get(header, "") for header in headers),
        ]


# --- review queue -----------------------------------------------------------------------------


def _both_sides_scoped(candidates: QuerySet, actor) -> QuerySet:
    candidates = _scoped_enterprises(candidates, actor, "enterprise_low")
    return _scoped_enterprises(candidates, actor, "enterprise_high")


def review_queue(actor) -> QuerySet[MatchCandidate]:
    """Pairs waiting for a reviewer, most likely first, when both records are in scope."""
    pending = MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING)
    return (
        _both_sides_scoped(pending, actor)
        .select_related("enterprise_low__village__regency", "enterprise_high__village__regency")
        .order_by(*REVIEW_ORDER)
    )


def visible_candidate(actor, candidate_id: int) -> MatchCandidate | None:
    return (
        _both_sides_scoped(MatchCandidate.objects.all(), actor)
        .select_related("decided_by")
        .filter(pk=candidate_id)
        .first()
    )


# --- scorecard --------------------------------------------------------------------------------


@dataclass
class ScoreRow:
    organisation: Organisation
    rows_sent: int
    accepted: int
    duplicates: int
    invalid_nik: int
    unknown_village: int
    rejected: int

    @property
    def other_rejections(self) -> int:
        return self.rejected - self.invalid_nik - self.unknown_village

    @property
    def accepted_percent(self) -> float | None:
        return 100 * self.accepted / self.rows_sent if self.rows_sent else None


def scorecard_organisations(actor) -> QuerySet[Organisation]:
    """The organisations whose data quality the actor may see: as for their imports."""
    access = import_access(actor)
    organisations = Organisation.objects.all()
    if access.is_national_staff:
        return organisations
    own = organisations.filter(pk__in=access.own_organisation_ids)
    if access.supervises:
        return scoped(organisations, actor, roles=REGISTRY_ROLES) | own
    return own


def _mapped(key: str) -> KeyTextTransform:
    """The header a rejection's batch mapped to field ``key``, read in SQL."""
    return KeyTextTransform(key, "batch__mapping")


def _field_labels(key: str) -> set[str]:
    """A field's label in every language: the column a rejection names when it was not mapped."""
    labels = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels.add(str(FIELDS_BY_KEY[key].label))
    return labels


def scorecard(actor) -> list[ScoreRow]:
    """Per source organisation: rows sent, duplicates, invalid NIKs, unknown villages, share
    accepted. Two grouped queries, whatever the number of rows."""
    organisations = {
        organisation.pk: organisation
        for organisation in scorecard_organisations(actor)
        .filter(Exists(ImportBatch.objects.filter(organisation=OuterRef("pk"))))
        .order_by("name")
    }
    others = SourceRecord.objects.filter(enterprise=OuterRef("enterprise")).exclude(
        pk=OuterRef("pk")
    )
    records = {
        row["organisation"]: row
        for row in SourceRecord.objects.filter(organisation_id__in=organisations)
        .values("organisation")
        .annotate(
            accepted=Count("pk"),
            duplicates=Count("pk", filter=~Q(rule=SourceRecord.Rule.NEW) | Q(Exists(others))),
        )
        .order_by()
    }
    village_columns = Q()
    for key in VILLAGE_FIELDS:
        village_columns |= Q(column=_mapped(key)) | Q(column__in=_field_labels(key))
    rejections = {
        row["batch__organisation"]: row
        for row in ImportRejection.objects.filter(batch__organisation_id__in=organisations)
        .values("batch__organisation")
        .annotate(
            rejected=Count("pk"),
            invalid_nik=Count("pk", filter=Q(column=_mapped("nik"))),
            unknown_village=Count("pk", filter=village_columns),
        )
        .order_by()
    }
    rows = []
    for pk, organisation in organisations.items():
        sent = records.get(pk, {})
        refused = rejections.get(pk, {})
        accepted = sent.get("accepted", 0)
        rejected = refused.get("rejected", 0)
        rows.append(
            ScoreRow(
                organisation=organisation,
                rows_sent=accepted + rejected,
                accepted=accepted,
                duplicates=sent.get("duplicates", 0),
                invalid_nik=refused.get("invalid_nik", 0),
                unknown_village=refused.get("unknown_village", 0),
                rejected=rejected,
            )
        )
    return rows
