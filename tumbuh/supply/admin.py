"""Read-only admin pages for technical staff. Every change of a link, an offer, an order or a
collection goes through ``services`` (guarded, with its event and audit rows), so nothing here can
add, change or delete one."""

from django.contrib import admin

from tumbuh.registry.admin import ReadOnlyAdmin
from tumbuh.supply.models import Collection, Offer, SupplyLink, SupplyOrder, SupplyRequest


@admin.register(SupplyLink)
class SupplyLinkAdmin(ReadOnlyAdmin):
    list_display = ["supplier", "buyer", "commodity", "usual_volume", "unit", "basis"]
    list_filter = ["basis"]
    search_fields = ["supplier__name", "buyer__name", "commodity"]
    list_select_related = ["supplier", "buyer"]
    raw_id_fields = ["supplier", "buyer", "declared_by", "recorded_by"]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "supplier", "commodity", "available_quantity", "unit", "status"]
    list_filter = ["status"]
    search_fields = ["public_id", "supplier__name", "commodity"]
    list_select_related = ["supplier"]
    raw_id_fields = ["supplier", "created_by"]


@admin.register(SupplyRequest)
class SupplyRequestAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "buyer", "commodity", "quantity", "unit", "period", "status"]
    list_filter = ["status"]
    search_fields = ["public_id", "buyer__name", "commodity"]
    list_select_related = ["buyer"]
    raw_id_fields = ["buyer", "created_by"]


@admin.register(SupplyOrder)
class SupplyOrderAdmin(ReadOnlyAdmin):
    list_display = ["code", "supplier", "buyer", "status", "terms", "total_idr", "paid_idr"]
    list_filter = ["status", "terms"]
    search_fields = ["code", "supplier__name", "buyer__name"]
    list_select_related = ["supplier", "buyer"]
    raw_id_fields = ["supplier", "buyer", "request", "created_by"]


@admin.register(Collection)
class CollectionAdmin(ReadOnlyAdmin):
    list_display = ["collector", "producer", "commodity", "quantity", "unit", "amount_idr"]
    search_fields = ["collector__name", "producer__name", "commodity"]
    list_select_related = ["collector", "producer"]
    raw_id_fields = ["collector", "producer", "offer", "recorded_by"]
