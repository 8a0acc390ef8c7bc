"""Satu Data UMKM: one record per real business, every partner's original row, the journey.

Partners report the businesses they helped; the same business arrives several times, spelled
differently. ``SourceRecord`` keeps each partner row as it came (personal columns encrypted);
``Enterprise`` is the one business those rows resolve to; merges are recorded in ``MergeRecord``
and can be undone. Counting businesses means counting enterprises that are not merged into
another (``Enterprise.objects.deduplicated()``), never rows.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Organisation
from tumbuh.core.storage import private_storage
from tumbuh.regions.models import Village

PUBLIC_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def province_key() -> models.CharField:
    """The province code of the business a row hangs off (the first two characters of its
    village code): the key the registry partitions on past one server (docs/scale.md). Database
    triggers keep it (migration 0011) on every insert, on a move to another business (a merge)
    and on a business's move to another province, whichever code or SQL writes the row; an object
    made in Python has it once read back from the database."""
    return models.CharField(max_length=2, db_default="", editable=False)


def new_public_id() -> str:
    """A random, unguessable id for URLs (never a sequential number for personal records).

    12 characters from a 32-letter alphabet (60 bits); 256 is a multiple of 32, so taking each
    random byte modulo 32 is unbiased.
    """
    return "".join(PUBLIC_ID_ALPHABET[byte % 32] for byte in secrets.token_bytes(12))


class EnterpriseQuerySet(models.QuerySet):
    def deduplicated(self):
        """Businesses counted once: those not merged into another record."""
        return self.filter(merged_into__isnull=True)


class Enterprise(models.Model):
    """A business as the registry knows it: a UMKM, a BumDes or a cooperative.

    Its id never changes. When two records turn out to be the same business, the newer one is
    merged into the older (``merged_into``) and its rows, owners and milestones move to the
    survivor; the merge is recorded and can be undone. Phone numbers are stored encrypted with a
    keyed hash for matching and a masked form for display.
    """

    class Kind(models.TextChoices):
        UMKM = "umkm", _("UMKM")
        BUMDES = "bumdes", _("BumDes")
        COOPERATIVE = "cooperative", _("Cooperative")

    class Scale(models.TextChoices):
        MIKRO = "mikro", _("micro (mikro)")
        KECIL = "kecil", _("small (kecil)")
        MENENGAH = "menengah", _("medium (menengah)")

    # Unique by the constraints in Meta, not ``unique=True``: on PostgreSQL that would add a second
    # btree (varchar_pattern_ops, for LIKE) that no query uses (docs/scale.md, "Disk").
    public_id = models.CharField(max_length=12, default=new_public_id, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.UMKM)
    name = models.CharField(_("business name"), max_length=200)
    trade_names = models.JSONField(
        _("other names"), default=list, blank=True, help_text=_("Other spellings and brand names.")
    )
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, null=True, blank=True)  # noqa: DJ001 - unique (Meta)
    # Indexed only for live records (enterprise_live_idx): imports write millions of rows, and
    # every index costs time on each of them.
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", db_index=False)
    address = models.TextField(_("address"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    phone_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    owners = models.ManyToManyField("Person", through="Ownership", related_name="enterprises")
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    region_field = "village__code"  # the FK column itself; Django reads it without a join

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(
                fields=["village"],
                condition=Q(merged_into__isnull=True),
                name="enterprise_live_idx",
            ),
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="enterprise_merged_idx",
            ),
            # The registry list by name (keyset pages, core.keyset), nationally and within a
            # province or a regency: the first 2 or 5 characters of the village code are the
            # province's and the regency's code (queries.registry_enterprises filters on the
            # same expressions). A district's few thousand rows are sorted from
            # enterprise_live_idx. The village code rides along in the province's and the
            # regency's (PostgreSQL reads an expression from an index alone only when the
            # columns under it are there too): a page filtered on a milestone or a KBLI section
            # walks the index alone for its ids (queries.reads_keys_first).
            models.Index(
                F("name"),
                F("id"),
                condition=Q(merged_into__isnull=True),
                name="enterprise_name_idx",
            ),
            models.Index(
                Substr("village_id", 1, 2),
                F("name"),
                F("id"),
                condition=Q(merged_into__isnull=True),
                include=["village"],
                name="enterprise_province_name_idx",
            ),
            models.Index(
                Substr("village_id", 1, 5),
                F("name"),
                F("id"),
                condition=Q(merged_into__isnull=True),
                include=["village"],
                name="enterprise_regency_name_idx",
            ),
            # The list's kind and scale filters (BumDes are 0.3 % of the registry, medium
            # businesses 1 %): the page reads its rows in order instead of filtering thousands.
            models.Index(
                F("kind"),
                F("name"),
                F("id"),
                condition=Q(merged_into__isnull=True),
                name="enterprise_kind_name_idx",
            ),
            models.Index(
                F("scale"),
                F("name"),
                F("id"),
                condition=Q(merged_into__isnull=True),
                name="enterprise_scale_name_idx",
            ),
            # The resolver's phone blocking (resolution.candidates): a partner file's phones
            # among the live businesses', without reading them all.
            models.Index(
                fields=["phone_hash"],
                condition=Q(merged_into__isnull=True) & ~Q(phone_hash=""),
                name="enterprise_phone_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="enterprise_not_merged_into_itself"
            ),
            models.UniqueConstraint(fields=["public_id"], name="registry_enterprise_public_id_key"),
            models.UniqueConstraint(fields=["nib"], name="registry_enterprise_nib_key"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:enterprise-detail", args=[self.public_id])

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class EnterpriseAccount(models.Model):
    """A login that may act for a business: its owner, or the manager of a BumDes.

    This is how an owner's self-assessment, store and orders find their business. The link is
    kept on the record it was made for; when that record is merged, ``enterprises_of`` follows
    ``merged_into`` to the surviving business, so an undone merge needs no repair.
    """

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        MANAGER = "manager", _("manager (BumDes or cooperative)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_accounts"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="accounts")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.OWNER)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("business account")
        verbose_name_plural = _("business accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "enterprise"], name="enterprise_account_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.role} {self.enterprise_id}"


class EnterpriseKbli(models.Model):
    """A KBLI activity code of an enterprise, with the KBLI edition it comes from."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="kbli_codes", db_index=False
    )
    code = models.CharField(max_length=5)
    version = models.CharField(max_length=4, default="2020")
    province_code = province_key()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "code", "version"], name="enterprise_kbli_unique"
            ),
        ]
        indexes = [models.Index(fields=["code"], name="enterprise_kbli_code_idx")]

    def __str__(self):
        return f"KBLI {self.version} {self.code}"


