"""Shared models with no business rules of their own."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One recorded action on the platform: who did what to which record, and when.

    Services write an event for every change that an auditor may ask about later (a priority
    area edited, a membership granted, an API key issued or revoked). Events are never updated
    or deleted. ``region_code`` is the Kemendagri code of the region the target belongs to
    ("" for national records), so audit trails can be scoped like everything else.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who acted; empty for the system (a loader, a task).",
    )
    action = models.CharField(max_length=64, help_text="Dotted verb, e.g. regions.area_edited.")
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    region_code = models.CharField(max_length=13, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


class IdempotencyRecord(models.Model):
    """A request made with an ``Idempotency-Key``, and the answer it got.

    The same key in the same ``scope`` (an operation and whose keys they are, e.g.
    ``stores.order:<store>`` or ``programmes.enrol:<organisation>``) with the same request gets the
    stored answer again; with a different request it is refused. Written only by
    ``core.idempotency.run_once``.
    """

    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=100)
    request_sha256 = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_record_unique_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_record_created_idx")]

    def __str__(self):
        return f"{self.scope}:{self.key}"
