"""Copy the partner API's stored enrolment answers (``IdempotentRequest``) into
``core.IdempotencyRecord``, the one home of idempotent requests, before the model is deleted.

A row of (organisation, endpoint ``enrol:<cohort>``, key) becomes a record of scope
``programmes.enrol:<cohort>:<organisation>`` with the same key, status, answer and time, so a
partner that sends a key again after the upgrade gets the answer it got before.

The request digest changes form: the old rows hold SHA-256 of ``json.dumps(body,
sort_keys=True)``, core of the compact form (``core.idempotency.request_sha256``). The body is
rebuilt from the stored answer (one result per business, in the order sent; ``accept`` true or
false) and kept only when it gives the old digest exactly; a row whose body cannot be rebuilt
keeps its old digest (the same key then answers 409, as for another body). Going back copies
the records into the table again the same way.
"""

import hashlib
import json

from django.db import migrations

from tumbuh.core.idempotency import request_sha256

SCOPE_PREFIX = "programmes."


def old_sha256(body: dict) -> str:
    """The digest the programmes API stored until this migration."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def bodies(response: dict):
    """The request bodies that could have had this answer: each result names its business."""
    results = response.get("results") if isinstance(response, dict) else None
    if not isinstance(results, list):
        return
    enterprises = [result.get("enterprise") for result in results if isinstance(result, dict)]
    for accept in (False, True):
        yield {"enterprises": enterprises, "accept": accept}


def to_core(apps, schema_editor):
    IdempotentRequest = apps.get_model("programmes", "IdempotentRequest")
    IdempotencyRecord = apps.get_model("core", "IdempotencyRecord")
    for row in IdempotentRequest.objects.order_by("pk").iterator():
        digest = row.body_sha256
        for body in bodies(row.response):
            if old_sha256(body) == row.body_sha256:
                digest = request_sha256(body)
                break
        record, created = IdempotencyRecord.objects.get_or_create(
            scope=f"{SCOPE_PREFIX}{row.endpoint}:{row.organisation_id}",
            key=row.key,
            defaults={
                "request_sha256": digest,
                "status_code": row.status_code,
                "response": row.response,
            },
        )
        if created:
            IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=row.created_at)


def to_programmes(apps, schema_editor):
    IdempotentRequest = apps.get_model("programmes", "IdempotentRequest")
    IdempotencyRecord = apps.get_model("core", "IdempotencyRecord")
    records = IdempotencyRecord.objects.filter(scope__startswith=f"{SCOPE_PREFIX}enrol:")
    for record in records.order_by("pk").iterator():
        endpoint, _colon, organisation_id = record.scope[len(SCOPE_PREFIX) :].rpartition(":")
        digest = record.request_sha256
        for body in bodies(record.response):
            if request_sha256(body) == record.request_sha256:
                digest = old_sha256(body)
                break
        row, created = IdempotentRequest.objects.get_or_create(
            organisation_id=int(organisation_id),
            endpoint=endpoint,
            key=record.key,
            defaults={
                "body_sha256": digest,
                "status_code": record.status_code,
                "response": record.response,
            },
        )
        if created:
            IdempotentRequest.objects.filter(pk=row.pk).update(created_at=record.created_at)
        record.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0003_move_attendance_evidence_to_private_storage"),
        ("core", "0002_idempotency_record"),
    ]

    operations = [migrations.RunPython(to_core, to_programmes)]