class Person(models.Model):
    """An owner or manager of a business.

    The NIK is personal data (UU 27/2022): stored encrypted, with a keyed hash for matching
    (unique, so one NIK is one person) and a masked form (``3201**********01``) for display. A
    NIK that disagrees with the declared birth date or sex is kept and flagged in ``nik_flags``.
    """

    class Sex(models.TextChoices):
        MALE = "L", _("male")
        FEMALE = "P", _("female")

    # Unique by the constraints in Meta (see Enterprise.public_id).
    public_id = models.CharField(max_length=12, default=new_public_id, editable=False)
    full_name = models.CharField(_("name"), max_length=150)
    nik_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 - unique (Meta)
    nik_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    nik_masked = models.CharField(_("NIK"), max_length=16, blank=True)
    nik_flags = models.JSONField(default=list, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    phone_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the person's name, NIK, birth date, sex and phone were erased at their request
    # (registry.personal_data.erase_person); the ownership stays, so the business counts once.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="registry_person_public_id_key"),
            models.UniqueConstraint(fields=["nik_hash"], name="registry_person_nik_hash_key"),
        ]

    def __str__(self):
        return self.full_name


class Ownership(models.Model):
    """A person's role in an enterprise."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        MANAGER = "manager", _("manager")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="ownerships", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ownerships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.OWNER)
    province_code = province_key()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "person"], name="ownership_unique"),
        ]

    def __str__(self):
        return f"{self.person} · {self.enterprise}"


class ImportBatch(models.Model):
    """One partner file being imported: its mapping, progress and outcome.

    Every data row ends either as a ``SourceRecord`` (new, linked to an existing business, or
    already imported before) or as an ``ImportRejection`` with its row, column and reason; the
    counts always add up to ``total_rows``. The uploaded file is deleted once processed: its
    rows live on in the source records, and only its SHA-256 is kept.

    The rows are written in chunks, each committed with the counts it adds, so
    ``processed_rows`` is exactly what is written. The worker running an import beats
    ``heartbeat_at`` at its start and with every chunk; an import whose worker stopped
    (killed, restarted, out of memory) goes back to the queue and resumes after its processed
    rows (``tumbuh resume_imports``); after ``MAX_ATTEMPTS`` starts it fails, its rows
    accounted for: processed, and not processed.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded: check the columns")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    TRANSITIONS = {
        Status.UPLOADED: {Status.QUEUED, Status.FAILED},
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        # back to the queue when its worker stopped (it resumes after its processed rows)
        Status.RUNNING: {Status.DONE, Status.FAILED, Status.QUEUED},
        Status.DONE: set(),
        Status.FAILED: set(),
    }

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A partner's list of people: private storage, never served.
    file = models.FileField(upload_to="imports/%Y/%m/", storage=private_storage, blank=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="Field key → file header.")
    regency_code = models.CharField(
        max_length=5,
        blank=True,
        help_text=_("Regency the file is about, to find villages written by name."),
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    linked_count = models.PositiveIntegerField(default=0)
    already_imported_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The running worker's last sign of life, and how many times a worker started the import.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    region_field = "organisation__region_code"
    MAX_ATTEMPTS = 3

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("registry:import-detail", args=[self.public_id])

    @property
    def accounted_rows(self) -> int:
        return (
            self.created_count
            + self.linked_count
            + self.already_imported_count
            + self.rejected_count
        )

    @property
    def unprocessed_rows(self) -> int:
        """Rows of the file a failed import did not reach (neither written nor rejected)."""
        if self.status != self.Status.FAILED:
            return 0
        return max(0, self.total_rows - self.processed_rows)

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportRejection(models.Model):
    """A row that could not be imported: where, which column, and why, in plain words.

    ``values`` keeps the row's non-personal columns so the partner can find and fix it; NIK and
    phone numbers are never copied here.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField()
    column = models.CharField(max_length=255, blank=True)
    reason = models.TextField()
    values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["row_number", "pk"]
        indexes = [models.Index(fields=["batch", "row_number"], name="rejection_row_idx")]

    def __str__(self):
        return f"row {self.row_number}: {self.reason}"


class SourceRecord(models.Model):
    """A partner's original row, kept forever and never overwritten.

    ``values`` holds the non-personal columns verbatim (header → text); the personal columns
    (NIK, phone) are kept verbatim too, but only inside ``personal_encrypted``. ``row_hash``
    identifies the row's content for its organisation, so importing the same file again
    creates nothing. ``enterprise`` is the business the row resolved to now (it moves with
    merges); ``first_enterprise`` is the one it first created or joined.
    """

    class Rule(models.TextChoices):
        NEW = "new", _("new business")
        NIB = "nib", _("same NIB")
        NIK_AND_NAME = "nik_name", _("same owner NIK and business name")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    file_name = models.CharField(max_length=255)
    row_number = models.PositiveIntegerField()
    row_hash = models.CharField(max_length=64)
    values = models.JSONField(default=dict)
    personal_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="records")
    first_enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="first_records", db_index=False
    )
    rule = models.CharField(max_length=10, choices=Rule.choices, default=Rule.NEW)
    imported_at = models.DateTimeField()
    province_code = province_key()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "row_hash"], name="source_record_unique_content"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} row {self.row_number}"


class Milestone(models.Model):
    """A step of a business's digital journey, written once by the part that makes it true.

    registered → assessed → trained → nib_issued → halal_certified (food only) → store_live →
    first_online_sale → paid_digitally. One per enterprise and kind, keeping the earliest time.
    """

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("registered")
        ASSESSED = "assessed", _("capability assessed")
        TRAINED = "trained", _("trained")
        NIB_ISSUED = "nib_issued", _("NIB issued")
        HALAL_CERTIFIED = "halal_certified", _("halal certified")
        STORE_LIVE = "store_live", _("online store live")
        FIRST_ONLINE_SALE = "first_online_sale", _("first online sale")
        PAID_DIGITALLY = "paid_digitally", _("paid digitally")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="milestones", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=100, help_text="What made it true, e.g. import:<id>.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    province_code = province_key()

    class Meta:
        ordering = ["occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "kind"], name="milestone_unique_kind"),
        ]
        indexes = [models.Index(fields=["kind", "occurred_at"], name="milestone_kind_idx")]

    def __str__(self):
        return f"{self.enterprise_id} {self.kind}"


class MatchCandidate(models.Model):
    """A pair of records that may be the same business, waiting for a reviewer.

    Pairs scored between the lower and upper thresholds land here with the evidence for and
    against; a reviewer merges them or keeps them apart. ``enterprise_low`` has the lower id.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        MERGED = "merged", _("merged")
        KEPT_APART = "kept_apart", _("kept apart")
        SUPERSEDED = "superseded", _("no longer applies")

    enterprise_low = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    enterprise_high = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    evidence = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-probability", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_low", "enterprise_high"], name="match_candidate_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(enterprise_low__lt=models.F("enterprise_high")),
                name="match_candidate_ordered_pair",
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="candidate_queue_idx")]

    def __str__(self):
        return f"{self.enterprise_low_id}~{self.enterprise_high_id} ({self.probability:.2f})"


