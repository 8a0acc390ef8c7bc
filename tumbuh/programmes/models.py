"""Training and mentoring programmes: quotas per priority area, cohorts, mentors, attendance.

A ``Programme`` (run by an organisation, usually the ministry) says who may join (KBLI sections,
scales, regions), what completion means (sessions attended and registry milestones reached) and
what each participant receives (``Benefit``). It runs in priority areas (``ProgrammeArea``, with a
quota) through partners (``PartnerQuota``, a share of an area's quota). Partners run ``Cohort``s;
a business joins one through an ``Enrolment`` whose status changes only along
``Enrolment.TRANSITIONS``, each change written as an ``EnrolmentEvent``. ``Mentor``s are assigned
businesses (``Assignment``), hold ``Session``s and record ``Attendance`` (with a short code the
participant types, or marked by the mentor with a reason) and ``VisitNote``s, often offline.
A completed enrolment earns a ``Certificate`` that anyone can verify at ``/sertifikat/<code>/``.
"""

import secrets
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Organisation
from tumbuh.core.storage import private_storage
from tumbuh.regions.models import PriorityArea, Village
from tumbuh.registry.models import PUBLIC_ID_ALPHABET, Enterprise, Milestone, new_public_id


def new_attendance_secret() -> str:
    """32 random bytes as 64 hex characters: the key of a session's attendance codes."""
    return secrets.token_hex(32)


CERTIFICATE_CODE_LENGTH = 16


def new_certificate_code() -> str:
    """A certificate code people can type: 16 characters of a 32-letter alphabet (80 bits)."""
    return "".join(
        PUBLIC_ID_ALPHABET[byte % 32] for byte in secrets.token_bytes(CERTIFICATE_CODE_LENGTH)
    )


def canonical_certificate_code(typed: str) -> str | None:
    """The code as stored (lower case, in one piece), or None when ``typed`` cannot be one.

    People copy the code from paper: in capitals, in groups with spaces or dashes (any dash a
    phone's keyboard makes). Anything else (a slash, a dot, a letter outside the alphabet, a
    wrong length) is not a certificate code.
    """
    code = "".join(
        character
        for character in str(typed)
        if not character.isspace() and unicodedata.category(character) != "Pd"
    ).lower()
    if len(code) != CERTIFICATE_CODE_LENGTH or not set(code) <= set(PUBLIC_ID_ALPHABET):
        return None
    return code


class Programme(models.Model):
    """A training and mentoring programme, such as the flagship digital-adoption programme.

    Eligibility is kept as plain lists so that the rule is visible and exact: ``kbli_sections``
    (letters A–U; empty means any), ``scales`` (mikro, kecil, menengah; empty means any) and
    ``region_codes`` (Kemendagri province or regency codes; empty means anywhere). Completion is
    ``sessions_required`` attended sessions plus every milestone kind in ``milestones_required``.
    """

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    kbli_sections = models.JSONField(_("KBLI sections"), default=list, blank=True)
    scales = models.JSONField(_("scales"), default=list, blank=True)
    region_codes = models.JSONField(_("regions"), default=list, blank=True)
    target_count = models.PositiveIntegerField(_("target number of businesses"), default=0)
    sessions_required = models.PositiveSmallIntegerField(_("sessions required"), default=0)
    milestones_required = models.JSONField(_("milestones required"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_field = "organisation__region_code"

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")), name="programme_period_ordered"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programmes:programme-detail", args=[self.public_id])

    def required_milestone_labels(self) -> list[str]:
        labels = dict(Milestone.Kind.choices)
        return [str(labels.get(kind, kind)) for kind in self.milestones_required]


class Benefit(models.Model):
    """Something each participant receives, such as "paket data internet 6 bulan"."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="benefits")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    value_idr = models.PositiveBigIntegerField(_("value (IDR)"), default=0)

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")

    def __str__(self):
        return self.name


class ProgrammeArea(models.Model):
    """A priority area (kawasan) in which a programme runs, with its quota of businesses."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(PriorityArea, on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField(_("quota"))

    class Meta:
        ordering = ["programme", "area__name"]
        verbose_name = _("programme area")
        verbose_name_plural = _("programme areas")
        constraints = [
            models.UniqueConstraint(fields=["programme", "area"], name="programme_area_unique"),
        ]

    def __str__(self):
        return f"{self.programme} · {self.area}"


class PartnerQuota(models.Model):
    """A partner's share of an area's quota: how many businesses it may enrol there."""

    programme_area = models.ForeignKey(
        ProgrammeArea, on_delete=models.CASCADE, related_name="partner_quotas"
    )
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField(_("quota"))

    class Meta:
        ordering = ["programme_area", "partner__name"]
        verbose_name = _("partner quota")
        verbose_name_plural = _("partner quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["programme_area", "partner"], name="partner_quota_unique"
            ),
        ]

    def __str__(self):
        return f"{self.programme_area} · {self.partner}: {self.quota}"


