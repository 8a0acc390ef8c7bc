"""Digital capability (kecakapan digital): versioned instruments, assessments, levels.

An ``Instrument`` is one version of the questionnaire: pillars, questions and answer options with
weights, loaded from a data file and never edited afterwards. An ``Assessment`` stores the
version it was taken with, every answer, and the scores computed at the time, so a new version
never changes a past result. Self-assessments in progress are kept in ``AssessmentDraft`` so
that an owner on a phone can stop and resume.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tumbuh.registry.models import Enterprise, new_public_id


def _in_language(obj, field: str) -> str:
    """The Indonesian or English text of ``field``, following the active language."""
    language = (get_language() or "id")[:2]
    text = getattr(obj, f"{field}_en" if language == "en" else f"{field}_id")
    return text or getattr(obj, f"{field}_id")


class Instrument(models.Model):
    """One version of the capability questionnaire.

    A version is loaded once from a data file and then never changes; a revised questionnaire
    is a new version. The newest active version is the one businesses take now
    (``current_instrument``); past assessments keep pointing at the version they used.
    """

    version = models.PositiveSmallIntegerField(unique=True)
    title_id = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    source = models.TextField(
        blank=True, help_text="The frameworks the questions are based on, for the record."
    )
    data_sha256 = models.CharField(max_length=64, help_text="Of the data file it was loaded from.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")

    def __str__(self):
        return f"v{self.version} {self.title_id}"

    @property
    def title(self) -> str:
        return _in_language(self, "title")


class Pillar(models.Model):
    """A dimension of capability scored on its own from 0 to 100.

    The four pillars of the national digital literacy framework (Cakap, Etika, Aman and Budaya
    Digital) and five of business adoption (online presence, online selling, digital payment,
    digital bookkeeping, use of data). ``key`` is a short English key shared across versions.
    """

    class Group(models.TextChoices):
        LITERACY = "literacy", _("digital literacy")
        BUSINESS = "business", _("business adoption")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="pillars")
    key = models.SlugField(max_length=40)
    group = models.CharField(max_length=10, choices=Group.choices)
    position = models.PositiveSmallIntegerField()
    name_id = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="pillar_unique_key"),
        ]

    def __str__(self):
        return self.key

    @property
    def name(self) -> str:
        return _in_language(self, "name")


class Question(models.Model):
    """A question of an instrument; its ``weight`` says how much it counts within its pillar."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField()
    weight = models.PositiveSmallIntegerField(default=1)
    is_required = models.BooleanField(default=True)
    text_id = models.TextField()
    text_en = models.TextField()
    help_id = models.TextField(blank=True)
    help_en = models.TextField(blank=True)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="question_unique_key"),
            models.UniqueConstraint(
                fields=["instrument", "position"], name="question_unique_position"
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="question_weight_positive"),
        ]

    def __str__(self):
        return f"v{self.instrument_id}:{self.key}"

    @property
    def text(self) -> str:
        return _in_language(self, "text")

    @property
    def help(self) -> str:
        return _in_language(self, "help")


class Option(models.Model):
    """An answer to a question; ``points`` (0 up to the question's best option) is its score."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField()
    points = models.PositiveSmallIntegerField()
    text_id = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="option_unique_key"),
        ]

    def __str__(self):
        return f"{self.question.key}:{self.key}"

    @property
    def text(self) -> str:
        return _in_language(self, "text")


class AssessmentQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-taken_at", "-pk")


class Assessment(models.Model):
    """One completed assessment of a business, with the scores computed when it was taken.

    ``pillar_scores`` maps pillar keys to 0–100; ``overall_score`` is their mean and ``level``
    (1–5) follows from it by the thresholds in ``tumbuh.capability.scoring``. These are stored,
    not recomputed, so a later instrument version or threshold never changes a past result.
    ``client_id`` is the id an offline client gave the record: submitting it again returns the
    same assessment.
    """

    class Mode(models.TextChoices):
        SELF = "self", _("self-assessment")
        MENTOR = "mentor", _("with a mentor")

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=6, choices=Mode.choices)
    taken_at = models.DateTimeField(_("taken at"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    pillar_scores = models.JSONField(default=dict)
    overall_score = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField(_("level"))

    objects = AssessmentQuerySet.as_manager()

    region_field = "enterprise__village__code"

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            models.Index(fields=["enterprise", "-taken_at"], name="assessment_enterprise_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="assessment_level_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(overall_score__lte=100), name="assessment_score_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.enterprise_id} level {self.level} ({self.taken_at:%Y-%m-%d})"

    def weakest_pillars(self) -> list[str]:
        """Pillar keys from the lowest score up (ties in the instrument's order).

        The order comes from the instrument, not from ``pillar_scores``: PostgreSQL's jsonb
        does not keep the order of keys.
        """
        keys = self.instrument.pillars.order_by("position").values_list("key", flat=True)
        order = {key: index for index, key in enumerate(keys)}
        return sorted(
            self.pillar_scores,
            key=lambda key: (self.pillar_scores[key], order.get(key, len(order)), key),
        )


class Answer(models.Model):
    """The option chosen for one question in one assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="answer_one_per_question"
            ),
        ]

    def __str__(self):
        return f"{self.assessment_id} {self.question_id}={self.option_id}"


class AssessmentDraft(models.Model):
    """A self-assessment in progress: the answers given so far, saved after every screen.

    One per business, person and instrument version; it is deleted when the assessment is
    submitted. ``answers`` maps question keys to option keys.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "user", "instrument"], name="draft_one_per_person"
            ),
        ]

    def __str__(self):
        return f"draft {self.enterprise_id} {len(self.answers)} answers"
