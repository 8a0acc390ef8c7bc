"""Legal footing for a business: NIB assistance and halal self-declare assistance.

A mentor or regional officer helps a business through two outside processes, each kept here as
a *case* that moves through the steps of the outside system, one guarded transition at a time:

- ``NibCase``: the OSS (Online Single Submission) steps that end with a NIB, the business's
  identity number.
- ``HalalCase``: the free halal self-declare route (SEHATI) in SiHalal, from the account to the
  certificate issued by BPJPH.

Every change of step writes an event row (who, when, from, to); the time spent in each step is
read from those rows. The transition maps live on the models (``TRANSITIONS``) and only
``tumbuh.licensing.services`` changes a case.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tumbuh.core.storage import private_storage
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise, new_public_id


class AssistanceCase(models.Model):
    """What the NIB and halal cases share: who opened the case and when, the region it belongs
    to (through its business), and moving through ``Step`` by ``TRANSITIONS``.

    A subclass defines ``Step`` (with an ``ISSUED`` last step), ``TRANSITIONS`` and ``step``.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    region_field = "enterprise__village__code"

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["step", "step_entered_at"], name="%(class)s_step_idx")]
        constraints = [
            # One open case per business: a second one is refused (and a race cannot make one).
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=~Q(step="issued"),
                name="%(class)s_one_open_per_business",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.step != self.Step.ISSUED

    def allowed_next(self) -> tuple[str, ...]:
        return self.TRANSITIONS[self.step]

    def is_forward(self, to_step: str) -> bool:
        """Whether ``to_step`` is the step after this one: the first of ``TRANSITIONS``; the
        other steps a case may move to send it back."""
        allowed = self.TRANSITIONS.get(self.step, ())
        return bool(allowed) and allowed[0] == to_step


class CaseEvent(models.Model):
    """What the case events share: who made the change, when, what changed, an idempotency key.

    A subclass defines ``case``, ``from_step`` and ``to_step``.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case_id}: {self.from_step or '∅'} → {self.to_step}"


class NibCase(AssistanceCase):
    """Help for one business to obtain a NIB through OSS, step by step.

    Steps follow OSS: the applicant's account and data (NIK, e-mail or WhatsApp number), the
    business data (name, address with village, capital, workforce, scale), the KBLI activities,
    submission, and the NIB issued. The NIK and the phone number are personal data: stored
    encrypted with a keyed hash, shown only masked. A NIB entered by a mentor is kept apart from
    one confirmed with OSS (``nib_status``).
    """

    class Step(models.TextChoices):
        ACCOUNT = "account", _("Account and applicant data")
        BUSINESS = "business", _("Business data")
        KBLI = "kbli", _("KBLI activities")
        SUBMITTED = "submitted", _("Submitted to OSS")
        ISSUED = "issued", _("NIB issued")

    # Each step and the steps a case may move to from it: forwards one at a time; a submission
    # that OSS sends back returns to the business data or KBLI step.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Step.ACCOUNT: (Step.BUSINESS,),
        Step.BUSINESS: (Step.KBLI, Step.ACCOUNT),
        Step.KBLI: (Step.SUBMITTED, Step.BUSINESS),
        Step.SUBMITTED: (Step.ISSUED, Step.BUSINESS, Step.KBLI),
        Step.ISSUED: (),
    }

    class NibStatus(models.TextChoices):
        NONE = "", _("no NIB yet")
        ENTERED = "entered", _("entered (not checked with OSS)")
        CONFIRMED = "confirmed", _("confirmed with OSS")

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="nib_cases")
    step = models.CharField(_("step"), max_length=12, choices=Step.choices, default=Step.ACCOUNT)
    step_entered_at = models.DateTimeField(_("in this step since"))
    assigned_mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_nib_cases",
        verbose_name=_("mentor"),
    )
    # Step 1: the applicant's account and data.
    applicant_name = models.CharField(_("applicant name"), max_length=150, blank=True)
    nik_hash = models.CharField(max_length=64, blank=True)
    nik_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    nik_masked = models.CharField(_("NIK"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    phone_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    phone_masked = models.CharField(_("WhatsApp number"), max_length=16, blank=True)
    # Step 2: the business data as entered in OSS.
    business_name = models.CharField(_("business name"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    capital_idr = models.BigIntegerField(_("business capital (Rp)"), null=True, blank=True)
    workforce = models.PositiveIntegerField(_("workers"), null=True, blank=True)
    scale = models.CharField(
        _("scale"), max_length=10, choices=Enterprise.Scale.choices, blank=True
    )
    # Step 3: KBLI 2020 codes (5-digit kelompok), the first being the main activity.
    kbli_codes = models.JSONField(_("KBLI codes"), default=list, blank=True)
    # Step 4 and 5.
    submitted_at = models.DateTimeField(null=True, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, blank=True)
    nib_status = models.CharField(
        _("NIB status"),
        max_length=10,
        choices=NibStatus.choices,
        default=NibStatus.NONE,
        blank=True,
    )
    nib_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta(AssistanceCase.Meta):
        verbose_name = _("NIB case")
        verbose_name_plural = _("NIB cases")

    def __str__(self):
        return f"NIB · {self.enterprise}"

    def get_absolute_url(self):
        return reverse("licensing:nib-detail", args=[self.public_id])


class NibCaseEvent(CaseEvent):
    """One change of step of a NIB case: who moved it, when, from which step to which.

    ``data`` keeps what changed without personal data (never a NIK or a phone number).
    ``idempotency_key`` lets a repeated request (a retried API call) be recognised.
    """

    case = models.ForeignKey(NibCase, on_delete=models.CASCADE, related_name="events")
    from_step = models.CharField(max_length=12, choices=NibCase.Step.choices, blank=True)
    to_step = models.CharField(max_length=12, choices=NibCase.Step.choices)

    class Meta(CaseEvent.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["case", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="nibcaseevent_idempotency_unique",
            ),
        ]


class HalalCase(AssistanceCase):
    """Help for one business through the halal self-declare route (SEHATI) in SiHalal.

    Seven steps lead to the certificate: the SiHalal account and business data; choosing the
    halal-process mentor (Pendamping PPH), a user holding a mentor membership who is then the
    case's assigned mentor; preparing products, ingredients and the process description; the
    submission (with SiHalal's registration number); the mentor's verification and validation
    visit (evidence photos and a checklist); BPJPH's document check; the fatwa committee's
    decision; and the certificate issued (``HalalCertificate``).
    """

    class Step(models.TextChoices):
        ACCOUNT = "account", _("SiHalal account and business data")
        MENTOR = "mentor", _("Choose a halal-process mentor")
        PRODUCTS = "products", _("Products, ingredients and process")
        SUBMITTED = "submitted", _("Submitted in SiHalal")
        VERIFICATION = "verification", _("Mentor's verification and validation")
        DOCUMENT_CHECK = "document_check", _("BPJPH document check")
        FATWA = "fatwa", _("Fatwa committee decision")
        ISSUED = "issued", _("Certificate issued")

    # Forwards one step at a time; BPJPH or the fatwa committee may send the application back
    # to the products step for corrections.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Step.ACCOUNT: (Step.MENTOR,),
        Step.MENTOR: (Step.PRODUCTS, Step.ACCOUNT),
        Step.PRODUCTS: (Step.SUBMITTED, Step.MENTOR),
        Step.SUBMITTED: (Step.VERIFICATION,),
        Step.VERIFICATION: (Step.DOCUMENT_CHECK, Step.PRODUCTS),
        Step.DOCUMENT_CHECK: (Step.FATWA, Step.PRODUCTS),
        Step.FATWA: (Step.ISSUED, Step.PRODUCTS),
        Step.ISSUED: (),
    }

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="halal_cases")
    step = models.CharField(_("step"), max_length=16, choices=Step.choices, default=Step.ACCOUNT)
    step_entered_at = models.DateTimeField(_("in this step since"))
    assigned_mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_halal_cases",
        verbose_name=_("halal-process mentor"),
    )
    sihalal_account = models.CharField(_("SiHalal account (e-mail)"), max_length=254, blank=True)
    process_description = models.TextField(_("production process"), blank=True)
    is_simple_process = models.BooleanField(
        _("simple process"),
        null=True,
        help_text=_(
            "Made by hand or with simple tools, without irradiation, genetic engineering, "
            "ozonisation or combined technologies."
        ),
    )
    registration_number = models.CharField(
        _("SiHalal registration number"), max_length=40, blank=True
    )
    checklist = models.JSONField(_("verification checklist"), default=dict, blank=True)

    class Meta(AssistanceCase.Meta):
        verbose_name = _("halal case")
        verbose_name_plural = _("halal cases")

    def __str__(self):
        return f"Halal · {self.enterprise}"

    def get_absolute_url(self):
        return reverse("licensing:halal-detail", args=[self.public_id])


class HalalCaseEvent(CaseEvent):
    """One change of step of a halal case: who moved it, when, from which step to which."""

    case = models.ForeignKey(HalalCase, on_delete=models.CASCADE, related_name="events")
    from_step = models.CharField(max_length=16, choices=HalalCase.Step.choices, blank=True)
    to_step = models.CharField(max_length=16, choices=HalalCase.Step.choices)

    class Meta(CaseEvent.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["case", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="halalcaseevent_idempotency_unique",
            ),
        ]


class HalalProduct(models.Model):
    """A product put forward for self-declare, with whether it counts as risky.

    Self-declare is only for products that are not risky (BPJPH): no meat or other parts of
    slaughtered animals unless from certified sources, no alcohol, no hazardous materials.
    """

    case = models.ForeignKey(HalalCase, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("product name"), max_length=150)
    is_risky = models.BooleanField(
        _("risky product"),
        default=False,
        help_text=_("Contains alcohol, hazardous materials, or is otherwise a risky product."),
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "name"], name="halalproduct_unique_name"),
        ]

    def __str__(self):
        return self.name


class HalalIngredient(models.Model):
    """An ingredient of a product, with the proof that it is halal.

    Each ingredient carries a halal certificate number, or an exemption: materials that need no
    halal certificate (water, salt, plants and their simple products, and the like; KMA
    1360/2021). An ingredient from a slaughtered animal always needs a certificate.
    """

    class Exemption(models.TextChoices):
        NONE = "", _("none: has a halal certificate")
        NATURAL = "natural", _("natural, not processed (e.g. fresh fruit, vegetables, water)")
        NON_CRITICAL = "non_critical", _("on the list of materials exempt from certification")

    product = models.ForeignKey(HalalProduct, on_delete=models.CASCADE, related_name="ingredients")
    name = models.CharField(_("ingredient"), max_length=150)
    certificate_number = models.CharField(_("halal certificate number"), max_length=60, blank=True)
    exemption = models.CharField(
        _("exemption"), max_length=16, choices=Exemption.choices, default=Exemption.NONE, blank=True
    )
    is_from_slaughtered_animal = models.BooleanField(_("from a slaughtered animal"), default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name

    @property
    def is_halal_assured(self) -> bool:
        if self.certificate_number:
            return True
        return bool(self.exemption) and not self.is_from_slaughtered_animal


def evidence_upload_to(instance, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"licensing/halal/{instance.case.public_id}/{new_public_id()}.{suffix}"


class HalalEvidencePhoto(models.Model):
    """A photo taken at the mentor's verification and validation visit (kitchen, tools, stock)."""

    case = models.ForeignKey(HalalCase, on_delete=models.CASCADE, related_name="photos")
    # A kitchen, its people, their papers: private storage, served only by ``halal_photo``.
    image = models.ImageField(
        upload_to=evidence_upload_to,
        storage=private_storage,
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.caption or self.image.name

    def get_absolute_url(self):
        return reverse("licensing:halal-photo", args=[self.case.public_id, self.file_name])

    @property
    def file_name(self) -> str:
        """The stored file's own name: a random id (see ``evidence_upload_to``)."""
        return self.image.name.rsplit("/", 1)[-1]


class HalalCertificateQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Certificates in force on ``day``: issued on or before it, not yet expired."""
        return self.filter(issued_on__lte=day, valid_until__gte=day)


class HalalCertificate(models.Model):
    """A halal certificate issued by BPJPH at the end of a self-declare case.

    It exists only once its case reached "certificate issued" (``issue_halal_certificate``
    creates both together), so every row is an issued certificate. ``product_names`` are the
    products it covers; the store part shows a halal badge on a product whose certificate
    number is among its producer's valid certificates (``tumbuh.licensing.badges``).
    """

    case = models.OneToOneField(HalalCase, on_delete=models.PROTECT, related_name="certificate")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="halal_certificates"
    )
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    product_names = models.JSONField(_("products"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = HalalCertificateQuerySet.as_manager()

    region_field = "enterprise__village__code"

    class Meta:
        verbose_name = _("halal certificate")
        verbose_name_plural = _("halal certificates")
        ordering = ["valid_until", "pk"]
        indexes = [models.Index(fields=["valid_until"], name="halalcert_valid_until_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("issued_on")),
                name="halalcert_valid_after_issue",
            ),
        ]

    def __str__(self):
        return self.number