class QuotaTransfer(models.Model):
    """A record of unused quota moved from one partner to another in the same area."""

    programme_area = models.ForeignKey(
        ProgrammeArea, on_delete=models.CASCADE, related_name="transfers"
    )
    from_partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField(_("amount"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("quota transfer")
        verbose_name_plural = _("quota transfers")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="quota_transfer_positive"),
        ]

    def __str__(self):
        return f"{self.from_partner} → {self.to_partner}: {self.amount}"


class Cohort(models.Model):
    """A group of businesses a partner trains together in one area, online, offline or both.

    ``venue_village`` is where the cohort meets (or is organised from, when online); console
    scoping follows it.
    """

    class Mode(models.TextChoices):
        ONLINE = "online", _("online")
        OFFLINE = "offline", _("in person")
        HYBRID = "hybrid", _("hybrid")

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    programme_area = models.ForeignKey(
        ProgrammeArea, on_delete=models.PROTECT, related_name="cohorts"
    )
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    venue_village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    schedule = models.TextField(_("schedule"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    created_at = models.DateTimeField(auto_now_add=True)

    region_field = "venue_village__code"

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")), name="cohort_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["programme_area", "partner"], name="cohort_quota_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programmes:cohort-detail", args=[self.public_id])


class Enrolment(models.Model):
    """A business taking part in a cohort, from application to completion.

    Statuses change only along ``TRANSITIONS`` through ``services.transition``, each change
    leaving an ``EnrolmentEvent``. An enrolment in a status of ``HOLDS_PLACE`` uses one place of
    the area's and the partner's quota and of the cohort's capacity.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        ACCEPTED = "accepted", _("accepted")
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REJECTED = "rejected", _("rejected")

    TRANSITIONS = {
        Status.APPLIED: {Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN},
        Status.ACCEPTED: {Status.ACTIVE, Status.WITHDRAWN},
        Status.ACTIVE: {Status.COMPLETED, Status.WITHDRAWN},
        Status.COMPLETED: set(),
        Status.WITHDRAWN: set(),
        Status.REJECTED: set(),
    }
    HOLDS_PLACE = frozenset({Status.APPLIED, Status.ACCEPTED, Status.ACTIVE, Status.COMPLETED})

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    applied_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    region_field = "cohort__venue_village__code"

    class Meta:
        ordering = ["-applied_at", "-pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "enterprise"], name="enrolment_unique_per_cohort"
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status"], name="enrolment_cohort_status_idx"),
            models.Index(fields=["enterprise", "status"], name="enrolment_enterprise_idx"),
        ]

    def __str__(self):
        return f"{self.enterprise_id} in {self.cohort_id} ({self.status})"

    def get_absolute_url(self):
        return reverse("programmes:enrolment-detail", args=[self.public_id])

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def holds_place(self) -> bool:
        return self.status in self.HOLDS_PLACE


class EnrolmentEvent(models.Model):
    """One status change of an enrolment: from, to, by whom, when and why."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=Enrolment.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Enrolment.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("enrolment event")
        verbose_name_plural = _("enrolment events")

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class BenefitDelivery(models.Model):
    """A benefit handed to one participant (e.g. the data package activated), with when and who."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="benefit_deliveries"
    )
    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="deliveries")
    delivered_at = models.DateTimeField()
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["delivered_at"]
        verbose_name = _("benefit delivery")
        verbose_name_plural = _("benefit deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "benefit"], name="benefit_delivery_unique"
            ),
        ]

    def __str__(self):
        return f"{self.benefit} → {self.enrolment_id}"


class Mentor(models.Model):
    """A mentor (pendamping) of a partner organisation, with the villages and areas they cover.

    ``region_code`` is the mentor's home region (province or regency code) for console scoping;
    ``specialities`` lists what they may help with, e.g. ``halal_process`` for a halal-process
    mentor (Pendamping Proses Produk Halal).
    """

    class Speciality(models.TextChoices):
        DIGITAL_ADOPTION = "digital_adoption", _("digital adoption")
        HALAL_PROCESS = "halal_process", _("halal process (self-declare)")
        NIB = "nib", _("business licence (NIB)")
        MARKETING = "marketing", _("online marketing")
        FINANCE = "finance", _("bookkeeping and finance")

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentor_profile"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("home region"), max_length=13, db_index=True)
    villages = models.ManyToManyField(Village, blank=True, related_name="+")
    areas = models.ManyToManyField(PriorityArea, blank=True, related_name="+")
    specialities = models.JSONField(_("specialities"), default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_field = "region_code"

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("programmes:console-mentor-detail", args=[self.public_id])


class Assignment(models.Model):
    """A business in a mentor's caseload, from ``assigned_at`` until it is ended."""

    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="assignments")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    is_active = models.BooleanField(default=True)
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    region_field = "enterprise__village__code"

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "enterprise"],
                condition=Q(is_active=True),
                name="assignment_one_active",
            ),
        ]

    def __str__(self):
        return f"{self.mentor} · {self.enterprise_id}"


