"""Copy the orders API's idempotency records into the one model of ``core``.

Orders placed with an ``Idempotency-Key`` were remembered in ``stores.IdempotencyRecord`` (with
a link to the order); they are now remembered by ``core.idempotency`` like every idempotent
request, with the order's code as the stored answer (``{"order": <code>}``). The scope, key,
request digest (the same canonical SHA-256), status and time stay, so a client retrying after
the upgrade still gets its first order. A record already in ``core`` is kept as it is; run
again, this copies nothing. Reversed, the records of the orders scope go back.
"""

from django.db import migrations

SCOPE_PREFIX = "stores.order:"


def copy_to_core(apps, schema_editor):
    Old = apps.get_model("stores", "IdempotencyRecord")
    New = apps.get_model("core", "IdempotencyRecord")
    for record in Old.objects.select_related("order").order_by("pk").iterator():
        if New.objects.filter(scope=record.scope, key=record.key).exists():
            continue
        response = {"order": record.order.code} if record.order_id else dict(record.response)
        copied = New.objects.create(
            scope=record.scope,
            key=record.key,
            request_sha256=record.request_hash,
            status_code=record.status_code,
            response=response,
        )
        # created_at is set on creation (auto_now_add): give it the original time.
        New.objects.filter(pk=copied.pk).update(created_at=record.created_at)


def copy_back(apps, schema_editor):
    Old = apps.get_model("stores", "IdempotencyRecord")
    New = apps.get_model("core", "IdempotencyRecord")
    Order = apps.get_model("stores", "Order")
    for record in New.objects.filter(scope__startswith=SCOPE_PREFIX).order_by("pk").iterator():
        if Old.objects.filter(scope=record.scope, key=record.key).exists():
            continue
        code = (record.response or {}).get("order")
        copied = Old.objects.create(
            scope=record.scope,
            key=record.key,
            request_hash=record.request_sha256,
            order=Order.objects.filter(code=code).first() if code else None,
            response=record.response,
            status_code=record.status_code,
        )
        Old.objects.filter(pk=copied.pk).update(created_at=record.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_idempotency_record"),
        ("stores", "0003_product_photos_content_hashed_names"),
    ]

    operations = [migrations.RunPython(copy_to_core, copy_back)]