class MergeRecord(models.Model):
    """One merge of ``dropped`` into ``kept``: automatic or by a reviewer, and undoable.

    ``moved`` lists what moved to the survivor (source records, owners, milestones, fields
    filled in) so that undoing puts every piece back exactly.
    """

    class Method(models.TextChoices):
        AUTOMATIC = "automatic", _("automatic (above the upper threshold)")
        REVIEWER = "reviewer", _("by a reviewer")

    kept = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    dropped = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=Method.choices)
    probability = models.FloatField(null=True, blank=True)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self):
        return f"{self.dropped_id} → {self.kept_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class ResolutionModel(models.Model):
    """A trained entity-resolution model (Splink parameters and thresholds), shared by servers.

    New imports are scored against the registry with the active model, without retraining.
    """

    parameters = models.JSONField()
    upper_threshold = models.FloatField()
    lower_threshold = models.FloatField()
    trained_on = models.PositiveIntegerField(help_text="Number of records it was trained on.")
    trained_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-trained_at"]

    def __str__(self):
        return f"model of {self.trained_at:%Y-%m-%d %H:%M} ({self.trained_on} records)"


class DataRequest(models.Model):
    """A business owner's request to correct or delete their personal data (UU 27/2022).

    The owner writes it from their data page for one of their businesses; the staff of the
    business's region answer it in the console before ``due_at`` (``DATA_REQUEST_DAYS`` after it
    was made, per kind). It ends done (the correction made, or the person's data erased) or
    refused, always with an answer the owner reads. Every step is an audit event. ``person`` is
    the owner's own person record when the registry could tell which one it is.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("correction")
        DELETION = "deletion", _("deletion")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")

    TRANSITIONS = {
        Status.OPEN: {Status.DONE, Status.REFUSED},
        Status.DONE: set(),
        Status.REFUSED: set(),
    }

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="data_requests"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="data_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("request"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    due_at = models.DateTimeField(_("answer due"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    region_field = "enterprise__village__code"

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        indexes = [models.Index(fields=["status", "due_at"], name="data_request_queue_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.public_id} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("registry:data-request-detail", args=[self.public_id])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())


class BlockingKeys(models.Model):
    """Where the resolver looks for a live business's duplicates: its blocking keys.

    The resolution model compares only pairs that share a blocking key (``docs/resolution.md``):
    an identifier (NIK, NIB, phone, found through their own indexes) or a normalised name
    within a district, a village or a province. The name keys are derived by the engine's own
    normalisation (``resolution.candidates``) and kept here as keyed 64-bit hashes, each
    indexed, so that a partner file is resolved against the candidates that share a key
    instead of re-reading the whole registry. No owner's name is kept in clear. A row is
    written when its business is imported (``resolve_batch``) and rewritten for every business
    of a province the national re-resolution passes through; rows of merged records are
    ignored (only live businesses are read).
    """

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # district + business name squeezed; district + first word of the name + owner's initial;
    # village + owner's first name; province + core business name + owner's first name
    name_key = models.BigIntegerField(null=True)
    token_key = models.BigIntegerField(null=True)
    owner_key = models.BigIntegerField(null=True)
    province_key = models.BigIntegerField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["name_key"], condition=Q(name_key__isnull=False), name="blocking_name_idx"
            ),
            models.Index(
                fields=["token_key"],
                condition=Q(token_key__isnull=False),
                name="blocking_token_idx",
            ),
            models.Index(
                fields=["owner_key"],
                condition=Q(owner_key__isnull=False),
                name="blocking_owner_idx",
            ),
            models.Index(
                fields=["province_key"],
                condition=Q(province_key__isnull=False),
                name="blocking_province_idx",
            ),
        ]

    def __str__(self):
        return f"keys of {self.enterprise_id}"


class ResolutionRun(models.Model):
    """A national re-resolution of the registry, one part per province and a last part for
    the pairs across provinces.

    Each part is a background task with its own status, heartbeat and attempts; a part whose
    worker stopped goes back to the queue (``tumbuh resolve_duplicates --resume``) and starts
    again from the registry as it now is (what it merged before stays merged). The run is done
    when every part is.
    """

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"resolution run {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class ResolutionPart(models.Model):
    """One province of a ``ResolutionRun`` (or, with a blank province, the pairs across
    provinces, which only an identifier can link): its progress and outcome."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for the provinces")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("resolving")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    TRANSITIONS = {
        Status.WAITING: {Status.QUEUED},
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        # back to the queue when its worker stopped
        Status.RUNNING: {Status.DONE, Status.FAILED, Status.QUEUED},
        Status.DONE: set(),
        Status.FAILED: set(),
    }
    MAX_ATTEMPTS = 3

    run = models.ForeignKey(ResolutionRun, on_delete=models.CASCADE, related_name="parts")
    province_code = models.CharField(max_length=2, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0)
    comparisons = models.BigIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "province_code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "province_code"], name="resolution_part_unique"),
        ]

    def __str__(self):
        return f"{self.run_id}/{self.province_code or 'across'} ({self.status})"