class Session(models.Model):
    """A training session of a cohort, or a one-to-one visit of a mentor to one business.

    ``attendance_secret`` (64 hex characters, made at creation) keys the short attendance code
    participants type (see ``tumbuh.programmes.attendance``); the mentor's device holds it to
    check codes offline. It is never shown to participants.
    """

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    attendance_secret = models.CharField(
        max_length=64, default=new_attendance_secret, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    region_field = "village__code"

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(cohort__isnull=False, enterprise__isnull=True)
                | Q(cohort__isnull=True, enterprise__isnull=False),
                name="session_cohort_or_visit",
            ),
        ]
        indexes = [models.Index(fields=["mentor", "starts_at"], name="session_mentor_idx")]

    def __str__(self):
        return self.title

    @property
    def is_visit(self) -> bool:
        return self.cohort_id is None


class Attendance(models.Model):
    """A business present at a session: by the code it typed, or marked by the mentor.

    ``recorded_at`` is when it happened (on the device, possibly offline); ``received_at`` when
    the server got it. ``client_id`` is the device's id for the record, so a replayed sync
    changes nothing.
    """

    class Method(models.TextChoices):
        CODE = "code", _("attendance code")
        MARKED = "marked", _("marked by the mentor")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    code_entered = models.CharField(_("code entered"), max_length=16, blank=True)
    reason = models.TextField(_("reason for marking"), blank=True)
    # People's names and signatures: private storage, served only by ``attendance_evidence``.
    evidence = models.ImageField(
        _("sign-in sheet photo"),
        upload_to="programmes/attendance/%Y/%m/",
        storage=private_storage,
        blank=True,
    )
    recorded_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.CharField(max_length=64, unique=True, null=True, blank=True)

    region_field = "session__village__code"

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enterprise"], name="attendance_once_per_session"
            ),
        ]
        indexes = [models.Index(fields=["enterprise"], name="attendance_enterprise_idx")]

    def __str__(self):
        return f"{self.enterprise_id} @ {self.session_id}"


class VisitNote(models.Model):
    """What a mentor saw and agreed on a visit; ``version`` grows by one on each change.

    A device editing a note sends the version it started from; a different stored version is a
    conflict the mentor resolves (see ``attendance.save_visit_note``).
    """

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="visit_notes")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="visit_notes"
    )
    text = models.TextField(_("note"))
    visited_at = models.DateTimeField(_("visited at"))
    version = models.PositiveIntegerField(default=1)
    client_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    region_field = "enterprise__village__code"

    class Meta:
        ordering = ["-visited_at", "-pk"]
        verbose_name = _("visit note")
        verbose_name_plural = _("visit notes")
        indexes = [models.Index(fields=["mentor", "enterprise"], name="visit_note_mentor_idx")]

    def __str__(self):
        return f"{self.mentor} · {self.enterprise_id} · v{self.version}"


class Certificate(models.Model):
    """Proof that a business completed a programme, verifiable by anyone with its code.

    ``business_name`` is the name printed on the certificate, kept as issued. The public page
    shows only the programme, this name and whether it is valid or revoked.
    """

    code = models.CharField(max_length=16, unique=True, default=new_certificate_code)
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    business_name = models.CharField(max_length=200)
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    region_field = "enrolment__cohort__venue_village__code"

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("programmes:certificate", args=[self.code])

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
