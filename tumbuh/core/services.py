"""Services shared by every app: the audit trail."""

from django.db import models

from tumbuh.core.models import AuditEvent


def record_event(
    *,
    actor,
    action: str,
    target: models.Model,
    region_code: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append an audit event for ``target``; call it inside the transaction of the change."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        region_code=region_code,
        data=data or {},
    )
